//! Why a request was refused ([`Rejection`]) and why a configuration was refused
//! ([`ConfigError`]).
//!
//! # Security
//! Neither type ever holds or prints a secret. A [`Rejection`]'s `Display` text is meant for
//! logs; the response a client sees should stay generic (the adapters send `403 Forbidden`
//! with no hint of which check failed).

use std::fmt;
use std::path::PathBuf;

use crate::content_coding::CodingName;
use crate::custom::SchemeError;

/// What was wrong with a signature header's text.
///
/// # Example
/// ```
/// use hookguard_core::{Malformed, Provider, Rejection, Secret, Verifier};
///
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
/// let rejection = verifier.verify(Some("md5=abc"), b"{}").unwrap_err();
/// assert_eq!(rejection, Rejection::MalformedSignature(Malformed::MissingPrefix));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// The header was present but empty (or only whitespace).
    Empty,
    /// The value does not start with the provider's prefix (such as `sha256=`).
    MissingPrefix,
    /// The encoded tag has the wrong number of characters.
    WrongLength {
        /// Characters a 32-byte tag takes in the provider's encoding.
        expected: usize,
        /// Characters received (after the prefix).
        actual: usize,
    },
    /// The text is not valid in the provider's encoding (bad alphabet, bad padding).
    InvalidCharacters,
    /// A list of signatures holds no item of the version the scheme reads that decodes to a
    /// whole tag.
    NoUsableSignature,
    /// A list of signatures holds more items than are accepted.
    TooManySignatures,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::Empty => f.write_str("the header is empty"),
            Malformed::MissingPrefix => f.write_str("the expected prefix is missing"),
            Malformed::WrongLength { expected, actual } => {
                write!(f, "expected {expected} characters, got {actual}")
            }
            Malformed::InvalidCharacters => f.write_str("characters outside the encoding"),
            Malformed::NoUsableSignature => {
                f.write_str("no signature of the expected version decodes to a whole tag")
            }
            Malformed::TooManySignatures => f.write_str("too many signatures in the header"),
        }
    }
}

/// Why a request was refused. Every variant maps to an HTTP status via [`Rejection::status`].
///
/// # Example
/// ```
/// use hookguard_core::{Provider, Rejection, Secret, Verifier};
///
/// let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
/// let rejection = verifier.verify(None::<&str>, b"{}").unwrap_err();
/// assert_eq!(rejection, Rejection::MissingSignature);
/// assert_eq!(rejection.status(), 403);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// The request carried no signature header.
    MissingSignature,
    /// The request carried the signature header more than once.
    MultipleSignatures,
    /// The signature header could not be read as a tag.
    MalformedSignature(Malformed),
    /// The tag is well formed but does not match the body under any accepted secret.
    Mismatch,
    /// The body is not valid UTF-8 (checked by default; see
    /// [`VerifierBuilder::require_utf8`](crate::VerifierBuilder::require_utf8)).
    BodyNotUtf8,
    /// The body is larger than the configured limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body stream failed before it ended.
    BodyUnreadable,
    /// The body did not arrive within the read timeout.
    BodyTimeout,
    /// The body carries a content coding (such as `gzip`) that the receiver does not verify;
    /// see [`ContentCoding`](crate::ContentCoding).
    UnsupportedContentEncoding(CodingName),
    /// The scheme signs a delivery id and the request carries none.
    MissingDeliveryId,
    /// The delivery id header is repeated, empty, too long or not visible ASCII.
    MalformedDeliveryId,
    /// The scheme signs a timestamp and the request carries none.
    MissingTimestamp,
    /// The timestamp is repeated or not 1 to 12 decimal digits.
    MalformedTimestamp,
    /// The timestamp is further from the receiver's clock than the tolerance, in the past
    /// (a replay) or in the future.
    TimestampOutsideTolerance {
        /// The timestamp minus the receiver's clock, in seconds.
        skew: i64,
    },
}

