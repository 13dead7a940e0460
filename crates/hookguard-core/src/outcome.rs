//! [`Verified`]: what a successful verification reports to the handler.

use std::fmt;
use std::sync::Arc;

use crate::delivery_id::DeliveryId;
use crate::provider::Provider;

/// Proof that a request was signed: which provider, and which of its secrets matched.
///
/// Adapters put it in the request's extensions for the handler.
///
/// # Example
/// ```
/// # use hookguard_core::{Provider, Secret, Signer, Verifier};
/// # let header = Signer::new(Provider::Bindbee, Secret::new("old")?)?.sign(b"{}");
/// let verifier = Verifier::builder(Provider::Bindbee)
///     .secret_with_id("current", Secret::new("new")?)
///     .secret_with_id("previous", Secret::new("old")?)
///     .build()?;
/// let verified = verifier.verify(Some(&header), b"{}")?;
/// assert_eq!(verified.provider(), &Provider::Bindbee);
/// assert_eq!(verified.key().label(), Some("previous"));
/// assert_eq!(verified.key().index(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Verified {
    provider: Provider,
    key: KeyId,
    delivery_id: Option<DeliveryId>,
    timestamp: Option<u64>,
    fingerprint: Fingerprint,
}

/// The first [`FINGERPRINT_LEN`] bytes of a signature.
pub(crate) type Fingerprint = [u8; FINGERPRINT_LEN];

/// The length of [`Verified::signature_fingerprint`], in bytes: half an HMAC-SHA256 tag,
/// the shortest truncation RFC 2104 (section 5) allows.
///
/// # Example
/// ```
/// assert_eq!(hookguard_core::FINGERPRINT_LEN, 16);
/// ```
pub const FINGERPRINT_LEN: usize = 16;

/// The fingerprint of `signature` (an HMAC tag or an Ed25519 signature, both longer).
pub(crate) fn fingerprint(signature: &[u8]) -> Fingerprint {
    signature
        .first_chunk::<FINGERPRINT_LEN>()
        .copied()
        .unwrap_or_default()
}

impl Verified {
    pub(crate) fn new(
        provider: Provider,
        key: KeyId,
        delivery_id: Option<DeliveryId>,
        timestamp: Option<u64>,
        fingerprint: Fingerprint,
    ) -> Verified {
        Verified {
            provider,
            key,
            delivery_id,
            timestamp,
            fingerprint,
        }
    }

    /// The first 16 bytes of the signature that matched: the same for every copy of one
    /// signed message under one key, however its signature header was written (spacing,
    /// other signatures beside it), and different for any other message. It identifies a
    /// delivery whose scheme signs no delivery id, for deduplication and logs.
    ///
    /// It cannot be used to forge or resend a delivery: hookguard refuses a signature
    /// shorter than the scheme's whole tag (32 bytes for HMAC-SHA256, 64 for Ed25519), and
    /// the other 16 bytes cannot be computed without the secret.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
    /// let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"{}");
    /// let verified = verifier.verify(Some(&header), b"{}")?;
    /// let respaced = verifier.verify(Some(&format!(" {header} ")), b"{}")?;
    /// assert_eq!(verified.signature_fingerprint(), respaced.signature_fingerprint());
    /// let other = verifier.verify(Some(&Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"[]")), b"[]")?;
    /// assert_ne!(verified.signature_fingerprint(), other.signature_fingerprint());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signature_fingerprint(&self) -> [u8; FINGERPRINT_LEN] {
        self.fingerprint
    }

    /// The delivery id the request carried, for schemes that have one (GitHub, Shopify,
    /// Standard Webhooks, Svix). GitHub's and Shopify's are not signed: see
    /// [`Verified::signed_delivery_id`] for an id a client cannot change.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// let signer = Signer::new(Provider::Svix, Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?)?;
    /// let headers = signer.sign_headers("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_764_460_800, b"{}");
    /// let verifier = Verifier::builder(Provider::Svix)
    ///     .secret(Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?)
    ///     .clock(|| 1_764_460_800)
    ///     .build()?;
    /// let header = |name: &str| -> Vec<String> {
    ///     headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).collect()
    /// };
    /// let verified = verifier.verify_request(
    ///     header,
    ///     b"{}",
    /// )?;
    /// assert_eq!(verified.delivery_id(), Some("msg_p5jXN8AQM9LWM0D4loKWxJek"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delivery_id(&self) -> Option<&str> {
        self.delivery_id.as_deref()
    }

    /// The delivery id when the signature covers it (Standard Webhooks, Svix): the only
    /// one to key idempotency on, as a captured delivery of another scheme can be resent
    /// under any id.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// let signature = Signer::new(Provider::GitHub, Secret::new("k")?)?.sign(b"{}");
    /// let verified = Verifier::new(Provider::GitHub, Secret::new("k")?)?.verify_request(
    ///     |name: &str| match name {
    ///         "X-Hub-Signature-256" => vec![signature.clone()],
    ///         "X-GitHub-Delivery" => vec!["any-id-a-client-chose".to_owned()],
    ///         _ => vec![],
    ///     },
    ///     b"{}",
    /// )?;
    /// assert_eq!(verified.delivery_id(), Some("any-id-a-client-chose"));
    /// assert_eq!(verified.signed_delivery_id(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signed_delivery_id(&self) -> Option<&str> {
        self.delivery_id()
            .filter(|_| self.provider.signs_delivery_id())
    }

    /// The delivery's timestamp in Unix seconds, for schemes that sign one (Stripe, Slack,
    /// Standard Webhooks, Svix).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// assert_eq!(verified.timestamp(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timestamp(&self) -> Option<u64> {
        self.timestamp
    }

    /// The provider whose scheme matched.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// assert_eq!(verified.provider().to_string(), "bindbee");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The secret that matched.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// assert_eq!(verified.key().index(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &KeyId {
        &self.key
    }
}

/// Which secret matched: its position among the verifier's secrets (0 is the current
/// one) and the id it was given, if any. Displays as the id, or `#index`.
///
/// # Example
/// ```
/// # use hookguard_core::{Provider, Secret, Signer, Verifier};
/// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
/// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
/// assert_eq!(verified.key().to_string(), "#0");
/// assert_eq!(verified.key().label(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyId {
    index: usize,
    label: Option<Arc<str>>,
}

impl KeyId {
    pub(crate) fn new(index: usize, label: Option<Arc<str>>) -> KeyId {
        KeyId { index, label }
    }

    /// Position among the verifier's secrets, in the order they were added.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// assert_eq!(verified.key().index(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The id given with [`VerifierBuilder::secret_with_id`](crate::VerifierBuilder::secret_with_id), if any.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verifier = Verifier::builder(Provider::Bindbee).secret_with_id("v2", Secret::new("k")?).build()?;
    /// assert_eq!(verifier.verify(Some(&header), b"")?.key().label(), Some("v2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.label {
            Some(label) => f.write_str(label),
            None => write!(f, "#{}", self.index),
        }
    }
}
