//! `--scheme FILE`: custom schemes described in TOML sign exactly what the presets they copy
//! sign and verify what those presets send, take the file's tolerance, and `send` posts
//! with them; a bad or unreadable file, or one mixed with `--provider`, exits 2 naming the
//! field.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::one_shot::one_shot_server;
use crate::support::hookguard;
use crate::{header_args, scratch_dir, sign_headers, stdout_of, write_file, BODY, SECRET};

const WHSEC: &str = "whsec_A9Gjd2eTx/mLqkvvIK6JP8ozo0glOvlk4Ta+5bSGMMY=";
const TIMESTAMP: &str = "1764460800";

const STRIPE: &str = r#"
signature_header = "Stripe-Signature"
encoding = "hex"
syntax = { kind = "key-value", timestamp_key = "t", signature_key = "v1" }
signed_content = "{timestamp}.{body}"
"#;

const SLACK: &str = r#"
signature_header = "X-Slack-Signature"
encoding = "hex"
prefix = "v0="
signed_content = "v0:{timestamp}:{body}"
timestamp_header = "X-Slack-Request-Timestamp"
"#;

const STANDARD_WEBHOOKS: &str = r#"
signature_header = "webhook-signature"
encoding = "base64"
syntax = { kind = "versioned-list", version = "v1" }
signed_content = "{id}.{timestamp}.{body}"
id_header = "webhook-id"
timestamp_header = "webhook-timestamp"
secret_form = "whsec"
"#;

/// `text` in a fresh scheme file.
fn scheme_file(text: &str) -> PathBuf {
    write_file(&scratch_dir(), "scheme.toml", text.as_bytes())
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn scheme_files_sign_and_verify_as_the_presets_they_copy() {
    let cases = [
        ("stripe", STRIPE, SECRET, &["--timestamp", TIMESTAMP][..]),
        ("slack", SLACK, SECRET, &["--timestamp", TIMESTAMP]),
        (
            "standard-webhooks",
            STANDARD_WEBHOOKS,
            WHSEC,
            &["--timestamp", TIMESTAMP, "--id", "msg_p5jXN8AQM9"],
        ),
    ];
    for (preset, text, secret, extra) in cases {
        let file = scheme_file(text);
        let by_file = sign_headers(
            &[&["--scheme", path_arg(&file)], extra].concat(),
            secret,
            BODY,
        );
        let by_preset = sign_headers(&[&["--provider", preset], extra].concat(), secret, BODY);
        assert_eq!(by_file, by_preset, "{preset}");
        for (scheme, body, code) in [
            (["--scheme", path_arg(&file)], BODY, 0),
            (["--provider", preset], BODY, 0),
            (["--scheme", path_arg(&file)], &b"{}"[..], 1),
        ] {
            hookguard()
                .arg("verify")
                .args(scheme)
                .args(["--now", "1764460810"])
                .args(header_args(&by_preset))
                .env("WEBHOOK_SECRET", secret)
                .write_stdin(body)
                .assert()
                .code(code);
        }
        let valid = stdout_of(
            hookguard()
                .args(["verify", "--scheme", path_arg(&file), "--now", "1764460810"])
                .args(header_args(&by_preset))
                .env("WEBHOOK_SECRET", secret)
                .write_stdin(BODY),
        );
        assert!(valid.contains("timestamp 1764460800)"), "{valid}");
    }
}

#[test]
fn the_files_tolerance_is_the_default_and_the_option_overrides_it() {
    let file = scheme_file(&format!("{SLACK}tolerance_seconds = 5\n"));
    let signed = sign_headers(
        &["--scheme", path_arg(&file), "--timestamp", TIMESTAMP],
        SECRET,
        BODY,
    );
    let verify = |extra: &[&str]| {
        let mut cmd = hookguard();
        cmd.args(["verify", "--scheme", path_arg(&file), "--now", "1764460810"])
            .args(extra)
            .args(header_args(&signed))
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY);
        cmd
    };
    verify(&[])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("outside the tolerance"));
    verify(&["--tolerance", "10"]).assert().code(0);
}

