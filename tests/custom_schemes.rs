//! Every HMAC preset written as data (TOML) verifies the senders' own vectors
//! (`tests/vectors/schemes.tsv`) exactly as the preset does: the same rows accepted with
//! the same key, delivery id and timestamp, the same rows refused for the same reason.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

#[path = "vectors/rows.rs"]
mod rows;

use hookguard::{CustomScheme, Provider, Rejection, Secret, Verifier};
use rows::{rows, Row};

/// Each preset's scheme as a configuration file would describe it.
const SCHEMES: [(&str, &str); 6] = [
    (
        "standard-webhooks",
        r#"
        signature_header = "webhook-signature"
        encoding = "base64"
        syntax = { kind = "versioned-list", version = "v1" }
        signed_content = "{id}.{timestamp}.{body}"
        id_header = "webhook-id"
        timestamp_header = "webhook-timestamp"
        secret_form = "whsec"
        "#,
    ),
    (
        "svix",
        r#"
        signature_header = "svix-signature"
        encoding = "base64"
        syntax = { kind = "versioned-list", version = "v1" }
        signed_content = "{id}.{timestamp}.{body}"
        id_header = "svix-id"
        timestamp_header = "svix-timestamp"
        secret_form = "whsec"
        "#,
    ),
    (
        "stripe",
        r#"
        signature_header = "Stripe-Signature"
        encoding = "hex"
        syntax = { kind = "key-value", timestamp_key = "t", signature_key = "v1" }
        signed_content = "{timestamp}.{body}"
        "#,
    ),
    (
        "slack",
        r#"
        signature_header = "X-Slack-Signature"
        encoding = "hex"
        prefix = "v0="
        signed_content = "v0:{timestamp}:{body}"
        timestamp_header = "X-Slack-Request-Timestamp"
        "#,
    ),
    (
        "github",
        r#"
        signature_header = "X-Hub-Signature-256"
        encoding = "hex"
        prefix = "sha256="
        id_header = "X-GitHub-Delivery"
        "#,
    ),
    (
        "shopify",
        r#"
        signature_header = "X-Shopify-Hmac-Sha256"
        encoding = "base64"
        id_header = "X-Shopify-Webhook-Id"
        "#,
    ),
];

/// One row of the vectors: the scheme, the key, the body, the headers and the clock.
fn verifier(provider: Provider, key: &str, now: u64) -> Verifier {
    Verifier::builder(provider)
        .secret(Secret::new(key).expect("key"))
        .require_utf8(false)
        .clock(move || now)
        .build()
        .expect("verifier")
}

/// What a verifier says of `row`: the key, delivery id and timestamp, or the rejection.
type Verdict = Result<(usize, Option<String>, Option<u64>), Rejection>;

fn verdict(verifier: &Verifier, row: &Row) -> Verdict {
    let values = |name: &str| -> Vec<&[u8]> {
        row.headers
            .iter()
            .filter(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_bytes())
            .collect()
    };
    verifier.verify_request(values, &row.body).map(|verified| {
        (
            verified.key().index(),
            verified.delivery_id().map(str::to_owned),
            verified.timestamp(),
        )
    })
}

#[test]
fn data_defined_presets_agree_with_the_presets_on_every_row() {
    let rows = rows();
    let (mut accepted, mut refused) = (0, 0);
    for (name, text) in SCHEMES {
        let scheme: CustomScheme = toml::from_str(text).expect("TOML");
        let custom = Provider::from_scheme(scheme).expect("valid scheme");
        let preset: Provider = name.parse().expect("preset");
        for row in rows.iter().filter(|row| row.scheme == name) {
            let theirs = verdict(&verifier(preset.clone(), &row.key, row.now), row);
            let ours = verdict(&verifier(custom.clone(), &row.key, row.now), row);
            assert_eq!(ours, theirs, "{name} {}", row.case);
            if theirs.is_ok() {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
    }
    // The file holds both kinds for every scheme; a filter gone wrong would leave none.
    assert!(
        accepted >= 40 && refused >= 40,
        "{accepted} accepted, {refused} refused"
    );
}
