//! [`RedisStore`]: claims and completed deliveries in Redis, shared by a fleet.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

use crate::key::Key;
use crate::redis_url;
use crate::store::{Claim, Store, StoreError, StoreFuture, Token};

/// The value of a completed delivery's key; a claim's value is `c:` and its token.
const DONE: &str = "d";

/// Deletes the key only while it holds this claim: a late release never removes a later
/// claimant's claim or a done mark.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
";

/// Claims and completed deliveries in Redis (7 or later), so that receivers sharing it
/// answer each other's deliveries' copies as duplicates.
///
/// - A claim is one `SET key c:<token> NX PX <lease> GET`: atomic, and its old value tells a
///   copy in flight from a completed one, so a duplicate costs one round trip.
/// - Completing is one `SET key d PX <window>`: a first delivery costs two.
/// - Releasing runs a short Lua script that deletes the key only if it still holds the
///   caller's claim.
///
/// Keys are `<prefix>{<key>}`: the braces make the whole key its own hash tag, so each
/// command touches one slot of a Redis Cluster. The connection is a
/// [`ConnectionManager`]: it reconnects after Redis restarts; a command sent while Redis is
/// down fails after the response timeout (1 s by default), answered as the store being
/// unreachable.
///
/// # Example
/// ```no_run
/// use hookguard_dedup::{Dedup, RedisStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), hookguard_dedup::StoreError> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?.with_prefix("orders:");
/// let dedup = Dedup::new(store);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: Arc<str>,
    release: Arc<Script>,
}

/// The key prefix unless [`RedisStore::with_prefix`] sets another.
pub(crate) const DEFAULT_PREFIX: &str = "hookguard:dedup:";

impl RedisStore {
    /// Connects to the Redis at `url` (`redis://[user:password@]host:port/db`), with 1 s
    /// connection and response timeouts. TLS (`rediss://`) is not built in: hookguard-dedup
    /// turns on no TLS feature of the `redis` crate.
    ///
    /// # Errors
    /// When the URL is invalid (the message says how to write it), or Redis cannot be
    /// reached now (the message shows the URL, with `***` for its password, and the cause).
    ///
    /// # Example
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), hookguard_dedup::StoreError> {
    /// let store = hookguard_dedup::RedisStore::connect("redis://127.0.0.1:6379/").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let client = redis_url::client(url)?;
        let shown = redis_url::shown(client.get_connection_info());
        RedisStore::open(client)
            .await
            .map_err(|error| StoreError::new(redis_url::not_connected(&shown, &error)))
    }

    /// Connects through `client` now, and sends `PING`: a Redis that wants a password
    /// the URL lacks refuses commands only, so this finds it at start-up.
    pub(crate) async fn open(client: Client) -> Result<RedisStore, redis::RedisError> {
        let mut connection = ConnectionManager::new_with_config(client, manager_config()).await?;
        redis::cmd("PING")
            .query_async::<()>(&mut connection)
            .await?;
        Ok(RedisStore::with_connection(connection))
    }

    /// Like [`RedisStore::connect`], without connecting now: only the URL is checked, and
    /// the first command connects (a store that is down answers each command with an
    /// error until it is back). For a server that starts while Redis is unreachable.
    /// Call it within a tokio runtime.
    ///
    /// # Errors
    /// When the URL is invalid (the message says how to write it).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use hookguard_dedup::RedisStore;
    ///
    /// assert!(RedisStore::lazy("redis://127.0.0.1:1/").is_ok()); // nothing listens there
    /// assert!(RedisStore::lazy("http://127.0.0.1/").is_err());
    /// # }
    /// ```
    pub fn lazy(url: &str) -> Result<RedisStore, StoreError> {
        let client = redis_url::client(url)?;
        let connection = ConnectionManager::new_lazy_with_config(client, manager_config())
            .map_err(redis_error)?;
        Ok(RedisStore::with_connection(connection))
    }

    fn with_connection(connection: ConnectionManager) -> RedisStore {
        RedisStore {
            connection,
            prefix: Arc::from(DEFAULT_PREFIX),
            release: Arc::new(Script::new(RELEASE)),
        }
    }

    /// Sends `PING`: whether Redis answers now (for a readiness check).
    ///
    /// # Errors
    /// When Redis cannot be reached or does not answer within the response timeout.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let store = hookguard_dedup::RedisStore::lazy("redis://127.0.0.1:1/").unwrap();
    /// assert!(store.ping().await.is_err());
    /// # }
    /// ```
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("PING")
            .query_async::<()>(&mut connection)
            .await
            .map_err(redis_error)
    }

    /// Puts `prefix` before every key (several applications can share one Redis).
    ///
    /// # Example
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), hookguard_dedup::StoreError> {
    /// let store = hookguard_dedup::RedisStore::connect("redis://127.0.0.1/").await?.with_prefix("hr:");
    /// assert_eq!(store.redis_key(&hookguard_dedup::Key::new("bindbee:sig:00")), "hr:{bindbee:sig:00}");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> RedisStore {
        self.prefix = Arc::from(prefix);
        self
    }

    /// The Redis key that holds `key`'s state.
    ///
    /// # Example
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), hookguard_dedup::StoreError> {
    /// let store = hookguard_dedup::RedisStore::connect("redis://127.0.0.1/").await?;
    /// let key = hookguard_dedup::Key::new("svix:id:msg_1");
    /// assert_eq!(store.redis_key(&key), "hookguard:dedup:{svix:id:msg_1}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn redis_key(&self, key: &Key) -> String {
        format!("{}{{{}}}", self.prefix, key)
    }
}

