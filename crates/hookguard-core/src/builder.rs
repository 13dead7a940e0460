//! [`VerifierBuilder`]: a [`Verifier`]'s secrets (rotation) and settings.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::ConfigError;
use crate::keys::{verifying_key, VerifyingKey};
use crate::outcome::KeyId;
use crate::provider::Provider;
use crate::secret::Secret;
use crate::verifier::{Key, PublicKey, Verifier};

/// The receiver's clock: Unix seconds.
pub(crate) type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The default tolerance of a delivery's timestamp: 5 minutes either way.
pub(crate) const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The system clock, in Unix seconds (0 before 1970).
pub(crate) fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
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
#[must_use]
pub struct VerifierBuilder {
    pub(crate) provider: Provider,
    pub(crate) secrets: Vec<(Option<Arc<str>>, Secret)>,
    pub(crate) require_utf8: bool,
    pub(crate) tolerance: Duration,
    pub(crate) clock: Clock,
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("provider", &self.provider)
            .field("secrets", &self.secrets.len())
            .field("require_utf8", &self.require_utf8)
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
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

    /// Whether the body must be valid UTF-8 (default `true`, as every preset's sender sends
    /// UTF-8 JSON or form data). With `false`, any bytes are accepted once the signature
    /// matches.
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

    /// How far a delivery's timestamp may be from the receiver's clock, in the past or the
    /// future, for schemes that sign one (default: [`Provider::default_tolerance`], 5
    /// minutes unless a custom scheme sets its own, as Standard Webhooks, Stripe and Slack
    /// recommend). Outside it: [`Rejection::TimestampOutsideTolerance`](crate::Rejection::TimestampOutsideTolerance).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// let verifier = Verifier::builder(Provider::Stripe)
    ///     .secret(Secret::new("whsec_test")?)
    ///     .tolerance(std::time::Duration::from_secs(600))
    ///     .build()?;
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The receiver's clock, in Unix seconds (default: the system clock). For tests.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// let verifier = Verifier::builder(Provider::Slack)
    ///     .secret(Secret::new("k")?)
    ///     .clock(|| 1_764_460_800)
    ///     .build()?;
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn clock(mut self, now: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(now);
        self
    }

    /// Keys every secret once and builds the verifier.
    ///
    /// # Errors
    /// [`ConfigError::NoSecrets`], [`ConfigError::DuplicateKeyId`],
    /// [`ConfigError::InvalidWhsecSecret`], [`ConfigError::InvalidEd25519Key`], or an
    /// invalid custom provider
    /// ([`ConfigError::InvalidHeaderName`], [`ConfigError::InvalidPrefix`]).
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
        let mut keys = Vec::new();
        let mut public_keys = Vec::new();
        for (index, (label, secret)) in self.secrets.iter().enumerate() {
            if let Some(label) = label {
                if self
                    .secrets
                    .iter()
                    .filter(|(other, _)| other.as_ref() == Some(label))
                    .count()
                    > 1
                {
                    return Err(ConfigError::DuplicateKeyId {
                        id: label.to_string(),
                    });
                }
            }
            let id = KeyId::new(index, label.clone());
            match verifying_key(&self.provider, secret)? {
                VerifyingKey::Hmac(mac) => keys.push(Key { mac, id }),
                VerifyingKey::Ed25519(key) => public_keys.push(PublicKey { key, id }),
            }
        }
        Ok(Verifier::from_parts(
            self.provider,
            (keys, public_keys),
            self.require_utf8,
            self.tolerance,
            self.clock,
        ))
    }
}
