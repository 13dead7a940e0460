//! Who signs the webhook: the headers it sends, what it signs, how it encodes the tag.
//!
//! The presets follow their senders' documentation (each variant names its source):
//!
//! | provider | signature header | signed content | delivery id, timestamp |
//! |---|---|---|---|
//! | [`Provider::PeopleForce`] | `X-PeopleForce-Signature: sha256=<hex>` | body | none |
//! | [`Provider::Bindbee`] | `X-Bindbee-Webhook-Signature: <base64url>` | body | none |
//! | [`Provider::GitHub`] | `X-Hub-Signature-256: sha256=<hex>` | body | `X-GitHub-Delivery` |
//! | [`Provider::Shopify`] | `X-Shopify-Hmac-Sha256: <base64>` | body | `X-Shopify-Webhook-Id` |
//! | [`Provider::Stripe`] | `Stripe-Signature: t=<ts>,v1=<hex>` | `{t}.{body}` | `t` |
//! | [`Provider::Slack`] | `X-Slack-Signature: v0=<hex>` | `v0:{ts}:{body}` | `X-Slack-Request-Timestamp` |
//! | [`Provider::StandardWebhooks`] | `webhook-signature: v1,<base64>` | `{id}.{ts}.{body}` | `webhook-id`, `webhook-timestamp` |
//! | [`Provider::Svix`] | `svix-signature: v1,<base64>` | `{id}.{ts}.{body}` | `svix-id`, `svix-timestamp` |
//! | [`Provider::Discord`] | `X-Signature-Ed25519: <hex>` (Ed25519) | `{ts}{body}` | `X-Signature-Timestamp` |
//!
//! Any other HMAC-SHA256 sender of the body is a [`Provider::custom`] away, and any other
//! scheme of this shape a [`CustomScheme`] (a description a configuration file can hold).
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

use crate::custom::{CustomProvider, CustomScheme};
use crate::encoding::Encoding;
use crate::scheme::{Part, TimestampSource};

/// A webhook sender's signature scheme: HMAC-SHA256 over the raw body, or over the body
/// with the delivery's id and timestamp before it.
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
    /// GitHub ("Validating webhook deliveries"): `X-Hub-Signature-256: sha256=<hex>` over
    /// the body; the delivery id is `X-GitHub-Delivery`.
    GitHub,
    /// Shopify ("Verify webhooks"): `X-Shopify-Hmac-Sha256: <base64>` over the body; the
    /// delivery id is `X-Shopify-Webhook-Id`.
    Shopify,
    /// Stripe ("Verify webhook signatures manually"): `Stripe-Signature: t=<ts>,v1=<hex>`
    /// over `{t}.{body}`; several `v1` while a secret rolls.
    Stripe,
    /// Slack ("Verifying requests from Slack"): `X-Slack-Signature: v0=<hex>` over
    /// `v0:{timestamp}:{body}`, the timestamp in `X-Slack-Request-Timestamp`.
    Slack,
    /// Standard Webhooks (the specification's "Signature scheme"): `webhook-signature`
    /// holds space-separated `v1,<base64>` over `{id}.{timestamp}.{body}`, the id and
    /// timestamp in `webhook-id` and `webhook-timestamp`, the secret `whsec_<base64>` (or
    /// the base64 alone).
    StandardWebhooks,
    /// Svix: Standard Webhooks with `svix-id`, `svix-timestamp` and `svix-signature`.
    Svix,
    /// Discord ("Interactions: Security and Authorization"): `X-Signature-Ed25519` holds
    /// the hex Ed25519 signature of `{timestamp}{body}`, the timestamp in
    /// `X-Signature-Timestamp`; the key is the application's public key, in hex.
    Discord,
    /// Any other sender; build one with [`Provider::custom`] or, described as data, with
    /// [`Provider::from_scheme`].
    Custom(CustomProvider),
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
        CustomScheme::new(header_name, encoding).into()
    }

    /// The same scheme with `prefix` written before the encoded tag (such as `sha256=`).
    ///
    /// Called on a preset, this gives a custom provider signing the body alone, with the
    /// preset's header and encoding; on a custom one, the same scheme with another prefix.
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
        let mut scheme = match self {
            Provider::Custom(custom) => custom.scheme().clone(),
            preset => CustomScheme::new(preset.header_name(), preset.encoding()),
        };
        scheme.prefix = prefix.into();
        scheme.into()
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
        self.spec().signature_header
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
        self.spec().encoding
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
        self.spec().prefix
    }

    /// Whether the scheme signs the body alone (no delivery id or timestamp in the signed
    /// content): then one header value is the whole signature.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert!(Provider::GitHub.signs_body_only());
    /// assert!(!Provider::Stripe.signs_body_only());
    /// ```
    pub fn signs_body_only(&self) -> bool {
        self.spec().before_body.is_empty()
    }

    /// Whether the signed content holds the delivery id. Where it does not (GitHub,
    /// Shopify), the id is reported as the request carries it, unauthenticated: a captured
    /// delivery can be resent under any id, so do not key idempotency on it.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert!(Provider::StandardWebhooks.signs_delivery_id());
    /// assert!(!Provider::GitHub.signs_delivery_id());
    /// ```
    pub fn signs_delivery_id(&self) -> bool {
        self.spec().before_body.contains(&Part::Id)
    }

    /// Whether the signed content holds the delivery's timestamp.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert!(Provider::Slack.signs_timestamp());
    /// assert!(!Provider::GitHub.signs_timestamp());
    /// ```
    pub fn signs_timestamp(&self) -> bool {
        self.spec().before_body.contains(&Part::Timestamp)
    }

    /// The header carrying the delivery id, for schemes that have one.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert_eq!(Provider::GitHub.delivery_id_header(), Some("X-GitHub-Delivery"));
    /// assert_eq!(Provider::PeopleForce.delivery_id_header(), None);
    /// ```
    pub fn delivery_id_header(&self) -> Option<&str> {
        self.spec().id_header.map(|(name, _)| name)
    }

    /// The header carrying the timestamp, for schemes that sign one in a header of its
    /// own (Stripe's is an item of its signature header).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert_eq!(Provider::Slack.timestamp_header(), Some("X-Slack-Request-Timestamp"));
    /// assert_eq!(Provider::Stripe.timestamp_header(), None);
    /// ```
    pub fn timestamp_header(&self) -> Option<&str> {
        match self.spec().timestamp {
            TimestampSource::Header(name) => Some(name),
            TimestampSource::None | TimestampSource::SignatureHeader => None,
        }
    }

    /// The full length of a one-signature header value: prefix plus encoded tag (a
    /// 32-byte HMAC tag, or a 64-byte Ed25519 signature).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Provider;
    /// assert_eq!(Provider::PeopleForce.signature_len(), 71);
    /// assert_eq!(Provider::Bindbee.signature_len(), 44);
    /// assert_eq!(Provider::Discord.signature_len(), 128);
    /// ```
    pub fn signature_len(&self) -> usize {
        let spec = self.spec();
        spec.prefix.len() + spec.encoding.encoded_len_of(spec.algorithm.tag_len())
    }
}

