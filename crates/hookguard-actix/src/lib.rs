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

mod extract;
mod middleware;
mod response;

pub use extract::VerifiedWebhook;
pub use hookguard_core::{Rejection, Verified, Verifier};
pub use middleware::{VerifySignature, VerifySignatureMiddleware};
pub use response::{DefaultRejection, RejectionResponse};
