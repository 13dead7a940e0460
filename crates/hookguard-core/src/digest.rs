//! The per-request work of a [`Verifier`]: each accepted secret's pre-keyed HMAC-SHA256
//! state (the `hmac` crate's) cloned, the body hashed, and checked to be UTF-8, as it
//! arrives, and the tag compared. One-shot ([`Verifier::verify`]) and incremental
//! ([`Verification`]) verification share this code.
//!
//! # Security
//! The tag is compared in constant time by `hmac`'s `Mac::verify_slice` (`subtle`). A
//! forged request is reported as [`Rejection::Mismatch`] before the body's UTF-8 verdict,
//! so it learns nothing about the body check.
//!
//! # Errors
//! [`Rejection::Mismatch`] when no secret matches, [`Rejection::BodyNotUtf8`] when one does
//! but the body is not UTF-8 and UTF-8 is required.
//!
//! # Example
//! ```
//! use hookguard_core::{Provider, Secret, Signer, Verifier};
//!
//! let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"hello world");
//! let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
//! let signature = verifier.parse_signature(Some(&header))?;
//! let mut verification = verifier.start();
//! verification.update(b"hello ");
//! verification.update(b"world");
//! assert_eq!(verification.finish(&signature)?.key().index(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::slice;

use hmac::Mac as _;

use crate::error::Rejection;
use crate::outcome::Verified;
use crate::signature::Signature;
use crate::utf8::Utf8Stream;
use crate::verifier::{HmacSha256, Key, Verifier};

/// An incremental verification in progress: the body is hashed as it arrives.
///
/// # Example
/// ```
/// # use hookguard_core::{Provider, Secret, Signer, Verifier};
/// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"ab");
/// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
/// let signature = verifier.parse_signature(Some(&header))?;
/// let mut verification = verifier.start();
/// for chunk in [&b"a"[..], b"b"] {
///     verification.update(chunk);
/// }
/// verification.finish(&signature)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verification {
    verifier: Verifier,
    digest: Digest,
}

impl Verification {
    /// A fresh verification under `verifier`'s keys.
    pub(crate) fn new(verifier: Verifier) -> Verification {
        let digest = Digest::new(verifier.keys(), verifier.requires_utf8());
        Verification { verifier, digest }
    }

    /// Hashes the next chunk of the body (and checks it is UTF-8 when required).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
    /// let mut verification = verifier.start();
    /// verification.update(b"{\"action\":");
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn update(&mut self, chunk: &[u8]) {
        self.digest.update(chunk);
    }

    /// Compares the body's MAC under every accepted secret with `signature`.
    ///
    /// # Errors
    /// [`Rejection::Mismatch`] when no secret matches; [`Rejection::BodyNotUtf8`] when one
    /// does but the body is not UTF-8 and UTF-8 is required.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Rejection, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
    /// let wrong = verifier.parse_signature(Some(format!("sha256={}", "00".repeat(32))))?;
    /// assert_eq!(verifier.start().finish(&wrong).unwrap_err(), Rejection::Mismatch);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(self, signature: &Signature) -> Result<Verified, Rejection> {
        let index = self.digest.finish(signature)?;
        self.verifier.verified(index)
    }
}

impl fmt::Debug for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verification")
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

/// The index of the first key whose MAC of `body` equals `signature`, in one call.
pub(crate) fn verify_body(
    keys: &[Key],
    require_utf8: bool,
    signature: &Signature,
    body: &[u8],
) -> Result<usize, Rejection> {
    let mut digest = Digest::new(keys, require_utf8);
    digest.update(body);
    digest.finish(signature)
}

/// The per-request state: one MAC per accepted secret, and the UTF-8 check.
struct Digest {
    macs: MacStates,
    utf8: Option<Utf8Stream>,
}

/// One and two secrets (the usual rotation) are kept inline: no allocation per request.
enum MacStates {
    One(HmacSha256),
    Two([HmacSha256; 2]),
    Many(Vec<HmacSha256>),
}

impl Digest {
    /// The pre-keyed MAC states cloned, a UTF-8 check if required.
    fn new(keys: &[Key], require_utf8: bool) -> Digest {
        let macs = match keys {
            [only] => MacStates::One(only.mac.clone()),
            [first, second] => MacStates::Two([first.mac.clone(), second.mac.clone()]),
            keys => MacStates::Many(keys.iter().map(|key| key.mac.clone()).collect()),
        };
        Digest {
            macs,
            utf8: require_utf8.then(Utf8Stream::default),
        }
    }

    fn update(&mut self, chunk: &[u8]) {
        if let Some(utf8) = self.utf8.as_mut() {
            utf8.update(chunk);
        }
        let macs = match &mut self.macs {
            MacStates::One(mac) => slice::from_mut(mac),
            MacStates::Two(macs) => macs.as_mut_slice(),
            MacStates::Many(macs) => macs.as_mut_slice(),
        };
        for mac in macs {
            mac.update(chunk);
        }
    }

    /// The index of the first secret whose MAC equals `signature`, then the UTF-8 verdict:
    /// a mismatch first, so a forged request learns nothing about the body check.
    fn finish(self, signature: &Signature) -> Result<usize, Rejection> {
        let tag = signature.as_bytes();
        let matches = |mac: HmacSha256| mac.verify_slice(tag).is_ok();
        let matched = match self.macs {
            MacStates::One(mac) => matches(mac).then_some(0),
            MacStates::Two(macs) => macs.into_iter().position(matches),
            MacStates::Many(macs) => macs.into_iter().position(matches),
        };
        let index = matched.ok_or(Rejection::Mismatch)?;
        if self.utf8.is_some_and(|utf8| !utf8.is_valid()) {
            return Err(Rejection::BodyNotUtf8);
        }
        Ok(index)
    }
}
