//! The paths the proxy answers itself: `/healthz` (alive), `/readyz` (every upstream
//! accepts connections, every deduplication Redis answers) and `/metrics` (Prometheus text).

use std::collections::BTreeSet;
use std::time::Duration;

use http::{header, HeaderValue, Response, StatusCode};
use tokio::net::TcpStream;

use crate::dedup::RedisUse;
use crate::metrics::Metrics;
use crate::response::{self, ProxyBody};
use crate::Route;

/// How long `/readyz` waits for each upstream to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// `/healthz`: the process serves requests.
pub(crate) fn healthz() -> Response<ProxyBody> {
    response::text(StatusCode::OK, "ok\n".to_owned())
}

/// `/readyz`: `200` when every route's upstream accepts a TCP connection and every Redis
/// answers `PING`, else `503` naming the routes whose upstream or Redis does not.
pub(crate) async fn readyz<'a>(
    routes: impl Iterator<Item = &'a Route>,
    redis: &[RedisUse],
) -> Response<ProxyBody> {
    let mut down = BTreeSet::new();
    for route in routes {
        let address = route.upstream.address();
        let connected = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&address)).await;
        if !matches!(connected, Ok(Ok(_))) {
            down.insert(format!("{} -> {address}", route.path));
        }
    }
    let mut stores = Vec::new();
    for used in redis {
        if used.store.ping().await.is_err() {
            stores.push(used.routes.join(", "));
        }
    }
    if down.is_empty() && stores.is_empty() {
        return response::text(StatusCode::OK, "ready\n".to_owned());
    }
    let mut lines = Vec::new();
    if !down.is_empty() {
        let list: Vec<String> = down.into_iter().collect();
        lines.push(format!("upstream unreachable: {}\n", list.join(", ")));
    }
    if !stores.is_empty() {
        let list = stores.join(", ");
        lines.push(format!("deduplication Redis unreachable: {list}\n"));
    }
    let text = lines.concat();
    response::text(StatusCode::SERVICE_UNAVAILABLE, text)
}

/// Pings every deduplication Redis once and logs a `WARN` for each that does not answer:
/// until it does, its routes answer `503` (or, failing open, forward unchecked).
pub(crate) async fn warn_of_unreachable_redis(redis: &[RedisUse]) {
    for used in redis {
        if let Err(error) = used.store.ping().await {
            tracing::warn!(%error, routes = %used.routes.join(", "),
                "deduplication Redis unreachable at start-up: its routes answer 503 until it answers");
        }
    }
}

/// `/metrics`: the Prometheus text exposition.
pub(crate) fn metrics(metrics: &Metrics) -> Response<ProxyBody> {
    let mut response = response::text(StatusCode::OK, metrics.render());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