impl fmt::Display for Provider {
    /// `peopleforce`, `bindbee`, or `custom(<header>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provider::PeopleForce => f.write_str("peopleforce"),
            Provider::Bindbee => f.write_str("bindbee"),
            Provider::GitHub => f.write_str("github"),
            Provider::Shopify => f.write_str("shopify"),
            Provider::Stripe => f.write_str("stripe"),
            Provider::Slack => f.write_str("slack"),
            Provider::StandardWebhooks => f.write_str("standard-webhooks"),
            Provider::Svix => f.write_str("svix"),
            Provider::Discord => f.write_str("discord"),
            Provider::Custom(custom) => write!(f, "custom({})", custom.header_name()),
        }
    }
}

impl std::str::FromStr for Provider {
    type Err = String;

    /// Parses a preset's name, ignoring case: `peopleforce`, `bindbee`, `github`,
    /// `shopify`, `stripe`, `slack`, `standard-webhooks`, `svix` or `discord`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "peopleforce" => Ok(Provider::PeopleForce),
            "bindbee" => Ok(Provider::Bindbee),
            "github" => Ok(Provider::GitHub),
            "shopify" => Ok(Provider::Shopify),
            "stripe" => Ok(Provider::Stripe),
            "slack" => Ok(Provider::Slack),
            "standard-webhooks" => Ok(Provider::StandardWebhooks),
            "svix" => Ok(Provider::Svix),
            "discord" => Ok(Provider::Discord),
            other => Err(format!(
                "unknown provider {other:?}: use peopleforce, bindbee, github, shopify, \
                 stripe, slack, standard-webhooks, svix or discord"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::TAG_LEN;
    use crate::error::{Malformed, Rejection};

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

    /// How a PeopleForce verifier reads one header value.
    fn parse(value: &[u8]) -> Result<[u8; TAG_LEN], Rejection> {
        let verifier =
            crate::Verifier::new(Provider::PeopleForce, crate::Secret::new("k").unwrap()).unwrap();
        verifier
            .parse_signature(Some(value))
            .map(|signature| signature.as_bytes().try_into().unwrap())
    }

    #[test]
    fn parsing_reports_each_malformation() {
        let malformed = |why| Err(Rejection::MalformedSignature(why));
        assert_eq!(parse(b""), malformed(Malformed::Empty));
        assert_eq!(parse(b"   "), malformed(Malformed::Empty));
        assert_eq!(parse(&[b'a'; 64]), malformed(Malformed::MissingPrefix));
        assert_eq!(
            parse(b"sha256=abc"),
            malformed(Malformed::WrongLength {
                expected: 64,
                actual: 3
            })
        );
        let mut not_hex = b"sha256=".to_vec();
        not_hex.extend([b'z'; 64]);
        assert_eq!(parse(&not_hex), malformed(Malformed::InvalidCharacters));
    }

    #[test]
    fn prefix_is_case_sensitive() {
        let value = format!("SHA256={}", "01".repeat(32));
        assert_eq!(
            parse(value.as_bytes()),
            Err(Rejection::MalformedSignature(Malformed::MissingPrefix))
        );
        assert_eq!(
            parse(value.replace("SHA", "sha").as_bytes()),
            Ok([1; TAG_LEN])
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
    fn names_parse_and_display() {
        assert_eq!("PeopleForce".parse(), Ok(Provider::PeopleForce));
        assert_eq!("GitHub".parse(), Ok(Provider::GitHub));
        assert!("gitlab".parse::<Provider>().is_err());
        for name in [
            "github",
            "shopify",
            "stripe",
            "slack",
            "standard-webhooks",
            "svix",
            "discord",
        ] {
            assert_eq!(name.parse::<Provider>().unwrap().to_string(), name);
        }
        assert_eq!(Provider::Bindbee.to_string(), "bindbee");
        assert_eq!(
            Provider::custom("X-Sig", Encoding::Hex).to_string(),
            "custom(X-Sig)"
        );
    }
}
