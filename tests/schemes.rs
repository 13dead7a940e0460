//! The senders' own vectors (`tests/vectors/schemes.py`: Standard Webhooks', Svix's,
//! Stripe's and Slack's published Python libraries, GitHub's and Shopify's documented HMAC,
//! and Ed25519 by the `cryptography` package for Discord and Standard Webhooks `v1a`): every
//! row their verifiers accept, hookguard accepts and reports the same delivery id and
//! timestamp; every row they refuse, hookguard refuses for the same reason; and hookguard's
//! `Signer` makes the senders' exact headers for every scheme.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

#[path = "vectors/rows.rs"]
mod rows;

use hookguard::{Provider, Rejection, Secret, Signer, Verifier};
use rows::rows;

/// The preset of a scheme named in the file (`standard-webhooks-v1a` is Standard Webhooks
/// with an Ed25519 key).
fn provider(scheme: &str) -> Provider {
    scheme
        .trim_end_matches("-v1a")
        .parse()
        .expect("every scheme of the file is a preset")
}

fn verifier(scheme: &str, key: &str, now: u64) -> Verifier {
    Verifier::builder(provider(scheme))
        .secret(Secret::new(key).expect("key"))
        .require_utf8(false)
        .clock(move || now)
        .build()
        .expect("verifier")
}

fn values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a [u8]> {
    headers
        .iter()
        .filter(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_bytes())
        .collect()
}

/// Whether `rejection` is the refusal the senders' verifiers gave as `reason`.
fn same_reason(reason: &str, rejection: Rejection) -> bool {
    match reason {
        "signature" => matches!(
            rejection,
            Rejection::Mismatch | Rejection::MalformedSignature(_)
        ),
        "stale" => matches!(rejection, Rejection::TimestampOutsideTolerance { skew } if skew < 0),
        "future" => matches!(rejection, Rejection::TimestampOutsideTolerance { skew } if skew > 0),
        "missing" => matches!(
            rejection,
            Rejection::MissingSignature
                | Rejection::MissingTimestamp
                | Rejection::MissingDeliveryId
        ),
        other => panic!("unknown reason {other:?}"),
    }
}

#[test]
fn hookguard_agrees_with_the_senders_on_every_row() {
    let rows = rows();
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in &rows {
        checked += 1;
        let name = format!("{} {}", row.scheme, row.case);
        let outcome = verifier(&row.scheme, &row.key, row.now)
            .verify_request(|header| values(&row.headers, header), &row.body);
        match (row.valid, outcome) {
            (true, Ok(verified)) => {
                if verified.delivery_id() != row.delivery_id.as_deref() {
                    failures.push(format!("{name}: delivery id {:?}", verified.delivery_id()));
                }
                if verified.timestamp() != row.timestamp {
                    failures.push(format!("{name}: timestamp {:?}", verified.timestamp()));
                }
            }
            (true, Err(rejection)) => failures.push(format!("{name}: refused ({rejection})")),
            (false, Ok(_)) => failures.push(format!("{name}: accepted but must not be")),
            (false, Err(rejection)) if !same_reason(&row.reason, rejection) => {
                failures.push(format!(
                    "{name}: refused as {rejection:?}, the senders say {}",
                    row.reason
                ));
            }
            (false, Err(_)) => {}
        }
    }
    assert!(checked >= 140, "only {checked} rows");
    for scheme in ["discord", "standard-webhooks-v1a", "github", "svix"] {
        assert!(
            rows.iter().any(|row| row.scheme == scheme),
            "no {scheme} rows"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn signer_headers_verify_for_every_scheme_and_match_the_senders_bytes() {
    let mut signed = 0;
    for row in rows()
        .iter()
        .filter(|row| row.valid)
        .filter(|row| row.case == "employee_create" || row.case == "published_example")
    {
        // HMAC schemes sign with the shared key, Ed25519 ones with the private key.
        let key = if row.signing_key.is_empty() {
            &row.key
        } else {
            &row.signing_key
        };
        let signer = Signer::new(
            provider(&row.scheme),
            Secret::new(key.as_str()).expect("key"),
        )
        .expect("signer");
        signed += 1;
        let id = row.delivery_id.as_deref().unwrap_or("");
        let headers = signer.sign_headers(id, row.timestamp.unwrap_or(row.now), &row.body);
        let outcome = verifier(&row.scheme, &row.key, row.now)
            .verify_request(|header| values(&headers, header), &row.body);
        assert!(outcome.is_ok(), "{} {}: {outcome:?}", row.scheme, row.case);
        // The signature header is the sender's, byte for byte, where the sender sends one
        // signature.
        let (name, ours) = &headers[0];
        let theirs = values(&row.headers, name);
        assert_eq!(theirs, [ours.as_bytes()], "{} {}", row.scheme, row.case);
    }
    assert!(signed >= 8, "only {signed} schemes signed");
}
