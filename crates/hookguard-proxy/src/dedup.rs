//! Deduplication per route: the setting ([`Deduplication`]) and the stores a proxy builds
//! from its routes' settings (one in memory, one Redis connection per distinct URL).

use std::fmt;
use std::sync::Arc;

use hookguard_dedup::{Dedup, MemoryStore, RedisStore, Store, DEFAULT_CAPACITY};

use crate::ConfigError;

/// Whether and where a route remembers deliveries, so that each reaches the upstream once:
/// off (the default), in this process's memory, or in a Redis that several proxies share.
///
/// A copy of a delivery in flight is answered `409` with `Retry-After`; a copy of one the
/// upstream answered 2xx, `200` with `Hookguard-Duplicate: true`; after a failure (non-2xx,
/// `502`, `504`) the sender's retry is forwarded. When the store is unreachable the
/// request is answered `503` with `Retry-After` and not forwarded.
///
/// # Example
/// ```
/// use hookguard_proxy::Deduplication;
///
/// let shared = Deduplication::redis("redis://127.0.0.1:6379/")?.with_prefix("hr:");
/// assert_ne!(shared, Deduplication::memory());
/// assert_eq!(Deduplication::default(), Deduplication::off());
/// # Ok::<(), hookguard_proxy::ConfigError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Deduplication(Mode);

#[derive(Clone, Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Off,
    Memory,
    Redis {
        url: String,
        prefix: Option<String>,
    },
}

impl Deduplication {
    /// No deduplication: every verified delivery is forwarded.
    ///
    /// # Example
    /// ```
    /// let off = hookguard_proxy::Deduplication::off();
    /// ```
    pub fn off() -> Deduplication {
        Deduplication(Mode::Off)
    }

    /// In this process's memory (100 000 deliveries, shared by the proxy's routes).
    ///
    /// # Example
    /// ```
    /// let memory = hookguard_proxy::Deduplication::memory();
    /// ```
    pub fn memory() -> Deduplication {
        Deduplication(Mode::Memory)
    }

    /// In the Redis (7 or later) at `url` (`redis://HOST:PORT/DB`), shared by every proxy
    /// using it. Connects when the proxy serves, not now.
    ///
    /// # Errors
    /// A [`ConfigError`] on field `redis` when `url` is not a Redis URL (the message does
    /// not repeat it: it may hold a password).
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::Deduplication;
    ///
    /// assert_eq!(Deduplication::redis("http://127.0.0.1/").unwrap_err().field(), "redis");
    /// ```
    pub fn redis(url: &str) -> Result<Deduplication, ConfigError> {
        if redis::Client::open(url).is_err() {
            return Err(ConfigError::new(
                "redis",
                "not a Redis URL; write it as redis://HOST:PORT/ (or redis://:PASSWORD@HOST:PORT/DB)",
            ));
        }
        Ok(Deduplication(Mode::Redis {
            url: url.to_owned(),
            prefix: None,
        }))
    }

    /// Puts `prefix` before the Redis keys (default `hookguard:dedup:`), so that several
    /// applications can share one Redis; no effect unless in Redis.
    ///
    /// # Example
    /// ```
    /// let dedup = hookguard_proxy::Deduplication::redis("redis://127.0.0.1/")?.with_prefix("orders:");
    /// # Ok::<(), hookguard_proxy::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> Deduplication {
        if let Mode::Redis { prefix: slot, .. } = &mut self.0 {
            *slot = Some(prefix.to_owned());
        }
        self
    }
}

impl fmt::Debug for Deduplication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password.
        match &self.0 {
            Mode::Off => f.write_str("Off"),
            Mode::Memory => f.write_str("Memory"),
            Mode::Redis { prefix, .. } => f
                .debug_struct("Redis")
                .field("prefix", prefix)
                .finish_non_exhaustive(),
        }
    }
}

/// The stores of one proxy: built as its routes ask for them.
#[derive(Default)]
pub(crate) struct Stores {
    memory: Option<Arc<dyn Store>>,
    /// One connection per distinct URL, and the routes using it.
    pub(crate) redis: Vec<RedisUse>,
}

/// A Redis connection and the routes that use it.
pub(crate) struct RedisUse {
    url: String,
    pub(crate) store: RedisStore,
    pub(crate) routes: Vec<String>,
}

impl Stores {
    /// The deduplication of route `path` under `setting`, if on.
    pub(crate) fn dedup(
        &mut self,
        path: &str,
        setting: &Deduplication,
    ) -> Result<Option<Dedup>, ConfigError> {
        match &setting.0 {
            Mode::Off => Ok(None),
            Mode::Memory => {
                let store = self
                    .memory
                    .get_or_insert_with(|| Arc::new(MemoryStore::new(DEFAULT_CAPACITY)));
                Ok(Some(Dedup::with_shared_store(Arc::clone(store))))
            }
            Mode::Redis { url, prefix } => {
                let store = self.redis_store(path, url)?;
                let store = match prefix {
                    Some(prefix) => store.with_prefix(prefix),
                    None => store,
                };
                Ok(Some(Dedup::new(store)))
            }
        }
    }

    fn redis_store(&mut self, path: &str, url: &str) -> Result<RedisStore, ConfigError> {
        if let Some(used) = self.redis.iter_mut().find(|used| used.url == url) {
            used.routes.push(path.to_owned());
            return Ok(used.store.clone());
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ConfigError::new(
                "dedup",
                "a Redis store needs a tokio runtime: create the proxy within one",
            ));
        }
        let store =
            RedisStore::lazy(url).map_err(|error| ConfigError::new("dedup.redis", error))?;
        self.redis.push(RedisUse {
            url: url.to_owned(),
            store: store.clone(),
            routes: vec![path.to_owned()],
        });
        Ok(store)
    }
}