impl Rejection {
    /// The HTTP status code a server should answer with.
    ///
    /// `403` for every signature or content failure, `413` for an oversize body, `400` for
    /// a broken body stream, `408` for a body that did not arrive in time and `415` for a
    /// content coding that is not verified.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::Rejection;
    /// assert_eq!(Rejection::BodyTooLarge { limit: 1024 }.status(), 413);
    /// ```
    pub const fn status(&self) -> u16 {
        match self {
            Rejection::MissingSignature
            | Rejection::MultipleSignatures
            | Rejection::MalformedSignature(_)
            | Rejection::Mismatch
            | Rejection::BodyNotUtf8
            | Rejection::MissingDeliveryId
            | Rejection::MalformedDeliveryId
            | Rejection::MissingTimestamp
            | Rejection::MalformedTimestamp
            | Rejection::TimestampOutsideTolerance { .. } => 403,
            Rejection::BodyTooLarge { .. } => 413,
            Rejection::BodyUnreadable => 400,
            Rejection::BodyTimeout => 408,
            Rejection::UnsupportedContentEncoding(_) => 415,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingSignature => f.write_str("signature header is missing"),
            Rejection::MultipleSignatures => f.write_str("signature header appears more than once"),
            Rejection::MalformedSignature(why) => write!(f, "signature header is malformed: {why}"),
            Rejection::Mismatch => f.write_str("signature does not match the body"),
            Rejection::BodyNotUtf8 => f.write_str("body is not valid UTF-8"),
            Rejection::BodyTooLarge { limit } => write!(f, "body exceeds the {limit}-byte limit"),
            Rejection::BodyUnreadable => f.write_str("body stream failed"),
            Rejection::BodyTimeout => f.write_str("body did not arrive within the read timeout"),
            Rejection::UnsupportedContentEncoding(coding) => write!(
                f,
                "body has Content-Encoding {coding}, and only unencoded (identity) bodies are verified"
            ),
            Rejection::MissingDeliveryId => f.write_str("delivery id header is missing"),
            Rejection::MalformedDeliveryId => {
                f.write_str("delivery id header is repeated, empty, too long or not ASCII")
            }
            Rejection::MissingTimestamp => f.write_str("timestamp is missing"),
            Rejection::MalformedTimestamp => {
                f.write_str("timestamp is repeated or not 1 to 12 decimal digits")
            }
            Rejection::TimestampOutsideTolerance { skew } if *skew < 0 => write!(
                f,
                "timestamp is {} s old, outside the tolerance",
                skew.unsigned_abs()
            ),
            Rejection::TimestampOutsideTolerance { skew } => write!(
                f,
                "timestamp is {skew} s in the future, outside the tolerance"
            ),
        }
    }
}

impl std::error::Error for Rejection {}

