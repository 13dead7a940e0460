//! The per-request work of a [`Verifier`]: each accepted secret's pre-keyed HMAC-SHA256
//! state (the `hmac` crate's) cloned, and for each accepted Ed25519 public key and candidate
//! signature one streaming verifier (`ed25519-dalek`'s); the signed content hashed, and the
//! body checked to be UTF-8, as it arrives; then the tags compared and the signatures
//! checked. One-shot ([`Verifier::verify`]) and incremental ([`Verification`]) verification
//! share this code.
//!
//! # Security
//! Each key's tag is compared with each candidate in constant time (`hmac`'s `CtOutput`,
//! `subtle`). An Ed25519 signature is checked with the public key alone, so its timing
//! reveals nothing secret. A forged request is reported as [`Rejection::Mismatch`] before
//! the body's UTF-8 verdict, so it learns nothing about the body check.
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
//! let mut verification = verifier.start(signature);
//! verification.update(b"hello ");
//! verification.update(b"world");
//! assert_eq!(verification.finish()?.key().index(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::slice;

use ed25519_dalek::StreamVerifier;
use hmac::digest::CtOutput;
use hmac::Mac as _;

use crate::error::Rejection;
use crate::outcome::{fingerprint, Fingerprint, Verified};
use crate::signature::Signature;
use crate::utf8::Utf8Stream;
use crate::verifier::{HmacSha256, Verifier};

/// An incremental verification in progress: the body is hashed as it arrives.
///
/// # Example
/// ```
/// # use hookguard_core::{Provider, Secret, Signer, Verifier};
/// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"ab");
/// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
/// let signature = verifier.parse_signature(Some(&header))?;
/// let mut verification = verifier.start(signature);
/// for chunk in [&b"a"[..], b"b"] {
///     verification.update(chunk);
/// }
/// verification.finish()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verification {
    verifier: Verifier,
    signature: Signature,
    digest: Digest,
}

impl Verification {
    /// A fresh verification of `signature` under `verifier`'s keys, the signed content
    /// before the body already hashed.
    pub(crate) fn new(verifier: Verifier, signature: Signature) -> Verification {
        let digest = Digest::new(&verifier, &signature);
        Verification {
            verifier,
            signature,
            digest,
        }
    }

    /// Hashes the next chunk of the body (and checks it is UTF-8 when required).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
    /// # let signature = verifier.parse_signature(Some("A".repeat(43) + "="))?;
    /// let mut verification = verifier.start(signature);
    /// verification.update(b"{\"action\":");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn update(&mut self, chunk: &[u8]) {
        self.digest.update(chunk);
    }

    /// Compares the MAC of the signed content under every accepted secret with every
    /// candidate tag of the signature.
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
    /// assert_eq!(verifier.start(wrong).finish().unwrap_err(), Rejection::Mismatch);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(self) -> Result<Verified, Rejection> {
        let matched = self.digest.finish(&self.signature)?;
        self.verifier.verified(matched, self.signature)
    }
}

impl fmt::Debug for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verification")
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

/// The key whose MAC of `body` equals a tag of `signature`, or whose public key verifies
/// one of its Ed25519 signatures, in one call.
pub(crate) fn verify_body(
    verifier: &Verifier,
    signature: &Signature,
    body: &[u8],
) -> Result<Matched, Rejection> {
    let mut digest = Digest::new(verifier, signature);
    digest.update(body);
    digest.finish(signature)
}

/// Which key matched (the index of an HMAC key or of an Ed25519 public key, in the
/// verifier's order), and the fingerprint of the signature it matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Matched {
    Hmac(usize, Fingerprint),
    Ed25519(usize, Fingerprint),
}

/// The per-request state: one MAC per accepted secret, one streaming verifier per public
/// key and candidate signature, and the UTF-8 check.
struct Digest {
    macs: MacStates,
    streams: Vec<(usize, Fingerprint, StreamVerifier)>,
    utf8: Option<Utf8Stream>,
}

/// One and two secrets (the usual rotation) are kept inline: no allocation per request.
enum MacStates {
    One(HmacSha256),
    Two([HmacSha256; 2]),
    Many(Vec<HmacSha256>),
}

