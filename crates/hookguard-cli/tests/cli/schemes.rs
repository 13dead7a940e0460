//! Every preset through `sign` and `verify -H`: round trips that print the key, the delivery
//! id and the timestamp; generated ids and timestamps; stale and future timestamps, a
//! tampered body and each missing header refused with exit code 1 and the reason; bad usage
//! with each name exits 2.

use std::time::SystemTime;

use assert_cmd::Command;
use predicates::prelude::*;

use crate::support::hookguard;
use crate::{header_args, sign_headers, BODY, SECRET};

/// A `whsec_` secret, the form Standard Webhooks and Svix take.
const WHSEC: &str = "whsec_A9Gjd2eTx/mLqkvvIK6JP8ozo0glOvlk4Ta+5bSGMMY=";

/// A preset: its name, a secret it takes, and the headers `sign` prints, in order.
struct Preset {
    name: &'static str,
    secret: &'static str,
    headers: &'static [&'static str],
    /// The delivery id's header, and whether a request must carry it.
    id: Option<(&'static str, bool)>,
    /// The timestamp's own header (Stripe's timestamp is in its signature header).
    timestamp_header: Option<&'static str>,
    signs_timestamp: bool,
}

const PRESETS: [Preset; 8] = [
    Preset {
        name: "peopleforce",
        secret: SECRET,
        headers: &["X-PeopleForce-Signature"],
        id: None,
        timestamp_header: None,
        signs_timestamp: false,
    },
    Preset {
        name: "bindbee",
        secret: SECRET,
        headers: &["X-Bindbee-Webhook-Signature"],
        id: None,
        timestamp_header: None,
        signs_timestamp: false,
    },
    Preset {
        name: "github",
        secret: SECRET,
        headers: &["X-Hub-Signature-256", "X-GitHub-Delivery"],
        id: Some(("X-GitHub-Delivery", false)),
        timestamp_header: None,
        signs_timestamp: false,
    },
    Preset {
        name: "shopify",
        secret: SECRET,
        headers: &["X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id"],
        id: Some(("X-Shopify-Webhook-Id", false)),
        timestamp_header: None,
        signs_timestamp: false,
    },
    Preset {
        name: "stripe",
        secret: "whsec_496f5b2ffeeee905e69747afeaaf5164",
        headers: &["Stripe-Signature"],
        id: None,
        timestamp_header: None,
        signs_timestamp: true,
    },
    Preset {
        name: "slack",
        secret: SECRET,
        headers: &["X-Slack-Signature", "X-Slack-Request-Timestamp"],
        id: None,
        timestamp_header: Some("X-Slack-Request-Timestamp"),
        signs_timestamp: true,
    },
    Preset {
        name: "standard-webhooks",
        secret: WHSEC,
        headers: &["webhook-signature", "webhook-timestamp", "webhook-id"],
        id: Some(("webhook-id", true)),
        timestamp_header: Some("webhook-timestamp"),
        signs_timestamp: true,
    },
    Preset {
        name: "svix",
        secret: WHSEC,
        headers: &["svix-signature", "svix-timestamp", "svix-id"],
        id: Some(("svix-id", true)),
        timestamp_header: Some("svix-timestamp"),
        signs_timestamp: true,
    },
];

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl Preset {
    /// `sign` with this preset, `extra` options and `body`: the headers it prints.
    fn sign(&self, extra: &[&str], body: &[u8]) -> Vec<(String, String)> {
        let headers = sign_headers(
            &[&["--provider", self.name], extra].concat(),
            self.secret,
            body,
        );
        let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, self.headers, "{}", self.name);
        headers
    }

    /// `sign` with a fixed id (where the scheme sends one) and timestamp (where it signs one).
    fn sign_at(&self, timestamp: u64, body: &[u8]) -> Vec<(String, String)> {
        let timestamp = timestamp.to_string();
        let mut extra = vec![];
        if self.id.is_some() {
            extra.extend(["--id", "msg_2b4c0e1f9a7d3e5c8b6a4f2e0d1"]);
        }
        if self.signs_timestamp {
            extra.extend(["--timestamp", &timestamp]);
        }
        self.sign(&extra, body)
    }

    /// `verify` with this preset, `headers` as `-H` and `body` on stdin.
    fn verify(&self, headers: &[(String, String)], body: &[u8]) -> Command {
        let mut cmd = hookguard();
        cmd.args(["verify", "--provider", self.name])
            .args(header_args(headers))
            .env("WEBHOOK_SECRET", self.secret)
            .write_stdin(body);
        cmd
    }

    /// What `verify` prints for a delivery with `id` (if the request carried one) at `timestamp`.
    fn valid(&self, id: Option<&str>, timestamp: u64) -> String {
        let mut line = "valid (key 0".to_owned();
        if let Some(id) = id {
            line = format!("{line}, delivery {id}");
        }
        if self.signs_timestamp {
            line = format!("{line}, timestamp {timestamp}");
        }
        line + ")\n"
    }
}

