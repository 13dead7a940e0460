//! Every `Rejection` the core can produce, rotation, custom providers and header names.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hookguard_core::{
    ConfigError, Encoding, Malformed, Provider, Rejection, Secret, Signer, Verifier,
};

const BODY: &[u8] = br#"{"action":"employee_create","data":{"id":130333}}"#;

fn secret(text: &str) -> Secret {
    Secret::new(text).unwrap()
}

fn sign(provider: &Provider, key: &str, body: &[u8]) -> String {
    Signer::new(provider.clone(), secret(key))
        .unwrap()
        .sign(body)
}

fn verifier(provider: &Provider, key: &str) -> Verifier {
    Verifier::new(provider.clone(), secret(key)).unwrap()
}

fn presets() -> [Provider; 2] {
    [Provider::PeopleForce, Provider::Bindbee]
}

#[test]
fn a_valid_signature_verifies_for_both_presets() {
    for provider in presets() {
        let value = sign(&provider, "k1", BODY);
        let verified = verifier(&provider, "k1")
            .verify(Some(&value), BODY)
            .unwrap();
        assert_eq!(verified.provider(), &provider);
        assert_eq!(verified.key().index(), 0);
    }
}

#[test]
fn missing_signature() {
    for provider in presets() {
        let none: [&str; 0] = [];
        assert_eq!(
            verifier(&provider, "k").verify(none, BODY),
            Err(Rejection::MissingSignature)
        );
    }
}

#[test]
fn multiple_signatures_even_if_both_are_valid() {
    for provider in presets() {
        let value = sign(&provider, "k", BODY);
        assert_eq!(
            verifier(&provider, "k").verify([&value, &value], BODY),
            Err(Rejection::MultipleSignatures)
        );
    }
}

#[test]
fn empty_and_blank_headers_are_malformed() {
    for provider in presets() {
        for value in ["", " ", "\t"] {
            assert_eq!(
                verifier(&provider, "k").verify(Some(value), BODY),
                Err(Rejection::MalformedSignature(Malformed::Empty))
            );
        }
    }
}

#[test]
fn wrong_prefix_is_malformed() {
    let v = verifier(&Provider::PeopleForce, "k");
    let value = sign(&Provider::PeopleForce, "k", BODY);
    let hex = value.trim_start_matches("sha256=");
    for bad in [
        hex.to_owned(),
        format!("sha1={hex}"),
        format!("SHA256={hex}"),
        format!("sha256:{hex}"),
    ] {
        assert_eq!(
            v.verify(Some(&bad), BODY),
            Err(Rejection::MalformedSignature(Malformed::MissingPrefix)),
            "{bad}"
        );
    }
}

#[test]
fn wrong_length_is_malformed_never_a_panic() {
    let pf = verifier(&Provider::PeopleForce, "k");
    let value = sign(&Provider::PeopleForce, "k", BODY);
    let short = &value[..value.len() - 2];
    let long = format!("{value}00");
    assert_eq!(
        pf.verify(Some(short), BODY),
        Err(Rejection::MalformedSignature(Malformed::WrongLength {
            expected: 64,
            actual: 62
        }))
    );
    assert_eq!(
        pf.verify(Some(&long), BODY),
        Err(Rejection::MalformedSignature(Malformed::WrongLength {
            expected: 64,
            actual: 66
        }))
    );
    let bb = verifier(&Provider::Bindbee, "k");
    let value = sign(&Provider::Bindbee, "k", BODY);
    let unpadded = value.trim_end_matches('=');
    assert_eq!(
        bb.verify(Some(unpadded), BODY),
        Err(Rejection::MalformedSignature(Malformed::WrongLength {
            expected: 44,
            actual: 43
        }))
    );
}

#[test]
fn not_hex_or_not_base64_is_malformed() {
    let pf = verifier(&Provider::PeopleForce, "k");
    let not_hex = format!("sha256={}", "g".repeat(64));
    assert_eq!(
        pf.verify(Some(&not_hex), BODY),
        Err(Rejection::MalformedSignature(Malformed::InvalidCharacters))
    );
    let bb = verifier(&Provider::Bindbee, "k");
    let not_base64 = format!("{}=", "*".repeat(43));
    assert_eq!(
        bb.verify(Some(&not_base64), BODY),
        Err(Rejection::MalformedSignature(Malformed::InvalidCharacters))
    );
}

#[test]
fn mismatch_for_wrong_secret_tampered_body_or_other_provider() {
    for provider in presets() {
        let value = sign(&provider, "right", BODY);
        assert_eq!(
            verifier(&provider, "wrong").verify(Some(&value), BODY),
            Err(Rejection::Mismatch)
        );
        let mut tampered = BODY.to_vec();
        tampered[10] ^= 1;
        assert_eq!(
            verifier(&provider, "right").verify(Some(&value), &tampered),
            Err(Rejection::Mismatch)
        );
    }
}

#[test]
fn non_utf8_body_is_rejected_by_default_and_allowed_when_turned_off() {
    let body = b"{\"name\":\"\xff\xfe\"}";
    for provider in presets() {
        let value = sign(&provider, "k", body);
        assert_eq!(
            verifier(&provider, "k").verify(Some(&value), body),
            Err(Rejection::BodyNotUtf8)
        );
        let lenient = Verifier::builder(provider.clone())
            .secret(secret("k"))
            .require_utf8(false)
            .build()
            .unwrap();
        assert!(lenient.verify(Some(&value), body).is_ok());
    }
}

