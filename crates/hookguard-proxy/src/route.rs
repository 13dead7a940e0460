//! [`Route`]: one protected path, its verifier, its upstream and its limits.

use std::fmt;
use std::time::Duration;

use hookguard_core::{Verifier, DEFAULT_MAX_BODY_SIZE};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::Uri;

use crate::{ConfigError, Deduplication};

/// Default time a client has to send a whole body: 10 s.
pub(crate) const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time the upstream has to answer (its response head): 10 s.
pub(crate) const DEFAULT_UPSTREAM_TIMEOUT: Duration = Duration::from_secs(10);
/// Paths the proxy answers itself; no route may take them.
pub(crate) const RESERVED_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// One protected path: requests to exactly this path are verified with the route's
/// verifier and, if valid, forwarded to its upstream.
///
/// The upstream is an `http://host:port` URL. Without a path (or with `/`), a request keeps
/// its path (`/webhooks/peopleforce` goes to `http://host:port/webhooks/peopleforce`);
/// with one, that path replaces it. The query string is kept either way.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use hookguard_core::{Provider, Secret, Verifier};
/// use hookguard_proxy::Route;
///
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
/// let route = Route::new("/webhooks/peopleforce", verifier, "http://127.0.0.1:3000")?
///     .with_max_body_size(64 * 1024)
///     .with_upstream_timeout(Duration::from_secs(5));
/// assert_eq!(route.path(), "/webhooks/peopleforce");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Route {
    pub(crate) path: String,
    pub(crate) verifier: Verifier,
    pub(crate) upstream: Upstream,
    pub(crate) max_body_size: usize,
    pub(crate) read_timeout: Duration,
    pub(crate) upstream_timeout: Duration,
    pub(crate) dedup: Deduplication,
}

impl Route {
    /// A route for `path` (starting with `/`, not `/healthz`, `/readyz` or `/metrics`)
    /// forwarding to `upstream` (`http://host:port[/path]`), with a 1 MiB body limit and
    /// 10 s read and upstream timeouts.
    ///
    /// # Errors
    /// A [`ConfigError`] on field `path` or `upstream` saying how to write it.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_proxy::Route;
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let error = Route::new("/hooks", verifier, "https://example.com").unwrap_err();
    /// assert_eq!(error.field(), "upstream");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        path: impl Into<String>,
        verifier: Verifier,
        upstream: &str,
    ) -> Result<Route, ConfigError> {
        let path = path.into();
        check_path(&path).map_err(|message| ConfigError::new("path", message))?;
        let upstream =
            Upstream::parse(upstream).map_err(|message| ConfigError::new("upstream", message))?;
        Ok(Route {
            path,
            verifier,
            upstream,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            read_timeout: DEFAULT_READ_TIMEOUT,
            upstream_timeout: DEFAULT_UPSTREAM_TIMEOUT,
            dedup: Deduplication::off(),
        })
    }

    /// Refuses bodies larger than `limit` bytes with `413`, without buffering past it.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_proxy::Route;
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?.with_max_body_size(1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_max_body_size(mut self, limit: usize) -> Self {
        self.max_body_size = limit;
        self
    }

    /// Refuses with `408` a body that has not arrived whole within `timeout` of the head.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_proxy::Route;
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?
    ///     .with_read_timeout(std::time::Duration::from_secs(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Answers `504` when the upstream has not sent its response head within `timeout`.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_proxy::Route;
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?
    ///     .with_upstream_timeout(std::time::Duration::from_secs(30));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_upstream_timeout(mut self, timeout: Duration) -> Self {
        self.upstream_timeout = timeout;
        self
    }

    /// Forwards each delivery once: copies are answered by the proxy (see
    /// [`Deduplication`]). Off by default.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_proxy::Route;
    /// use hookguard_proxy::Deduplication;
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?
    ///     .with_dedup(Deduplication::memory());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_dedup(mut self, dedup: Deduplication) -> Self {
        self.dedup = dedup;
        self
    }

    /// The path this route answers.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_proxy::Route;
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?;
    /// assert_eq!(route.path(), "/hooks");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("path", &self.path)
            .field("provider", &self.verifier.provider().to_string())
            .field("upstream", &self.upstream)
            .field("max_body_size", &self.max_body_size)
            .field("read_timeout", &self.read_timeout)
            .field("upstream_timeout", &self.upstream_timeout)
            .field("dedup", &self.dedup)
            .finish_non_exhaustive()
    }
}

