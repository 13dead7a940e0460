//! The senders' own vectors (`tests/vectors/schemes.tsv`, made by their Python packages)
//! through the binary: `verify` gives every row its verdict and reason, at the row's clock
//! (`--now`, for the schemes with a timestamp); `sign` with the row's id and timestamp
//! prints the row's headers (signing Ed25519 rows with the row's private key).

use std::collections::BTreeMap;

use predicates::prelude::*;

use crate::support::hookguard;
use crate::{header_args, header_lines, scratch_dir, stdout_of, write_file};

/// The schemes of the file, by its names (`standard-webhooks-v1a` is the
/// `standard-webhooks` preset with an Ed25519 key).
const SCHEMES: [&str; 8] = [
    "github",
    "shopify",
    "stripe",
    "slack",
    "standard-webhooks",
    "svix",
    "standard-webhooks-v1a",
    "discord",
];

/// One row of the file.
struct Row<'a> {
    scheme: &'a str,
    case: &'a str,
    key: &'a str,
    signing_key: &'a str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    now: &'a str,
    valid: bool,
    delivery_id: &'a str,
    timestamp: &'a str,
    reason: &'a str,
}

fn rows(file: &str) -> Vec<Row<'_>> {
    file.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [scheme, case, key, signing_key, body, headers, now, expected, delivery_id, timestamp, reason] =
                fields[..]
            else {
                panic!("malformed row: {line}");
            };
            let headers: BTreeMap<String, String> = serde_json::from_str(headers).unwrap();
            Row {
                scheme,
                case,
                key,
                signing_key,
                body: hex::decode(body).unwrap(),
                headers: headers.into_iter().collect(),
                now,
                valid: expected == "valid",
                delivery_id,
                timestamp,
                reason,
            }
        })
        .collect()
}

/// Whether `stderr` gives the refusal the senders' verifiers gave as `reason`.
fn gives_reason(reason: &str, stderr: &str) -> bool {
    let says = |phrases: &[&str]| {
        phrases
            .iter()
            .any(|phrase| stderr.starts_with(&format!("hookguard: invalid: {phrase}")))
    };
    match reason {
        "signature" => says(&[
            "signature does not match the body",
            "signature header is malformed",
        ]),
        "stale" => says(&["timestamp is "]) && stderr.contains(" s old, outside the tolerance"),
        "future" => {
            says(&["timestamp is "]) && stderr.contains(" s in the future, outside the tolerance")
        }
        "missing" => says(&[
            "signature header is missing",
            "timestamp is missing",
            "delivery id header is missing",
        ]),
        other => panic!("unknown reason {other:?}"),
    }
}

#[test]
fn verify_gives_every_row_its_verdict_and_sign_prints_its_headers() {
    let file = include_str!("../../../../tests/vectors/schemes.tsv");
    let dir = scratch_dir();
    let mut verified = BTreeMap::<&str, usize>::new();
    let mut signed = BTreeMap::<&str, usize>::new();
    for (n, row) in rows(file).into_iter().enumerate() {
        let what = format!("{} {}", row.scheme, row.case);
        let provider = row.scheme.trim_end_matches("-v1a");
        let key = write_file(&dir, &format!("{n}.key"), row.key.as_bytes());
        let body = write_file(&dir, &format!("{n}.body"), &row.body);

        let mut verify = hookguard();
        verify.args(["verify", "--provider", provider]);
        // GitHub and Shopify sign no timestamp: verify refuses a clock for them.
        if !matches!(provider, "github" | "shopify") {
            verify.args(["--now", row.now]);
        }
        verify
            .args(header_args(&row.headers))
            .arg("--secret-file")
            .arg(&key)
            .arg("--body-file")
            .arg(&body);
        if row.valid {
            let mut expected = "valid (key 0".to_owned();
            if !row.delivery_id.is_empty() {
                expected = format!("{expected}, delivery {}", row.delivery_id);
            }
            if !row.timestamp.is_empty() {
                expected = format!("{expected}, timestamp {}", row.timestamp);
            }
            expected += ")\n";
            assert_eq!(stdout_of(&mut verify), expected, "{what}");
        } else {
            let output = verify.assert().code(1).stdout("").get_output().clone();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert!(gives_reason(row.reason, &stderr), "{what}: {stderr}");
        }
        *verified.entry(row.scheme).or_default() += 1;

        // A row with one signature is what a sender signs: `sign` prints its headers.
        let signature = row
            .headers
            .iter()
            .find(|(name, _)| is_signature_header(row.scheme, name))
            .map_or("", |(_, value)| value.as_str());
        let one_signature = !signature.contains(' ') && signature.matches(',').count() <= 1;
        if !(row.valid && one_signature) {
            continue;
        }
        let signing_key = if row.signing_key.is_empty() {
            key
        } else {
            write_file(&dir, &format!("{n}.signing"), row.signing_key.as_bytes())
        };
        let mut sign = hookguard();
        sign.args(["sign", "--provider", provider])
            .arg("--secret-file")
            .arg(&signing_key)
            .arg("--body-file")
            .arg(&body);
        if !row.delivery_id.is_empty() {
            sign.args(["--id", row.delivery_id]);
        }
        if !row.timestamp.is_empty() {
            sign.args(["--timestamp", row.timestamp]);
        }
        let printed = header_lines(&stdout_of(&mut sign));
        assert!(
            is_signature_header(row.scheme, &printed[0].0),
            "{what}: {printed:?}"
        );
        for header in &printed {
            assert!(
                row.headers.contains(header),
                "{what}: {header:?} not in the row"
            );
        }
        *signed.entry(row.scheme).or_default() += 1;
    }
    let counts =
        |tally: &BTreeMap<&str, usize>| SCHEMES.map(|s| tally.get(s).copied().unwrap_or(0));
    assert_eq!(
        counts(&verified),
        [10, 8, 21, 17, 23, 21, 23, 17],
        "rows verified per scheme"
    );
    assert!(counts(&signed).iter().all(|&n| n >= 3), "{signed:?}");
}

fn is_signature_header(scheme: &str, name: &str) -> bool {
    let signature = match scheme {
        "github" => "X-Hub-Signature-256",
        "shopify" => "X-Shopify-Hmac-Sha256",
        "stripe" => "Stripe-Signature",
        "slack" => "X-Slack-Signature",
        "standard-webhooks" | "standard-webhooks-v1a" => "webhook-signature",
        "svix" => "svix-signature",
        "discord" => "X-Signature-Ed25519",
        other => panic!("not a scheme of the file: {other}"),
    };
    name.eq_ignore_ascii_case(signature)
}

#[test]
fn a_vector_outside_its_clock_is_stale() {
    // The Standard Webhooks specification's published example, at the system clock.
    let file = include_str!("../../../../tests/vectors/schemes.tsv");
    let row = rows(file)
        .into_iter()
        .find(|row| row.scheme == "standard-webhooks" && row.case == "published_example")
        .unwrap();
    hookguard()
        .args(["verify", "--provider", "standard-webhooks"])
        .args(header_args(&row.headers))
        .env("WEBHOOK_SECRET", row.key)
        .write_stdin(row.body)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(" s old, outside the tolerance"));
}
