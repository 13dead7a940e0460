//! End-to-end tests of the `hookguard` binary: sign/verify round trips, the Python-made
//! vectors, exit codes, rotation, and `send` against a one-shot HTTP server.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod support;

use std::io::{BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use hookguard_test_support::http::{read_request, ReceivedRequest};
use predicates::prelude::*;
use support::hookguard;

const SECRET: &str = "pf_whsec_test_secret";
const BODY: &[u8] = "{\"action\":\"employee_create\",\"name\":\"Zoë Ковалёва ✓\"}\n".as_bytes();
const GITHUB: [&str; 6] = [
    "--header",
    "X-Hub-Signature-256",
    "--encoding",
    "hex",
    "--prefix",
    "sha256=",
];

/// A fresh directory for one test's files.
fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "hookguard-cli-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(output).unwrap()
}

/// `hookguard sign` with the secret in `WEBHOOK_SECRET` and the body on stdin; the value.
fn sign(scheme: &[&str], body: &[u8]) -> String {
    let out = stdout_of(
        hookguard()
            .arg("sign")
            .args(scheme)
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(body),
    );
    out.strip_suffix('\n').unwrap().to_owned()
}

// ---------------------------------------------------------------- sign / verify round trips

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
        let from_file = stdout_of(
            hookguard()
                .arg("sign")
                .args(scheme)
                .arg("--body-file")
                .arg(&body_file)
                .env("WEBHOOK_SECRET", SECRET),
        );
        assert_eq!(from_file, format!("{from_stdin}\n"), "{scheme:?}");

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
fn header_line_prints_the_providers_header_name() {
    let cases: [(&[&str], &str); 3] = [
        (&["--provider", "peopleforce"], "X-PeopleForce-Signature"),
        (&["--provider", "bindbee"], "X-Bindbee-Webhook-Signature"),
        (&GITHUB, "X-Hub-Signature-256"),
    ];
    for (scheme, header) in cases {
        let value = sign(scheme, BODY);
        let line = stdout_of(
            hookguard()
                .args(["sign", "--header-line"])
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

// ---------------------------------------------------------------- known answers

#[test]
fn sign_reproduces_the_python_vectors() {
    let vectors = include_str!("../../../tests/vectors/vectors.tsv");
    let dir = scratch_dir();
    let mut checked = [0_usize; 3];
    for line in vectors
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, provider, secret_hex, body_hex, expected] = fields[..] else {
            panic!("malformed vector line: {line}");
        };
        let scheme: &[&str] = match provider {
            "peopleforce" => &["--provider", "peopleforce"],
            "bindbee" => &["--provider", "bindbee"],
            "github" => &GITHUB,
            other => panic!("unknown provider {other} in {name}"),
        };
        let secret = hex::decode(secret_hex).unwrap();
        assert!(
            !secret.ends_with(b"\n"),
            "{name}: a secret file would drop the newline"
        );
        let secret_file = write_file(&dir, &format!("{name}.key"), &secret);
        let body_file = write_file(
            &dir,
            &format!("{name}.body"),
            &hex::decode(body_hex).unwrap(),
        );

        let got = stdout_of(
            hookguard()
                .arg("sign")
                .args(scheme)
                .arg("--secret-file")
                .arg(&secret_file)
                .arg("--body-file")
                .arg(&body_file),
        );
        assert_eq!(got, format!("{expected}\n"), "{name}");

        hookguard()
            .arg("verify")
            .args(scheme)
            .args(["--signature", expected, "--secret-file"])
            .arg(&secret_file)
            .write_stdin(hex::decode(body_hex).unwrap())
            .assert()
            .code(0)
            .stdout("valid (key 0)\n");
        match provider {
            "peopleforce" => checked[0] += 1,
            "bindbee" => checked[1] += 1,
            _ => checked[2] += 1,
        }
    }
    assert!(
        checked[0] >= 5 && checked[1] >= 5 && checked[2] >= 1,
        "{checked:?}"
    );
}

// ---------------------------------------------------------------- exit codes

#[test]
fn forged_tampered_and_malformed_signatures_exit_1_with_the_reason() {
    let value = sign(&["--provider", "peopleforce"], BODY);
    let forged = format!("sha256={}", "0".repeat(64));
    let cases: [(&str, &[u8], &str); 4] = [
        (&forged, BODY, "does not match"),
        (
            &value,
            b"{\"action\":\"employee_delete\"}\n",
            "does not match",
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
    let cases: [&[&str]; 12] = [
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
        &["sign", "--provider", "github"],
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
        &["verify", "--provider", "bindbee"],
        &["send", "--provider", "bindbee"],
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
    // Config errors found after parsing exit 2 too: an invalid custom header name, a bad URL,
    // an unreadable body file.
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
        out.trim_end().to_owned()
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

// ---------------------------------------------------------------- send

/// Serves one request on 127.0.0.1 with `status` and `reply`, recording what arrived. The
/// thread panics (so `join` fails the test instead of hanging it) if no request arrives or
/// completes within 30 s.
fn one_shot_server(
    status: &'static str,
    reply: &'static str,
) -> (String, JoinHandle<ReceivedRequest>) {
    const PATIENCE: Duration = Duration::from_secs(30);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/webhooks/test", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + PATIENCE;
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "no request within {PATIENCE:?}");
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut reader = BufReader::new(stream);
        let received = read_request(&mut reader).unwrap();
        let mut stream = reader.into_inner();
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
            reply.len()
        )
        .unwrap();
        stream.flush().unwrap();
        received
    });
    (url, handle)
}

#[test]
fn send_posts_the_signed_body_and_exits_0_on_200() {
    let (url, server) = one_shot_server("200 OK", "accepted");
    let dir = scratch_dir();
    let body_file = write_file(&dir, "body.json", BODY);
    hookguard()
        .args([
            "send",
            "--provider",
            "peopleforce",
            "--url",
            &url,
            "--body-file",
        ])
        .arg(&body_file)
        .env("WEBHOOK_SECRET", SECRET)
        .assert()
        .code(0)
        .stdout("200 OK\naccepted\n");
    let received = server.join().unwrap();
    assert_eq!(received.request_line, "POST /webhooks/test HTTP/1.1");
    assert_eq!(received.header("content-type"), Some("application/json"));
    assert_eq!(
        received.header("X-PeopleForce-Signature"),
        Some(sign(&["--provider", "peopleforce"], BODY).as_str())
    );
    assert_eq!(
        received.body, BODY,
        "the exact bytes, trailing newline included"
    );
}

#[test]
fn send_reads_stdin_and_signs_like_each_provider() {
    let cases: [(&[&str], &str); 2] = [
        (&["--provider", "bindbee"], "X-Bindbee-Webhook-Signature"),
        (&GITHUB, "X-Hub-Signature-256"),
    ];
    for (scheme, header) in cases {
        let (url, server) = one_shot_server("204 No Content", "");
        hookguard()
            .arg("send")
            .args(scheme)
            .args(["--url", &url])
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(0)
            .stdout("204 No Content\n");
        let received = server.join().unwrap();
        assert_eq!(received.header(header), Some(sign(scheme, BODY).as_str()));
        assert_eq!(received.body, BODY);
    }
}

#[test]
fn send_exits_1_when_the_receiver_refuses() {
    let (url, server) = one_shot_server("403 Forbidden", "forbidden");
    hookguard()
        .args(["send", "--provider", "bindbee", "--url", &url])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(1)
        .stdout("403 Forbidden\nforbidden\n")
        .stderr(predicate::str::contains("403"));
    assert_eq!(server.join().unwrap().body, BODY);
}

#[test]
fn send_exits_1_when_the_connection_is_refused() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    hookguard()
        .args(["send", "--provider", "bindbee", "--timeout", "5"])
        .args(["--url", &format!("http://127.0.0.1:{port}/hook")])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("failed"));
}
