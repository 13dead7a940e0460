//! Exit codes: 1 for an invalid signature (with the reason), 2 for a missing secret or bad
//! usage; secrets from other variables and files, and rotation over several secrets.

use std::path::Path;

use predicates::prelude::*;

use crate::support::hookguard;
use crate::{header_lines, scratch_dir, sign, stdout_of, write_file, BODY, SECRET};

#[test]
fn forged_tampered_and_malformed_signatures_exit_1_with_the_reason() {
    let value = sign(&["--provider", "peopleforce"], BODY);
    let forged = format!("sha256={}", "0".repeat(64));
    let cases: [(&str, &[u8], &str); 4] = [
        (&forged, BODY, "does not match"),
        (
            &value,
            b"{\"action\":\"employee_delete\"}\n",
            "does not match the body (the body ends with a line break",
        ),
        ("sha256=zz", BODY, "malformed"),
        ("", BODY, "empty"),
    ];
    for (signature, body, reason) in cases {
        hookguard()
            .args([
                "verify",
                "--provider",
                "peopleforce",
                "--signature",
                signature,
            ])
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(body)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("invalid").and(predicate::str::contains(reason)));
    }
    // Signed with another secret.
    hookguard()
        .args(["verify", "--provider", "peopleforce", "--signature", &value])
        .env("WEBHOOK_SECRET", "another secret")
        .write_stdin(BODY)
        .assert()
        .code(1);
}

#[test]
fn a_missing_secret_exits_2_and_names_the_variable() {
    for sub in [
        &["sign"][..],
        &["verify", "--signature", "x"],
        &["send", "--url", "http://127.0.0.1:9/"],
    ] {
        hookguard()
            .args(sub)
            .args(["--provider", "bindbee"])
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::contains("WEBHOOK_SECRET").and(predicate::str::contains("not set")),
            );
        hookguard()
            .args(sub)
            .args(["--provider", "bindbee", "--secret-env", "MY_PF_SECRET"])
            .env("WEBHOOK_SECRET", SECRET)
            .env_remove("MY_PF_SECRET")
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("MY_PF_SECRET"));
    }
    hookguard()
        .args(["sign", "--provider", "bindbee"])
        .env("WEBHOOK_SECRET", "")
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("WEBHOOK_SECRET is empty"));
    let missing = scratch_dir().join("no-such.key");
    hookguard()
        .args([
            "verify",
            "--provider",
            "bindbee",
            "--signature",
            "x",
            "--secret-file",
        ])
        .arg(&missing)
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such.key"));
}

