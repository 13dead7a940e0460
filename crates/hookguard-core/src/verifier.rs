//! [`Verifier`]: checks a signature header against a body, for one provider and one or
//! more secrets.
//!
//! The keyed HMAC state of every secret is computed once, when the verifier is built; a
//! request only clones it. Verification is one-shot ([`Verifier::verify`]) or incremental
//! ([`Verifier::start`], [`Verification::update`], [`Verification::finish`]) so an adapter
//! can hash the body while it buffers it.
//!
//! # Security
//! Tags are decoded into a fixed 32-byte array and compared in constant time
//! (`subtle`, word by word). A tag of the wrong length is
//! [`Malformed::WrongLength`](crate::Malformed::WrongLength) and never reaches the
//! comparison. The keyed states are wiped on drop (`hmac`'s `zeroize` feature).
//!
//! # Example
//! ```
//! use hookguard_core::{Provider, Secret, Signer, Verifier};
//!
//! let body = br#"{"action":"employee_create"}"#;
//! let header = Signer::new(Provider::PeopleForce, Secret::new("s3cret")?)?.sign(body);
//!
//! let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
//! let verified = verifier.verify(Some(&header), body)?;
//! assert_eq!(verified.key().index(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::encoding::TAG_LEN;
use crate::error::{ConfigError, Rejection};
use crate::provider::Provider;
use crate::secret::Secret;
use crate::utf8::Utf8Stream;
use crate::verified::{KeyId, Verified};

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Keys a MAC with a secret; HMAC accepts keys of any length, so this cannot fail.
pub(crate) fn keyed_mac(secret: &Secret) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new_from_slice(secret.expose())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

/// Verifies webhook signatures for one provider. Cheap to clone (shared state).
///
/// # Example
/// ```
/// use hookguard_core::{Provider, Secret, Verifier};
///
/// let verifier = Verifier::new(Provider::Bindbee, Secret::new("signature-key")?)?;
/// assert_eq!(verifier.provider(), &Provider::Bindbee);
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    shared: Arc<Shared>,
}

struct Shared {
    provider: Provider,
    keys: Vec<Key>,
    require_utf8: bool,
}

struct Key {
    mac: HmacSha256,
    id: KeyId,
}

