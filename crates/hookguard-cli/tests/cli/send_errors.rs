//! `send`'s refusals of a URL it cannot deliver to (exit 2, saying what to give instead)
//! and of a receiver that does not answer within `--timeout` (exit 1, naming the option).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::support::hookguard;
use crate::{BODY, SECRET};

#[test]
fn a_url_that_is_not_absolute_or_has_an_impossible_port_exits_2() {
    let cases = [
        ("http://127.0.0.1:99999/", "the port must be 1 to 65535"),
        ("http://127.0.0.1:0/hook", "the port must be 1 to 65535"),
        ("http://[::1]:70000/", "the port must be 1 to 65535"),
        (
            "127.0.0.1:4100/x",
            "give an absolute http:// or https:// URL",
        ),
        ("notaurl", "give an absolute http:// or https:// URL"),
        (
            "ftp://127.0.0.1/x",
            "give an absolute http:// or https:// URL",
        ),
    ];
    for (url, says) in cases {
        hookguard()
            .args(["send", "--provider", "bindbee", "--url", url])
            .env("WEBHOOK_SECRET", SECRET)
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("hookguard: invalid --url {url:?}: {says}\n"));
    }
}

#[test]
fn a_receiver_that_does_not_answer_in_time_is_named_with_the_timeout() {
    // Connections complete in the backlog, and nothing ever answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", silent.local_addr().unwrap());
    let started = Instant::now();
    hookguard()
        .args([
            "send",
            "--provider",
            "bindbee",
            "--timeout",
            "1",
            "--url",
            &url,
        ])
        .env("WEBHOOK_SECRET", SECRET)
        .write_stdin(BODY)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains(format!("delivery to {url} timed out after 1 s"))
                .and(predicate::str::contains("raise --timeout")),
        );
    assert!(started.elapsed() < Duration::from_secs(20));
    drop(silent);
}
