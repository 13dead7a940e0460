//! Who signs the webhook: the header it sends, how it encodes the tag, and any prefix.
//!
//! Two presets follow their providers' documentation exactly:
//!
//! | provider | header | value |
//! |---|---|---|
//! | [`Provider::PeopleForce`] | `X-PeopleForce-Signature` | `sha256=` + lowercase hex (71 chars) |
//! | [`Provider::Bindbee`] | `X-Bindbee-Webhook-Signature` | URL-safe base64, padded (44 chars) |
//!
//! Any other HMAC-SHA256 sender is a [`Provider::custom`] away.
//!
//! # Example
//! ```
//! use hookguard_core::{Encoding, Provider};
//!
//! // GitHub-style signatures in one line.
//! let github = Provider::custom("X-Hub-Signature-256", Encoding::Hex).with_prefix("sha256=");
//! assert_eq!(github.header_name(), "X-Hub-Signature-256");
//! assert_eq!(github.prefix(), "sha256=");
//! ```

use std::fmt;
use std::sync::Arc;

use crate::encoding::{Encoding, TAG_LEN};
use crate::error::{ConfigError, Malformed};

const PEOPLEFORCE_HEADER: &str = "X-PeopleForce-Signature";
const BINDBEE_HEADER: &str = "X-Bindbee-Webhook-Signature";

/// A webhook sender's signature scheme. Every scheme is HMAC-SHA256 over the raw body.
///
/// # Example
/// ```
/// use hookguard_core::{Encoding, Provider};
///
/// assert_eq!(Provider::PeopleForce.header_name(), "X-PeopleForce-Signature");
/// assert_eq!(Provider::Bindbee.encoding(), Encoding::Base64Url { padded: true });
/// assert_eq!("bindbee".parse::<Provider>(), Ok(Provider::Bindbee));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// PeopleForce: `X-PeopleForce-Signature: sha256=<lowercase hex>`.
    PeopleForce,
    /// Bindbee: `X-Bindbee-Webhook-Signature: <URL-safe base64, padded>`.
    Bindbee,
    /// Any other sender; build one with [`Provider::custom`].
    Custom(CustomProvider),
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
pub struct CustomProvider {
    header: Arc<str>,
    encoding: Encoding,
    prefix: Arc<str>,
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
        &self.header
    }
}

impl Provider {
    /// A custom scheme: the header name and how the tag is encoded, with no prefix.
    ///
    /// The header name is checked when a [`Verifier`](crate::Verifier) or
    /// [`Signer`](crate::Signer) is built from it.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Encoding, Provider};
    ///
    /// let acme = Provider::custom("X-Acme-Signature", Encoding::Base64 { padded: false });
    /// assert_eq!(acme.prefix(), "");
    /// ```
    pub fn custom(header_name: impl Into<String>, encoding: Encoding) -> Provider {
        Provider::Custom(CustomProvider {
            header: header_name.into().into(),
            encoding,
            prefix: Arc::from(""),
        })
    }

    /// The same scheme with `prefix` written before the encoded tag (such as `sha256=`).
    ///
    /// Called on a preset, this gives a custom provider with the preset's header and encoding.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Encoding, Provider};
    ///
    /// let github = Provider::custom("X-Hub-Signature-256", Encoding::Hex).with_prefix("sha256=");
    /// assert_eq!(github.prefix(), "sha256=");
    /// ```
    #[must_use]
    pub fn with_prefix(self, prefix: impl Into<String>) -> Provider {
        Provider::Custom(CustomProvider {
            header: self.header_name().into(),
            encoding: self.encoding(),
            prefix: prefix.into().into(),
        })
    }

    /// The signature header's name in its documented spelling. HTTP header names are
    /// case-insensitive; compare with [`Provider::matches_header`].
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert_eq!(Provider::Bindbee.header_name(), "X-Bindbee-Webhook-Signature");
    /// ```
    pub fn header_name(&self) -> &str {
        match self {
            Provider::PeopleForce => PEOPLEFORCE_HEADER,
            Provider::Bindbee => BINDBEE_HEADER,
            Provider::Custom(custom) => &custom.header,
        }
    }

    /// Whether `name` is this provider's signature header, ignoring ASCII case.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert!(Provider::PeopleForce.matches_header("x-peopleforce-signature"));
    /// assert!(!Provider::PeopleForce.matches_header("x-bindbee-webhook-signature"));
    /// ```
    pub fn matches_header(&self, name: &str) -> bool {
        self.header_name().eq_ignore_ascii_case(name)
    }

    /// How the tag is encoded after the prefix.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Encoding, Provider};
    /// assert_eq!(Provider::PeopleForce.encoding(), Encoding::Hex);
    /// ```
    pub fn encoding(&self) -> Encoding {
        match self {
            Provider::PeopleForce => Encoding::Hex,
            Provider::Bindbee => Encoding::Base64Url { padded: true },
            Provider::Custom(custom) => custom.encoding,
        }
    }

    /// The text written before the encoded tag (empty when there is none).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert_eq!(Provider::PeopleForce.prefix(), "sha256=");
    /// assert_eq!(Provider::Bindbee.prefix(), "");
    /// ```
    pub fn prefix(&self) -> &str {
        match self {
            Provider::PeopleForce => "sha256=",
            Provider::Bindbee => "",
            Provider::Custom(custom) => &custom.prefix,
        }
    }

    /// The full length of a valid header value: prefix plus encoded tag.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert_eq!(Provider::PeopleForce.signature_len(), 71);
    /// assert_eq!(Provider::Bindbee.signature_len(), 44);
    /// ```
    pub fn signature_len(&self) -> usize {
        self.prefix().len() + self.encoding().encoded_len()
    }

