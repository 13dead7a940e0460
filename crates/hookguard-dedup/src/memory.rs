//! [`MemoryStore`]: the embedded store, bounded in entries, each entry bounded in time.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::key::Key;
use crate::store::{Claim, Store, StoreFuture, Token};

mod evictions;
mod table;

use table::Table;

/// Claims and completed deliveries in this process's memory: the default store.
///
/// Holds at most `capacity` keys. Each one expires with its lease (claimed) or window
/// (done); expired keys are dropped as later calls pass them. When the store is full of
/// live keys, the one closest to expiry is evicted (a `tracing` warning, at most one a
/// minute, counts them): size the capacity above the deliveries a window holds.
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
        self.lock().len()
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

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Every update leaves the table consistent before anything can panic.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn claim_now(&self, key: Key, lease: Duration, now: Instant) -> Claim {
        self.lock().claim(key, lease, now, self.capacity)
    }

    #[cfg(test)]
    fn complete_now(&self, key: Key, window: Duration, now: Instant) {
        self.lock().complete(key, window, now, self.capacity);
    }
}

// Each call reads the clock once it holds the lock, so the table's rows are stamped in
// order (see `Table`).
impl Store for MemoryStore {
    fn claim(&self, key: Key, lease: Duration) -> StoreFuture<Claim> {
        let mut table = self.lock();
        let claim = table.claim(key, lease, Instant::now(), self.capacity);
        StoreFuture::ready(Ok(claim))
    }

    fn complete(&self, key: Key, window: Duration) -> StoreFuture<()> {
        let mut table = self.lock();
        table.complete(key, window, Instant::now(), self.capacity);
        StoreFuture::ready(Ok(()))
    }

    fn release(&self, key: Key, token: Token) -> StoreFuture<()> {
        self.lock().release(&key, token);
        StoreFuture::ready(Ok(()))
    }

    fn release_detached(&self, key: Key, token: Token) {
        self.lock().release(&key, token);
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
        store.lock().release(&key, first);
        assert_eq!(
            store.claim_now(key.clone(), LEASE, t0 + LEASE),
            Claim::InFlight
        );
        store.lock().release(&key, second);
        claimed(store.claim_now(key, LEASE, t0 + LEASE));
    }

    #[test]
    fn release_never_removes_done() {
        let store = MemoryStore::new(10);
        let (key, t0) = (Key::new("k"), Instant::now());
        let token = claimed(store.claim_now(key.clone(), LEASE, t0));
        store.complete_now(key.clone(), WINDOW, t0);
        store.lock().release(&key, token);
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
    fn completed_again_the_later_window_counts() {
        let store = MemoryStore::new(2);
        let t0 = Instant::now();
        store.complete_now(Key::new("a"), WINDOW, t0);
        store.complete_now(Key::new("a"), WINDOW * 2, t0);
        store.complete_now(Key::new("b"), WINDOW, t0);
        // The first window of `a` has passed: `a` stays done, `b` goes.
        claimed(store.claim_now(Key::new("b"), LEASE, t0 + WINDOW));
        assert_eq!(
            store.claim_now(Key::new("a"), LEASE, t0 + WINDOW),
            Claim::Done
        );
        // Full: `b`'s claim ends first, so it is evicted, not `a`.
        claimed(store.claim_now(Key::new("c"), LEASE, t0 + WINDOW));
        assert_eq!(
            store.claim_now(Key::new("a"), LEASE, t0 + WINDOW),
            Claim::Done
        );
        claimed(store.claim_now(Key::new("b"), LEASE, t0 + WINDOW));
    }

    #[test]
    fn completing_again_and_again_keeps_the_queues_bounded() {
        let store = MemoryStore::new(2);
        let t0 = Instant::now();
        for _ in 0..20 {
            store.complete_now(Key::new("a"), WINDOW, t0);
        }
        // Each completion queues an item; the stale ones go once they pass twice the capacity.
        let queued = store.lock().queued();
        assert!(queued <= 5, "{queued} items queued");
        assert_eq!(store.claim_now(Key::new("a"), LEASE, t0), Claim::Done);
        // The one current item still expires the key.
        claimed(store.claim_now(Key::new("a"), LEASE, t0 + WINDOW));
        assert_eq!(store.lock().queued(), 0);
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
