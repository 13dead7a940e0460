//! Data-defined copies of the timestamped presets verify exactly what the presets sign,
//! and every malformed description is refused with its own error.

use std::time::Duration;

use super::*;
use crate::{Rejection, Secret, Signer, Verifier};

const NOW: u64 = 1_764_460_800;
const BODY: &[u8] = br#"{"type":"invoice.paid","name":"Zoe"}"#;
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn stripe() -> CustomScheme {
    let mut scheme = CustomScheme::new("Stripe-Signature", Encoding::Hex);
    scheme.syntax = SignatureSyntax::KeyValue {
        timestamp_key: "t".to_owned(),
        signature_key: "v1".to_owned(),
    };
    scheme.signed_content = "{timestamp}.{body}".to_owned();
    scheme
}

fn slack() -> CustomScheme {
    let mut scheme = CustomScheme::new("X-Slack-Signature", Encoding::Hex);
    scheme.prefix = "v0=".to_owned();
    scheme.signed_content = "v0:{timestamp}:{body}".to_owned();
    scheme.timestamp_header = Some("X-Slack-Request-Timestamp".to_owned());
    scheme
}

fn standard_webhooks() -> CustomScheme {
    let mut scheme = CustomScheme::new("webhook-signature", Encoding::Base64 { padded: true });
    scheme.syntax = SignatureSyntax::VersionedList {
        version: "v1".to_owned(),
    };
    scheme.signed_content = "{id}.{timestamp}.{body}".to_owned();
    scheme.id_header = Some("webhook-id".to_owned());
    scheme.timestamp_header = Some("webhook-timestamp".to_owned());
    scheme.secret_form = SecretForm::Whsec;
    scheme
}

fn verifier(provider: Provider, secret: &str) -> Verifier {
    Verifier::builder(provider)
        .secret(Secret::new(secret).unwrap())
        .clock(|| NOW + 10)
        .build()
        .unwrap()
}

fn verify(verifier: &Verifier, headers: &[(String, String)], body: &[u8]) -> Result<(), Rejection> {
    let header = |name: &str| crate::test_headers::values_of(headers, name);
    verifier.verify_request(header, body).map(|_| ())
}

#[test]
fn data_defined_presets_verify_what_the_presets_sign() {
    for (preset, scheme, secret) in [
        (Provider::Stripe, stripe(), "whsec_stripe_test"),
        (Provider::Slack, slack(), "8f742231b10e8888abcd99yyyzzz85a5"),
        (Provider::StandardWebhooks, standard_webhooks(), WHSEC),
    ] {
        let custom = Provider::from_scheme(scheme).unwrap();
        let sent = Signer::new(preset.clone(), Secret::new(secret).unwrap())
            .unwrap()
            .sign_headers("msg_p5jXN8AQM9", NOW, BODY);
        let ours = Signer::new(custom.clone(), Secret::new(secret).unwrap())
            .unwrap()
            .sign_headers("msg_p5jXN8AQM9", NOW, BODY);
        assert_eq!(ours, sent, "{preset}");
        let (by_preset, by_custom) = (verifier(preset.clone(), secret), verifier(custom, secret));
        for verifier in [&by_preset, &by_custom] {
            assert_eq!(verify(verifier, &sent, BODY), Ok(()), "{preset}");
            assert_eq!(verify(verifier, &sent, b"{}"), Err(Rejection::Mismatch));
            let without_signature = &sent[1..];
            assert_eq!(
                verify(verifier, without_signature, BODY),
                Err(Rejection::MissingSignature)
            );
        }
        // Every header dropped, one at a time: both refuse alike.
        for dropped in 0..sent.len() {
            let mut fewer = sent.clone();
            fewer.remove(dropped);
            assert_eq!(
                verify(&by_custom, &fewer, BODY),
                verify(&by_preset, &fewer, BODY),
                "{preset} without {}",
                sent[dropped].0
            );
        }
    }
}

#[test]
fn a_schemes_tolerance_is_the_verifiers_default_and_the_builder_overrides_it() {
    let mut scheme = slack();
    scheme.tolerance_seconds = Some(5);
    let provider = Provider::from_scheme(scheme).unwrap();
    assert_eq!(provider.default_tolerance(), Duration::from_secs(5));
    let sent = Signer::new(provider.clone(), Secret::new("k").unwrap())
        .unwrap()
        .sign_headers("", NOW, BODY);
    // The clock is 10 s after the timestamp.
    assert_eq!(
        verify(&verifier(provider.clone(), "k"), &sent, BODY),
        Err(Rejection::TimestampOutsideTolerance { skew: -10 })
    );
    let wider = Verifier::builder(provider)
        .secret(Secret::new("k").unwrap())
        .clock(|| NOW + 10)
        .tolerance(Duration::from_secs(10))
        .build()
        .unwrap();
    assert_eq!(verify(&wider, &sent, BODY), Ok(()));
    assert_eq!(
        Provider::from_scheme(slack()).unwrap().default_tolerance(),
        Duration::from_secs(300)
    );
}

