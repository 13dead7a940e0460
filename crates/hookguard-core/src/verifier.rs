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

use std::time::Duration;

use hmac::Hmac;
use sha2::Sha256;

use crate::builder::{system_clock, Clock, VerifierBuilder};
use crate::digest::{verify_body, Matched, Verification};
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
    public_keys: Vec<PublicKey>,
    require_utf8: bool,
    tolerance: Duration,
    clock: Clock,
}

/// One accepted secret: its keyed MAC state and the id reported when it matches.
pub(crate) struct Key {
    pub(crate) mac: HmacSha256,
    pub(crate) id: KeyId,
}

/// One accepted Ed25519 public key and the id reported when it matches.
pub(crate) struct PublicKey {
    pub(crate) key: ed25519_dalek::VerifyingKey,
    pub(crate) id: KeyId,
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
            tolerance: provider.default_tolerance(),
            provider,
            secrets: Vec::new(),
            require_utf8: true,
            clock: Arc::new(system_clock),
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

    /// Reads the signature out of the signature header's values, before any body is read,
    /// for schemes that sign the body alone (a scheme with a delivery id or a timestamp
    /// needs [`Verifier::read_headers`]).
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
        let mut values = Some(values);
        self.read_headers(|name| {
            self.shared
                .provider
                .matches_header(name)
                .then(|| values.take())
                .flatten()
                .into_iter()
                .flatten()
        })
    }

    /// Reads everything the scheme takes from the request's headers, before any body is
    /// read: the signature header, the delivery id and the timestamp (checked against the
    /// clock and the tolerance). `header(name)` gives every value of the header `name`
    /// (case-insensitive), in order.
    ///
    /// # Errors
    /// As [`Verifier::parse_signature`], and [`Rejection::MissingDeliveryId`],
    /// [`Rejection::MalformedDeliveryId`], [`Rejection::MissingTimestamp`],
    /// [`Rejection::MalformedTimestamp`] or [`Rejection::TimestampOutsideTolerance`].
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Rejection, Secret, Verifier};
    ///
    /// let verifier = Verifier::builder(Provider::Slack)
    ///     .secret(Secret::new("k")?)
    ///     .clock(|| 1_764_460_800)
    ///     .build()?;
    /// let stale = verifier.read_headers(|name| match name {
    ///     "X-Slack-Signature" => vec![format!("v0={}", "00".repeat(32))],
    ///     "X-Slack-Request-Timestamp" => vec!["1764460000".to_owned()],
    ///     _ => vec![],
    /// });
    /// assert_eq!(stale.unwrap_err(), Rejection::TimestampOutsideTolerance { skew: -800 });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_headers<F, I, V>(&self, header: F) -> Result<Signature, Rejection>
    where
        F: FnMut(&str) -> I,
        I: IntoIterator<Item = V>,
        V: AsRef<[u8]>,
    {
        let signature = Signature::read(&self.shared.provider.spec(), header)?;
        if let Some(timestamp) = signature.timestamp() {
            let now = (self.shared.clock)();
            let skew = i64::try_from(i128::from(timestamp) - i128::from(now)).unwrap_or(i64::MAX);
            if skew.unsigned_abs() > self.shared.tolerance.as_secs() {
                return Err(Rejection::TimestampOutsideTolerance { skew });
            }
        }
        Ok(signature)
    }

    /// Starts an incremental verification of a request whose headers gave `signature`:
    /// feed the body with [`Verification::update`].
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
    /// let mut verification = verifier.start(signature);
    /// verification.update(b"hello ");
    /// verification.update(b"world");
    /// assert!(verification.finish().is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(&self, signature: Signature) -> Verification {
        Verification::new(self.clone(), signature)
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
        self.verify_parsed(self.parse_signature(values)?, body)
    }

    /// Verifies a whole request in one call: its headers (as [`Verifier::read_headers`])
    /// and its body.
    ///
    /// # Errors
    /// Any [`Rejection`] from [`Verifier::read_headers`], then [`Rejection::Mismatch`] or
    /// [`Rejection::BodyNotUtf8`].
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Signer, Verifier};
    ///
    /// let body = br#"{"type":"invoice.paid"}"#;
    /// let signer = Signer::new(Provider::Stripe, Secret::new("whsec_test")?)?;
    /// let headers = signer.sign_headers("", 1_764_460_800, body);
    /// let verifier = Verifier::builder(Provider::Stripe)
    ///     .secret(Secret::new("whsec_test")?)
    ///     .clock(|| 1_764_460_810)
    ///     .build()?;
    /// let header = |name: &str| -> Vec<String> {
    ///     headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).collect()
    /// };
    /// let verified = verifier.verify_request(
    ///     header,
    ///     body,
    /// )?;
    /// assert_eq!(verified.timestamp(), Some(1_764_460_800));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_request<F, I, V>(&self, header: F, body: &[u8]) -> Result<Verified, Rejection>
    where
        F: FnMut(&str) -> I,
        I: IntoIterator<Item = V>,
        V: AsRef<[u8]>,
    {
        self.verify_parsed(self.read_headers(header)?, body)
    }
}

impl Verifier {
    /// Verifies a whole body against an already parsed signature, in one frame.
    pub(crate) fn verify_parsed(
        &self,
        signature: Signature,
        body: &[u8],
    ) -> Result<Verified, Rejection> {
        let matched = verify_body(self, &signature, body)?;
        self.verified(matched, signature)
    }

    /// A verifier from its built parts.
    pub(crate) fn from_parts(
        provider: Provider,
        (keys, public_keys): (Vec<Key>, Vec<PublicKey>),
        require_utf8: bool,
        tolerance: Duration,
        clock: Clock,
    ) -> Verifier {
        Verifier {
            shared: Arc::new(Shared {
                provider,
                keys,
                public_keys,
                require_utf8,
                tolerance,
                clock,
            }),
        }
    }

    /// The keyed MAC states, in order of preference.
    pub(crate) fn keys(&self) -> &[Key] {
        &self.shared.keys
    }

    /// The Ed25519 public keys, in order of preference.
    pub(crate) fn public_keys(&self) -> &[PublicKey] {
        &self.shared.public_keys
    }

    /// Whether bodies must be UTF-8.
    pub(crate) fn requires_utf8(&self) -> bool {
        self.shared.require_utf8
    }

    /// What a match on the `matched` key reports, with what `signature`'s headers said.
    pub(crate) fn verified(
        &self,
        matched: Matched,
        signature: Signature,
    ) -> Result<Verified, Rejection> {
        let (id, fingerprint) = match matched {
            Matched::Hmac(index, fingerprint) => {
                (self.shared.keys.get(index).map(|key| &key.id), fingerprint)
            }
            Matched::Ed25519(index, fingerprint) => (
                self.shared.public_keys.get(index).map(|key| &key.id),
                fingerprint,
            ),
        };
        let id = id.ok_or(Rejection::Mismatch)?;
        let (delivery_id, timestamp) = signature.into_outcome();
        Ok(Verified::new(
            self.shared.provider.clone(),
            id.clone(),
            delivery_id,
            timestamp,
            fingerprint,
        ))
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&KeyId> = self.shared.keys.iter().map(|key| &key.id).collect();
        keys.extend(self.shared.public_keys.iter().map(|key| &key.id));
        keys.sort_by_key(|id| id.index());
        f.debug_struct("Verifier")
            .field("provider", &self.shared.provider)
            .field("keys", &keys)
            .field("require_utf8", &self.shared.require_utf8)
            .field("tolerance", &self.shared.tolerance)
            .finish_non_exhaustive()
    }
}