#[test]
fn secret_env_names_another_variable() {
    let value = sign(&["--provider", "peopleforce"], BODY);
    hookguard()
        .args([
            "verify",
            "--provider",
            "peopleforce",
            "--secret-env",
            "PF_SECRET",
            "--signature",
            &value,
        ])
        .env("PF_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(0)
        .stdout("valid (key 0)\n");
}

#[test]
fn bad_usage_exits_2() {
    let cases: [&[&str]; 15] = [
        &["sign"],
        &[
            "sign",
            "--provider",
            "peopleforce",
            "--header",
            "X-Sig",
            "--encoding",
            "hex",
        ],
        &["sign", "--provider", "peopleforce", "--prefix", "v1="],
        &["sign", "--header", "X-Sig"],
        &["sign", "--encoding", "hex"],
        &["sign", "--provider", "gitlab"],
        &["sign", "--header", "X-Sig", "--encoding", "base32"],
        &["sign", "--provider", "bindbee", "--secret", "hunter2"],
        &[
            "sign",
            "--provider",
            "bindbee",
            "--secret-file",
            "a",
            "--secret-file",
            "b",
        ],
        &[
            "verify",
            "--provider",
            "bindbee",
            "--secret-env",
            "A",
            "--secret-file",
            "b",
            "--signature",
            "x",
        ],
        &["send", "--provider", "bindbee"],
        // -H takes `Name: value`.
        &["verify", "--provider", "bindbee", "-H", "no colon"],
        &["verify", "--provider", "bindbee", "-H", "X Sig: v"],
        &[
            "verify",
            "--provider",
            "svix",
            "-H",
            "svix-id: a",
            "--now",
            "soon",
        ],
        &[
            "verify",
            "--provider",
            "svix",
            "-H",
            "svix-id: a",
            "--tolerance",
            "-1",
        ],
    ];
    for args in cases {
        hookguard()
            .args(args)
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stdout("");
    }
}

#[test]
fn configuration_errors_found_after_parsing_exit_2() {
    // An id or a timestamp the scheme does not use or cannot carry, the signature header
    // given twice, an invalid custom header name, a bad URL, an unreadable body file.
    let cases: [(&[&str], &str); 6] = [
        (
            &["sign", "--provider", "peopleforce", "--id", "abc"],
            "--id",
        ),
        (
            &["sign", "--provider", "github", "--timestamp", "1"],
            "--timestamp",
        ),
        (&["sign", "--provider", "svix", "--id", "msg 1"], "svix-id"),
        (&["sign", "--provider", "svix", "--id", ""], "svix-id"),
        (
            &[
                "send",
                "--provider",
                "stripe",
                "--id",
                "evt_1",
                "--url",
                "http://127.0.0.1:9/",
            ],
            "--id",
        ),
        (
            &[
                "verify",
                "--provider",
                "bindbee",
                "--signature",
                "x",
                "-H",
                "x-bindbee-webhook-signature: x",
            ],
            "--signature",
        ),
    ];
    for (args, reason) in cases {
        hookguard()
            .args(args)
            .env(
                "WEBHOOK_SECRET",
                "whsec_A9Gjd2eTx/mLqkvvIK6JP8ozo0glOvlk4Ta+5bSGMMY=",
            )
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(reason));
    }
    hookguard()
        .args(["sign", "--header", "X Sig", "--encoding", "hex"])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("header name"));
    hookguard()
        .args(["send", "--provider", "bindbee", "--url", "not a url"])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--url"));
    hookguard()
        .args([
            "send",
            "--provider",
            "bindbee",
            "--url",
            "http://127.0.0.1:9/",
        ])
        .args(["--content-type", "application/json\n"])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--content-type"));
    for timeout in ["0", "86401", "-1", "soon"] {
        hookguard()
            .args([
                "send",
                "--provider",
                "bindbee",
                "--url",
                "http://127.0.0.1:9/",
            ])
            .args(["--timeout", timeout])
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(2);
    }
    hookguard()
        .args(["sign", "--provider", "bindbee", "--body-file"])
        .arg(scratch_dir().join("missing.json"))
        .env("WEBHOOK_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.json"));
}

#[test]
fn rotation_reports_which_secret_matched() {
    let dir = scratch_dir();
    let old = write_file(&dir, "old.key", b"old-secret\n");
    let new = write_file(&dir, "new.key", b"new-secret");
    let stranger = write_file(&dir, "stranger.key", b"stranger");
    let sign_with = |key: &Path| {
        let out = stdout_of(
            hookguard()
                .args(["sign", "--provider", "bindbee", "--secret-file"])
                .arg(key)
                .write_stdin(BODY),
        );
        header_lines(&out).swap_remove(0).1
    };
    let verify = |signature: &str| {
        let mut cmd = hookguard();
        cmd.args(["verify", "--provider", "bindbee", "--signature", signature])
            .arg("--secret-file")
            .arg(&old)
            .arg("--secret-file")
            .arg(&new)
            .write_stdin(BODY);
        cmd
    };
    verify(&sign_with(&old))
        .assert()
        .code(0)
        .stdout("valid (key 0)\n");
    verify(&sign_with(&new))
        .assert()
        .code(0)
        .stdout("valid (key 1)\n");
    verify(&sign_with(&stranger))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not match"));

    // The same with environment variables.
    let value = sign(&["--provider", "bindbee"], BODY);
    hookguard()
        .args(["verify", "--provider", "bindbee", "--signature", &value])
        .args(["--secret-env", "OLD", "--secret-env", "NEW"])
        .env("OLD", "old-secret")
        .env("NEW", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(0)
        .stdout("valid (key 1)\n");
}