#[test]
fn an_optional_id_is_reported_not_required() {
    let mut scheme = CustomScheme::new("X-Hub-Signature-256", Encoding::Hex);
    scheme.prefix = "sha256=".to_owned();
    scheme.id_header = Some("X-GitHub-Delivery".to_owned());
    let custom = Provider::from_scheme(scheme).unwrap();
    let sent = Signer::new(Provider::GitHub, Secret::new("k").unwrap())
        .unwrap()
        .sign_headers("72d3162e", NOW, BODY);
    let verifier = verifier(custom, "k");
    assert_eq!(verify(&verifier, &sent, BODY), Ok(()));
    assert_eq!(verify(&verifier, &sent[..1], BODY), Ok(()));
    let mut required = Provider::GitHub.with_prefix("sha256=");
    if let Provider::Custom(custom) = &required {
        let mut scheme = custom.scheme().clone();
        scheme.id_header = Some("X-GitHub-Delivery".to_owned());
        scheme.id_required = Some(true);
        required = Provider::from_scheme(scheme).unwrap();
    }
    assert_eq!(
        verify(&self::verifier(required, "k"), &sent[..1], BODY),
        Err(Rejection::MissingDeliveryId)
    );
}

#[test]
fn with_prefix_keeps_the_rest_of_a_described_scheme() {
    let provider = Provider::from(slack()).with_prefix("v9=");
    let Provider::Custom(custom) = &provider else {
        panic!("{provider:?}")
    };
    assert_eq!(custom.scheme().prefix, "v9=");
    assert_eq!(custom.scheme().signed_content, "v0:{timestamp}:{body}");
    assert!(!provider.signs_body_only());
}

/// Asserts that `edit` makes `base()` refused with `expected`, whose message opens with the
/// field to fix.
fn refused(
    base: fn() -> CustomScheme,
    edit: impl FnOnce(&mut CustomScheme),
    expected: SchemeError,
) {
    let mut scheme = base();
    edit(&mut scheme);
    let why = match Provider::from_scheme(scheme) {
        Err(ConfigError::InvalidScheme(why)) => why,
        other => panic!("{other:?}"),
    };
    assert_eq!(why, expected);
    let message = ConfigError::InvalidScheme(expected).to_string();
    let (field, _) = message
        .strip_prefix("invalid custom scheme: ")
        .and_then(|why| why.split_once(':'))
        .unwrap();
    let fields = [
        "id_header",
        "timestamp_header",
        "prefix",
        "signed_content",
        "id_required",
        "tolerance_seconds",
    ];
    assert!(
        fields.contains(&field) || field.starts_with("syntax."),
        "{message}"
    );
}

#[test]
fn malformed_headers_and_syntaxes_are_refused_with_the_field() {
    let bad_name = |field, name: &str| SchemeError::InvalidHeaderName {
        field,
        name: name.to_owned(),
    };
    let token = |field, value: &str| SchemeError::InvalidSyntaxToken {
        field,
        value: value.to_owned(),
    };
    let list = |version: &str| SignatureSyntax::VersionedList {
        version: version.to_owned(),
    };
    let pairs = |t: &str, s: &str| SignatureSyntax::KeyValue {
        timestamp_key: t.to_owned(),
        signature_key: s.to_owned(),
    };
    refused(
        standard_webhooks,
        |s| s.id_header = Some("webhook id".into()),
        bad_name("id_header", "webhook id"),
    );
    refused(
        slack,
        |s| s.timestamp_header = Some(String::new()),
        bad_name("timestamp_header", ""),
    );
    refused(
        standard_webhooks,
        |s| s.syntax = list("v1 "),
        token("syntax.version", "v1 "),
    );
    refused(
        standard_webhooks,
        |s| s.syntax = list(""),
        token("syntax.version", ""),
    );
    refused(
        stripe,
        |s| s.syntax = pairs("t=", "v1"),
        token("syntax.timestamp_key", "t="),
    );
    refused(
        stripe,
        |s| s.syntax = pairs("t", "v,1"),
        token("syntax.signature_key", "v,1"),
    );
    refused(
        stripe,
        |s| s.syntax = pairs("t", "t"),
        token("syntax.signature_key", "t"),
    );
    refused(
        stripe,
        |s| s.prefix = "v1=".into(),
        SchemeError::PrefixWithList,
    );
}

