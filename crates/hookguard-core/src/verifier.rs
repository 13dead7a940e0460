//! [`Verifier`]: checks a signature header against a body, for one provider and one or
//! more secrets.
//!
//! The keyed HMAC-SHA256 state of every secret (the `hmac` crate's) is computed once, when
//! the verifier is built; a request only clones it. Verification is one-shot
//! ([`Verifier::verify`]) or incremental ([`Verifier::start`], then
//! [`Verification`](crate::Verification)) so an adapter can hash the body while it buffers
//! it. The path of a request: the header is read in `signature.rs`, the body hashed and the
//! tag compared in `digest.rs`, and what matched reported by `outcome.rs`.
//!
//! # Security
//! Tags are decoded into a fixed 32-byte array; a tag of the wrong length is
//! [`Malformed::WrongLength`](crate::Malformed::WrongLength) and never reaches the
//! (constant-time) comparison. The keyed states are wiped on drop.
//!
//! # Errors
//! Building fails with a [`ConfigError`]; a request that fails verification gets a
//! [`Rejection`].
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

use hmac::{Hmac, KeyInit as _};
use sha2::Sha256;

use crate::digest::{verify_body, Verification};
use crate::error::{ConfigError, Rejection};
use crate::outcome::{KeyId, Verified};
use crate::provider::Provider;
use crate::secret::Secret;
use crate::signature::Signature;

/// HMAC-SHA256 (RFC 2104), keyed; its state is wiped on drop (`hmac`'s `zeroize` feature).
pub(crate) type HmacSha256 = Hmac<Sha256>;

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

/// HMAC-SHA256 keyed with `secret`, ready to clone per message.
///
/// # Errors
/// None in practice: HMAC takes a key of any length, and a [`Secret`] is never empty (the
/// one key it could refuse is reported as [`ConfigError::EmptySecret`]).
pub(crate) fn keyed(secret: &Secret) -> Result<HmacSha256, ConfigError> {
    HmacSha256::new_from_slice(secret.expose()).map_err(|_| ConfigError::EmptySecret)
}

/// One accepted secret: its keyed MAC state and the id reported when it matches.
pub(crate) struct Key {
    pub(crate) mac: HmacSha256,
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
        Signature::parse(&self.shared.provider, values)
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
        Verification::new(self.clone())
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
        self.verify_parsed(&self.parse_signature(values)?, body)
    }
}

impl Verifier {
    /// Verifies a whole body against an already parsed signature, in one frame.
    pub(crate) fn verify_parsed(
        &self,
        signature: &Signature,
        body: &[u8],
    ) -> Result<Verified, Rejection> {
        let index = verify_body(self.keys(), self.requires_utf8(), signature, body)?;
        self.verified(index)
    }

    /// The keyed MAC states, in order of preference.
    pub(crate) fn keys(&self) -> &[Key] {
        &self.shared.keys
    }

    /// Whether bodies must be UTF-8.
    pub(crate) fn requires_utf8(&self) -> bool {
        self.shared.require_utf8
    }

    /// What a match on the key at `index` reports.
    pub(crate) fn verified(&self, index: usize) -> Result<Verified, Rejection> {
        let key = self.shared.keys.get(index).ok_or(Rejection::Mismatch)?;
        Ok(Verified::new(self.shared.provider.clone(), key.id.clone()))
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
                mac: keyed(secret)?,
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