impl Verifier {
    /// A verifier with a single secret and the default settings (UTF-8 bodies required).
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`] or [`ConfigError::InvalidPrefix`] for a custom
    /// provider that cannot appear in an HTTP request.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn new(provider: Provider, secret: Secret) -> Result<Verifier, ConfigError> {
        Verifier::builder(provider).secret(secret).build()
    }

    /// A builder for several secrets (key rotation) or other settings.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let verifier = Verifier::builder(Provider::Bindbee)
    ///     .secret_with_id("2026-11", Secret::new("new-key")?)
    ///     .secret_with_id("2026-05", Secret::new("old-key")?)
    ///     .build()?;
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn builder(provider: Provider) -> VerifierBuilder {
        VerifierBuilder {
            provider,
            secrets: Vec::new(),
            require_utf8: true,
        }
    }

    /// The provider whose scheme this verifier checks.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
    /// assert_eq!(verifier.provider().header_name(), "X-Bindbee-Webhook-Signature");
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn provider(&self) -> &Provider {
        &self.shared.provider
    }

    /// Reads the tag out of the signature header's values, before any body is read.
    ///
    /// `values` holds every value of the provider's header the request carried: none, one,
    /// or several (which is refused).
    ///
    /// # Errors
    /// [`Rejection::MissingSignature`], [`Rejection::MultipleSignatures`] or
    /// [`Rejection::MalformedSignature`].
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Rejection, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// assert_eq!(
    ///     verifier.parse_signature(["sha256=00", "sha256=01"]).unwrap_err(),
    ///     Rejection::MultipleSignatures,
    /// );
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn parse_signature<I>(&self, values: I) -> Result<Signature, Rejection>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut values = values.into_iter();
        let value = values.next().ok_or(Rejection::MissingSignature)?;
        if values.next().is_some() {
            return Err(Rejection::MultipleSignatures);
        }
        self.shared
            .provider
            .parse_tag(value.as_ref())
            .map(|tag| Signature { tag })
            .map_err(Rejection::MalformedSignature)
    }

    /// Starts an incremental verification: feed the body with [`Verification::update`].
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Signer, Verifier};
    ///
    /// let secret = || Secret::new("s3cret");
    /// let header = Signer::new(Provider::PeopleForce, secret()?)?.sign(b"hello world");
    /// let verifier = Verifier::new(Provider::PeopleForce, secret()?)?;
    ///
    /// let signature = verifier.parse_signature(Some(&header))?;
    /// let mut verification = verifier.start();
    /// verification.update(b"hello ");
    /// verification.update(b"world");
    /// assert!(verification.finish(&signature).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(&self) -> Verification {
        Verification {
            verifier: self.clone(),
            digest: self.shared.digest(),
        }
    }

    /// Verifies a whole body against the signature header's values in one call.
    ///
    /// # Errors
    /// Any [`Rejection`] from [`Verifier::parse_signature`], then
    /// [`Rejection::Mismatch`] or [`Rejection::BodyNotUtf8`].
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Rejection, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
    /// let forged = "A".repeat(43) + "=";
    /// assert_eq!(verifier.verify(Some(&forged), b"{}").unwrap_err(), Rejection::Mismatch);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn verify<I>(&self, values: I, body: &[u8]) -> Result<Verified, Rejection>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let signature = self.parse_signature(values)?;
        self.shared.verify_body(&signature, body)
    }
}

impl Shared {
    /// `start`, `update` and `finish` in one frame: no reference count, no moves of the
    /// MAC states between calls.
    fn verify_body(&self, signature: &Signature, body: &[u8]) -> Result<Verified, Rejection> {
        let index = if let [only] = self.keys.as_slice() {
            // The common case, with the one MAC state kept in this frame.
            let mut mac = only.mac.clone();
            let mut utf8 = self.require_utf8.then(Utf8Stream::default);
            absorb(|piece| mac.update(piece), utf8.as_mut(), body);
            let matched = tag_matches(mac, signature.as_bytes()).then_some(0);
            verdict(matched, utf8.as_ref())?
        } else {
            let mut digest = self.digest();
            digest.update(body);
            digest.finish(signature)?
        };
        self.verified(index)
    }

    /// A fresh digest: the pre-keyed MAC states cloned, a UTF-8 check if required.
    #[inline]
    fn digest(&self) -> Digest {
        let macs = match self.keys.as_slice() {
            [only] => MacStates::One(only.mac.clone()),
            [first, second] => MacStates::Two([first.mac.clone(), second.mac.clone()]),
            keys => MacStates::Many(keys.iter().map(|key| key.mac.clone()).collect()),
        };
        Digest {
            macs,
            utf8: self.require_utf8.then(Utf8Stream::default),
        }
    }

    /// What a match on the key at `index` reports.
    fn verified(&self, index: usize) -> Result<Verified, Rejection> {
        let key = self.keys.get(index).ok_or(Rejection::Mismatch)?;
        Ok(Verified::new(self.provider.clone(), key.id.clone()))
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&KeyId> = self.shared.keys.iter().map(|key| &key.id).collect();
        f.debug_struct("Verifier")
            .field("provider", &self.shared.provider)
            .field("keys", &keys)
            .field("require_utf8", &self.shared.require_utf8)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Verifier`]: secrets in order of preference, UTF-8 checking.
///
/// # Example
/// ```
/// use hookguard_core::{Provider, Secret, Verifier};
///
/// let verifier = Verifier::builder(Provider::PeopleForce)
///     .secret(Secret::new("current")?)
///     .secret(Secret::new("previous")?)
///     .require_utf8(false)
///     .build()?;
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct VerifierBuilder {
    provider: Provider,
    secrets: Vec<(Option<Arc<str>>, Secret)>,
    require_utf8: bool,
}

