//! [`SchemeError`]: what is wrong with a custom scheme's description.

use std::fmt;

/// What is wrong with a [`CustomScheme`](crate::CustomScheme), inside
/// [`ConfigError::InvalidScheme`](crate::ConfigError::InvalidScheme). Each message names
/// the field to fix, as the `serde` form spells it.
///
/// # Example
/// ```
/// use hookguard_core::{ConfigError, CustomScheme, Encoding, Provider, SchemeError};
///
/// let mut scheme = CustomScheme::new("X-Acme-Signature", Encoding::Hex);
/// scheme.signed_content = "{id}.{body}".to_owned();
/// let err = Provider::from_scheme(scheme).unwrap_err();
/// assert!(matches!(err, ConfigError::InvalidScheme(SchemeError::MissingIdHeader)));
/// assert!(err.to_string().contains("id_header"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemeError {
    /// `id_header` or `timestamp_header` is not a valid HTTP header name.
    InvalidHeaderName {
        /// The field, such as `id_header`.
        field: &'static str,
        /// The name given.
        name: String,
    },
    /// A `syntax` version or key is empty or holds a blank or a separator (`,`, `=`), or
    /// the two keys of the `key-value` syntax are the same.
    InvalidSyntaxToken {
        /// The field, such as `syntax.version`.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// `prefix` is set with a list syntax, whose items have no prefix.
    PrefixWithList,
    /// `signed_content` has no `{body}`.
    MissingBody,
    /// Something follows the first `{body}` of `signed_content` (it must come once, last).
    BodyNotLast,
    /// `signed_content` has a `{` that does not open `{id}`, `{timestamp}` or `{body}`.
    UnknownPlaceholder {
        /// The text from the `{` to its `}` (or to the end).
        placeholder: String,
    },
    /// `signed_content` signs `{id}` and no `id_header` says where it is.
    MissingIdHeader,
    /// `signed_content` signs `{id}` and `id_required` is `false`.
    SignedIdOptional,
    /// `id_required` is set without an `id_header`.
    IdRequiredWithoutHeader,
    /// `signed_content` signs `{timestamp}` and neither a `timestamp_header` nor the
    /// `key-value` syntax carries it.
    MissingTimestamp,
    /// A timestamp is read (`timestamp_header`, or the `key-value` syntax) that
    /// `signed_content` does not sign, so it would prove nothing.
    UnsignedTimestamp,
    /// `timestamp_header` is set with the `key-value` syntax, which carries the timestamp.
    TimestampTwice,
    /// `tolerance_seconds` is set for a scheme without a timestamp.
    ToleranceWithoutTimestamp,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemeError::InvalidHeaderName { field, name } => write!(
                f,
                "{field}: {name:?} is not a valid HTTP header name: use letters, digits and `-`"
            ),
            SchemeError::InvalidSyntaxToken { field, value } => write!(
                f,
                "{field}: {value:?} must be printable ASCII without `,`, `=` or spaces, and the \
                 two keys must differ"
            ),
            SchemeError::PrefixWithList => {
                f.write_str("prefix: only the `single` syntax has a prefix: remove it")
            }
            SchemeError::MissingBody => {
                f.write_str("signed_content: has no {body}: end it with {body}")
            }
            SchemeError::BodyNotLast => {
                f.write_str("signed_content: {body} must come once, at the very end")
            }
            SchemeError::UnknownPlaceholder { placeholder } => write!(
                f,
                "signed_content: {placeholder:?} is not {{id}}, {{timestamp}} or {{body}}"
            ),
            SchemeError::MissingIdHeader => {
                f.write_str("id_header: signed_content signs {id}: name the header holding it")
            }
            SchemeError::SignedIdOptional => f.write_str(
                "id_required: signed_content signs {id}, so a request must carry it: remove \
                 `id_required = false`",
            ),
            SchemeError::IdRequiredWithoutHeader => {
                f.write_str("id_required: set without an id_header: name the header or remove it")
            }
            SchemeError::MissingTimestamp => f.write_str(
                "timestamp_header: signed_content signs {timestamp}: name the header holding it",
            ),
            SchemeError::UnsignedTimestamp => f.write_str(
                "signed_content: a timestamp is read but not signed: add {timestamp} where the \
                 sender signs it",
            ),
            SchemeError::TimestampTwice => f.write_str(
                "timestamp_header: the key-value syntax carries the timestamp: remove it",
            ),
            SchemeError::ToleranceWithoutTimestamp => {
                f.write_str("tolerance_seconds: the scheme has no timestamp: remove it")
            }
        }
    }
}

impl std::error::Error for SchemeError {}
