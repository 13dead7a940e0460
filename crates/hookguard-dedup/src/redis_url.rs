//! The URL a [`RedisStore`](crate::RedisStore) connects to: checked before the `redis` crate
//! reads it, so that a mistake is named with how to write it instead, and shown without its
//! password in errors.

use redis::{Client, ConnectionAddr, ConnectionInfo, RedisError};

use crate::dedup::Dedup;
use crate::redis_store::RedisStore;
use crate::store::StoreError;

impl Dedup {
    /// Deduplicates in memory ([`Dedup::in_memory`]) when the environment variable `name`
    /// is unset, and through the Redis at its URL when it is set: one switch for a
    /// receiver that runs alone or in a fleet. It connects at once, so a mistake stops the
    /// service at start-up.
    ///
    /// # Errors
    /// Each message names the variable and says what to do:
    /// - set but empty, or not UTF-8: unset it for the in-memory store, or give
    ///   `redis://host:port/` (an empty value is refused, not read as unset);
    /// - not a Redis URL (no scheme, another scheme, `rediss://`, which is not built in):
    ///   how to write it;
    /// - Redis cannot be reached: the URL with `***` for its password, and the cause.
    ///
    /// # Example
    /// ```
    /// use hookguard_dedup::Dedup;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), hookguard_dedup::StoreError> {
    /// // Unset here: in memory.
    /// let dedup = Dedup::from_env("HOOKGUARD_DOC_EXAMPLE_REDIS_URL").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn from_env(name: &str) -> Result<Dedup, StoreError> {
        let choose = format!(
            "unset it to deduplicate in this process's memory, or give Redis's URL, \
             redis://host:port/ (e.g. {EXAMPLE})"
        );
        let url = match std::env::var(name) {
            Err(std::env::VarError::NotPresent) => return Ok(Dedup::in_memory()),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(StoreError::new(format!(
                    "{name} is not valid UTF-8: {choose}"
                )));
            }
            Ok(url) if url.trim().is_empty() => {
                return Err(StoreError::new(format!(
                    "{name} is set but empty: {choose}"
                )));
            }
            Ok(url) => url,
        };
        let client = client(&url)
            .map_err(|error| StoreError::new(format!("{name}: {}", error.description())))?;
        let shown = shown(client.get_connection_info());
        match RedisStore::open(client).await {
            Ok(store) => Ok(Dedup::new(store)),
            Err(error) => {
                let fix = if unreachable(&error) {
                    format!("start Redis there, or unset {name}")
                } else {
                    format!("correct {name}, or unset it")
                };
                Err(StoreError::new(format!(
                    "{name}: {}; {fix} to deduplicate in this process's memory",
                    not_connected(&shown, &error)
                )))
            }
        }
    }
}

/// The URL the messages give as an example.
pub(crate) const EXAMPLE: &str = "redis://127.0.0.1:6379/";

/// The schemes the `redis` crate reads.
const SCHEMES: [&str; 7] = [
    "redis",
    "rediss",
    "valkey",
    "valkeys",
    "redis+unix",
    "valkey+unix",
    "unix",
];

/// A client for `url`, or an error saying what is wrong with the URL and how to write it.
/// No message repeats the URL's text, which may hold a password.
pub(crate) fn client(url: &str) -> Result<Client, StoreError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(StoreError::new(format!(
            "the Redis URL is empty: write redis://host:port/ (e.g. {EXAMPLE})"
        )));
    }
    let Some((scheme, _)) = url.split_once("://") else {
        // Without `@` or `/` the value is a host and port, and holds no password.
        let fix = if url.contains(['@', '/']) {
            format!("redis://host:port/ (e.g. {EXAMPLE})")
        } else {
            format!("redis://{url}/")
        };
        return Err(StoreError::new(format!(
            "the Redis URL has no scheme: write {fix}"
        )));
    };
    let scheme = scheme.to_ascii_lowercase();
    if !SCHEMES.contains(&scheme.as_str()) {
        return Err(StoreError::new(format!(
            "{scheme}:// is not a Redis URL's scheme: write redis://host:port/ (e.g. {EXAMPLE})"
        )));
    }
    Client::open(url).map_err(|error| {
        let tls = matches!(scheme.as_str(), "rediss" | "valkeys");
        if tls && error.to_string().contains("TLS") {
            StoreError::new(
                "the Redis URL asks for TLS (rediss://), which is not built into \
                 hookguard-dedup: reach Redis through a TLS tunnel (stunnel, for one) and give \
                 its local end as redis://127.0.0.1:<port>/",
            )
        } else {
            StoreError::new(format!("the Redis URL is not valid: {error}"))
        }
    })
}

/// Why connecting to the Redis at `shown` failed, on one line.
pub(crate) fn not_connected(shown: &str, error: &RedisError) -> String {
    let cause = error.to_string();
    let cause = cause.split_whitespace().collect::<Vec<_>>().join(" ");
    if unreachable(error) {
        format!("cannot reach Redis at {shown}: {cause}")
    } else if error.code() == Some("NOAUTH") {
        format!(
            "Redis at {shown} wants a password: give it in the URL, \
             redis://:PASSWORD@host:port/ ({cause})"
        )
    } else {
        format!("Redis at {shown} did not accept the connection: {cause}")
    }
}

/// Whether nothing answered (as opposed to a server that answered with an error).
fn unreachable(error: &RedisError) -> bool {
    error.is_io_error() || error.is_timeout() || error.is_connection_refusal()
}

/// The URL `info` was read from, with `***` for its password: for messages and logs.
pub(crate) fn shown(info: &ConnectionInfo) -> String {
    let settings = info.redis_settings();
    let mut user = String::from(settings.username().unwrap_or_default());
    if settings.password().is_some() {
        user.push_str(":***");
    }
    if !user.is_empty() {
        user.push('@');
    }
    let db = match settings.db() {
        0 => String::new(),
        db => db.to_string(),
    };
    let host = |host: &str| {
        if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_owned()
        }
    };
    match info.addr() {
        ConnectionAddr::Tcp(name, port) => format!("redis://{user}{}:{port}/{db}", host(name)),
        ConnectionAddr::TcpTls {
            host: name, port, ..
        } => {
            format!("rediss://{user}{}:{port}/{db}", host(name))
        }
        ConnectionAddr::Unix(path) => format!("unix://{}", path.display()),
        other => other.to_string(),
    }
}