impl Digest {
    /// The pre-keyed MAC states cloned, a streaming verifier per public key and candidate,
    /// all fed the signed content before the body (which is not checked for UTF-8), and a
    /// UTF-8 check if required.
    fn new(verifier: &Verifier, signature: &Signature) -> Digest {
        let macs = match verifier.keys() {
            [only] => MacStates::One(only.mac.clone()),
            [first, second] => MacStates::Two([first.mac.clone(), second.mac.clone()]),
            keys => MacStates::Many(keys.iter().map(|key| key.mac.clone()).collect()),
        };
        let streams = verifier
            .public_keys()
            .iter()
            .enumerate()
            .flat_map(|(index, key)| {
                signature.ed25519().iter().filter_map(move |candidate| {
                    let stream = key
                        .key
                        .verify_stream(&ed25519_dalek::Signature::from_bytes(candidate))
                        .ok()?;
                    Some((index, fingerprint(candidate), stream))
                })
            })
            .collect();
        let mut digest = Digest {
            macs,
            streams,
            utf8: None,
        };
        signature.before_body(&verifier.provider().spec(), |bytes| digest.hash(bytes));
        digest.utf8 = verifier.requires_utf8().then(Utf8Stream::default);
        digest
    }

    fn update(&mut self, chunk: &[u8]) {
        if let Some(utf8) = self.utf8.as_mut() {
            utf8.update(chunk);
        }
        self.hash(chunk);
    }

    fn hash(&mut self, bytes: &[u8]) {
        let macs = match &mut self.macs {
            MacStates::One(mac) => slice::from_mut(mac),
            MacStates::Two(macs) => macs.as_mut_slice(),
            MacStates::Many(macs) => macs.as_mut_slice(),
        };
        for mac in macs {
            mac.update(bytes);
        }
        for (_, _, stream) in &mut self.streams {
            stream.update(bytes);
        }
    }

    /// The first secret whose MAC equals one of `signature`'s tags, else the first public
    /// key that verifies one of its Ed25519 signatures; then the UTF-8 verdict: a mismatch
    /// first, so a forged request learns nothing about the body check.
    fn finish(self, signature: &Signature) -> Result<Matched, Rejection> {
        let matches = |(index, mac): (usize, HmacSha256)| {
            let computed = mac.finalize();
            let matched = signature
                .tags()
                .any(|tag| computed == CtOutput::new((*tag).into()));
            matched.then(|| Matched::Hmac(index, fingerprint(&computed.into_bytes())))
        };
        let hmac = match self.macs {
            MacStates::One(mac) => matches((0, mac)),
            MacStates::Two(macs) => macs.into_iter().enumerate().find_map(matches),
            MacStates::Many(macs) => macs.into_iter().enumerate().find_map(matches),
        };
        let matched = match hmac {
            Some(matched) => matched,
            None => self
                .streams
                .into_iter()
                .find_map(|(index, fingerprint, stream)| {
                    let verified = stream.finalize_and_verify().is_ok();
                    verified.then_some(Matched::Ed25519(index, fingerprint))
                })
                .ok_or(Rejection::Mismatch)?,
        };
        if self.utf8.is_some_and(|utf8| !utf8.is_valid()) {
            return Err(Rejection::BodyNotUtf8);
        }
        Ok(matched)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_headers::values_of;
    use crate::{Provider, Rejection, Secret, Signer, Verifier};

    #[test]
    fn the_signed_content_is_the_same_however_the_body_is_cut() {
        let secret = || Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let verifier = Verifier::builder(Provider::StandardWebhooks)
            .secret(secret())
            .clock(|| 1_700_000_000)
            .build()
            .unwrap();
        let signer = Signer::new(Provider::StandardWebhooks, secret()).unwrap();
        let text: Vec<u8> = b"abcdefghijklmnopqrstuvwxyz".repeat(6);
        // Ids whose prefix (`{id}.1700000000.`) is short, about a SHA-256 block, and longer
        // than the room `Signature::before_body` gathers it in.
        let long = "x".repeat(150);
        for id in ["m", &"y".repeat(51), &"z".repeat(53), &long] {
            for len in [0, 1, 20, 64, 130, text.len()] {
                let body = text.get(..len).unwrap();
                let headers = signer.sign_headers(id, 1_700_000_000, body);
                let header = |name: &str| values_of(&headers, name);
                assert!(verifier.verify_request(header, body).is_ok(), "{id} {len}");
                for cut in 0..=len {
                    let (start, end) = body.split_at(cut);
                    let mut verification = verifier.start(verifier.read_headers(header).unwrap());
                    verification.update(start);
                    verification.update(end);
                    assert!(verification.finish().is_ok(), "{id} {len} {cut}");
                }
                let mut forged = body.to_vec();
                forged.push(b'!');
                let refused = verifier.verify_request(header, &forged).unwrap_err();
                assert_eq!(refused, Rejection::Mismatch, "{id} {len}");
            }
        }
    }
}
