#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// One precondition is the caller's: a read timeout needs tokio's timers
// (`tokio::time::sleep` panics without them, and only when a body first makes a request
// wait), as `with_read_timeout` says.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
mod extract;
mod future;
mod headers;
mod layer;
mod response;
mod service;

#[cfg(feature = "axum")]
pub use extract::VerifiedWebhook;
pub use future::ResponseFuture;
pub use hookguard_core::{ContentCoding, Rejection, Verified, Verifier};
pub use layer::VerifySignatureLayer;
pub use response::{DefaultRejection, RejectionResponse, ResponseBody};
pub use service::VerifySignature;
