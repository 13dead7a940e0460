//! `sign` and `verify` round trips of the body-only schemes: both seed presets and a custom
//! provider, stdin and body files, each scheme's shape and header name, the body as raw
//! bytes, GitHub's published example.

use predicates::prelude::*;

use crate::support::hookguard;
use crate::{header_lines, scratch_dir, sign, stdout_of, write_file, BODY, GITHUB, SECRET};

#[test]
fn round_trips_for_both_presets_and_a_custom_provider_via_stdin_and_body_file() {
    let dir = scratch_dir();
    let body_file = write_file(&dir, "body.json", BODY);
    let schemes: [&[&str]; 3] = [
        &["--provider", "peopleforce"],
        &["--provider", "bindbee"],
        &GITHUB,
    ];
    for scheme in schemes {
        let from_stdin = sign(scheme, BODY);
        let from_file = header_lines(&stdout_of(
            hookguard()
                .arg("sign")
                .args(scheme)
                .arg("--body-file")
                .arg(&body_file)
                .env("WEBHOOK_SECRET", SECRET),
        ));
        assert_eq!(from_file[0].1, from_stdin, "{scheme:?}");

        hookguard()
            .arg("verify")
            .args(scheme)
            .args(["--signature", &from_stdin])
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(0)
            .stdout("valid (key 0)\n");
        hookguard()
            .arg("verify")
            .args(scheme)
            .args(["--signature", &from_stdin, "--body-file"])
            .arg(&body_file)
            .env("WEBHOOK_SECRET", SECRET)
            .assert()
            .code(0)
            .stdout("valid (key 0)\n");
    }
}

#[test]
fn signatures_have_each_schemes_shape() {
    let peopleforce = sign(&["--provider", "peopleforce"], BODY);
    assert!(peopleforce.starts_with("sha256="), "{peopleforce}");
    assert_eq!(peopleforce.len(), 71);
    let bindbee = sign(&["--provider", "bindbee"], BODY);
    assert_eq!(bindbee.len(), 44);
    assert!(
        bindbee.ends_with('=') && !bindbee.contains(['+', '/']),
        "{bindbee}"
    );
    // GitHub-style is the PeopleForce scheme under another header name.
    assert_eq!(sign(&GITHUB, BODY), peopleforce);
}

#[test]
fn sign_prints_the_providers_header_line() {
    let cases: [(&[&str], &str); 3] = [
        (&["--provider", "peopleforce"], "X-PeopleForce-Signature"),
        (&["--provider", "bindbee"], "X-Bindbee-Webhook-Signature"),
        (&GITHUB, "X-Hub-Signature-256"),
    ];
    for (scheme, header) in cases {
        let value = sign(scheme, BODY);
        let line = stdout_of(
            hookguard()
                .arg("sign")
                .args(scheme)
                .env("WEBHOOK_SECRET", SECRET)
                .write_stdin(BODY),
        );
        assert_eq!(line, format!("{header}: {value}\n"));
    }
}

#[test]
fn the_body_is_raw_bytes_and_a_trailing_newline_counts() {
    let without = sign(&["--provider", "peopleforce"], b"{}");
    let with = sign(&["--provider", "peopleforce"], b"{}\n");
    assert_ne!(
        without, with,
        "the trailing newline must be signed, not stripped"
    );

    // Non-UTF-8 bytes are signed as they are; verify rejects them unless told otherwise.
    let latin1 = b"{\"name\":\"Zo\xeb\"}";
    let value = sign(&["--provider", "bindbee"], latin1);
    hookguard()
        .args(["verify", "--provider", "bindbee", "--signature", &value])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(&latin1[..])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("UTF-8"));
    hookguard()
        .args([
            "verify",
            "--provider",
            "bindbee",
            "--allow-non-utf8",
            "--signature",
            &value,
        ])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(&latin1[..])
        .assert()
        .code(0)
        .stdout("valid (key 0)\n");
}

#[test]
fn github_signs_its_published_example() {
    // GitHub's published example ("Validating webhook deliveries").
    hookguard()
        .args([
            "sign",
            "--provider",
            "github",
            "--id",
            "9e1d4c3a-0b6f-11f0-8a5e-3c7d2b1f4e60",
        ])
        .env("WEBHOOK_SECRET", "It's a Secret to Everybody")
        .write_stdin("Hello, World!")
        .assert()
        .code(0)
        .stdout(
            "X-Hub-Signature-256: \
             sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\n\
             X-GitHub-Delivery: 9e1d4c3a-0b6f-11f0-8a5e-3c7d2b1f4e60\n",
        );
}