impl VerifierBuilder {
    /// Accepts signatures made with `secret`. The first secret added is the current one;
    /// later ones are still accepted (rotation). Reported by index on success.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// let builder = Verifier::builder(Provider::Bindbee).secret(Secret::new("k")?);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn secret(mut self, secret: Secret) -> Self {
        self.secrets.push((None, secret));
        self
    }

    /// Like [`VerifierBuilder::secret`], with an id reported on success (such as the date
    /// the key was issued). Ids must be unique.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// let builder = Verifier::builder(Provider::Bindbee)
    ///     .secret_with_id("2026-11", Secret::new("k")?);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn secret_with_id(mut self, id: impl Into<String>, secret: Secret) -> Self {
        self.secrets.push((Some(id.into().into()), secret));
        self
    }

    /// Whether the body must be valid UTF-8 (default `true`, as both providers send UTF-8
    /// JSON). With `false`, any bytes are accepted once the signature matches.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// let verifier = Verifier::builder(Provider::Bindbee)
    ///     .secret(Secret::new("k")?)
    ///     .require_utf8(false)
    ///     .build()?;
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn require_utf8(mut self, required: bool) -> Self {
        self.require_utf8 = required;
        self
    }

    /// Keys every secret once and builds the verifier.
    ///
    /// # Errors
    /// [`ConfigError::NoSecrets`], [`ConfigError::DuplicateKeyId`], or an invalid custom
    /// provider ([`ConfigError::InvalidHeaderName`], [`ConfigError::InvalidPrefix`]).
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{ConfigError, Provider, Verifier};
    ///
    /// let err = Verifier::builder(Provider::Bindbee).build().unwrap_err();
    /// assert!(matches!(err, ConfigError::NoSecrets));
    /// ```
    pub fn build(self) -> Result<Verifier, ConfigError> {
        self.provider.validate()?;
        if self.secrets.is_empty() {
            return Err(ConfigError::NoSecrets);
        }
        let mut keys: Vec<Key> = Vec::with_capacity(self.secrets.len());
        for (index, (label, secret)) in self.secrets.iter().enumerate() {
            if let Some(label) = label {
                if keys.iter().any(|key| key.id.label() == Some(label)) {
                    return Err(ConfigError::DuplicateKeyId {
                        id: label.to_string(),
                    });
                }
            }
            keys.push(Key {
                mac: keyed_mac(secret),
                id: KeyId::new(index, label.clone()),
            });
        }
        Ok(Verifier {
            shared: Arc::new(Shared {
                provider: self.provider,
                keys,
                require_utf8: self.require_utf8,
            }),
        })
    }
}

/// A decoded signature tag, read from a header by [`Verifier::parse_signature`].
///
/// # Example
/// ```
/// # use hookguard_core::{Provider, Secret, Verifier};
/// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
/// let signature = verifier.parse_signature(Some(format!("sha256={}", "ab".repeat(32))))?;
/// assert_eq!(signature.as_bytes(), &[0xab; 32]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    tag: [u8; TAG_LEN],
}

impl Signature {
    /// The 32 tag bytes.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
    /// # let signature = verifier.parse_signature(Some(format!("sha256={}", "00".repeat(32))))?;
    /// assert_eq!(signature.as_bytes().len(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8; TAG_LEN] {
        &self.tag
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

/// Bytes hashed before the UTF-8 check of the same bytes runs. SHA-256 rounds form one long
/// dependency chain (SHA-NI is latency-bound), so the check of a piece, independent of it,
/// executes in the gaps of the next piece's rounds while the piece is still in L1.
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

/// Whether `mac`'s tag equals `tag`, compared in constant time with `subtle` over four
/// 64-bit words (`subtle`'s byte-slice comparison puts an optimisation barrier on each of
/// the 32 bytes; the word comparison is just as constant-time, with 4).
#[allow(clippy::inline_always)] // measured: keeps the MAC state in the caller's frame
#[inline(always)]
fn tag_matches(mac: HmacSha256, tag: &[u8; TAG_LEN]) -> bool {
    let computed = mac.finalize().into_bytes();
    let mut equal = Choice::from(1);
    for (ours, theirs) in computed.chunks_exact(8).zip(tag.chunks_exact(8)) {
        equal &= word(ours).ct_eq(&word(theirs));
    }
    equal.into()
}

/// Eight bytes as a word (`chunks_exact(8)` only yields eight-byte slices).
fn word(bytes: &[u8]) -> u64 {
    let mut word = [0_u8; 8];
    word.copy_from_slice(bytes);
    u64::from_ne_bytes(word)
}

impl Digest {
    #[inline]
    fn update(&mut self, chunk: &[u8]) {
        let macs = &mut self.macs;
        absorb(|piece| macs.update(piece), self.utf8.as_mut(), chunk);
    }

    /// The index of the first secret whose MAC equals `signature`, then the UTF-8 verdict.
    #[inline]
    fn finish(self, signature: &Signature) -> Result<usize, Rejection> {
        let tag = signature.as_bytes();
        let matched = match self.macs {
            MacStates::One(mac) => tag_matches(mac, tag).then_some(0),
            MacStates::Two(macs) => macs.into_iter().position(|mac| tag_matches(mac, tag)),
            MacStates::Many(macs) => macs.into_iter().position(|mac| tag_matches(mac, tag)),
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
        hash(piece);
        utf8.update(piece);
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
        let index = self.digest.finish(signature)?;
        self.verifier.shared.verified(index)
    }
}

impl fmt::Debug for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verification")
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}
