//! [`MemoryStore`]: the embedded store, bounded in entries, each entry bounded in time.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::ready;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::key::Key;
use crate::store::{Claim, Store, StoreError, StoreFuture, Token};

/// Claims and completed deliveries in this process's memory: the default store.
///
/// Holds at most `capacity` keys. Each one expires with its lease (claimed) or window
/// (done); expired keys are dropped as later calls pass them. When the store is full of
/// live keys, the one closest to expiry is evicted (with a `tracing` warning): size the
/// capacity above the deliveries a window holds.
///
/// It deduplicates within one process only; a fleet of receivers shares a `RedisStore`.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use hookguard_dedup::{Claim, Key, MemoryStore, Store};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), hookguard_dedup::StoreError> {
/// let store = MemoryStore::new(10_000);
/// let claim = store.claim(Key::new("k"), Duration::from_secs(30)).await?;
/// assert!(matches!(claim, Claim::Claimed(_)));
/// assert_eq!(store.len(), 1);
/// # Ok(())
/// # }
/// ```
pub struct MemoryStore {
    capacity: usize,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    entries: HashMap<Key, Row>,
    /// Keys by expiry; `seq` keeps equal instants apart and ties an index row to its entry.
    expiry: BTreeMap<(Instant, u64), Key>,
    seq: u64,
}

struct Row {
    state: State,
    expires: Instant,
    seq: u64,
}

#[derive(Clone, Copy)]
enum State {
    Claimed(Token),
    Done,
}

impl MemoryStore {
    /// A store holding at most `capacity` keys (at least one).
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::MemoryStore;
    /// let store = MemoryStore::new(100_000);
    /// assert!(store.is_empty());
    /// ```
    pub fn new(capacity: usize) -> MemoryStore {
        MemoryStore {
            capacity: capacity.max(1),
            table: Mutex::new(Table::default()),
        }
    }

    /// How many keys are held, expired ones not yet dropped included.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::MemoryStore;
    /// assert_eq!(MemoryStore::new(1).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no key is held.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::MemoryStore;
    /// assert!(MemoryStore::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // Every update leaves the table consistent before anything can panic.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn claim_now(&self, key: Key, lease: Duration, now: Instant) -> Claim {
        let mut table = self.lock();
        table.purge(now);
        if table.entries.len() >= self.capacity && !table.entries.contains_key(&key) {
            table.evict(self.capacity);
        }
        let Table {
            entries,
            expiry,
            seq,
        } = &mut *table;
        match entries.entry(key) {
            Entry::Occupied(held) => match held.get().state {
                State::Claimed(_) => Claim::InFlight,
                State::Done => Claim::Done,
            },
            Entry::Vacant(free) => {
                let token = Token::random();
                let row = Row::new(seq, now + lease, State::Claimed(token));
                expiry.insert(row.index(), free.key().clone());
                free.insert(row);
                Claim::Claimed(token)
            }
        }
    }

    fn complete_now(&self, key: Key, window: Duration, now: Instant) {
        let mut table = self.lock();
        table.purge(now);
        if table.entries.len() >= self.capacity && !table.entries.contains_key(&key) {
            table.evict(self.capacity);
        }
        let Table {
            entries,
            expiry,
            seq,
        } = &mut *table;
        let row = Row::new(seq, now + window, State::Done);
        match entries.entry(key) {
            Entry::Occupied(mut held) => {
                expiry.remove(&held.get().index());
                expiry.insert(row.index(), held.key().clone());
                held.insert(row);
            }
            Entry::Vacant(free) => {
                expiry.insert(row.index(), free.key().clone());
                free.insert(row);
            }
        }
    }

    fn release_now(&self, key: &Key, token: Token) {
        let mut table = self.lock();
        let held = table.entries.get(key).and_then(|row| match row.state {
            State::Claimed(holder) if holder == token => Some(row.index()),
            _ => None,
        });
        if let Some(index) = held {
            table.entries.remove(key);
            table.expiry.remove(&index);
        }
    }
}

impl Table {
    /// Drops every key whose lease or window has passed.
    fn purge(&mut self, now: Instant) {
        while let Some(entry) = self.expiry.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = entry.remove();
            self.entries.remove(&key);
        }
    }

    /// Makes room for one key: drops the key closest to expiry.
    fn evict(&mut self, capacity: usize) {
        if let Some((_, evicted)) = self.expiry.pop_first() {
            tracing::warn!(%evicted, capacity, "deduplication memory store full: key evicted");
            self.entries.remove(&evicted);
        }
    }
}

