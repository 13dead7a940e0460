//! [`Verification`]: the per-request work of a [`Verifier`]: the pre-keyed MAC states
//! copied, the body hashed (and checked to be UTF-8) as it arrives, and the tag compared.
//!
//! # Security
//! The tag is compared in constant time: the eight words' differences are OR-ed and the
//! result goes through one `subtle` comparison. A forged request is
//! reported as [`Rejection::Mismatch`] before the body's UTF-8 verdict, so it learns
//! nothing about the body check.
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

use subtle::ConstantTimeEq;

use crate::encoding::TAG_LEN;
use crate::error::Rejection;
use crate::mac::{KeyedMac, MacStream};
use crate::utf8::Utf8Stream;
use crate::verified::Verified;
use crate::verifier::{Key, Signature, Verifier};

/// `start`, `update` and `finish` in one frame: no reference count, no moves of the MAC
/// states between calls. Returns the index of the matching key.
pub(crate) fn verify_body(
    keys: &[Key],
    require_utf8: bool,
    signature: &Signature,
    body: &[u8],
) -> Result<usize, Rejection> {
    if let [only] = keys {
        // The common case, with the one MAC state kept in this frame (measured: going
        // through `Digest` costs ~10% at 256 B).
        let mut mac = only.mac.start();
        let mut utf8 = require_utf8.then(Utf8Stream::default);
        absorb(|piece| mac.update(piece), utf8.as_mut(), body);
        let matched = tag_matches(mac, &only.mac, signature.as_bytes()).then_some(0);
        verdict(matched, utf8.as_ref())
    } else {
        let mut digest = Digest::new(keys, require_utf8);
        digest.update(body);
        digest.finish(keys, signature)
    }
}

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
}

/// The per-request state: one MAC per accepted secret, and the UTF-8 check.
struct Digest {
    macs: MacStates,
    utf8: Option<Utf8Stream>,
}

/// One and two secrets (the usual rotation) are kept inline: no allocation per request.
enum MacStates {
    One(MacStream),
    Two([MacStream; 2]),
    Many(Vec<MacStream>),
}

/// Bytes checked for UTF-8 and then hashed in one step. SHA-256 rounds form one long
/// dependency chain (SHA-NI is latency-bound), so the check of the next piece, independent
/// of it, executes in the gaps of this piece's last rounds. Measured at 1.3 KiB: checking a
/// piece before hashing it is ~4 ns faster than after; 256-byte pieces cost ~20 ns more.
const PIECE: usize = 512;

impl MacStates {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            MacStates::One(mac) => mac.update(bytes),
            MacStates::Two(macs) => macs.iter_mut().for_each(|mac| mac.update(bytes)),
            MacStates::Many(macs) => macs.iter_mut().for_each(|mac| mac.update(bytes)),
        }
    }
}

/// Whether `mac`'s tag equals `tag`, in constant time: the eight 32-bit words of the
/// difference are OR-ed together (no branch, no early exit) and only that one word goes
/// through `subtle`'s comparison and its optimisation barrier. (Measured: a barrier per
/// word, or per byte, adds store-to-load stalls worth ~10 ns per request.)
#[allow(clippy::inline_always)] // measured: keeps the MAC state in the caller's frame
#[inline(always)]
fn tag_matches(mac: MacStream, key: &KeyedMac, tag: &[u8; TAG_LEN]) -> bool {
    let computed = mac.finish(key);
    let difference = computed
        .iter()
        .zip(tag.as_chunks::<4>().0)
        .fold(0, |difference, (ours, theirs)| {
            difference | (ours ^ u32::from_be_bytes(*theirs))
        });
    difference.ct_eq(&0).into()
}

impl Digest {
    /// A fresh digest: the pre-keyed MAC states cloned, a UTF-8 check if required.
    #[inline]
    fn new(keys: &[Key], require_utf8: bool) -> Digest {
        let macs = match keys {
            [only] => MacStates::One(only.mac.start()),
            [first, second] => MacStates::Two([first.mac.start(), second.mac.start()]),
            keys => MacStates::Many(keys.iter().map(|key| key.mac.start()).collect()),
        };
        Digest {
            macs,
            utf8: require_utf8.then(Utf8Stream::default),
        }
    }

    #[inline]
    fn update(&mut self, chunk: &[u8]) {
        let macs = &mut self.macs;
        absorb(|piece| macs.update(piece), self.utf8.as_mut(), chunk);
    }

    /// The index of the first secret whose MAC equals `signature`, then the UTF-8 verdict.
    #[inline]
    fn finish(self, keys: &[Key], signature: &Signature) -> Result<usize, Rejection> {
        let tag = signature.as_bytes();
        let matches = |(mac, key): (MacStream, &Key)| tag_matches(mac, &key.mac, tag);
        let matched = match self.macs {
            MacStates::One(mac) => [mac].into_iter().zip(keys).position(matches),
            MacStates::Two(macs) => macs.into_iter().zip(keys).position(matches),
            MacStates::Many(macs) => macs.into_iter().zip(keys).position(matches),
        };
        verdict(matched, self.utf8.as_ref())
    }
}

/// Hashes `chunk` with `hash` and, when `utf8` is given, checks it piece by piece.
#[allow(clippy::inline_always)] // measured: keeps the MAC state in the caller's frame
#[inline(always)]
fn absorb(mut hash: impl FnMut(&[u8]), utf8: Option<&mut Utf8Stream>, chunk: &[u8]) {
    let Some(utf8) = utf8 else {
        hash(chunk);
        return;
    };
    for piece in chunk.chunks(PIECE) {
        utf8.update(piece);
        hash(piece);
    }
}

/// The matching key's index, or why the request is refused: a mismatch first (a forged
/// request learns nothing about the body check), then a body that is not UTF-8.
fn verdict(matched: Option<usize>, utf8: Option<&Utf8Stream>) -> Result<usize, Rejection> {
    let index = matched.ok_or(Rejection::Mismatch)?;
    if utf8.is_some_and(|utf8| !utf8.is_valid()) {
        return Err(Rejection::BodyNotUtf8);
    }
    Ok(index)
}

impl Verification {
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
        let index = self.digest.finish(self.verifier.keys(), signature)?;
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
