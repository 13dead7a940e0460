//! [`Proxy`]: accepts connections, routes each request, verifies it, forwards it, and
//! stops gracefully.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hookguard_dedup::Dedup;
use http::{HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::dedup::{admit, finish, RedisUse, Stores};
use crate::exchange::Connections;
use crate::forward::{self, Peer};
use crate::metrics::{Metrics, Outcome, RouteMetrics};
use crate::response::{self, ProxyBody};
use crate::verify::verify;
use crate::{ops, ConfigError, ProxyConfig, Route};

/// How long a client has to send a request's head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client has to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often histogram samples are folded into their buckets.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The verifying reverse proxy: build it from a [`ProxyConfig`], then [`Proxy::serve`].
///
/// | request | answer | reaches the upstream? |
/// |---|---|---|
/// | a route's path, valid signature | the upstream's status, headers and body | yes, byte for byte |
/// | a route's path, refused | `403`, `408`, `413`, `415` or `400` | no |
/// | valid, upstream unreachable / too slow | `502` / `504` | tried / yes |
/// | valid copy, deduplicating: first in flight / done | `409` / `200` + `Hookguard-Duplicate` | no |
/// | valid, deduplicating, store unreachable | `503` + `Retry-After` | no |
/// | `/healthz`, `/readyz`, `/metrics` | answered by the proxy | no |
/// | any other path | `404` | no |
///
/// # Example
/// ```no_run
/// use hookguard_core::{Provider, Secret, Verifier};
/// use hookguard_proxy::{Proxy, ProxyConfig, Route};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::from_env("WEBHOOK_SECRET")?)?;
/// let route = Route::new("/webhooks/peopleforce", verifier, "http://127.0.0.1:3000")?;
/// let config = ProxyConfig::new("127.0.0.1:8080".parse()?).with_route(route)?;
/// let listener = tokio::net::TcpListener::bind(config.listen()).await?;
/// Proxy::new(config)?.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<Shared>,
}

/// What every connection shares.
struct Shared {
    routes: HashMap<String, Served>,
    metrics: Metrics,
    tls: Option<TlsAcceptor>,
    shutdown_timeout: Duration,
    redis: Vec<RedisUse>,
}

impl Proxy {
    /// A proxy serving `config`: loads the TLS files, if any, and sets up the routes'
    /// deduplication stores (connecting to Redis on first use; call it within a tokio
    /// runtime when a route deduplicates in Redis).
    ///
    /// # Errors
    /// A [`ConfigError`] on `tls.cert`, `tls.key` or `tls` when the PEM files cannot be
    /// used, on `dedup` when a Redis store is set up outside a tokio runtime.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_proxy::{Proxy, ProxyConfig, Route};
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?;
    /// let proxy = Proxy::new(ProxyConfig::new("127.0.0.1:0".parse()?).with_route(route)?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(config: ProxyConfig) -> Result<Proxy, ConfigError> {
        let tls = config.tls.as_ref().map(crate::tls::acceptor).transpose()?;
        let metrics = Metrics::new().map_err(|error| ConfigError::new("metrics", error))?;
        let mut stores = Stores::default();
        let mut routes = HashMap::new();
        for route in config.routes {
            let metrics = metrics.for_route(&route.path);
            let dedup = stores.dedup(&route)?;
            let provider = route.verifier.provider().to_string();
            let served = Served {
                connections: Connections::new(&route.upstream),
                provider: HeaderValue::try_from(provider)
                    .map_err(|error| ConfigError::new("provider", error))?,
                route,
                metrics,
                dedup,
            };
            routes.insert(served.route.path.clone(), served);
        }
        Ok(Proxy {
            shared: Arc::new(Shared {
                routes,
                metrics,
                tls,
                shutdown_timeout: config.shutdown_timeout,
                redis: stores.redis,
            }),
        })
    }

    /// Serves connections from `listener` until `shutdown` completes, then stops accepting
    /// and gives the requests in flight the configured shutdown timeout to finish. Accept
    /// errors (such as too many open files) are logged and retried, not returned.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_proxy::{Proxy, ProxyConfig, Route};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let route = Route::new("/hooks", verifier, "http://127.0.0.1:3000")?;
    /// let proxy = Proxy::new(ProxyConfig::new("127.0.0.1:0".parse()?).with_route(route)?)?;
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// proxy.serve(listener, async {}).await; // stops at once
    /// # Ok(())
    /// # }
    /// ```
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let graceful = GracefulShutdown::new();
        let metrics = self.shared.metrics.clone();
        let upkeep = tokio::spawn(async move {
            let mut interval = tokio::time::interval(UPKEEP_INTERVAL);
            loop {
                interval.tick().await;
                metrics.upkeep();
            }
        });
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move { ops::warn_of_unreachable_redis(&shared.redis).await });
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, addr)) => {
                        // Small request/response exchanges: do not wait to fill segments.
                        let _ = stream.set_nodelay(true);
                        let shared = Arc::clone(&self.shared);
                        let watcher = graceful.watcher();
                        tokio::spawn(async move { shared.accept(stream, addr, watcher).await });
                    }
                    Err(error) => {
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        tracing::info!("shutting down: no new connections, finishing requests in flight");
        let deadline = self.shared.shutdown_timeout;
        if tokio::time::timeout(deadline, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                ?deadline,
                "shutdown deadline passed with requests still in flight"
            );
        }
        upkeep.abort();
    }
}