/// The value of `name` among `headers`.
fn value<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    &headers.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn every_preset_round_trips_with_its_id_and_timestamp() {
    let now = unix_now();
    for preset in &PRESETS {
        let headers = preset.sign_at(now, BODY);
        if let Some((name, _)) = preset.id {
            assert_eq!(value(&headers, name), "msg_2b4c0e1f9a7d3e5c8b6a4f2e0d1");
        }
        if let Some(name) = preset.timestamp_header {
            assert_eq!(value(&headers, name), now.to_string());
        }
        let id = preset.id.map(|_| "msg_2b4c0e1f9a7d3e5c8b6a4f2e0d1");
        let expected = preset.valid(id, now);
        preset
            .verify(&headers, BODY)
            .assert()
            .code(0)
            .stdout(expected.clone());

        // Header names ignore case, and their order does not matter.
        let shuffled: Vec<(String, String)> = headers
            .iter()
            .rev()
            .map(|(name, value)| (name.to_uppercase(), value.clone()))
            .collect();
        preset
            .verify(&shuffled, BODY)
            .assert()
            .code(0)
            .stdout(expected);
    }
}

#[test]
fn sign_draws_an_id_and_takes_the_time_when_none_is_given() {
    for preset in &PRESETS {
        let before = unix_now();
        let headers = preset.sign(&[], BODY);
        let after = unix_now();
        if let Some(name) = preset.timestamp_header {
            let timestamp: u64 = value(&headers, name).parse().unwrap();
            assert!((before..=after).contains(&timestamp), "{}", preset.name);
        }
        let id = preset.id.map(|(name, _)| value(&headers, name).to_owned());
        if let Some(id) = &id {
            let shaped = if let Some(hex) = id.strip_prefix("msg_") {
                hex.len() == 24 && hex.bytes().all(|b| b.is_ascii_hexdigit())
            } else {
                id.len() == 36 && id.split('-').count() == 5
            };
            assert!(shaped, "{}: {id}", preset.name);
            let again = preset.sign(&[], BODY);
            assert_ne!(&again, &headers, "{}: a fresh id each time", preset.name);
        }
        let verified = preset.verify(&headers, BODY).assert().code(0);
        let stdout = String::from_utf8(verified.get_output().stdout.clone()).unwrap();
        assert!(stdout.starts_with("valid (key 0"), "{stdout}");
        if let Some(id) = id {
            assert!(stdout.contains(&format!(", delivery {id}")), "{stdout}");
        }
    }
}

#[test]
fn stale_and_future_timestamps_are_refused_unless_the_clock_or_tolerance_says_otherwise() {
    let now = unix_now();
    for preset in PRESETS.iter().filter(|preset| preset.signs_timestamp) {
        let stale = preset.sign_at(now - 3600, BODY);
        preset
            .verify(&stale, BODY)
            .assert()
            .code(1)
            .stdout("")
            .stderr(
                predicate::str::contains("invalid: timestamp is 36")
                    .and(predicate::str::contains(" s old, outside the tolerance")),
            );
        let future = preset.sign_at(now + 3600, BODY);
        preset.verify(&future, BODY).assert().code(1).stderr(
            predicate::str::contains("invalid: timestamp is 3").and(predicate::str::contains(
                " s in the future, outside the tolerance",
            )),
        );

        // A delivery captured an hour ago verifies as of then, or with a wider tolerance.
        let id = preset.id.map(|_| "msg_2b4c0e1f9a7d3e5c8b6a4f2e0d1");
        let then = (now - 3600).to_string();
        preset
            .verify(&stale, BODY)
            .args(["--now", &then])
            .assert()
            .code(0)
            .stdout(preset.valid(id, now - 3600));
        preset
            .verify(&stale, BODY)
            .args(["--tolerance", "7200"])
            .assert()
            .code(0);
        preset
            .verify(&stale, BODY)
            .args(["--tolerance", "60", "--now", &(now - 3600 + 61).to_string()])
            .assert()
            .code(1);
    }
}

