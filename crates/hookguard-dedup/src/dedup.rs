//! [`Dedup`]: the settings both adapters share, and the decision they take for a request.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use crate::key::{Key, KeyContext, KeyFn};
use crate::memory::MemoryStore;
use crate::store::Store;

/// How a deduplicating stage behaves: which store, how long a claim and a done mark last,
/// how duplicates are answered and what happens when the store is down.
///
/// | request | answer | handler runs? |
/// |---|---|---|
/// | first delivery | the handler's; a 2xx marks it done, anything else frees it | yes |
/// | a copy while the first runs | `409 Conflict`, `Retry-After` | no |
/// | a copy within the window after a 2xx | `200` (configurable), `Hookguard-Duplicate: true` | no |
/// | a copy after a failure, or after a lease lapsed | the handler's | yes |
/// | store unreachable | `503`, `Retry-After` (or the handler runs, with [`Dedup::with_fail_open`]) | no |
///
/// Cloning is cheap: the store and key function are shared.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use hookguard_dedup::Dedup;
///
/// let dedup = Dedup::in_memory()
///     .with_lease(Duration::from_secs(15))
///     .with_window(Duration::from_secs(48 * 3600));
/// assert_eq!(dedup.lease(), Duration::from_secs(15));
/// ```
#[derive(Clone)]
pub struct Dedup {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) lease: Duration,
    pub(crate) window: Duration,
    pub(crate) retry_after: Duration,
    pub(crate) duplicate_status: StatusCode,
    pub(crate) fail_open: bool,
    pub(crate) key_fn: Option<Arc<KeyFn>>,
}

/// Keys the default in-memory store holds.
pub const DEFAULT_CAPACITY: usize = 100_000;

impl Dedup {
    /// Deduplicates through `store`, with a 30 s lease, a 24 h window, `Retry-After: 5`,
    /// duplicates answered `200`, failing closed when the store is down.
    ///
    /// # Example
    /// ```
    /// use hookguard_dedup::{Dedup, MemoryStore};
    ///
    /// let dedup = Dedup::new(MemoryStore::new(1_000));
    /// assert_eq!(dedup.window().as_secs(), 24 * 3600);
    /// ```
    pub fn new(store: impl Store) -> Dedup {
        Dedup::with_shared_store(Arc::new(store))
    }

    /// Like [`Dedup::new`], with a store already behind an `Arc` (shared with other stages).
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use hookguard_dedup::{Dedup, MemoryStore, Store};
    ///
    /// let store: Arc<dyn Store> = Arc::new(MemoryStore::new(1_000));
    /// let bindbee = Dedup::with_shared_store(Arc::clone(&store));
    /// let peopleforce = Dedup::with_shared_store(store);
    /// ```
    pub fn with_shared_store(store: Arc<dyn Store>) -> Dedup {
        Dedup {
            store,
            lease: Duration::from_secs(30),
            window: Duration::from_secs(24 * 3600),
            retry_after: Duration::from_secs(5),
            duplicate_status: StatusCode::OK,
            fail_open: false,
            key_fn: None,
        }
    }

    /// Deduplicates in this process's memory, holding up to [`DEFAULT_CAPACITY`] keys.
    ///
    /// # Example
    /// ```
    /// let dedup = hookguard_dedup::Dedup::in_memory();
    /// ```
    pub fn in_memory() -> Dedup {
        Dedup::new(MemoryStore::new(DEFAULT_CAPACITY))
    }

