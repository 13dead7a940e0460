//! [`Table`]: the memory store's keys and the order in which they expire.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;

use crate::key::Key;
use crate::store::{Claim, Token};

/// Every key held, and two expiry indexes: claims by lease end, and completed deliveries
/// in one queue per window length.
///
/// Rows are stamped under the store's lock from a monotonic clock, so the rows of one
/// window length are appended in order of expiry: a queue gives the soonest one at its
/// front, and appending costs no search.
#[derive(Default)]
pub(super) struct Table {
    /// Keys come from verified requests only; foldhash (seeded at random per table) is
    /// the hashing such keys need, at a fraction of `SipHash`'s cost.
    entries: HashMap<Key, Row, RandomState>,
    /// Claimed keys by lease end: the handlers in flight, a handful. `seq` keeps equal
    /// instants apart and ties an index row to its entry.
    claims: BTreeMap<(Instant, u64), Key>,
    /// Completed keys, in order of expiry within each queue. An item whose `seq` no longer
    /// matches its key's row (the key was completed again) is stale and skipped.
    done: Vec<Queue>,
    seq: u64,
}

struct Queue {
    window: Duration,
    items: VecDeque<((Instant, u64), Key)>,
}

struct Row {
    state: State,
    /// When it expires, and its number: its place in an expiry index.
    index: (Instant, u64),
}

#[derive(Clone, Copy)]
enum State {
    Claimed(Token),
    Done,
}

/// Where the key closest to expiry is indexed.
#[derive(Clone, Copy)]
enum Soonest {
    Claims,
    Done(usize),
}

impl Table {
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn claim(
        &mut self,
        key: Key,
        lease: Duration,
        now: Instant,
        capacity: usize,
    ) -> Claim {
        self.purge(now);
        if let Some(row) = self.entries.get(&key) {
            return match row.state {
                State::Claimed(_) => Claim::InFlight,
                State::Done => Claim::Done,
            };
        }
        if self.entries.len() >= capacity {
            self.evict(capacity);
        }
        let token = Token::random();
        let index = self.next_index(now + lease);
        self.claims.insert(index, key.clone());
        let row = Row {
            state: State::Claimed(token),
            index,
        };
        self.entries.insert(key, row);
        Claim::Claimed(token)
    }

    pub(super) fn complete(&mut self, key: Key, window: Duration, now: Instant, capacity: usize) {
        self.purge(now);
        let index = self.next_index(now + window);
        let done = Row {
            state: State::Done,
            index,
        };
        if let Some(row) = self.entries.get_mut(&key) {
            // A done key's earlier queue item goes stale: its `seq` no longer matches.
            if let State::Claimed(_) = row.state {
                self.claims.remove(&row.index);
            }
            *row = done;
        } else {
            if self.entries.len() >= capacity {
                self.evict(capacity);
            }
            self.entries.insert(key.clone(), done);
        }
        let item = (index, key);
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
        let held = self
            .entries
            .get(key)
            .is_some_and(|row| matches!(row.state, State::Claimed(holder) if holder == token));
        if !held {
            return;
        }
        if let Some(row) = self.entries.remove(key) {
            self.claims.remove(&row.index);
        }
    }

    fn next_index(&mut self, expires: Instant) -> (Instant, u64) {
        self.seq = self.seq.wrapping_add(1);
        (expires, self.seq)
    }

    /// Drops every key whose lease or window has passed.
    fn purge(&mut self, now: Instant) {
        while let Some(claim) = self.claims.first_entry() {
            if claim.key().0 > now {
                break;
            }
            let key = claim.remove();
            self.entries.remove(&key);
        }
        for queue in &mut self.done {
            while queue.items.front().is_some_and(|(index, _)| index.0 <= now) {
                if let Some((index, key)) = queue.items.pop_front() {
                    remove_current(&mut self.entries, key, index);
                }
            }
        }
        self.done.retain(|queue| !queue.items.is_empty());
    }

    /// Makes room for one key: drops the key closest to expiry.
    fn evict(&mut self, capacity: usize) {
        loop {
            let claims = self
                .claims
                .first_key_value()
                .map(|(index, _)| (*index, Soonest::Claims));
            let done = self.done.iter().enumerate().filter_map(|(at, queue)| {
                let (index, _) = queue.items.front()?;
                Some((*index, Soonest::Done(at)))
            });
            let Some((_, soonest)) = claims
                .into_iter()
                .chain(done)
                .min_by_key(|(index, _)| *index)
            else {
                return;
            };
            let evicted = match soonest {
                Soonest::Claims => self.claims.pop_first().map(|(_, key)| {
                    self.entries.remove(&key);
                    key
                }),
                Soonest::Done(at) => self
                    .done
                    .get_mut(at)
                    .and_then(|queue| queue.items.pop_front())
                    .and_then(|(index, key)| remove_current(&mut self.entries, key, index)),
            };
            if let Some(evicted) = evicted {
                tracing::warn!(%evicted, capacity, "deduplication memory store full: key evicted");
                return;
            }
        }
    }

    /// Keeps stale queue items (from keys completed again) from outgrowing the table.
    fn drop_stale(&mut self, capacity: usize) {
        let items: usize = self.done.iter().map(|queue| queue.items.len()).sum();
        if items <= capacity.saturating_mul(2) {
            return;
        }
        let entries = &self.entries;
        for queue in &mut self.done {
            queue
                .items
                .retain(|(index, key)| entries.get(key).is_some_and(|row| row.index == *index));
        }
    }
}

/// Removes `key` if its row is still the one indexed at `index`; returns it if so.
fn remove_current(
    entries: &mut HashMap<Key, Row, RandomState>,
    key: Key,
    index: (Instant, u64),
) -> Option<Key> {
    match entries.entry(key) {
        Entry::Occupied(row) if row.get().index == index => Some(row.remove_entry().0),
        _ => None,
    }
}
