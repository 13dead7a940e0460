//! How a sender signs a delivery: the signed content, the signature header's syntax, and
//! the form of the secret. Each [`Provider`](crate::Provider) preset is one [`Spec`].

use std::borrow::Cow;

use crate::encoding::{Encoding, ED25519_SIGNATURE_LEN, TAG_LEN};
use crate::error::ConfigError;
use crate::provider::Provider;

const PEOPLEFORCE_HEADER: &str = "X-PeopleForce-Signature";
const BINDBEE_HEADER: &str = "X-Bindbee-Webhook-Signature";

/// How the signature header's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax<'a> {
    /// One value: the prefix, then the encoded tag (PeopleForce, Bindbee, GitHub, Shopify,
    /// Slack's `v0=`).
    Single,
    /// Space-separated `<version>,<tag>` items (Standard Webhooks, Svix): each item of
    /// `version` is an HMAC candidate, each of `ed25519` an Ed25519 one, items of other
    /// versions are skipped.
    VersionedList {
        /// The version of HMAC-SHA256 items, such as `v1`.
        version: &'a str,
        /// The version of Ed25519 items, such as `v1a`, if the scheme has them.
        ed25519: Option<&'a str>,
    },
    /// Comma-separated `<key>=<value>` items (Stripe): the `timestamp` item is the
    /// delivery's timestamp, each `signature` item a candidate, other keys are skipped.
    KeyValue {
        /// The key of the timestamp item, such as `t`.
        timestamp: &'a str,
        /// The key of a signature item, such as `v1`.
        signature: &'a str,
    },
}

/// A piece of the signed content before the body (the body always comes last).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    /// The delivery id, as the request carries it.
    Id,
    /// The timestamp, as the request carries it (decimal Unix seconds).
    Timestamp,
    /// Fixed text, such as `.` or `v0:`.
    Literal(Cow<'static, str>),
}

/// How a tag outside a [`Syntax::VersionedList`] is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algorithm {
    /// HMAC-SHA256 (RFC 2104) with the shared secret: a 32-byte tag.
    HmacSha256,
    /// Ed25519 (RFC 8032) with the sender's key pair: a 64-byte signature.
    Ed25519,
}

impl Algorithm {
    /// The length in bytes of one tag.
    pub(crate) const fn tag_len(self) -> usize {
        match self {
            Algorithm::HmacSha256 => TAG_LEN,
            Algorithm::Ed25519 => ED25519_SIGNATURE_LEN,
        }
    }
}

/// How the configured secret becomes a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretForm {
    /// The secret's bytes are the HMAC key.
    Raw,
    /// Standard Webhooks' forms (Standard Webhooks, Svix): `whsec_` and the HMAC key in
    /// standard base64 (without the prefix, the base64 alone); `whpk_` and an Ed25519
    /// public key, `whsk_` and an Ed25519 private key (its 32-byte seed), in standard base64.
    Whsec,
    /// An Ed25519 public key (or, to sign, private key seed) of 32 bytes in hex (Discord's
    /// "Public Key" in the application's settings).
    Ed25519Hex,
}

/// Where a scheme reads the timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimestampSource<'a> {
    /// The scheme has none.
    None,
    /// A header of its own.
    Header(&'a str),
    /// An item of the signature header ([`Syntax::KeyValue`]).
    SignatureHeader,
}

/// One scheme, fully described.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec<'a> {
    pub(crate) signature_header: &'a str,
    pub(crate) syntax: Syntax<'a>,
    /// How a tag of a [`Syntax::Single`] or [`Syntax::KeyValue`] header is made.
    pub(crate) algorithm: Algorithm,
    pub(crate) encoding: Encoding,
    /// Text before the encoded tag in a [`Syntax::Single`] value.
    pub(crate) prefix: &'a str,
    /// The signed content before the body.
    pub(crate) before_body: &'a [Part],
    /// The delivery id's header, and whether a request must carry it.
    pub(crate) id_header: Option<(&'a str, bool)>,
    pub(crate) timestamp: TimestampSource<'a>,
    pub(crate) secret: SecretForm,
}

impl<'a> Spec<'a> {
    /// A body-only scheme: one header, one value, no id, no timestamp.
    pub(crate) const fn body_only(
        signature_header: &'a str,
        encoding: Encoding,
        prefix: &'a str,
    ) -> Spec<'a> {
        Spec {
            signature_header,
            syntax: Syntax::Single,
            algorithm: Algorithm::HmacSha256,
            encoding,
            prefix,
            before_body: &[],
            id_header: None,
            timestamp: TimestampSource::None,
            secret: SecretForm::Raw,
        }
    }
}