impl Shared {
    /// Runs one connection: the TLS handshake if configured, then HTTP/1.1.
    async fn accept(
        self: Arc<Self>,
        stream: tokio::net::TcpStream,
        addr: SocketAddr,
        watcher: Watcher,
    ) {
        match self.tls.clone() {
            Some(acceptor) => {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        self.connection(tls, Peer::new(addr, true), watcher).await;
                    }
                    Ok(Err(error)) => tracing::debug!(%error, %addr, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
                }
            }
            None => {
                self.connection(stream, Peer::new(addr, false), watcher)
                    .await;
            }
        }
    }

    async fn connection<I>(self: Arc<Self>, io: I, peer: Peer, watcher: Watcher)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let peer = Arc::new(peer);
        let addr = peer.addr;
        let service = service_fn(move |request| {
            let (shared, peer) = (Arc::clone(&self), Arc::clone(&peer));
            async move { Ok::<_, Infallible>(shared.handle(request, &peer).await) }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(io), service);
        if let Err(error) = watcher.watch(connection).await {
            tracing::debug!(%error, %addr, "connection ended with an error");
        }
    }

    async fn handle(&self, request: Request<Incoming>, peer: &Peer) -> Response<ProxyBody> {
        let path = request.uri().path();
        if let Some(served) = self.routes.get(path) {
            // Webhooks are POSTed: other methods get 405 with `Allow: POST`, as on the
            // adapters, and never reach the upstream.
            if request.method() != http::Method::POST {
                let mut refused = response::status(StatusCode::METHOD_NOT_ALLOWED);
                refused
                    .headers_mut()
                    .insert(http::header::ALLOW, http::HeaderValue::from_static("POST"));
                return refused;
            }
            return self.deliver(served, request, peer).await;
        }
        match path {
            "/healthz" => ops::healthz(),
            "/readyz" => {
                let routes = self.routes.values().map(|served| &served.route);
                ops::readyz(routes, &self.redis).await
            }
            "/metrics" => ops::metrics(&self.metrics),
            _ => {
                self.metrics.unrouted();
                tracing::debug!(method = %request.method(), path, status = 404, "no route for this path");
                response::status(StatusCode::NOT_FOUND)
            }
        }
    }

    /// Verifies a request to `route` and, if valid, forwards it and relays the answer.
    async fn deliver(
        &self,
        served: &Served,
        request: Request<Incoming>,
        peer: &Peer,
    ) -> Response<ProxyBody> {
        let route = &served.route;
        let (parts, body) = request.into_parts();
        let (bytes, verified) = match verify(route, &parts, body).await {
            Ok(verified) => verified,
            Err(rejection) => {
                tracing::warn!(
                    route = %route.path,
                    provider = %route.verifier.provider(),
                    status = rejection.status(),
                    reason = %rejection,
                    method = %parts.method,
                    "webhook request refused"
                );
                served.metrics.refusal(rejection);
                let status =
                    StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::FORBIDDEN);
                return response::status(status);
            }
        };
        let ticket = match &served.dedup {
            Some(dedup) => match admit(dedup, &served.metrics, &parts.headers, &verified).await {
                Ok(ticket) => Some(ticket),
                Err(answer) => return answer,
            },
            None => None,
        };
        let outgoing = match forward::upstream_request(
            &route.upstream,
            &served.provider,
            parts,
            bytes,
            &verified,
            peer,
        ) {
            Ok(outgoing) => outgoing,
            Err(error) => {
                tracing::error!(route = %route.path, %error, "cannot build the upstream request");
                served.metrics.delivery(Outcome::UpstreamUnreachable);
                finish(ticket, false).await;
                return response::status(StatusCode::BAD_GATEWAY);
            }
        };
        let answer = tokio::time::timeout(
            route.upstream_timeout,
            served.connections.exchange(outgoing),
        )
        .await;
        let key = verified.key();
        let succeeded = matches!(&answer, Ok(Ok((upstream, _))) if upstream.status().is_success());
        // A 2xx marks the delivery done; anything else frees it for the sender's retry.
        finish(ticket, succeeded).await;
        match answer {
            Ok(Ok((upstream, elapsed))) => {
                served.metrics.upstream_latency(elapsed);
                served.metrics.delivery(Outcome::Forwarded);
                // DEBUG: `/metrics` counts deliveries; refusals and failures are WARN.
                tracing::debug!(route = %route.path, provider = %verified.provider(), %key,
                    status = upstream.status().as_u16(), upstream_ms = elapsed.as_secs_f64() * 1e3,
                    "delivery forwarded");
                let (mut head, body) = upstream.into_parts();
                forward::response_headers(&mut head.headers);
                // The client talks HTTP/1.1 to the proxy whatever the upstream speaks (an
                // HTTP/1.0 answer would end the client's keep-alive connection).
                head.version = http::Version::HTTP_11;
                Response::from_parts(head, body)
            }
            Ok(Err(error)) => {
                served.metrics.delivery(Outcome::UpstreamUnreachable);
                let cause = std::error::Error::source(&error).map(ToString::to_string);
                tracing::warn!(route = %route.path, upstream = %route.upstream.authority, %key,
                    %error, cause = cause.as_deref().unwrap_or(""), status = 502,
                    "upstream unreachable or its answer broken");
                response::status(StatusCode::BAD_GATEWAY)
            }
            Err(_) => {
                served.metrics.delivery(Outcome::UpstreamTimeout);
                tracing::warn!(route = %route.path, %key, timeout = ?route.upstream_timeout, status = 504,
                    "upstream did not answer in time");
                response::status(StatusCode::GATEWAY_TIMEOUT)
            }
        }
    }
}

/// A route, its metric handles and its deduplication.
struct Served {
    route: Route,
    /// The `Hookguard-Provider` value the upstream gets.
    provider: HeaderValue,
    connections: Connections,
    metrics: RouteMetrics,
    dedup: Option<Dedup>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field(
                "routes",
                &self
                    .shared
                    .routes
                    .values()
                    .map(|served| &served.route)
                    .collect::<Vec<_>>(),
            )
            .field("tls", &self.shared.tls.is_some())
            .finish_non_exhaustive()
    }
}
