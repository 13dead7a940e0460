//! Checking one request: the signature headers first, then the body, read bounded and
//! hashed as it arrives, within the route's read timeout.

use bytes::Bytes;
use hookguard_core::{BodyCollector, ContentCoding, Rejection, Verified};
use http::request::Parts;
use http::{header, HeaderValue};
use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};

use crate::Route;

/// Verifies a request against `route`: its exact body bytes and what matched, or why it
/// is refused. A request refused on its headers has had no body byte read.
pub(crate) async fn verify(
    route: &Route,
    parts: &Parts,
    body: Incoming,
) -> Result<(Bytes, Verified), Rejection> {
    let verifier = &route.verifier;
    let signature = verifier.read_headers(|name| {
        parts
            .headers
            .get_all(name)
            .iter()
            .map(HeaderValue::as_bytes)
    })?;
    let encodings = parts.headers.get_all(header::CONTENT_ENCODING).iter();
    ContentCoding::IdentityOnly.check(encodings.map(HeaderValue::as_bytes))?;

    // A body whose own size hint already passes the limit is refused like an oversize
    // `Content-Length`: before any byte is read.
    let hinted = Some(body.size_hint().lower()).filter(|&lower| lower > 0);
    let content_length = parts.headers.get_all(header::CONTENT_LENGTH).iter();
    let declared = BodyCollector::declared_length(content_length).max(hinted);
    let mut collector = BodyCollector::new(verifier, signature, route.max_body_size, declared)?;

    let read = read_into(body, &mut collector);
    tokio::time::timeout(route.read_timeout, read)
        .await
        .map_err(|_| Rejection::BodyTimeout)??;
    collector.finish()
}

/// Pushes every data frame of `body` into `collector`, stopping at the first refusal.
async fn read_into(mut body: Incoming, collector: &mut BodyCollector) -> Result<(), Rejection> {
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Rejection::BodyUnreadable)?;
        // Trailers carry no body bytes and are not signed.
        if let Ok(data) = frame.into_data() {
            collector.push(data)?;
        }
    }
    Ok(())
}