#[test]
fn a_forged_signature_on_a_non_utf8_body_is_a_mismatch_not_a_utf8_error() {
    // The signature is the first gate: an attacker learns nothing about the body check.
    let body = b"\xff";
    let forged = format!("sha256={}", "00".repeat(32));
    assert_eq!(
        verifier(&Provider::PeopleForce, "k").verify(Some(&forged), body),
        Err(Rejection::Mismatch)
    );
}

#[test]
fn rotation_accepts_old_and_new_reports_which_and_rejects_unknown() {
    let provider = Provider::Bindbee;
    let v = Verifier::builder(provider.clone())
        .secret_with_id("2026-11", secret("new"))
        .secret_with_id("2026-05", secret("old"))
        .secret(secret("older, unlabelled"))
        .build()
        .unwrap();
    let new = v.verify(Some(sign(&provider, "new", BODY)), BODY).unwrap();
    assert_eq!((new.key().index(), new.key().label()), (0, Some("2026-11")));
    let old = v.verify(Some(sign(&provider, "old", BODY)), BODY).unwrap();
    assert_eq!((old.key().index(), old.key().label()), (1, Some("2026-05")));
    assert_eq!(old.key().to_string(), "2026-05");
    let older = v
        .verify(Some(sign(&provider, "older, unlabelled", BODY)), BODY)
        .unwrap();
    assert_eq!((older.key().index(), older.key().label()), (2, None));
    assert_eq!(older.key().to_string(), "#2");
    assert_eq!(
        v.verify(Some(sign(&provider, "unknown", BODY)), BODY),
        Err(Rejection::Mismatch)
    );
}

#[test]
fn rotation_works_incrementally_too() {
    let provider = Provider::PeopleForce;
    let v = Verifier::builder(provider.clone())
        .secret(secret("new"))
        .secret(secret("old"))
        .build()
        .unwrap();
    let signature = v
        .parse_signature(Some(sign(&provider, "old", BODY)))
        .unwrap();
    let mut verification = v.start(signature);
    for chunk in BODY.chunks(7) {
        verification.update(chunk);
    }
    assert_eq!(verification.finish().unwrap().key().index(), 1);
}

#[test]
fn configuration_errors() {
    assert!(matches!(
        Verifier::builder(Provider::Bindbee).build(),
        Err(ConfigError::NoSecrets)
    ));
    assert!(matches!(
        Verifier::builder(Provider::Bindbee)
            .secret_with_id("a", secret("1"))
            .secret_with_id("a", secret("2"))
            .build(),
        Err(ConfigError::DuplicateKeyId { id }) if id == "a"
    ));
    assert!(matches!(
        Verifier::new(Provider::custom("Bad Header", Encoding::Hex), secret("k")),
        Err(ConfigError::InvalidHeaderName { .. })
    ));
    assert!(matches!(
        Signer::new(Provider::custom("X-Sig\r\n", Encoding::Hex), secret("k")),
        Err(ConfigError::InvalidHeaderName { .. })
    ));
}

#[test]
fn custom_providers_in_every_encoding_round_trip() {
    let encodings = [
        Encoding::Hex,
        Encoding::Base64 { padded: true },
        Encoding::Base64 { padded: false },
        Encoding::Base64Url { padded: true },
        Encoding::Base64Url { padded: false },
    ];
    for encoding in encodings {
        for prefix in ["", "sha256=", "v1,"] {
            let provider = Provider::custom("X-Acme-Signature", encoding).with_prefix(prefix);
            let value = sign(&provider, "k", BODY);
            assert!(value.starts_with(prefix));
            assert_eq!(value.len(), provider.signature_len());
            assert!(
                verifier(&provider, "k").verify(Some(&value), BODY).is_ok(),
                "{encoding:?} {prefix}"
            );
            assert_eq!(
                verifier(&provider, "x").verify(Some(&value), BODY),
                Err(Rejection::Mismatch)
            );
        }
    }
}

#[test]
fn github_style_is_one_line_and_matches_githubs_published_example() {
    // https://docs.github.com/webhooks: secret "It's a Secret to Everybody", payload "Hello, World!".
    let github = Provider::custom("X-Hub-Signature-256", Encoding::Hex).with_prefix("sha256=");
    let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let v = verifier(&github, "It's a Secret to Everybody");
    assert!(v.verify(Some(expected), b"Hello, World!").is_ok());
    assert_eq!(
        sign(&github, "It's a Secret to Everybody", b"Hello, World!"),
        expected
    );
}

#[test]
fn surrounding_whitespace_in_the_header_is_tolerated() {
    let value = sign(&Provider::PeopleForce, "k", BODY);
    assert!(verifier(&Provider::PeopleForce, "k")
        .verify(Some(format!(" {value}\t")), BODY)
        .is_ok());
}

#[test]
fn debug_output_never_contains_secrets() {
    let v = Verifier::builder(Provider::Bindbee)
        .secret_with_id("current", secret("TOPSECRET-current"))
        .secret(secret("TOPSECRET-old"))
        .build()
        .unwrap();
    let signer = Signer::new(Provider::Bindbee, secret("TOPSECRET-signer")).unwrap();
    let signature = v
        .parse_signature(Some(format!("{}=", "A".repeat(43))))
        .unwrap();
    let shown = format!("{v:?} {v:#?} {signer:?} {:?}", v.start(signature));
    assert!(!shown.contains("TOPSECRET"), "{shown}");
    assert!(
        shown.contains("current"),
        "key ids are fine to show: {shown}"
    );
}

#[test]
fn rejection_messages_are_for_logs_and_carry_no_secret() {
    let v = verifier(&Provider::PeopleForce, "TOPSECRET");
    let forged = format!("sha256={}", "ab".repeat(32));
    let message = v.verify(Some(&forged), BODY).unwrap_err().to_string();
    assert_eq!(message, "signature does not match the body");
}
