//! # hookguard
//!
//! Verify signed webhooks (PeopleForce, Bindbee, or any HMAC-SHA256 sender) before your
//! handler runs. This facade re-exports [`hookguard_core`]; the `tower` (or `axum`) and
//! `actix` features add the web-framework adapters as `hookguard::tower` and
//! `hookguard::actix`, and `dedup` the deduplication of retried deliveries as
//! `hookguard::dedup`.
//!
//! # Crate features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `tower` | no | `hookguard::tower`: a tower `Layer` for axum, hyper and any tower stack |
//! | `axum` | no | `tower`, plus the `VerifiedWebhook` axum extractor, and verified bodies past axum's `DefaultBodyLimit` |
//! | `actix` | no | `hookguard::actix`: actix-web middleware and its `VerifiedWebhook` extractor |
//! | `serde` | no | `Deserialize` for [`CustomScheme`]: a sender's scheme described in a configuration file |
//! | `dedup` | no | `hookguard::dedup`: each verified delivery's handler runs once; with `tower` or `actix`, its layer or middleware |
//! | `redis` | no | `dedup`, plus `hookguard::dedup::RedisStore`, shared by a fleet |
//!
//! # Example
//! ```
//! use hookguard::{Provider, Secret, Signer, Verifier};
//!
//! let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
//! let header = Signer::new(Provider::PeopleForce, Secret::new("s3cret")?)?.sign(b"{}");
//! assert!(verifier.verify(Some(&header), b"{}").is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use hookguard_core::*;

/// The tower adapter (axum, hyper, any tower stack): see [`hookguard_tower`].
#[cfg(feature = "tower")]
pub use hookguard_tower as tower;

/// The actix-web adapter: see [`hookguard_actix`].
#[cfg(feature = "actix")]
pub use hookguard_actix as actix;

/// Deduplication of retried deliveries, in memory or (feature `redis`) through Redis: see
/// [`hookguard_dedup`].
#[cfg(feature = "dedup")]
pub use hookguard_dedup as dedup;