/// Checks a route's path: absolute, no query, not one the proxy answers itself.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') || path.contains(['?', '#']) {
        return Err(format!(
            "{path:?} is not a path; write it as /webhooks/NAME"
        ));
    }
    if PathAndQuery::try_from(path).is_err() {
        return Err(format!(
            "{path:?} holds characters a URL path cannot; use letters, digits, / - _ ."
        ));
    }
    if RESERVED_PATHS.contains(&path) {
        return Err(format!(
            "{path} is answered by the proxy itself; choose another path"
        ));
    }
    Ok(())
}

/// Where a route's verified requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Upstream {
    pub(crate) authority: Authority,
    /// The path that replaces the request's, if the URL has one.
    path: Option<PathAndQuery>,
}

impl Upstream {
    /// Parses `http://host:port[/path]`.
    pub(crate) fn parse(text: &str) -> Result<Upstream, String> {
        let hint = "write it as http://HOST:PORT, e.g. http://127.0.0.1:3000";
        let uri: Uri = text
            .parse()
            .map_err(|_| format!("{text:?} is not a URL; {hint}"))?;
        if uri.scheme() != Some(&Scheme::HTTP) {
            return Err(format!(
                "{text:?}: only http:// upstreams are supported (the proxy terminates TLS in front of them); {hint}"
            ));
        }
        let Some(authority) = uri.authority().cloned() else {
            return Err(format!("{text:?} names no host; {hint}"));
        };
        if authority.as_str().contains('@') {
            return Err(format!(
                "{text:?} holds credentials (user:password@), which the proxy does not send; remove them"
            ));
        }
        if authority.host().is_empty() {
            return Err(format!("{text:?} names no host; {hint}"));
        }
        let port = match authority.port() {
            // No port, unless something (a port out of range) follows the host.
            None if authority.as_str().len() == authority.host().len() => 80,
            None => 0,
            Some(port) => port.as_u16(),
        };
        if port == 0 {
            return Err(format!("{text:?}: the port must be 1 to 65535; {hint}"));
        }
        if text.contains('#') {
            return Err(format!(
                "{text:?} has a fragment (#...), which is never sent; remove it"
            ));
        }
        if uri.query().is_some() {
            return Err(format!(
                "{text:?} has a query string; the request's own query is forwarded, remove it"
            ));
        }
        let path = uri
            .path_and_query()
            .filter(|path| !path.as_str().is_empty() && path.as_str() != "/")
            .cloned();
        Ok(Upstream { authority, path })
    }

    /// `host:port` to connect to (port 80 unless the URL names one).
    pub(crate) fn address(&self) -> String {
        let port = self.authority.port_u16().unwrap_or(80);
        format!("{}:{port}", self.authority.host())
    }

    /// The request target (origin-form, `/path?query`) a request for `request` gets.
    pub(crate) fn target(&self, request: &Uri) -> Result<Uri, http::Error> {
        let path_and_query = match (&self.path, request.query()) {
            (Some(path), Some(query)) => format!("{}?{query}", path.path()).try_into()?,
            (Some(path), None) => path.clone(),
            (None, _) => request
                .path_and_query()
                .cloned()
                .unwrap_or_else(|| PathAndQuery::from_static("/")),
        };
        Ok(Uri::from(path_and_query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upstream_without_a_path_keeps_the_request_path_and_query() {
        let upstream = Upstream::parse("http://127.0.0.1:3000").unwrap();
        let target = upstream.target(&"/hooks/a?x=1".parse().unwrap()).unwrap();
        assert_eq!(target, "/hooks/a?x=1");
    }

    #[test]
    fn an_upstream_path_replaces_the_request_path() {
        let upstream = Upstream::parse("http://app:8000/receive").unwrap();
        let target = upstream.target(&"/hooks/a?x=1".parse().unwrap()).unwrap();
        assert_eq!(target, "/receive?x=1");
        let target = upstream.target(&"/hooks/a".parse().unwrap()).unwrap();
        assert_eq!(target, "/receive");
    }

    #[test]
    fn upstreams_that_are_not_plain_http_urls_are_refused_with_a_hint() {
        for bad in [
            "https://app",
            "app:3000",
            "http://",
            "http://app/?a=1",
            "not a url",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://:3000",
            "http://127.0.0.1:3000/#top",
        ] {
            let message = Upstream::parse(bad).unwrap_err();
            assert!(message.contains("http://"), "{bad}: {message}");
        }
    }

    #[test]
    fn paths_must_be_absolute_and_not_reserved() {
        assert!(check_path("/webhooks/peopleforce").is_ok());
        for bad in [
            "webhooks", "/a?b", "/healthz", "/metrics", "/readyz", "/a b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