impl Row {
    /// A row expiring at `expires`, numbered from the table's counter.
    fn new(seq: &mut u64, expires: Instant, state: State) -> Row {
        *seq = seq.wrapping_add(1);
        Row {
            state,
            expires,
            seq: *seq,
        }
    }

    /// Its key in the expiry index.
    fn index(&self) -> (Instant, u64) {
        (self.expires, self.seq)
    }
}

impl Store for MemoryStore {
    fn claim(&self, key: Key, lease: Duration) -> StoreFuture<Claim> {
        Box::pin(ready(Ok(self.claim_now(key, lease, Instant::now()))))
    }

    fn complete(&self, key: Key, window: Duration) -> StoreFuture<()> {
        self.complete_now(key, window, Instant::now());
        Box::pin(ready(Ok::<(), StoreError>(())))
    }

    fn release(&self, key: Key, token: Token) -> StoreFuture<()> {
        self.release_now(&key, token);
        Box::pin(ready(Ok::<(), StoreError>(())))
    }

    fn release_detached(&self, key: Key, token: Token) {
        self.release_now(&key, token);
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(30);
    const WINDOW: Duration = Duration::from_secs(3600);
    const JUST_BEFORE_WINDOW_ENDS: Duration = Duration::from_millis(3_599_999);

    fn claimed(claim: Claim) -> Token {
        match claim {
            Claim::Claimed(token) => token,
            other => panic!("expected a claim, got {other:?}"),
        }
    }

    #[test]
    fn claim_in_flight_done_then_window_ends() {
        let store = MemoryStore::new(10);
        let (key, t0) = (Key::new("k"), Instant::now());
        claimed(store.claim_now(key.clone(), LEASE, t0));
        assert_eq!(store.claim_now(key.clone(), LEASE, t0), Claim::InFlight);
        store.complete_now(key.clone(), WINDOW, t0);
        assert_eq!(
            store.claim_now(key.clone(), LEASE, t0 + JUST_BEFORE_WINDOW_ENDS),
            Claim::Done
        );
        claimed(store.claim_now(key, LEASE, t0 + WINDOW));
    }

    #[test]
    fn lease_lapses_and_a_later_claim_runs() {
        let store = MemoryStore::new(10);
        let (key, t0) = (Key::new("k"), Instant::now());
        let first = claimed(store.claim_now(key.clone(), LEASE, t0));
        let second = claimed(store.claim_now(key.clone(), LEASE, t0 + LEASE));
        // The first holder's late release leaves the second claim alone.
        store.release_now(&key, first);
        assert_eq!(
            store.claim_now(key.clone(), LEASE, t0 + LEASE),
            Claim::InFlight
        );
        store.release_now(&key, second);
        claimed(store.claim_now(key, LEASE, t0 + LEASE));
    }

    #[test]
    fn release_never_removes_done() {
        let store = MemoryStore::new(10);
        let (key, t0) = (Key::new("k"), Instant::now());
        let token = claimed(store.claim_now(key.clone(), LEASE, t0));
        store.complete_now(key.clone(), WINDOW, t0);
        store.release_now(&key, token);
        assert_eq!(store.claim_now(key, LEASE, t0), Claim::Done);
    }

    #[test]
    fn bounded_evicts_the_key_closest_to_expiry() {
        let store = MemoryStore::new(2);
        let t0 = Instant::now();
        store.complete_now(Key::new("a"), WINDOW, t0);
        store.complete_now(Key::new("b"), WINDOW * 2, t0);
        claimed(store.claim_now(Key::new("c"), LEASE, t0));
        assert_eq!(store.len(), 2);
        claimed(store.claim_now(Key::new("a"), LEASE, t0));
        assert_eq!(store.claim_now(Key::new("b"), LEASE, t0), Claim::Done);
    }

    #[test]
    fn expired_keys_are_dropped_as_calls_pass() {
        let store = MemoryStore::new(100);
        let t0 = Instant::now();
        for n in 0..50 {
            store.complete_now(Key::new(format!("k{n}")), WINDOW, t0);
        }
        assert_eq!(store.len(), 50);
        claimed(store.claim_now(Key::new("new"), LEASE, t0 + WINDOW));
        assert_eq!(store.len(), 1);
    }
}
