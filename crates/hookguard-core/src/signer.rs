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

use ed25519_dalek::Signer as _;
use hmac::Mac as _;

use crate::builder::system_clock;
use crate::error::ConfigError;
use crate::keys::{signing_key, SigningKey};
use crate::provider::Provider;
use crate::scheme::{Part, Syntax, TimestampSource};
use crate::secret::Secret;

/// Signs bodies the way a provider does. The key is processed once, at construction.
///
/// HMAC schemes sign with the shared secret. Ed25519 schemes sign with the sender's private
/// key: `whsk_` and the base64 of its 32-byte seed for Standard Webhooks (`v1a`), the seed in
/// hex for Discord (which never hands out its key: use this for tests).
///
/// # Example
/// ```
/// use hookguard_core::{Provider, Secret, Signer};
///
/// let signer = Signer::new(Provider::Bindbee, Secret::new("signature-key")?)?;
/// assert_eq!(signer.sign(b"{}").len(), 44);
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
pub struct Signer {
    provider: Provider,
    key: SigningKey,
}

impl Signer {
    /// A signer for `provider`'s scheme with `secret`.
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`] or [`ConfigError::InvalidPrefix`] for a custom
    /// provider that cannot appear in an HTTP request; [`ConfigError::InvalidWhsecSecret`]
    /// or [`ConfigError::InvalidEd25519Key`] for a key its scheme cannot sign with.
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
            key: signing_key(&provider, &secret)?,
            provider,
        })
    }

    /// The signature header's value for `body`. For a scheme that also signs a delivery
    /// id or a timestamp, it signs an empty id and the current time; use
    /// [`Signer::sign_headers`] to choose them.
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
        self.signature_value("", system_clock(), body)
    }

    /// The headers a sender adds to a delivery of `body` with the delivery id `id` (used
    /// by schemes that have one) and the timestamp `timestamp` in Unix seconds (used by
    /// schemes that sign one), as `(name, value)` pairs: the signature header first.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Signer};
    ///
    /// let signer = Signer::new(Provider::Slack, Secret::new("8f742231b10e8888abcd99yyyzzz85a5")?)?;
    /// let headers = signer.sign_headers("", 1_531_420_618, b"token=xyzz0WbapA4vBCDEFasx0q6G");
    /// assert_eq!(headers[1], ("X-Slack-Request-Timestamp".to_owned(), "1531420618".to_owned()));
    /// assert!(headers[0].1.starts_with("v0="));
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn sign_headers(&self, id: &str, timestamp: u64, body: &[u8]) -> Vec<(String, String)> {
        let spec = self.provider.spec();
        let mut headers = vec![(
            spec.signature_header.to_owned(),
            self.signature_value(id, timestamp, body),
        )];
        if let TimestampSource::Header(name) = spec.timestamp {
            headers.push((name.to_owned(), timestamp.to_string()));
        }
        if let Some((name, _)) = spec.id_header {
            headers.push((name.to_owned(), id.to_owned()));
        }
        headers
    }

    /// The signature header's value for `body` with `id` and `timestamp`.
    fn signature_value(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let spec = self.provider.spec();
        let timestamp_text = timestamp.to_string();
        let parts = spec.before_body.iter().map(|part| match part {
            Part::Id => id.as_bytes(),
            Part::Timestamp => timestamp_text.as_bytes(),
            Part::Literal(text) => text.as_bytes(),
        });
        let (tag, ed25519) = match &self.key {
            SigningKey::Hmac(mac) => {
                let mut mac = mac.clone();
                parts.for_each(|part| mac.update(part));
                mac.update(body);
                (spec.encoding.encode(&mac.finalize().into_bytes()), false)
            }
            SigningKey::Ed25519(key) => {
                let mut message: Vec<u8> = parts.flatten().copied().collect();
                message.extend_from_slice(body);
                (spec.encoding.encode(&key.sign(&message).to_bytes()), true)
            }
        };
        match spec.syntax {
            Syntax::Single => format!("{}{tag}", spec.prefix),
            Syntax::VersionedList {
                version,
                ed25519: ed25519_version,
            } => {
                let version = ed25519_version.filter(|_| ed25519).unwrap_or(version);
                format!("{version},{tag}")
            }
            Syntax::KeyValue {
                timestamp: key,
                signature,
            } => format!("{key}={timestamp},{signature}={tag}"),
        }
    }

    /// The public key a receiver verifies this signer's signatures with, for Ed25519
    /// schemes, in the form a [`Verifier`](crate::Verifier) takes as its secret: Discord's
    /// 64 hex digits, or `whpk_` and standard base64 for Standard Webhooks (`v1a`).
    /// `None` for HMAC schemes, whose secret is the same on both sides.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Signer, Verifier};
    ///
    /// // RFC 8032, section 7.1, test 1: a private key seed and its public key.
    /// let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    /// let signer = Signer::new(Provider::Discord, Secret::new(seed)?)?;
    /// let public = signer.public_key().unwrap_or_default();
    /// assert_eq!(public, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    /// Verifier::new(Provider::Discord, Secret::new(public)?)?;
    /// assert_eq!(Signer::new(Provider::GitHub, Secret::new("s")?)?.public_key(), None);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn public_key(&self) -> Option<String> {
        self.key.public_key(self.provider.spec().secret)
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