#[test]
fn signed_content_ids_and_timestamps_that_do_not_fit_are_refused_with_the_field() {
    use SchemeError as E;
    refused(
        slack,
        |s| s.signed_content = "v0:{timestamp}:".into(),
        E::MissingBody,
    );
    refused(
        slack,
        |s| s.signed_content = "{body}:{timestamp}".into(),
        E::BodyNotLast,
    );
    refused(
        slack,
        |s| s.signed_content = "{ts}:{body}".into(),
        E::UnknownPlaceholder {
            placeholder: "{ts}".into(),
        },
    );
    refused(
        standard_webhooks,
        |s| s.id_header = None,
        E::MissingIdHeader,
    );
    refused(
        standard_webhooks,
        |s| s.id_required = Some(false),
        E::SignedIdOptional,
    );
    refused(
        slack,
        |s| s.id_required = Some(true),
        E::IdRequiredWithoutHeader,
    );
    refused(slack, |s| s.timestamp_header = None, E::MissingTimestamp);
    refused(
        slack,
        |s| s.signed_content = "{body}".into(),
        E::UnsignedTimestamp,
    );
    refused(
        stripe,
        |s| s.signed_content = "{body}".into(),
        E::UnsignedTimestamp,
    );
    refused(
        stripe,
        |s| s.timestamp_header = Some("X-Timestamp".into()),
        E::TimestampTwice,
    );
    refused(
        || CustomScheme::new("X-Sig", Encoding::Hex),
        |s| s.tolerance_seconds = Some(60),
        E::ToleranceWithoutTimestamp,
    );
}

#[test]
fn the_signature_header_and_prefix_keep_their_errors() {
    let mut scheme = slack();
    scheme.signature_header = "X Slack".to_owned();
    assert!(matches!(
        Provider::from_scheme(scheme),
        Err(ConfigError::InvalidHeaderName { .. })
    ));
    let mut scheme = slack();
    scheme.prefix = "v0 =".to_owned();
    assert!(matches!(
        Provider::from_scheme(scheme),
        Err(ConfigError::InvalidPrefix { .. })
    ));
    // An invalid description is refused by the builders too.
    let mut scheme = slack();
    scheme.signed_content = "{body}.".to_owned();
    let secret = || Secret::new("k").unwrap();
    assert!(Verifier::new(Provider::from(scheme.clone()), secret()).is_err());
    assert!(Signer::new(Provider::from(scheme), secret()).is_err());
}

#[test]
fn toml_descriptions_parse_with_defaults_and_refuse_unknown_keys() {
    let parsed: CustomScheme = toml::from_str(
        r#"
        signature_header = "webhook-signature"
        encoding = "base64"
        syntax = { kind = "versioned-list", version = "v1" }
        signed_content = "{id}.{timestamp}.{body}"
        id_header = "webhook-id"
        timestamp_header = "webhook-timestamp"
        secret_form = "whsec"
        "#,
    )
    .unwrap();
    assert_eq!(parsed, standard_webhooks());
    let minimal: CustomScheme =
        toml::from_str("signature_header = \"X-Sig\"\nencoding = \"base64url-nopad\"").unwrap();
    assert_eq!(
        minimal,
        CustomScheme::new("X-Sig", Encoding::Base64Url { padded: false })
    );
    for (text, named) in [
        ("signature_header = \"X\"\nencoding = \"hex\"\nprefx = \"a\"", "prefx"),
        ("signature_header = \"X\"\nencoding = \"rot13\"", "rot13"),
        ("encoding = \"hex\"", "signature_header"),
        ("signature_header = \"X\"\nencoding = \"hex\"\nsecret_form = \"pem\"", "pem"),
        (
            "signature_header = \"X\"\nencoding = \"hex\"\nsyntax = { kind = \"single\", version = \"v1\" }",
            "kind \"single\" takes no other key",
        ),
        (
            "signature_header = \"X\"\nencoding = \"hex\"\nsyntax = { kind = \"key-value\", timestamp_key = \"t\" }",
            "`timestamp_key` and `signature_key`",
        ),
        (
            "signature_header = \"X\"\nencoding = \"hex\"\nsyntax = \"single\"",
            "write syntax = { kind = \"single\" }",
        ),
    ] {
        let err = toml::from_str::<CustomScheme>(text).unwrap_err().to_string();
        assert!(err.contains(named), "{err}");
    }
}
