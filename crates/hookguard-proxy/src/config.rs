//! [`ProxyConfig`]: what the proxy serves, read from a TOML file or built in code, checked
//! whole at start-up.
//!
//! # Example
//! ```toml
//! listen = "127.0.0.1:8080"
//! [[routes]]
//! path = "/webhooks/peopleforce"
//! provider = "peopleforce"
//! secrets = [{ env = "PEOPLEFORCE_SECRET" }]
//! upstream = "http://127.0.0.1:3000"
//! ```
//!
//! # Errors
//! Every mistake fails [`ProxyConfig::from_toml`] with a [`ConfigError`] naming the field
//! (`routes[0].secrets[1].env`), variable or file, and how to fix it.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::file::{duration, route_from_file, FileConfig};
use crate::{ConfigError, Route};

/// The field of errors about the whole file: its TOML syntax, an unknown key.
const WHOLE_FILE: &str = "configuration";
/// Default time in-flight requests get to finish after a shutdown signal: 30 s.
const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// How log lines are written: human-readable text, or one JSON object per line.
///
/// # Example
/// ```
/// use hookguard_proxy::LogFormat;
///
/// // In the configuration file: `log_format = "json"`.
/// assert_eq!(LogFormat::default(), LogFormat::Text);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Text lines for a terminal.
    #[default]
    Text,
    /// JSON lines for a log collector.
    Json,
}

/// A certificate chain and its private key, PEM files, for TLS termination.
///
/// # Example
/// ```
/// use hookguard_proxy::TlsFiles;
///
/// let files = TlsFiles { cert: "cert.pem".into(), key: "key.pem".into() };
/// assert_eq!(files.key.to_str(), Some("key.pem"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The address the proxy listens on unless told otherwise (the file's `listen`, the
/// CLI's `--listen`).
///
/// # Example
/// ```
/// let address: std::net::SocketAddr = hookguard_proxy::DEFAULT_LISTEN.parse()?;
/// assert_eq!(address.port(), 8080);
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The most worker threads a proxy runs (`workers`, `--workers`).
///
/// # Example
/// ```
/// assert_eq!(hookguard_proxy::MAX_WORKERS, 1024);
/// ```
pub const MAX_WORKERS: usize = 1024;

/// What the proxy serves: the listen address, the routes, and how it runs.
///
/// # Example
/// ```
/// use hookguard_core::{Provider, Secret, Verifier};
/// use hookguard_proxy::{ProxyConfig, Route};
///
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
/// let route = Route::new("/webhooks/peopleforce", verifier, "http://127.0.0.1:3000")?;
/// let config = ProxyConfig::new("127.0.0.1:8080".parse()?).with_route(route)?;
/// assert_eq!(config.routes().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) routes: Vec<Route>,
    pub(crate) tls: Option<TlsFiles>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) log_format: LogFormat,
    pub(crate) workers: NonZeroUsize,
}

