//! The tower stage: [`DeduplicateLayer`] builds [`Deduplicate`] around a service that
//! sits inside `hookguard_tower::VerifySignature`.

mod future;
mod layer;

pub use future::ResponseFuture;
pub use layer::{Deduplicate, DeduplicateLayer};

use http::{header, HeaderValue, Response};

use crate::dedup::DUPLICATE_HEADER;
use crate::stage::Reply;

/// The response given instead of the handler's, with an empty body.
fn reply<B: Default>(reply: Reply) -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    if let Some(seconds) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if reply.duplicate {
        headers.insert(DUPLICATE_HEADER, HeaderValue::from_static("true"));
    }
    response
}
