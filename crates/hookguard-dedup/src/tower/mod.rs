//! The tower stage: [`DeduplicateLayer`] builds [`Deduplicate`] around a service that
//! sits inside `hookguard_tower::VerifySignature`.

mod future;
mod layer;

pub use future::ResponseFuture;
pub use layer::{Deduplicate, DeduplicateLayer};

use http::Response;

use crate::admit::respond;
use crate::stage::Reply;

/// The response given instead of the handler's: empty, or the text saying why the stage
/// cannot run (no verifying layer in front).
fn reply<B: From<&'static str>>(reply: Reply) -> Response<B> {
    respond(reply, B::from(reply.body))
}
