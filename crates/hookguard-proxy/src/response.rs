//! The bodies the proxy answers with, and its own short responses.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::{Either, Full};
use hyper::body::Incoming;

/// A response body: the upstream's, streamed through, or one the proxy wrote.
pub(crate) type ProxyBody = Either<Incoming, Full<Bytes>>;

/// A `text/plain` response of `status` with its reason phrase as the whole body (`Forbidden`,
/// no line break), byte for byte what the tower and actix-web adapters answer a refusal
/// with: generic, it never says which check failed.
pub(crate) fn status(status: StatusCode) -> Response<ProxyBody> {
    let reason = status.canonical_reason().unwrap_or("Error");
    text(status, reason.to_owned())
}

/// A `text/plain` response of `status` with `body`.
pub(crate) fn text(status: StatusCode, body: String) -> Response<ProxyBody> {
    let mut response = Response::new(Either::Right(Full::new(Bytes::from(body))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