impl ProxyConfig {
    /// A configuration listening on `listen`, with no routes yet, no TLS, text logs,
    /// 30 s for in-flight requests to finish on shutdown, and one worker thread per CPU.
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::ProxyConfig;
    ///
    /// let config = ProxyConfig::new("127.0.0.1:8080".parse()?);
    /// assert_eq!(config.listen().port(), 8080);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(listen: SocketAddr) -> ProxyConfig {
        ProxyConfig {
            listen,
            routes: Vec::new(),
            tls: None,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            log_format: LogFormat::Text,
            workers: std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
        }
    }

    /// Reads and checks the TOML file at `path`.
    ///
    /// # Errors
    /// The file cannot be read, or [`ProxyConfig::from_toml`] refuses it; the message
    /// names the file.
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::ProxyConfig;
    ///
    /// let error = ProxyConfig::load("/nonexistent/proxy.toml").unwrap_err();
    /// assert!(error.to_string().contains("/nonexistent/proxy.toml"));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<ProxyConfig, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| {
            ConfigError::new(
                path.display().to_string(),
                format_args!("cannot read the configuration file: {error}"),
            )
        })?;
        // Errors of the whole file (its TOML syntax, an unknown key) name the file.
        ProxyConfig::from_toml(&text).map_err(|error| {
            if error.field() == WHOLE_FILE {
                error.renamed(path.display().to_string())
            } else {
                error
            }
        })
    }

    /// Parses and checks a configuration in TOML: reads every secret, builds every
    /// verifier, checks every path and upstream.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first field at fault and how to fix it.
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::ProxyConfig;
    ///
    /// let error = ProxyConfig::from_toml(r#"
    ///     listen = "127.0.0.1:8080"
    ///     [[routes]]
    ///     path = "/hooks"
    ///     provider = "peopleforce"
    ///     secrets = [{ env = "HOOKGUARD_DOC_UNSET_VARIABLE" }]
    ///     upstream = "http://127.0.0.1:3000"
    /// "#).unwrap_err();
    /// assert_eq!(error.field(), "routes[0].secrets[0].env");
    /// assert!(error.to_string().contains("HOOKGUARD_DOC_UNSET_VARIABLE"));
    /// ```
    pub fn from_toml(text: &str) -> Result<ProxyConfig, ConfigError> {
        let file: FileConfig = toml::from_str(text)
            .map_err(|error| ConfigError::new(WHOLE_FILE, error.to_string().trim_end()))?;
        let listen = file.listen.parse().map_err(|_| {
            ConfigError::new(
                "listen",
                format_args!(
                    "{:?} is not an address; write it as IP:PORT, e.g. 127.0.0.1:8080",
                    file.listen
                ),
            )
        })?;
        let mut config = ProxyConfig::new(listen);
        config.tls = file.tls;
        config.log_format = file.log_format.unwrap_or_default();
        if let Some(workers) = file.workers {
            config = config.with_workers(workers)?;
        }
        if let Some(seconds) = file.shutdown_timeout_seconds {
            config.shutdown_timeout = duration("shutdown_timeout_seconds", seconds)?;
        }
        if file.routes.is_empty() {
            return Err(ConfigError::new(
                "routes",
                "no route is configured; add a [[routes]] table with path, provider, secrets and upstream",
            ));
        }
        for (index, route) in file.routes.into_iter().enumerate() {
            let field = format!("routes[{index}]");
            let route = route_from_file(&field, route)?;
            config = config
                .with_route(route)
                .map_err(|error| error.within(&field))?;
        }
        Ok(config)
    }

    /// Adds `route`.
    ///
    /// # Errors
    /// A [`ConfigError`] on field `path` if another route already has the same path.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_proxy::{ProxyConfig, Route};
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?;
    /// let config = ProxyConfig::new("127.0.0.1:8080".parse()?).with_route(route.clone())?;
    /// assert!(config.with_route(route).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_route(mut self, route: Route) -> Result<ProxyConfig, ConfigError> {
        if self.routes.iter().any(|known| known.path == route.path) {
            return Err(ConfigError::new(
                "path",
                format_args!(
                    "{} is already routed; give each route its own path",
                    route.path
                ),
            ));
        }
        self.routes.push(route);
        Ok(self)
    }

    /// Terminates TLS with the certificate chain and key in these PEM files.
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::{ProxyConfig, TlsFiles};
    ///
    /// let config = ProxyConfig::new("127.0.0.1:8443".parse()?)
    ///     .with_tls(TlsFiles { cert: "cert.pem".into(), key: "key.pem".into() });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_tls(mut self, files: TlsFiles) -> ProxyConfig {
        self.tls = Some(files);
        self
    }

    /// Gives in-flight requests `timeout` to finish after a shutdown signal.
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::ProxyConfig;
    ///
    /// let config = ProxyConfig::new("127.0.0.1:8080".parse()?)
    ///     .with_shutdown_timeout(std::time::Duration::from_secs(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> ProxyConfig {
        self.shutdown_timeout = timeout;
        self
    }

    /// Serves with `workers` threads: 1 runs everything on one thread, which costs the
    /// least CPU per request; more spread connections over that many threads.
    ///
    /// # Errors
    /// A [`ConfigError`] on field `workers` unless `workers` is 1 to [`MAX_WORKERS`].
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::ProxyConfig;
    ///
    /// let config = ProxyConfig::new("127.0.0.1:8080".parse()?).with_workers(1)?;
    /// assert_eq!(config.workers().get(), 1);
    /// assert_eq!(config.with_workers(0).unwrap_err().field(), "workers");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_workers(mut self, workers: usize) -> Result<ProxyConfig, ConfigError> {
        self.workers = NonZeroUsize::new(workers)
            .filter(|workers| workers.get() <= MAX_WORKERS)
            .ok_or_else(|| {
                ConfigError::new(
                    "workers",
                    format_args!("write from 1 to {MAX_WORKERS} threads (default: one per CPU)"),
                )
            })?;
        Ok(self)
    }

    /// How many threads serve requests (the caller builds the runtime): the file's
    /// `workers`, else one per CPU.
    ///
    /// # Example
    /// ```
    /// # use hookguard_proxy::ProxyConfig;
    /// assert!(ProxyConfig::new("127.0.0.1:8080".parse()?).workers().get() >= 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn workers(&self) -> NonZeroUsize {
        self.workers
    }

    /// The address to listen on.
    ///
    /// # Example
    /// ```
    /// # use hookguard_proxy::ProxyConfig;
    /// assert_eq!(ProxyConfig::new("127.0.0.1:8080".parse()?).listen().port(), 8080);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn listen(&self) -> SocketAddr {
        self.listen
    }

    /// The routes, in the order they were given.
    ///
    /// # Example
    /// ```
    /// # use hookguard_proxy::ProxyConfig;
    /// assert!(ProxyConfig::new("127.0.0.1:8080".parse()?).routes().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// How logs should be written (the caller installs the subscriber).
    ///
    /// # Example
    /// ```
    /// # use hookguard_proxy::{LogFormat, ProxyConfig};
    /// assert_eq!(ProxyConfig::new("127.0.0.1:8080".parse()?).log_format(), LogFormat::Text);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn log_format(&self) -> LogFormat {
        self.log_format
    }

    /// Whether TLS is terminated (the proxy's URL is `https://`).
    ///
    /// # Example
    /// ```
    /// # use hookguard_proxy::ProxyConfig;
    /// assert!(!ProxyConfig::new("127.0.0.1:8080".parse()?).uses_tls());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn uses_tls(&self) -> bool {
        self.tls.is_some()
    }
}
