#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// No request can make the guard panic: no indexing, `unwrap`, `expect` or `panic!` in the
// library code (tests may; they are meant to fail loudly).
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
mod extract;
mod future;
mod layer;
mod response;
mod service;

#[cfg(feature = "axum")]
pub use extract::VerifiedWebhook;
pub use future::ResponseFuture;
pub use layer::VerifySignatureLayer;
pub use response::{DefaultRejection, RejectionResponse, ResponseBody};
pub use service::VerifySignature;

#[cfg(test)]
mod tests;
