//! Deduplication per route: the setting ([`Deduplication`]) and the stores a proxy builds
//! from its routes' settings (one in memory, one Redis connection per distinct URL), and
//! a delivery's claim and outcome.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hookguard_core::Verified;
use hookguard_dedup::{
    Admission, Dedup, Key, KeyContext, MemoryStore, RedisStore, Store, Ticket, DEFAULT_CAPACITY,
};
use http::{HeaderMap, Response};
use http_body_util::{Either, Full};

use crate::metrics::{Outcome, RouteMetrics};
use crate::response::ProxyBody;

use crate::{ConfigError, Route};

/// A claim lasts the route's upstream timeout plus this, and at least [`MIN_LEASE`].
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// The shortest claim: the dedup crate's default.
const MIN_LEASE: Duration = Duration::from_secs(30);

/// Whether and where a route remembers deliveries, so that each reaches the upstream once:
/// off (the default), in this process's memory, or in a Redis that several proxies share.
/// A delivery is known by its route's path and `hookguard_dedup::Key::derive`'s key.
///
/// A copy of a delivery in flight is answered `409` with `Retry-After`; a copy of one the
/// upstream answered 2xx, `200` with `Hookguard-Duplicate: true`; after a failure (non-2xx,
/// `502`, `504`) the sender's retry is forwarded. When the store is unreachable the
/// request is answered `503` with `Retry-After` and not forwarded (unless
/// [`Deduplication::with_fail_open`]). A claim lasts the route's upstream timeout plus 5 s,
/// at least 30 s; a delivery the upstream answered 2xx is remembered for 24 hours.
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
pub struct Deduplication {
    mode: Mode,
    fail_open: bool,
}

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
        Deduplication::from(Mode::Off)
    }

    /// In this process's memory (100 000 deliveries, shared by the proxy's routes).
    ///
    /// # Example
    /// ```
    /// let memory = hookguard_proxy::Deduplication::memory();
    /// ```
    pub fn memory() -> Deduplication {
        Deduplication::from(Mode::Memory)
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
        Ok(Deduplication::from(Mode::Redis {
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
        if let Mode::Redis { prefix: slot, .. } = &mut self.mode {
            *slot = Some(prefix.to_owned());
        }
        self
    }

    /// Forwards deliveries unchecked while the store cannot be reached, instead of
    /// answering `503` (each is logged at `WARN`): availability over at-most-once.
    ///
    /// # Example
    /// ```
    /// let dedup = hookguard_proxy::Deduplication::redis("redis://127.0.0.1/")?.with_fail_open();
    /// # Ok::<(), hookguard_proxy::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_fail_open(mut self) -> Deduplication {
        self.fail_open = true;
        self
    }
}

impl From<Mode> for Deduplication {
    fn from(mode: Mode) -> Deduplication {
        Deduplication {
            mode,
            fail_open: false,
        }
    }
}

impl fmt::Debug for Deduplication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password.
        match &self.mode {
            Mode::Off => f.write_str("Off"),
            Mode::Memory => f.write_str("Memory"),
            Mode::Redis { prefix, .. } => f
                .debug_struct("Redis")
                .field("prefix", prefix)
                .field("fail_open", &self.fail_open)
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
    /// The deduplication of `route`, if on: its claims outlast the upstream's answer.
    pub(crate) fn dedup(&mut self, route: &Route) -> Result<Option<Dedup>, ConfigError> {
        let setting = &route.dedup;
        let lease = (route.upstream_timeout + LEASE_MARGIN).max(MIN_LEASE);
        let Some(store) = self.store(&route.path, &setting.mode)? else {
            return Ok(None);
        };
        // Keys are the route's: two routes of one sender (say two Svix endpoints sent the
        // same message, under one id) each forward their own copy.
        let path = route.path.clone();
        let dedup = Dedup::with_shared_store(store)
            .with_lease(lease)
            .with_key_fn(move |request: &KeyContext<'_>| {
                let key = Key::derive(request.verified())?;
                Some(Key::new(format!("{path} {}", key.as_str())))
            });
        Ok(Some(if setting.fail_open {
            dedup.with_fail_open()
        } else {
            dedup
        }))
    }

    fn store(&mut self, path: &str, mode: &Mode) -> Result<Option<Arc<dyn Store>>, ConfigError> {
        match mode {
            Mode::Off => Ok(None),
            Mode::Memory => {
                let store = self
                    .memory
                    .get_or_insert_with(|| Arc::new(MemoryStore::new(DEFAULT_CAPACITY)));
                Ok(Some(Arc::clone(store)))
            }
            Mode::Redis { url, prefix } => {
                let store = self.redis_store(path, url)?;
                let store = match prefix {
                    Some(prefix) => store.with_prefix(prefix),
                    None => store,
                };
                Ok(Some(Arc::new(store)))
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

/// Claims a verified delivery's key: the ticket to forward it, or the answer to a copy
/// (or to a store that cannot be reached).
pub(crate) async fn admit(
    dedup: &Dedup,
    metrics: &RouteMetrics,
    headers: &HeaderMap,
    verified: &Verified,
) -> Result<Ticket, Response<ProxyBody>> {
    match dedup.admit(verified, headers).await {
        Admission::Proceed(ticket) => Ok(ticket),
        Admission::Answer(answer) => {
            let outcome = if answer.is_duplicate() {
                Outcome::Duplicate
            } else {
                Outcome::DedupUnavailable
            };
            metrics.delivery(outcome);
            tracing::debug!(key = %verified.key(),
                status = answer.status().as_u16(), "delivery not forwarded");
            let response = answer.into_response::<Full<Bytes>>();
            Err(response.map(Either::Right))
        }
    }
}

/// Records the outcome of a forwarded delivery, if it was claimed.
pub(crate) async fn finish(ticket: Option<Ticket>, succeeded: bool) {
    if let Some(ticket) = ticket {
        ticket.finish(succeeded).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hookguard_core::{Provider, Secret, Verifier};

    use super::*;

    fn route(dedup: Deduplication) -> Route {
        let verifier = Verifier::new(Provider::Bindbee, Secret::new("key").unwrap()).unwrap();
        Route::new("/hooks", verifier, "http://127.0.0.1:3000")
            .unwrap()
            .with_dedup(dedup)
    }

    #[test]
    fn claims_outlast_the_upstream_timeout_and_one_memory_store_serves_every_route() {
        let mut stores = Stores::default();
        let short = stores
            .dedup(&route(Deduplication::memory()))
            .unwrap()
            .unwrap();
        assert_eq!(short.lease(), Duration::from_secs(30));
        let slow = route(Deduplication::memory()).with_upstream_timeout(Duration::from_secs(60));
        let slow = stores.dedup(&slow).unwrap().unwrap();
        assert_eq!(slow.lease(), Duration::from_secs(65));
        assert!(stores
            .dedup(&route(Deduplication::off()))
            .unwrap()
            .is_none());
        assert!(stores.memory.is_some());
        assert!(stores.redis.is_empty());
    }

    #[test]
    fn a_redis_store_outside_a_runtime_is_a_configuration_error_not_a_panic() {
        let dedup = Deduplication::redis("redis://127.0.0.1:1/").unwrap();
        let error = Stores::default().dedup(&route(dedup)).unwrap_err();
        assert_eq!(error.field(), "dedup");
    }

    #[tokio::test]
    async fn routes_sharing_a_redis_url_share_one_connection() {
        let mut stores = Stores::default();
        let url = "redis://127.0.0.1:1/";
        for prefix in ["a:", "b:"] {
            let dedup = Deduplication::redis(url).unwrap().with_prefix(prefix);
            stores.dedup(&route(dedup)).unwrap().unwrap();
        }
        let other = Deduplication::redis("redis://127.0.0.1:2/").unwrap();
        stores.dedup(&route(other)).unwrap().unwrap();
        assert_eq!(stores.redis.len(), 2);
        assert_eq!(stores.redis[0].routes, ["/hooks", "/hooks"]);
    }
}
