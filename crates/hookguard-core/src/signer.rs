//! [`Signer`]: produces the header value a provider would send, for tests and senders.
//!
//! # Example
//! ```
//! use hookguard_core::{Provider, Secret, Signer};
//!
//! let signer = Signer::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
//! let value = signer.sign(br#"{"action":"employee_create"}"#);
//! assert!(value.starts_with("sha256="));
//! assert_eq!(value.len(), 71);
//! # Ok::<(), hookguard_core::ConfigError>(())
//! ```

use std::fmt;

use crate::error::ConfigError;
use hmac::Mac as _;

use crate::provider::Provider;
use crate::secret::Secret;
use crate::verifier::{keyed, HmacSha256};

/// Signs bodies the way a provider does. The key is processed once, at construction.
///
/// # Example
/// ```
/// use hookguard_core::{Provider, Secret, Signer};
///
/// let signer = Signer::new(Provider::Bindbee, Secret::new("signature-key")?)?;
/// assert_eq!(signer.sign(b"{}").len(), 44);
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    provider: Provider,
    mac: HmacSha256,
}

impl Signer {
    /// A signer for `provider`'s scheme with `secret`.
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`] or [`ConfigError::InvalidPrefix`] for a custom
    /// provider that cannot appear in an HTTP request.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer};
    /// let signer = Signer::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    #[allow(
        clippy::needless_pass_by_value,
        reason = "taking the secret by value lets it be wiped as soon as it is keyed"
    )]
    pub fn new(provider: Provider, secret: Secret) -> Result<Signer, ConfigError> {
        provider.validate()?;
        Ok(Signer {
            mac: keyed(&secret)?,
            provider,
        })
    }

    /// The signature header's value for `body`.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer};
    /// let signer = Signer::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// assert_eq!(
    ///     signer.sign(b"a"),
    ///     "sha256=867f0987c003fefc53050cb183cab08542541d365bd4b3e7b2b114744c2a9001",
    /// );
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(body);
        self.provider
            .format_tag(&mac.finalize().into_bytes().into())
    }

    /// The header to send the value in, in the provider's documented spelling.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer};
    /// let signer = Signer::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// assert_eq!(signer.header_name(), "X-PeopleForce-Signature");
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn header_name(&self) -> &str {
        self.provider.header_name()
    }

    /// The provider whose scheme this signer follows.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer};
    /// let signer = Signer::new(Provider::Bindbee, Secret::new("k")?)?;
    /// assert_eq!(signer.provider(), &Provider::Bindbee);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn provider(&self) -> &Provider {
        &self.provider
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}
