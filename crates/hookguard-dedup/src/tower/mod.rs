//! The tower stage: [`DeduplicateLayer`] builds [`Deduplicate`] around a service that
//! sits inside `hookguard_tower::VerifySignature`.

mod future;
mod layer;

pub use future::ResponseFuture;
pub use layer::{Deduplicate, DeduplicateLayer};

use http::Response;

use crate::admit::Answer;
use crate::stage::Reply;

/// The response given instead of the handler's, with an empty body.
fn reply<B: Default>(reply: Reply) -> Response<B> {
    Answer(reply).into_response()
}