    /// Checks that a custom header name and prefix can appear in an HTTP request.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let name = self.header_name();
        if name.is_empty() || !name.bytes().all(is_header_name_byte) {
            return Err(ConfigError::InvalidHeaderName {
                name: name.to_owned(),
            });
        }
        let prefix = self.prefix();
        if !prefix.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidPrefix {
                prefix: prefix.to_owned(),
            });
        }
        Ok(())
    }

    /// Reads the tag out of one header value: surrounding blanks, then prefix, then encoding.
    pub(crate) fn parse_tag(&self, value: &[u8]) -> Result<[u8; TAG_LEN], Malformed> {
        let value = value.trim_ascii();
        if value.is_empty() {
            return Err(Malformed::Empty);
        }
        let encoded = value
            .strip_prefix(self.prefix().as_bytes())
            .ok_or(Malformed::MissingPrefix)?;
        self.encoding().decode(encoded)
    }

    /// Writes the header value this provider would send for `tag`.
    pub(crate) fn format_tag(&self, tag: &[u8; TAG_LEN]) -> String {
        let mut value = String::with_capacity(self.signature_len());
        value.push_str(self.prefix());
        value.push_str(&self.encoding().encode(tag));
        value
    }
}

/// RFC 9110 `token` characters.
fn is_header_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

impl fmt::Display for Provider {
    /// `peopleforce`, `bindbee`, or `custom(<header>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provider::PeopleForce => f.write_str("peopleforce"),
            Provider::Bindbee => f.write_str("bindbee"),
            Provider::Custom(custom) => write!(f, "custom({})", custom.header),
        }
    }
}

impl std::str::FromStr for Provider {
    type Err = String;

    /// Parses a preset's name, ignoring case: `peopleforce` or `bindbee`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "peopleforce" => Ok(Provider::PeopleForce),
            "bindbee" => Ok(Provider::Bindbee),
            other => Err(format!(
                "unknown provider {other:?}: use peopleforce or bindbee"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_the_seed_documents() {
        assert_eq!(
            Provider::PeopleForce.header_name(),
            "X-PeopleForce-Signature"
        );
        assert_eq!(Provider::PeopleForce.prefix(), "sha256=");
        assert_eq!(Provider::PeopleForce.signature_len(), 71);
        assert_eq!(
            Provider::Bindbee.header_name(),
            "X-Bindbee-Webhook-Signature"
        );
        assert_eq!(Provider::Bindbee.signature_len(), 44);
    }

    #[test]
    fn header_names_match_case_insensitively() {
        for name in [
            "X-PEOPLEFORCE-SIGNATURE",
            "x-peopleforce-signature",
            "X-PeopleForce-Signature",
        ] {
            assert!(Provider::PeopleForce.matches_header(name), "{name}");
        }
        assert!(!Provider::PeopleForce.matches_header("X-PeopleForce-Signature2"));
    }

    #[test]
    fn parse_tag_reports_each_malformation() {
        let pf = Provider::PeopleForce;
        assert_eq!(pf.parse_tag(b""), Err(Malformed::Empty));
        assert_eq!(pf.parse_tag(b"   "), Err(Malformed::Empty));
        assert_eq!(pf.parse_tag(&[b'a'; 64]), Err(Malformed::MissingPrefix));
        assert_eq!(
            pf.parse_tag(b"sha256=abc"),
            Err(Malformed::WrongLength {
                expected: 64,
                actual: 3
            })
        );
        let mut not_hex = b"sha256=".to_vec();
        not_hex.extend([b'z'; 64]);
        assert_eq!(pf.parse_tag(&not_hex), Err(Malformed::InvalidCharacters));
    }

    #[test]
    fn prefix_is_case_sensitive() {
        let tag = [1_u8; TAG_LEN];
        let value = Provider::PeopleForce
            .format_tag(&tag)
            .replace("sha256=", "SHA256=");
        assert_eq!(
            Provider::PeopleForce.parse_tag(value.as_bytes()),
            Err(Malformed::MissingPrefix)
        );
    }

    #[test]
    fn with_prefix_on_a_preset_keeps_header_and_encoding() {
        let p = Provider::Bindbee.with_prefix("v1=");
        assert_eq!(p.header_name(), "X-Bindbee-Webhook-Signature");
        assert_eq!(p.encoding(), Encoding::Base64Url { padded: true });
        assert_eq!(p.signature_len(), 47);
    }

    #[test]
    fn invalid_custom_headers_and_prefixes_are_config_errors() {
        for bad in ["", "X Signature", "X-Sig:", "X-Sig\n", "X-Sïg"] {
            let err = Provider::custom(bad, Encoding::Hex).validate().unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidHeaderName { .. }),
                "{bad:?}"
            );
        }
        let err = Provider::custom("X-Sig", Encoding::Hex)
            .with_prefix("sha 256=")
            .validate()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidPrefix { .. }));
        assert!(Provider::custom("X-Hub-Signature-256", Encoding::Hex)
            .validate()
            .is_ok());
    }

    #[test]
    fn names_parse_and_display() {
        assert_eq!("PeopleForce".parse(), Ok(Provider::PeopleForce));
        assert!("github".parse::<Provider>().is_err());
        assert_eq!(Provider::Bindbee.to_string(), "bindbee");
        assert_eq!(
            Provider::custom("X-Sig", Encoding::Hex).to_string(),
            "custom(X-Sig)"
        );
    }
}