/// Standard Webhooks (<https://www.standardwebhooks.com>, spec "Signature scheme"):
/// `{id}.{timestamp}.{body}`, signed with the `whsec_` key, `v1,<base64>` items.
pub(crate) const STANDARD_WEBHOOKS_CONTENT: &[Part] = &[
    Part::Id,
    Part::Literal(Cow::Borrowed(".")),
    Part::Timestamp,
    Part::Literal(Cow::Borrowed(".")),
];

/// Stripe (docs.stripe.com/webhooks, "Verify manually"): `{t}.{body}`.
pub(crate) const STRIPE_CONTENT: &[Part] = &[Part::Timestamp, Part::Literal(Cow::Borrowed("."))];

/// Slack (api.slack.com, "Verifying requests from Slack"): `v0:{timestamp}:{body}`.
pub(crate) const SLACK_CONTENT: &[Part] = &[
    Part::Literal(Cow::Borrowed("v0:")),
    Part::Timestamp,
    Part::Literal(Cow::Borrowed(":")),
];

/// Discord (discord.com/developers, "Interactions: Security and Authorization"):
/// `{timestamp}{body}`.
pub(crate) const DISCORD_CONTENT: &[Part] = &[Part::Timestamp];

impl Provider {
    /// Checks that a custom header name and prefix can appear in an HTTP request, and that
    /// the rest of a custom scheme's description holds together.
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
        match self {
            Provider::Custom(custom) => custom.scheme().validate(),
            _ => Ok(()),
        }
    }

    /// The full description of this scheme.
    pub(crate) fn spec(&self) -> Spec<'_> {
        match self {
            Provider::PeopleForce => Spec::body_only(PEOPLEFORCE_HEADER, Encoding::Hex, "sha256="),
            Provider::Bindbee => {
                Spec::body_only(BINDBEE_HEADER, Encoding::Base64Url { padded: true }, "")
            }
            Provider::GitHub => Spec {
                id_header: Some(("X-GitHub-Delivery", false)),
                ..Spec::body_only("X-Hub-Signature-256", Encoding::Hex, "sha256=")
            },
            Provider::Shopify => Spec {
                id_header: Some(("X-Shopify-Webhook-Id", false)),
                ..Spec::body_only(
                    "X-Shopify-Hmac-Sha256",
                    Encoding::Base64 { padded: true },
                    "",
                )
            },
            Provider::Stripe => Spec {
                syntax: Syntax::KeyValue {
                    timestamp: "t",
                    signature: "v1",
                },
                before_body: STRIPE_CONTENT,
                timestamp: TimestampSource::SignatureHeader,
                ..Spec::body_only("Stripe-Signature", Encoding::Hex, "")
            },
            Provider::Slack => Spec {
                before_body: SLACK_CONTENT,
                timestamp: TimestampSource::Header("X-Slack-Request-Timestamp"),
                ..Spec::body_only("X-Slack-Signature", Encoding::Hex, "v0=")
            },
            Provider::Discord => Spec {
                algorithm: Algorithm::Ed25519,
                before_body: DISCORD_CONTENT,
                timestamp: TimestampSource::Header("X-Signature-Timestamp"),
                secret: SecretForm::Ed25519Hex,
                ..Spec::body_only("X-Signature-Ed25519", Encoding::Hex, "")
            },
            Provider::StandardWebhooks => standard_webhooks("webhook"),
            Provider::Svix => standard_webhooks("svix"),
            Provider::Custom(custom) => custom.spec(),
        }
    }
}

/// Standard Webhooks with its headers named `{family}-id`, `-timestamp` and `-signature`.
fn standard_webhooks(family: &'static str) -> Spec<'static> {
    let (signature, id, timestamp) = match family {
        "svix" => ("svix-signature", "svix-id", "svix-timestamp"),
        _ => ("webhook-signature", "webhook-id", "webhook-timestamp"),
    };
    Spec {
        syntax: Syntax::VersionedList {
            version: "v1",
            ed25519: Some("v1a"),
        },
        before_body: STANDARD_WEBHOOKS_CONTENT,
        id_header: Some((id, true)),
        timestamp: TimestampSource::Header(timestamp),
        secret: SecretForm::Whsec,
        ..Spec::body_only(signature, Encoding::Base64 { padded: true }, "")
    }
}

/// RFC 9110 `token` characters.
pub(crate) fn is_header_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