#[test]
fn a_tampered_body_is_refused() {
    for preset in &PRESETS {
        let headers = preset.sign_at(unix_now(), BODY);
        preset
            .verify(&headers, b"{\"action\":\"employee_delete\"}\n")
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(
                "invalid: signature does not match the body",
            ));
    }
}

#[test]
fn each_missing_header_is_refused_with_its_reason() {
    for preset in &PRESETS {
        let headers = preset.sign_at(unix_now(), BODY);
        for (name, _) in &headers {
            let without: Vec<(String, String)> =
                headers.iter().filter(|(n, _)| n != name).cloned().collect();
            let cmd = &mut preset.verify(&without, BODY);
            match preset.id {
                // An optional delivery id: valid without it, and no id is reported.
                Some((id, false)) if id == name => {
                    cmd.assert().code(0).stdout(preset.valid(None, 0));
                    continue;
                }
                _ => {}
            }
            let reason = if name == preset.headers[0] {
                format!("invalid: signature header is missing (give -H '{name}: ...')")
            } else if Some(name.as_str()) == preset.timestamp_header {
                format!("invalid: timestamp is missing (give -H '{name}: ...')")
            } else {
                format!("invalid: delivery id header is missing (give -H '{name}: ...')")
            };
            cmd.assert()
                .code(1)
                .stdout("")
                .stderr(predicate::str::contains(reason));
        }
    }
    // Stripe's timestamp is an item of its signature header.
    let stripe = &PRESETS[4];
    let headers = stripe.sign_at(unix_now(), BODY);
    let (_, signature) = headers[0].1.split_once(',').unwrap();
    stripe
        .verify(
            &[("Stripe-Signature".to_owned(), signature.to_owned())],
            BODY,
        )
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid: timestamp is missing"));
}

#[test]
fn bad_usage_with_each_preset_exits_2() {
    for preset in &PRESETS {
        let mut cases: Vec<Vec<&str>> = vec![
            vec!["verify", "-H", "no colon"],
            vec!["sign", "--timestamp", "soon"],
            vec!["sign", "--id"],
        ];
        if !preset.signs_timestamp {
            cases.push(vec!["sign", "--timestamp", "1764460800"]);
        }
        if preset.id.is_none() {
            cases.push(vec!["sign", "--id", "msg_1"]);
        }
        for case in cases {
            let (sub, rest) = case.split_first().unwrap();
            hookguard()
                .args([sub, "--provider", preset.name])
                .args(rest)
                .env("WEBHOOK_SECRET", preset.secret)
                .write_stdin(BODY)
                .assert()
                .code(2)
                .stdout("");
        }
    }
    // The `whsec_` schemes refuse a secret that is not base64.
    for name in ["standard-webhooks", "svix"] {
        hookguard()
            .args(["sign", "--provider", name])
            .env("WEBHOOK_SECRET", "whsec_not base64!")
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("whsec_"));
    }
}

#[test]
fn standard_webhooks_and_svix_take_the_secret_with_or_without_whsec_() {
    let bare = WHSEC.strip_prefix("whsec_").unwrap();
    let now = unix_now().to_string();
    for name in ["standard-webhooks", "svix"] {
        let args = ["--provider", name, "--id", "msg_1", "--timestamp", &now];
        let prefixed = sign_headers(&args, WHSEC, BODY);
        assert_eq!(sign_headers(&args, bare, BODY), prefixed, "{name}");
        hookguard()
            .args(["verify", "--provider", name])
            .args(header_args(&prefixed))
            .env("WEBHOOK_SECRET", bare)
            .write_stdin(BODY)
            .assert()
            .code(0);
        // Base64 neither way: the message does not ask for a prefix the secret may lack.
        hookguard()
            .args(["sign", "--provider", name])
            .env("WEBHOOK_SECRET", "not base64!")
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "with or without the `whsec_` prefix",
            ));
    }
}
