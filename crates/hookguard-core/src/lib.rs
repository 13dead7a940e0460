#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// The verification path: `verifier` (configuration: provider, keys), `signature` (the
// header's tag), `content_coding` (which body encodings are verified), `body` and `buffer`
// (reading a request body, bounded), `digest` (hashing it and comparing the tag),
// `outcome` (what matched).
mod body;
mod buffer;
mod builder;
mod candidates;
mod content_coding;
mod custom;
mod delivery_id;
mod digest;
mod encoding;
mod error;
mod keys;
mod outcome;
mod provider;
mod scheme;
mod secret;
mod signature;
mod signer;
#[cfg(test)]
mod test_headers;
#[cfg(test)]
mod test_support;
mod utf8;
mod verifier;

pub use body::BodyCollector;
pub use builder::VerifierBuilder;
pub use content_coding::{CodingName, ContentCoding};
pub use custom::{CustomProvider, CustomScheme, SchemeError, SecretForm, SignatureSyntax};
pub use digest::Verification;
pub use encoding::{Encoding, TAG_LEN};
pub use error::{ConfigError, Malformed, Rejection};
pub use outcome::{KeyId, Verified, FINGERPRINT_LEN};
pub use provider::Provider;
pub use secret::Secret;
pub use signature::{Signature, MAX_DELIVERY_ID, MAX_SIGNATURES, MAX_TIMESTAMP_DIGITS};
pub use signer::Signer;
pub use verifier::Verifier;

/// Default limit on a buffered body: 1 MiB. Adapters refuse larger bodies with `413`.
///
/// # Example
/// ```
/// assert_eq!(hookguard_core::DEFAULT_MAX_BODY_SIZE, 1_048_576);
/// ```
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;