/// A configuration that hookguard refuses at start-up, with a message saying how to fix it.
///
/// Its `Debug` output is that message too, so a `main` returning
/// `Result<(), Box<dyn Error>>` that stops on it with `?` prints how to fix it.
///
/// # Example
/// ```
/// use hookguard_core::{ConfigError, Secret};
///
/// let err = Secret::from_env("HOOKGUARD_DOC_UNSET_VARIABLE").unwrap_err();
/// assert!(matches!(err, ConfigError::MissingEnvVar { .. }));
/// assert!(err.to_string().contains("HOOKGUARD_DOC_UNSET_VARIABLE"));
/// assert_eq!(format!("{err:?}"), err.to_string());
/// ```
#[non_exhaustive]
pub enum ConfigError {
    /// A secret of zero bytes was given.
    EmptySecret,
    /// The environment variable that should hold the secret is not set.
    MissingEnvVar {
        /// The variable's name.
        name: String,
    },
    /// The environment variable that should hold the secret is set but empty.
    EmptyEnvVar {
        /// The variable's name.
        name: String,
    },
    /// The environment variable that should hold the secret is not valid Unicode.
    EnvVarNotUnicode {
        /// The variable's name.
        name: String,
    },
    /// The file that should hold the secret could not be read.
    SecretFile {
        /// The file's path.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The file that should hold the secret is empty.
    EmptySecretFile {
        /// The file's path.
        path: PathBuf,
    },
    /// The environment variable's secret starts or ends with whitespace other than one
    /// final line break (`\n` or `\r\n`, which is removed).
    EnvVarWhitespace {
        /// The variable's name.
        name: String,
    },
    /// The secret file starts or ends with whitespace other than one final line break
    /// (`\n` or `\r\n`, which is removed).
    SecretFileWhitespace {
        /// The file's path.
        path: PathBuf,
    },
    /// A verifier was built without any secret.
    NoSecrets,
    /// Two secrets were given the same key id.
    DuplicateKeyId {
        /// The repeated id.
        id: String,
    },
    /// A custom provider's header name is not a valid HTTP header name.
    InvalidHeaderName {
        /// The name given.
        name: String,
    },
    /// A custom provider's prefix contains characters a header value cannot carry.
    InvalidPrefix {
        /// The prefix given.
        prefix: String,
    },
    /// A Standard Webhooks or Svix secret is not the standard base64 of a key of at least
    /// one byte, with or without the `whsec_` prefix.
    InvalidWhsecSecret,
    /// An Ed25519 key (Discord's hex public key, Standard Webhooks' `whpk_` or `whsk_`)
    /// cannot be used; the reason says how to fix it.
    InvalidEd25519Key {
        /// What is wrong with the key.
        reason: &'static str,
    },
    /// A [`CustomScheme`](crate::CustomScheme)'s description does not hold together.
    InvalidScheme(SchemeError),
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::EmptySecret => f.write_str(
                "the webhook secret is empty: pass the shared secret configured at the provider",
            ),
            ConfigError::MissingEnvVar { name } => write!(
                f,
                "environment variable {name} is not set: set it to the webhook's shared secret \
                 (for example `export {name}=...`)"
            ),
            ConfigError::EmptyEnvVar { name } => write!(
                f,
                "environment variable {name} is empty: set it to the webhook's shared secret"
            ),
            ConfigError::EnvVarNotUnicode { name } => write!(
                f,
                "environment variable {name} is not valid UTF-8: set it to the secret as text"
            ),
            ConfigError::SecretFile { path, source } => write!(
                f,
                "cannot read the secret file {}: {source}",
                path.display()
            ),
            ConfigError::EmptySecretFile { path } => write!(
                f,
                "the secret file {} is empty: write the webhook's shared secret into it",
                path.display()
            ),
            ConfigError::EnvVarWhitespace { name } => write!(
                f,
                "environment variable {name} starts or ends with whitespace: set it to the \
                 secret exactly as the provider shows it (one final line break is allowed)"
            ),
            ConfigError::SecretFileWhitespace { path } => write!(
                f,
                "the secret file {} starts or ends with whitespace: write the secret exactly \
                 as the provider shows it (one final line break is allowed)",
                path.display()
            ),
            ConfigError::NoSecrets => {
                f.write_str("no secret configured: add at least one with `.secret(...)`")
            }
            ConfigError::DuplicateKeyId { id } => {
                write!(
                    f,
                    "key id {id:?} is used twice: give every secret its own id"
                )
            }
            ConfigError::InvalidHeaderName { name } => write!(
                f,
                "{name:?} is not a valid HTTP header name: use letters, digits and `-`"
            ),
            ConfigError::InvalidPrefix { prefix } => write!(
                f,
                "signature prefix {prefix:?} must be printable ASCII without spaces"
            ),
            ConfigError::InvalidWhsecSecret => f.write_str(
                "the secret is not the standard base64 of a key, with or without the `whsec_` \
                 prefix: copy the signing secret exactly as the sender shows it",
            ),
            ConfigError::InvalidEd25519Key { reason } => write!(f, "invalid Ed25519 key: {reason}"),
            ConfigError::InvalidScheme(why) => write!(f, "invalid custom scheme: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::SecretFile { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_behaviour_table() {
        assert_eq!(Rejection::MissingSignature.status(), 403);
        assert_eq!(Rejection::MultipleSignatures.status(), 403);
        assert_eq!(
            Rejection::MalformedSignature(Malformed::Empty).status(),
            403
        );
        assert_eq!(Rejection::Mismatch.status(), 403);
        assert_eq!(Rejection::BodyNotUtf8.status(), 403);
        assert_eq!(Rejection::BodyTooLarge { limit: 1 }.status(), 413);
        assert_eq!(Rejection::BodyUnreadable.status(), 400);
        assert_eq!(Rejection::BodyTimeout.status(), 408);
    }

    #[test]
    fn config_messages_say_how_to_fix() {
        let missing = ConfigError::MissingEnvVar {
            name: "WEBHOOK_SECRET".into(),
        }
        .to_string();
        assert!(missing.contains("WEBHOOK_SECRET is not set"), "{missing}");
        assert!(missing.contains("export WEBHOOK_SECRET="), "{missing}");
        assert!(ConfigError::EmptySecret.to_string().contains("empty"));
    }
}
