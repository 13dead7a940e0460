//! Custom schemes as data: a [`CustomScheme`] describes a sender without a preset (its
//! headers, the signed content, the header's syntax, the tag's encoding, the secret's form
//! and the timestamp tolerance), so a configuration file can define one; a
//! [`CustomProvider`] is that description ready to sign and verify with.
//!
//! # Errors
//! A description is checked when a [`Verifier`](crate::Verifier) or
//! [`Signer`](crate::Signer) is built from it, or at once by [`Provider::from_scheme`]:
//! [`ConfigError::InvalidHeaderName`] and [`ConfigError::InvalidPrefix`] for the signature
//! header and prefix, [`ConfigError::InvalidScheme`] for the rest.

#[cfg(feature = "serde")]
mod de;
mod error;
mod template;
#[cfg(test)]
mod tests;
mod validate;

use std::sync::Arc;
use std::time::Duration;

use crate::builder::DEFAULT_TOLERANCE;
use crate::encoding::Encoding;
use crate::error::ConfigError;
use crate::provider::Provider;
use crate::scheme::{Part, SecretForm as KeyForm, Spec, Syntax, TimestampSource};

pub use error::SchemeError;

/// A sender's signature scheme, described as data. Build one with [`CustomScheme::new`]
/// and set its fields, or deserialize it (feature `serde`); then [`Provider::from_scheme`].
///
/// # Format
/// With the `serde` feature, a [`CustomScheme`] deserializes from any serde format. Keys are
/// `snake_case`, values `kebab-case`; unknown keys are refused:
///
/// | key | default | meaning |
/// |---|---|---|
/// | `signature_header` | required | the header holding the signature |
/// | `encoding` | required | `hex`, `base64`, `base64-nopad`, `base64url` or `base64url-nopad` |
/// | `syntax` | `{ kind = "single" }` | `single`; `versioned-list` with `version`; `key-value` with `timestamp_key` and `signature_key` |
/// | `prefix` | `""` | text before the tag (`single` syntax only) |
/// | `signed_content` | `"{body}"` | what is signed: `{id}`, `{timestamp}`, other text as is, and `{body}` once, last |
/// | `id_header` | none | the header holding the delivery id |
/// | `id_required` | whether `{id}` is signed | whether a request must carry the id |
/// | `timestamp_header` | none | the header holding the timestamp (the `key-value` syntax carries its own) |
/// | `secret_form` | `raw` | `raw`, or `whsec` for `whsec_<base64>` secrets (or the base64 alone) |
/// | `tolerance_seconds` | 300 | how far the timestamp may be from the clock, either way |
///
/// # Example
/// Stripe's scheme written as data (under another name), from TOML:
/// ```
/// use hookguard_core::{CustomScheme, Provider, Secret, Signer, Verifier};
///
/// let scheme: CustomScheme = toml::from_str(r#"
///     signature_header = "Acme-Signature"
///     encoding = "hex"
///     syntax = { kind = "key-value", timestamp_key = "t", signature_key = "v1" }
///     signed_content = "{timestamp}.{body}"
///     tolerance_seconds = 600
/// "#)?;
/// let acme = Provider::from_scheme(scheme)?;
///
/// // The sender.
/// let body = br#"{"type":"invoice.paid"}"#;
/// let headers = Signer::new(acme.clone(), Secret::new("s3cret")?)?
///     .sign_headers("", 1_764_460_800, body);
/// assert!(headers[0].1.starts_with("t=1764460800,v1="));
///
/// // The receiver, 500 s later: within the scheme's 10 minutes.
/// let verifier = Verifier::builder(acme)
///     .secret(Secret::new("s3cret")?)
///     .clock(|| 1_764_461_300)
///     .build()?;
/// let header = |name: &str| -> Vec<String> {
///     headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).collect()
/// };
/// let verified = verifier.verify_request(header, body)?;
/// assert_eq!(verified.timestamp(), Some(1_764_460_800));
/// assert!(verifier.verify_request(header, b"{}").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct CustomScheme {
    /// The header holding the signature, such as `X-Acme-Signature`.
    pub signature_header: String,
    /// How the signature header's value is written (default: one value).
    #[cfg_attr(feature = "serde", serde(default))]
    pub syntax: SignatureSyntax,
    /// How the 32-byte tag is written as text.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "de::encoding_by_name"))]
    pub encoding: Encoding,
    /// Text before the encoded tag, such as `sha256=` (default: none; `single` syntax only).
    #[cfg_attr(feature = "serde", serde(default))]
    pub prefix: String,
    /// The signed content: `{id}`, `{timestamp}` and literal text, then `{body}`, once and
    /// last (default: `{body}`).
    #[cfg_attr(feature = "serde", serde(default = "body_only_template"))]
    pub signed_content: String,
    /// The header holding the delivery id, if the sender sends one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub id_header: Option<String>,
    /// Whether a request must carry the delivery id (default: when `{id}` is signed).
    #[cfg_attr(feature = "serde", serde(default))]
    pub id_required: Option<bool>,
    /// The header holding the timestamp (decimal Unix seconds), if it has one of its own.
    #[cfg_attr(feature = "serde", serde(default))]
    pub timestamp_header: Option<String>,
    /// How the configured secret becomes the HMAC key (default: its bytes).
    #[cfg_attr(feature = "serde", serde(default))]
    pub secret_form: SecretForm,
    /// The verifier's default timestamp tolerance, in seconds either way (default: 300);
    /// [`VerifierBuilder::tolerance`](crate::VerifierBuilder::tolerance) overrides it.
    #[cfg_attr(feature = "serde", serde(default))]
    pub tolerance_seconds: Option<u64>,
}

