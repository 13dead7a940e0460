//! `hookguard send` against the axum example (`examples/axum_receiver.rs`): the example's own
//! router, served on a real socket, receives what the real binary sends.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

// The example is written against the `hookguard` facade, which re-exports the core.
extern crate hookguard_core as hookguard;

mod support;

#[path = "../../../examples/axum_receiver.rs"]
#[allow(
    dead_code,
    reason = "only the router is used here; `main` and its helpers serve `cargo run --example`"
)]
mod axum_receiver;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use assert_cmd::Command;
use hookguard_core::{Provider, Secret, Verifier};
use predicates::prelude::*;

const SECRET: &str = "axum-example-secret";
/// The seed's `employee_create` delivery (1259 bytes).
const SEED_LEN: usize = 1259;

/// The example's router (both webhook routes keyed with [`SECRET`]), served once for all
/// tests on an ephemeral port by a background thread.
fn example_url(path: &str) -> String {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    let addr = ADDR.get_or_init(|| {
        let verifier = |provider| Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap();
        let app = axum_receiver::app(
            verifier(Provider::PeopleForce),
            verifier(Provider::Bindbee),
            &hookguard_dedup::Dedup::in_memory(),
            std::sync::Arc::default(),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        addr
    });
    format!("http://{addr}{path}")
}

fn seed_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/employee_create.json")
}

/// `hookguard send --provider <provider> --url <the example's route>` with `secret` in
/// `WEBHOOK_SECRET`, and no proxy inherited from the environment running the tests.
fn send(provider: &str, route: &str, secret: &str) -> Command {
    let mut cmd = support::hookguard();
    cmd.env("WEBHOOK_SECRET", secret)
        .args(["send", "--provider", provider, "--url"])
        .arg(example_url(route));
    cmd
}

#[test]
fn seed_file_is_the_seed_delivery() {
    assert_eq!(std::fs::read(seed_file()).unwrap().len(), SEED_LEN);
}

#[test]
fn send_delivers_the_seed_to_both_routes_of_the_axum_example() {
    let expected = format!("200 OK\n{{\"action\":\"employee_create\",\"bytes\":{SEED_LEN}}}\n");
    for (provider, route) in [
        ("peopleforce", "/webhooks/peopleforce"),
        ("bindbee", "/webhooks/bindbee"),
    ] {
        send(provider, route, SECRET)
            .arg("--body-file")
            .arg(seed_file())
            .assert()
            .code(0)
            .stdout(expected.clone());
    }
}

#[test]
fn send_shows_that_a_copy_was_answered_as_a_duplicate() {
    // The example deduplicates: the same delivery sent again is not run, and `send` prints
    // the header that says so under the status line.
    let body = format!(
        r#"{{"action":"employee_create","data":{{"id":{}}}}}"#,
        std::process::id()
    );
    let first = send("peopleforce", "/webhooks/peopleforce", SECRET)
        .write_stdin(body.clone())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8(first)
        .unwrap()
        .contains("hookguard-duplicate"));
    send("peopleforce", "/webhooks/peopleforce", SECRET)
        .write_stdin(body)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "200 OK\nhookguard-duplicate: true\n",
        ));
}

#[test]
fn send_reads_the_body_from_stdin() {
    let body = r#"{"action":"employee_update","data":{"id":7}}"#;
    send("peopleforce", "/webhooks/peopleforce", SECRET)
        .write_stdin(body)
        .assert()
        .code(0)
        .stdout(format!(
            "200 OK\n{{\"action\":\"employee_update\",\"bytes\":{}}}\n",
            body.len()
        ));
}

#[test]
fn send_exits_1_when_the_axum_example_refuses_the_delivery() {
    // Signed with another secret, or with the other provider's scheme: 403, exit code 1.
    for (provider, route, secret) in [
        ("peopleforce", "/webhooks/peopleforce", "not-the-secret"),
        ("bindbee", "/webhooks/bindbee", "not-the-secret"),
        ("bindbee", "/webhooks/peopleforce", SECRET),
    ] {
        send(provider, route, secret)
            .arg("--body-file")
            .arg(seed_file())
            .assert()
            .code(1)
            .stdout(predicate::str::starts_with("403 Forbidden\n"))
            .stderr(predicate::str::contains("403"));
    }
}
