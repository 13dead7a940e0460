//! The checks one request goes through, in order; on success the payload holds the exact
//! bytes again.

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header::{HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use actix_web::HttpMessage as _;
use futures_util::StreamExt as _;
use hookguard_core::{BodyCollector, Rejection, Verified};

use crate::settings::Settings;

/// Runs every check in order (signature header, content coding, declared length, body read
/// within the read timeout, MAC); on success the request's payload is the exact bytes read.
pub(crate) async fn check<R>(
    settings: &Settings<R>,
    req: &mut ServiceRequest,
) -> Result<Verified, Rejection> {
    let signature = settings.verifier.read_headers(|name| {
        settings
            .headers
            .get_all(req.headers(), name)
            .map(HeaderValue::as_bytes)
    })?;
    settings.content_coding.check(
        req.headers()
            .get_all(CONTENT_ENCODING)
            .map(HeaderValue::as_bytes),
    )?;
    let collector = BodyCollector::new(
        &settings.verifier,
        signature,
        settings.max_body_size,
        BodyCollector::declared_length(req.headers().get_all(CONTENT_LENGTH)),
    )?;

    let mut payload = req.take_payload();
    let read = read_body(collector, &mut payload);
    // One deadline for the whole body, from the moment reading starts.
    let read = match settings.read_timeout {
        Some(timeout) => actix_web::rt::time::timeout(timeout, read)
            .await
            .unwrap_or(Err(Rejection::BodyTimeout)),
        None => read.await,
    };
    let collector = match read {
        Ok(collector) => collector,
        Err(rejection) => {
            // What is left of the body stays with the request (see `unread.rs`).
            req.set_payload(payload);
            return Err(rejection);
        }
    };
    let (body, verified) = collector.finish()?;
    req.set_payload(Payload::from(body));
    Ok(verified)
}

/// Reads the payload to its end into `collector` (bounded, each byte hashed once).
async fn read_body(
    mut collector: BodyCollector,
    payload: &mut Payload,
) -> Result<BodyCollector, Rejection> {
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            tracing::debug!(%error, "webhook payload stream failed");
            Rejection::BodyUnreadable
        })?;
        collector.push(chunk)?;
    }
    Ok(collector)
}