/// 1 s connection and response timeouts, two quick reconnection attempts.
fn manager_config() -> ConnectionManagerConfig {
    let timeout = Some(Duration::from_secs(1));
    ConnectionManagerConfig::new()
        .set_connection_timeout(timeout)
        .set_response_timeout(timeout)
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500))
}

fn claim_value(token: Token) -> String {
    format!("c:{:032x}", token.as_u128())
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "used as `map_err(redis_error)`"
)]
fn redis_error(error: redis::RedisError) -> StoreError {
    StoreError::new(format!("redis: {error}"))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl Store for RedisStore {
    fn claim(&self, key: Key, lease: Duration) -> StoreFuture<Claim> {
        let mut connection = self.connection.clone();
        let redis_key = self.redis_key(&key);
        StoreFuture::new(async move {
            let token = Token::random();
            let previous: Option<String> = redis::cmd("SET")
                .arg(&redis_key)
                .arg(claim_value(token))
                .arg("NX")
                .arg("PX")
                .arg(millis(lease))
                .arg("GET")
                .query_async(&mut connection)
                .await
                .map_err(redis_error)?;
            match previous.as_deref() {
                None => Ok(Claim::Claimed(token)),
                Some(DONE) => Ok(Claim::Done),
                Some(value) if value.starts_with("c:") => Ok(Claim::InFlight),
                Some(_) => Err(StoreError::new(format!(
                    "redis: {redis_key} holds a value this store did not write"
                ))),
            }
        })
    }

    fn complete(&self, key: Key, window: Duration) -> StoreFuture<()> {
        let mut connection = self.connection.clone();
        let redis_key = self.redis_key(&key);
        StoreFuture::new(async move {
            redis::cmd("SET")
                .arg(&redis_key)
                .arg(DONE)
                .arg("PX")
                .arg(millis(window))
                .query_async::<()>(&mut connection)
                .await
                .map_err(redis_error)
        })
    }

    fn release(&self, key: Key, token: Token) -> StoreFuture<()> {
        let mut connection = self.connection.clone();
        let redis_key = self.redis_key(&key);
        let release = Arc::clone(&self.release);
        StoreFuture::new(async move {
            release
                .key(redis_key)
                .arg(claim_value(token))
                .invoke_async::<i64>(&mut connection)
                .await
                .map(drop)
                .map_err(redis_error)
        })
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