    /// How long a claim holds when its handler neither finishes nor is dropped (the
    /// receiver died): longer than the handler's slowest run, shorter than the sender's
    /// retry schedule.
    ///
    /// # Example
    /// ```
    /// # use std::time::Duration;
    /// let dedup = hookguard_dedup::Dedup::in_memory().with_lease(Duration::from_secs(20));
    /// assert_eq!(dedup.lease(), Duration::from_secs(20));
    /// ```
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Dedup {
        self.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// How long a completed delivery is remembered: longer than the sender retries.
    ///
    /// # Example
    /// ```
    /// # use std::time::Duration;
    /// let dedup = hookguard_dedup::Dedup::in_memory().with_window(Duration::from_secs(3 * 86_400));
    /// assert_eq!(dedup.window(), Duration::from_secs(3 * 86_400));
    /// ```
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> Dedup {
        self.window = window.max(Duration::from_millis(1));
        self
    }

    /// The `Retry-After` of a `409` (copy in flight) or `503` (store down), in whole seconds.
    ///
    /// # Example
    /// ```
    /// # use std::time::Duration;
    /// let dedup = hookguard_dedup::Dedup::in_memory().with_retry_after(Duration::from_secs(2));
    /// ```
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Duration) -> Dedup {
        self.retry_after = retry_after;
        self
    }

    /// The status a copy of a completed delivery gets (`200` by default; `208` or `202`
    /// for senders that treat those as delivered).
    ///
    /// # Example
    /// ```
    /// use http::StatusCode;
    /// let dedup = hookguard_dedup::Dedup::in_memory().with_duplicate_status(StatusCode::ACCEPTED);
    /// ```
    #[must_use]
    pub fn with_duplicate_status(mut self, status: StatusCode) -> Dedup {
        self.duplicate_status = status;
        self
    }

    /// Runs the handler without deduplication when the store cannot be reached, instead of
    /// answering `503` (each such request is logged at `warn`).
    ///
    /// # Example
    /// ```
    /// let dedup = hookguard_dedup::Dedup::in_memory().with_fail_open();
    /// ```
    #[must_use]
    pub fn with_fail_open(mut self) -> Dedup {
        self.fail_open = true;
        self
    }

    /// Derives keys with `key_fn` instead of [`Key::derive`]; `None` lets the request
    /// through without deduplication. The function runs after verification and sees the
    /// [`Verified`](hookguard_core::Verified) and the headers ([`KeyContext`]), not the body.
    ///
    /// It serves senders that send a stable event id in a header. Stripe and Slack sign a
    /// fresh timestamp on each attempt and carry their event id in the JSON body: no key
    /// function recognises their retries as copies, and their handlers should record the
    /// event ids they processed and skip those already seen.
    ///
    /// # Example
    /// ```
    /// use hookguard_dedup::{Dedup, Key, KeyContext};
    ///
    /// let dedup = Dedup::in_memory().with_key_fn(|request: &KeyContext<'_>| {
    ///     let id = request.headers().value("X-Event-Id")?;
    ///     Some(Key::new(format!("events:{}", String::from_utf8_lossy(id))))
    /// });
    /// ```
    #[must_use]
    pub fn with_key_fn<F>(mut self, key_fn: F) -> Dedup
    where
        F: Fn(&KeyContext<'_>) -> Option<Key> + Send + Sync + 'static,
    {
        self.key_fn = Some(Arc::new(key_fn));
        self
    }

    /// The lease of a claim.
    ///
    /// # Example
    /// ```
    /// assert_eq!(hookguard_dedup::Dedup::in_memory().lease().as_secs(), 30);
    /// ```
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// How long a completed delivery is remembered.
    ///
    /// # Example
    /// ```
    /// assert_eq!(hookguard_dedup::Dedup::in_memory().window().as_secs(), 86_400);
    /// ```
    pub fn window(&self) -> Duration {
        self.window
    }
}

impl fmt::Debug for Dedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dedup")
            .field("store", &self.store)
            .field("lease", &self.lease)
            .field("window", &self.window)
            .field("retry_after", &self.retry_after)
            .field("duplicate_status", &self.duplicate_status)
            .field("fail_open", &self.fail_open)
            .field("key_fn", &self.key_fn.is_some())
            .finish()
    }
}

/// The header on a copy answered without running the handler.
pub const DUPLICATE_HEADER: &str = "hookguard-duplicate";
