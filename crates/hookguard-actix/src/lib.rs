#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod check;
mod extract;
mod headers;
mod middleware;
mod response;
mod service;
mod settings;
mod unread;

pub use extract::VerifiedWebhook;
pub use hookguard_core::{ContentCoding, Rejection, Verified, Verifier};
pub use middleware::VerifySignature;
pub use response::{DefaultRejection, RejectionResponse};
pub use service::VerifySignatureMiddleware;