/// How a signature header's value is written.
///
/// # Example
/// ```
/// use hookguard_core::SignatureSyntax;
///
/// // Standard Webhooks: `v1,<tag> v1,<tag>`.
/// let list = SignatureSyntax::VersionedList { version: "v1".to_owned() };
/// assert_ne!(list, SignatureSyntax::default());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "de::SyntaxFields"))]
#[non_exhaustive]
pub enum SignatureSyntax {
    /// One value: the prefix, then the encoded tag.
    #[default]
    Single,
    /// Space-separated `<version>,<tag>` items; items of other versions are skipped.
    VersionedList {
        /// The version whose items are read, such as `v1`.
        version: String,
    },
    /// Comma-separated `<key>=<value>` items: the timestamp, and one or more signatures.
    KeyValue {
        /// The key of the timestamp item, such as `t`.
        timestamp_key: String,
        /// The key of a signature item, such as `v1`.
        signature_key: String,
    },
}

/// How the configured secret becomes the HMAC key.
///
/// # Example
/// ```
/// use hookguard_core::{CustomScheme, Encoding, SecretForm};
///
/// let mut scheme = CustomScheme::new("webhook-signature", Encoding::Base64 { padded: true });
/// scheme.secret_form = SecretForm::Whsec;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[non_exhaustive]
pub enum SecretForm {
    /// The secret's bytes are the key.
    #[default]
    Raw,
    /// `whsec_` and the key in standard base64, or the base64 alone (Standard Webhooks,
    /// Svix, as their own libraries take it); the key is the decoded bytes.
    Whsec,
}

impl CustomScheme {
    /// A scheme signing the body alone, the tag in one header value with no prefix, the
    /// secret's bytes as the key. Change the fields for anything else.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{CustomScheme, Encoding};
    ///
    /// let scheme = CustomScheme::new("X-Acme-Signature", Encoding::Hex);
    /// assert_eq!(scheme.signed_content, "{body}");
    /// assert_eq!(scheme.prefix, "");
    /// ```
    pub fn new(signature_header: impl Into<String>, encoding: Encoding) -> CustomScheme {
        CustomScheme {
            signature_header: signature_header.into(),
            syntax: SignatureSyntax::Single,
            encoding,
            prefix: String::new(),
            signed_content: body_only_template(),
            id_header: None,
            id_required: None,
            timestamp_header: None,
            secret_form: SecretForm::Raw,
            tolerance_seconds: None,
        }
    }
}

/// The signed content of a body-only scheme.
fn body_only_template() -> String {
    "{body}".to_owned()
}

/// The scheme of a sender without a preset. Cheap to clone.
///
/// # Example
/// ```
/// use hookguard_core::{Encoding, Provider};
///
/// let Provider::Custom(custom) = Provider::custom("X-Signature", Encoding::Base64 { padded: true })
/// else { unreachable!() };
/// assert_eq!(custom.header_name(), "X-Signature");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomProvider(Arc<Described>);

/// A [`CustomScheme`] with its signed content read into parts.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Described {
    scheme: CustomScheme,
    /// The signed content before the body; empty while the template is invalid (such a
    /// scheme is refused before anything is signed or verified with it).
    before_body: Vec<Part>,
}

impl CustomProvider {
    /// The signature header's name, as given.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Encoding, Provider};
    /// # let Provider::Custom(custom) = Provider::custom("X-Sig", Encoding::Hex) else { unreachable!() };
    /// assert_eq!(custom.header_name(), "X-Sig");
    /// ```
    pub fn header_name(&self) -> &str {
        &self.0.scheme.signature_header
    }

