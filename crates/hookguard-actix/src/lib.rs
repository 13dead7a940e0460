#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod extract;
mod middleware;
mod response;

pub use extract::VerifiedWebhook;
pub use hookguard_core::{Rejection, Verified, Verifier};
pub use middleware::{VerifySignature, VerifySignatureMiddleware};
pub use response::{DefaultRejection, RejectionResponse};