#[test]
fn send_posts_with_every_header_of_a_scheme_file() {
    let file = scheme_file(STANDARD_WEBHOOKS);
    let fixed = [
        "--scheme",
        path_arg(&file),
        "--id",
        "msg_p5jXN8AQM9",
        "--timestamp",
        TIMESTAMP,
    ];
    let (url, server) = one_shot_server("200 OK", "");
    hookguard()
        .arg("send")
        .args(fixed)
        .args(["--url", &url])
        .env("WEBHOOK_SECRET", WHSEC)
        .write_stdin(BODY)
        .assert()
        .code(0);
    let received = server.join().unwrap();
    assert_eq!(received.body, BODY);
    for (name, value) in sign_headers(&fixed, WHSEC, BODY) {
        assert_eq!(received.header(&name), Some(value.as_str()), "{name}");
    }
}

#[test]
fn a_bad_scheme_file_exits_2_naming_the_field() {
    let signature = format!("X-Acme-Signature: {}", "0".repeat(64));
    let cases = [
        ("encoding = \"hex\"\n", "signature_header"),
        ("signature_header = \"X-Acme-Signature\"\nencoding = \"hex\"\nprefx = \"a\"\n", "prefx"),
        ("signature_header = \"X-Acme-Signature\"\nencoding = \"rot13\"\n", "encoding"),
        (
            "signature_header = \"X-Acme-Signature\"\nencoding = \"hex\"\nsigned_content = \"{ts}.{body}\"\n",
            "signed_content",
        ),
        (
            "signature_header = \"X-Acme-Signature\"\nencoding = \"hex\"\nsigned_content = \"{timestamp}.{body}\"\n",
            "timestamp_header",
        ),
        (
            "signature_header = \"X-Acme-Signature\"\nencoding = \"hex\"\nid_header = \"Acme Id\"\n",
            "id_header",
        ),
        ("signature_header = \"X-Acme-Signature\"\nencoding = \"hex\"\ntolerance_seconds = -1\n", "tolerance_seconds"),
        ("signature_header = \"X-Acme-Signature\"\nencoding = \"hex\"\nsyntax = { kind = \"versioned-list\" }\n", "syntax"),
    ];
    for (text, field) in cases {
        let file = scheme_file(text);
        for sub in [
            &["sign"][..],
            &["verify", "-H", &signature],
            &["send", "--url", "http://127.0.0.1:9/"],
        ] {
            hookguard()
                .args(sub)
                .args(["--scheme", path_arg(&file)])
                .env("WEBHOOK_SECRET", SECRET)
                .write_stdin(BODY)
                .assert()
                .code(2)
                .stdout("")
                .stderr(
                    predicate::str::contains("scheme file").and(predicate::str::contains(field)),
                );
        }
    }
}

#[test]
fn a_missing_file_or_a_mixed_scheme_exits_2() {
    let missing = scratch_dir().join("absent.toml");
    hookguard()
        .args(["sign", "--scheme", path_arg(&missing)])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the scheme file"));
    let file = scheme_file(SLACK);
    for mixed in [
        &["--provider", "slack"][..],
        &["--header", "X-Sig", "--encoding", "hex"],
        &["--prefix", "v0="],
    ] {
        hookguard()
            .args(["sign", "--scheme", path_arg(&file)])
            .args(mixed)
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be used with"));
    }
}

#[test]
fn a_scheme_signing_the_id_without_a_timestamp_refuses_timestamp() {
    let file = scheme_file(
        "signature_header = \"X-Acme-Signature\"\nencoding = \"base64url\"\n\
         signed_content = \"{id}:{body}\"\nid_header = \"X-Acme-Id\"\n",
    );
    hookguard()
        .args([
            "sign",
            "--scheme",
            path_arg(&file),
            "--timestamp",
            TIMESTAMP,
        ])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("signs no timestamp"));
    let signed = sign_headers(&["--scheme", path_arg(&file), "--id", "d-1"], SECRET, BODY);
    let names: Vec<&str> = signed.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["X-Acme-Signature", "X-Acme-Id"]);
    for (headers, code) in [(&signed[..], 0), (&signed[..1], 1)] {
        hookguard()
            .args(["verify", "--scheme", path_arg(&file)])
            .args(header_args(headers))
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(code);
    }
}
