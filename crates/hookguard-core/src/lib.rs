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

mod body;
mod content_coding;
mod encoding;
mod error;
mod mac;
mod provider;
mod secret;
mod signer;
#[cfg(test)]
mod test_support;
mod utf8;
mod verification;
mod verified;
mod verifier;

pub use body::BodyCollector;
pub use content_coding::{CodingName, ContentCoding};
pub use encoding::{Encoding, TAG_LEN};
pub use error::{ConfigError, Malformed, Rejection};
pub use provider::{CustomProvider, Provider};
pub use secret::Secret;
pub use signer::Signer;
pub use verification::Verification;
pub use verified::{KeyId, Verified};
pub use verifier::{Signature, Verifier, VerifierBuilder};

/// Default limit on a buffered body: 1 MiB. Adapters refuse larger bodies with `413`.
///
/// # Example
/// ```
/// assert_eq!(hookguard_core::DEFAULT_MAX_BODY_SIZE, 1_048_576);
/// ```
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;
