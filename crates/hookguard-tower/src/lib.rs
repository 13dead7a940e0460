#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
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
