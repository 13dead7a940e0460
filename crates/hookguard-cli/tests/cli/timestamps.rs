//! Timestamps: `sign` and `send` refuse one no receiver accepts, `verify` refuses `--now`
//! and `--tolerance` for schemes without one and says how to replay a stale delivery; a
//! value without its prefix is told which prefix.

use std::net::TcpListener;

use predicates::prelude::*;

use crate::support::hookguard;
use crate::{header_args, sign, sign_headers, BODY, SECRET};

/// The largest timestamp receivers accept (12 decimal digits).
const MAX: &str = "999999999999";

#[test]
fn sign_and_send_refuse_a_timestamp_no_receiver_accepts() {
    // Nothing listens behind the URL's connection: the refusal comes before sending.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    for timestamp in [
        "99999999999999999999999",
        "18446744073709551615",
        "1000000000000",
        "0001000000000",
        "1e9",
    ] {
        for command in [&["sign"][..], &["send", "--url", &url]] {
            hookguard()
                .args(command)
                .args(["--provider", "stripe", "--timestamp", timestamp])
                .env("WEBHOOK_SECRET", SECRET)
                .write_stdin(BODY)
                .assert()
                .code(2)
                .stdout("")
                .stderr(
                    predicate::str::contains(format!("'{timestamp}' for '--timestamp")).and(
                        predicate::str::contains(format!("Unix seconds from 0 to {MAX}")),
                    ),
                );
        }
    }
    assert!(listener.accept().is_err(), "send connected to the receiver");
}

#[test]
fn the_largest_timestamp_sign_takes_verifies() {
    for provider in ["stripe", "slack"] {
        let headers = sign_headers(&["--provider", provider, "--timestamp", MAX], SECRET, BODY);
        hookguard()
            .args(["verify", "--provider", provider, "--now", MAX])
            .args(header_args(&headers))
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(0)
            .stdout(format!("valid (key 0, timestamp {MAX})\n"));
    }
}

#[test]
fn verify_refuses_now_and_tolerance_for_schemes_without_a_timestamp() {
    let signature = sign(&["--provider", "github"], BODY);
    for flag in ["--now", "--tolerance"] {
        hookguard()
            .args(["verify", "--provider", "github", "--signature", &signature])
            .args([flag, "5"])
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "hookguard: github signs no timestamp: drop {flag}\n"
            ));
    }
}

#[test]
fn a_value_without_the_prefix_is_told_the_prefix() {
    let signature = sign(&["--provider", "github"], BODY);
    let bare = signature.strip_prefix("sha256=").unwrap();
    hookguard()
        .args(["verify", "--provider", "github", "--signature", bare])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "the expected prefix is missing (the value starts with `sha256=`)",
        ));
}

#[test]
fn a_stale_timestamp_on_the_system_clock_points_to_now() {
    let headers = sign_headers(
        &["--provider", "slack", "--timestamp", "1700000000"],
        SECRET,
        BODY,
    );
    let verify = |extra: &[&str]| {
        let mut cmd = hookguard();
        cmd.args(["verify", "--provider", "slack"])
            .args(header_args(&headers))
            .args(extra)
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY);
        cmd
    };
    verify(&[]).assert().code(1).stdout("").stderr(
        predicate::str::contains("s old, outside the tolerance")
            .and(predicate::str::contains("--now UNIX_SECONDS sets the time")),
    );
    // Given --now, the clock was chosen: no hint.
    verify(&["--now", "1700000400"])
        .assert()
        .code(1)
        .stderr("hookguard: invalid: timestamp is 400 s old, outside the tolerance\n");
    verify(&["--now", "1700000010"]).assert().code(0);
}