    /// The scheme's description.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Encoding, Provider};
    /// # let Provider::Custom(custom) = Provider::custom("X-Sig", Encoding::Hex) else { unreachable!() };
    /// assert_eq!(custom.scheme().encoding, Encoding::Hex);
    /// ```
    pub fn scheme(&self) -> &CustomScheme {
        &self.0.scheme
    }

    /// The scheme as the verification path reads it.
    pub(crate) fn spec(&self) -> Spec<'_> {
        let scheme = &self.0.scheme;
        let signs = |part: &Part| self.0.before_body.contains(part);
        let (syntax, timestamp) = match &scheme.syntax {
            SignatureSyntax::Single => (Syntax::Single, None),
            SignatureSyntax::VersionedList { version } => (
                Syntax::VersionedList {
                    version,
                    ed25519: None,
                },
                None,
            ),
            SignatureSyntax::KeyValue {
                timestamp_key,
                signature_key,
            } => (
                Syntax::KeyValue {
                    timestamp: timestamp_key,
                    signature: signature_key,
                },
                Some(TimestampSource::SignatureHeader),
            ),
        };
        let from_header = scheme
            .timestamp_header
            .as_deref()
            .map(TimestampSource::Header);
        Spec {
            syntax,
            before_body: &self.0.before_body,
            id_header: scheme.id_header.as_deref().map(|name| {
                let required = scheme.id_required.unwrap_or_else(|| signs(&Part::Id));
                (name, required)
            }),
            timestamp: timestamp.or(from_header).unwrap_or(TimestampSource::None),
            secret: match scheme.secret_form {
                SecretForm::Raw => KeyForm::Raw,
                SecretForm::Whsec => KeyForm::Whsec,
            },
            ..Spec::body_only(&scheme.signature_header, scheme.encoding, &scheme.prefix)
        }
    }
}

impl From<CustomScheme> for Provider {
    /// The provider of `scheme`, checked when a [`Verifier`](crate::Verifier) or
    /// [`Signer`](crate::Signer) is built from it.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{CustomScheme, Encoding, Provider, Secret, Verifier};
    ///
    /// let mut scheme = CustomScheme::new("X-Acme-Signature", Encoding::Hex);
    /// scheme.signed_content = "{body}{body}".to_owned();
    /// let provider = Provider::from(scheme);
    /// assert!(Verifier::new(provider, Secret::new("k")?).is_err());
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    fn from(scheme: CustomScheme) -> Provider {
        let before_body = template::parse(&scheme.signed_content).unwrap_or_default();
        Provider::Custom(CustomProvider(Arc::new(Described {
            scheme,
            before_body,
        })))
    }
}

impl Provider {
    /// The provider of a scheme described as data, checked at once.
    ///
    /// # Errors
    /// [`ConfigError::InvalidHeaderName`], [`ConfigError::InvalidPrefix`] or
    /// [`ConfigError::InvalidScheme`], naming what is wrong.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{ConfigError, CustomScheme, Encoding, Provider, SchemeError};
    ///
    /// let mut scheme = CustomScheme::new("X-Acme-Signature", Encoding::Hex);
    /// scheme.signed_content = "{body}.{timestamp}".to_owned();
    /// let err = Provider::from_scheme(scheme).unwrap_err();
    /// assert!(matches!(err, ConfigError::InvalidScheme(SchemeError::BodyNotLast)));
    /// ```
    pub fn from_scheme(scheme: CustomScheme) -> Result<Provider, ConfigError> {
        let provider = Provider::from(scheme);
        provider.validate()?;
        Ok(provider)
    }

    /// How far a delivery's timestamp may be from the receiver's clock by default, either
    /// way: a custom scheme's `tolerance_seconds`, else 5 minutes.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{CustomScheme, Encoding, Provider};
    /// use std::time::Duration;
    ///
    /// assert_eq!(Provider::Stripe.default_tolerance(), Duration::from_secs(300));
    /// let mut scheme = CustomScheme::new("X-Sig", Encoding::Hex);
    /// scheme.signed_content = "{timestamp}.{body}".to_owned();
    /// scheme.timestamp_header = Some("X-Timestamp".to_owned());
    /// scheme.tolerance_seconds = Some(60);
    /// assert_eq!(Provider::from(scheme).default_tolerance(), Duration::from_secs(60));
    /// ```
    pub fn default_tolerance(&self) -> Duration {
        match self {
            Provider::Custom(custom) => custom
                .scheme()
                .tolerance_seconds
                .map_or(DEFAULT_TOLERANCE, Duration::from_secs),
            _ => DEFAULT_TOLERANCE,
        }
    }
}
