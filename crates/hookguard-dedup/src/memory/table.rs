//! [`Table`]: the memory store's keys and the order in which they expire.

use std::collections::{BTreeMap, VecDeque};
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use super::evictions::Evictions;
use crate::key::Key;
use crate::store::{Claim, Token};

/// Every key held, and two expiry indexes: claims by lease end, and completed deliveries
/// in one queue per window length.
///
/// A call hashes its key once. Each row keeps its key's hash, and an index item holds that
/// hash and the row's stamp instead of the key, so an expired or evicted row is found and
/// removed without reading its key.
///
/// Rows are stamped under the store's lock from a monotonic clock, so the rows of one
/// window length are appended in order of expiry: a queue gives the soonest one at its
/// front, and appending costs no search.
#[derive(Default)]
pub(super) struct Table {
    /// Keys come from verified requests only; foldhash (seeded at random per table) is
    /// the hashing such keys need, at a fraction of `SipHash`'s cost.
    hasher: RandomState,
    rows: HashTable<Row>,
    /// Claimed keys by stamp: the handlers in flight, a handful.
    claims: BTreeMap<Stamp, u64>,
    /// Completed keys, in order of expiry within each queue. An item whose stamp no longer
    /// matches its key's row (the key was completed again) is stale and skipped.
    done: Vec<Queue>,
    seq: u64,
    evictions: Evictions,
}

/// When a row expires, and its number: `seq` keeps equal instants apart and ties an
/// index item to its row.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Stamp {
    expires: Instant,
    seq: u64,
}

/// An index item: a row's stamp and its key's hash.
type Item = (Stamp, u64);

struct Queue {
    window: Duration,
    items: VecDeque<Item>,
}

struct Row {
    key: Key,
    hash: u64,
    stamp: Stamp,
    state: State,
}

impl Row {
    /// Whether this is the row of `key`, whose hash is `hash`.
    fn holds(&self, hash: u64, key: &Key) -> bool {
        self.hash == hash && self.key == *key
    }
}

#[derive(Clone, Copy)]
enum State {
    Claimed(Token),
    Done,
}

/// Where the row closest to expiry is indexed.
#[derive(Clone, Copy)]
enum Soonest {
    Claims,
    Done(usize),
}

impl Table {
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Items in the done queues, stale ones included.
    pub(super) fn queued(&self) -> usize {
        self.done.iter().map(|queue| queue.items.len()).sum()
    }

    pub(super) fn claim(
        &mut self,
        key: Key,
        lease: Duration,
        now: Instant,
        capacity: usize,
    ) -> Claim {
        self.purge(now);
        let hash = self.hasher.hash_one(&key);
        if let Some(row) = self.rows.find(hash, |row| row.holds(hash, &key)) {
            return match row.state {
                State::Claimed(_) => Claim::InFlight,
                State::Done => Claim::Done,
            };
        }
        if self.rows.len() >= capacity {
            self.evict(capacity, now);
        }
        let token = Token::random();
        let stamp = self.stamp(now + lease);
        self.claims.insert(stamp, hash);
        let row = Row {
            key,
            hash,
            stamp,
            state: State::Claimed(token),
        };
        self.rows.insert_unique(hash, row, |row| row.hash);
        Claim::Claimed(token)
    }

    pub(super) fn complete(&mut self, key: Key, window: Duration, now: Instant, capacity: usize) {
        self.purge(now);
        let hash = self.hasher.hash_one(&key);
        let stamp = self.stamp(now + window);
        if let Some(row) = self.rows.find_mut(hash, |row| row.holds(hash, &key)) {
            // A done key's earlier queue item goes stale: its stamp no longer matches.
            if let State::Claimed(_) = row.state {
                self.claims.remove(&row.stamp);
            }
            row.stamp = stamp;
            row.state = State::Done;
        } else {
            if self.rows.len() >= capacity {
                self.evict(capacity, now);
            }
            let row = Row {
                key,
                hash,
                stamp,
                state: State::Done,
            };
            self.rows.insert_unique(hash, row, |row| row.hash);
        }
        let item = (stamp, hash);
        match self.done.iter_mut().find(|queue| queue.window == window) {
            Some(queue) => queue.items.push_back(item),
            None => self.done.push(Queue {
                window,
                items: VecDeque::from([item]),
            }),
        }
        self.drop_stale(capacity);
    }

    pub(super) fn release(&mut self, key: &Key, token: Token) {
        let hash = self.hasher.hash_one(key);
        let Ok(row) = self.rows.find_entry(hash, |row| row.holds(hash, key)) else {
            return;
        };
        if matches!(row.get().state, State::Claimed(holder) if holder == token) {
            let (row, _) = row.remove();
            self.claims.remove(&row.stamp);
        }
    }

    fn stamp(&mut self, expires: Instant) -> Stamp {
        self.seq = self.seq.wrapping_add(1);
        Stamp {
            expires,
            seq: self.seq,
        }
    }

    /// Drops every key whose lease or window has passed.
    fn purge(&mut self, now: Instant) {
        while let Some(claim) = self.claims.first_entry() {
            if claim.key().expires > now {
                break;
            }
            remove_current(&mut self.rows, claim.remove_entry());
        }
        let mut emptied = false;
        for queue in &mut self.done {
            while let Some(&item) = queue.items.front() {
                if item.0.expires > now {
                    break;
                }
                queue.items.pop_front();
                remove_current(&mut self.rows, item);
            }
            emptied |= queue.items.is_empty();
        }
        if emptied {
            self.done.retain(|queue| !queue.items.is_empty());
        }
    }

    /// Makes room for one key: drops the key closest to expiry.
    fn evict(&mut self, capacity: usize, now: Instant) {
        loop {
            let claims = self
                .claims
                .first_key_value()
                .map(|(stamp, _)| (*stamp, Soonest::Claims));
            let done = self.done.iter().enumerate().filter_map(|(at, queue)| {
                let (stamp, _) = queue.items.front()?;
                Some((*stamp, Soonest::Done(at)))
            });
            let Some((_, soonest)) = claims
                .into_iter()
                .chain(done)
                .min_by_key(|(stamp, _)| *stamp)
            else {
                return;
            };
            let item = match soonest {
                Soonest::Claims => self.claims.pop_first(),
                Soonest::Done(at) => self.done.get_mut(at).and_then(|q| q.items.pop_front()),
            };
            if let Some(evicted) = item.and_then(|item| remove_current(&mut self.rows, item)) {
                self.evictions.record(&evicted, capacity, now);
                return;
            }
        }
    }

    /// Keeps stale queue items (from keys completed again) from outgrowing the table.
    fn drop_stale(&mut self, capacity: usize) {
        if self.queued() <= capacity.saturating_mul(2) {
            return;
        }
        let rows = &self.rows;
        for queue in &mut self.done {
            queue
                .items
                .retain(|&(stamp, hash)| rows.find(hash, |row| row.stamp == stamp).is_some());
        }
    }
}

/// Removes the row `item` indexes if it is still that row (a row's stamp is its own);
/// returns its key if so.
fn remove_current(rows: &mut HashTable<Row>, (stamp, hash): Item) -> Option<Key> {
    let row = rows.find_entry(hash, |row| row.stamp == stamp).ok()?;
    Some(row.remove().0.key)
}
