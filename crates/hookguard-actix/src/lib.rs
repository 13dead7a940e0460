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

mod check;
mod extract;
mod middleware;
mod response;
mod service;
mod settings;

pub use extract::VerifiedWebhook;
pub use hookguard_core::{ContentCoding, Rejection, Verified, Verifier};
pub use middleware::VerifySignature;
pub use response::{DefaultRejection, RejectionResponse};
pub use service::VerifySignatureMiddleware;
