//! `send`: the signed body posted as it is, each provider's headers (the timestamp and
//! delivery id too), and the exit code for the receiver's answer or a refused connection.

use std::net::TcpListener;
use std::time::SystemTime;

use predicates::prelude::*;

use crate::one_shot::one_shot_server;
use crate::support::hookguard;
use crate::{header_args, scratch_dir, sign, sign_headers, write_file, BODY, GITHUB, SECRET};

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

#[test]
fn send_adds_every_header_of_timestamped_schemes() {
    const WHSEC: &str = "whsec_A9Gjd2eTx/mLqkvvIK6JP8ozo0glOvlk4Ta+5bSGMMY=";
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let fixed = ["--id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "--timestamp", &now];
    let cases: [(&str, &str, &[&str]); 3] = [
        ("svix", WHSEC, &fixed),
        ("slack", SECRET, &fixed[2..]),
        ("standard-webhooks", WHSEC, &[]),
    ];
    for (name, secret, extra) in cases {
        let (url, server) = one_shot_server("200 OK", "");
        hookguard()
            .args(["send", "--provider", name, "--url", &url])
            .args(extra)
            .env("WEBHOOK_SECRET", secret)
            .write_stdin(BODY)
            .assert()
            .code(0);
        let received = server.join().unwrap();
        assert_eq!(received.body, BODY);
        let signed = sign_headers(&[&["--provider", name], extra].concat(), secret, BODY);
        let sent: Vec<(String, String)> = signed
            .iter()
            .map(|(header, _)| {
                let got = received
                    .header(header)
                    .unwrap_or_else(|| panic!("{name}: no {header}"));
                (header.clone(), got.to_owned())
            })
            .collect();
        if !extra.is_empty() {
            // Given the same id and timestamp, send adds exactly what sign prints.
            assert_eq!(sent, signed, "{name}");
        }
        // What arrived verifies.
        hookguard()
            .args(["verify", "--provider", name])
            .args(header_args(&sent))
            .env("WEBHOOK_SECRET", secret)
            .write_stdin(BODY)
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("valid (key 0"));
    }
}
