//! The cross-adapter conformance suite: ONE table of cases, run over real sockets against
//! the same receiver on axum (`hookguard-tower`) and on actix-web (`hookguard-actix`). Each
//! case states the status and whether the handler ran. When it ran, it saw exactly the bytes
//! sent, the extractor reported the route's provider and the key that matched, and the
//! handler's response came through; when it did not, the response is the default rejection
//! (the same short, generic text on both). Both adapters must meet every row.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

mod support;

#[path = "conformance/case.rs"]
mod case;
#[path = "conformance/delivered.rs"]
mod delivered;
#[path = "conformance/drip.rs"]
mod drip;
#[path = "conformance/expect.rs"]
mod expect;
#[path = "conformance/headers.rs"]
mod headers;
#[path = "conformance/refused_body.rs"]
mod refused_body;
#[path = "conformance/refused_head.rs"]
mod refused_head;
#[path = "conformance/refused_signature.rs"]
mod refused_signature;
#[path = "conformance/schemes.rs"]
mod schemes;

use std::sync::OnceLock;

use case::Row;
use drip::dripped;
use expect::{key_index, provider_of, rejection_body};
use hookguard::Provider;
use support::http::{send, Body, Connection, Request};
use support::servers::{self, signed, Server, PF_SECRET, READ_TIMEOUT};

fn servers() -> &'static [Server; 2] {
    static SERVERS: OnceLock<[Server; 2]> = OnceLock::new();
    SERVERS.get_or_init(|| [servers::start_axum(), servers::start_actix()])
}

/// The table: every row both adapters must meet, one module per outcome (delivered,
/// refused for the signature, refused from the head, refused for how the body comes), then
/// the rows of each HMAC preset with a delivery id or a timestamp.
fn cases() -> Vec<Row> {
    [
        delivered::rows(),
        refused_signature::rows(),
        refused_head::rows(),
        refused_body::rows(),
    ]
    .into_iter()
    .flatten()
    .map(Row::from)
    .chain(schemes::rows())
    .collect()
}

#[test]
fn both_adapters_meet_every_case() {
    let mut failures = Vec::new();
    let mut rows = 0;
    for case in cases() {
        let sent = case.body.bytes();
        for server in servers() {
            rows += 1;
            let id = format!("{}:{}", server.name, case.name);
            let mut headers = case.headers.clone();
            headers.push(("X-Request-Id".into(), id.clone()));
            let request = Request {
                path: case.path.into(),
                headers,
                body: case.body.clone(),
            };
            let response = match send(server.addr, &request) {
                Ok(response) => response,
                Err(error) => {
                    failures.push(format!("{id}: transport error {error}"));
                    continue;
                }
            };
            let got = response.status;
            let seen = server.recorder.seen(&id);
            if got != case.status {
                failures.push(format!("{id}: status {got}, expected {}", case.status));
            }
            match (case.handler_key, seen.as_slice()) {
                (None, []) => {
                    let expected = rejection_body(case.status);
                    if expected.is_some_and(|text| response.body != text.as_bytes()) {
                        failures.push(format!(
                            "{id}: rejection body {:?}, expected {expected:?}",
                            String::from_utf8_lossy(&response.body)
                        ));
                    }
                }
                (None, _) => failures.push(format!("{id}: handler ran but must not")),
                (Some(key), [one]) => {
                    if response.body != b"ok" {
                        failures.push(format!("{id}: the handler's response did not come through"));
                    }
                    if (one.provider.as_str(), one.key_index)
                        != (provider_of(case.path).as_str(), key_index(key))
                    {
                        failures.push(format!(
                            "{id}: extractor reported {} key {} (#{}), expected {} key {key} (#{})",
                            one.provider,
                            one.key,
                            one.key_index,
                            provider_of(case.path),
                            key_index(key)
                        ));
                    }
                    if one.body != sent {
                        failures.push(format!(
                            "{id}: handler saw {} bytes, {} were sent",
                            one.body.len(),
                            sent.len()
                        ));
                    }
                    if one.key != key {
                        failures.push(format!("{id}: key {}, expected {key}", one.key));
                    }
                    if one.delivery_id != case.delivery_id {
                        failures.push(format!(
                            "{id}: delivery id {:?}, expected {:?}",
                            one.delivery_id, case.delivery_id
                        ));
                    }
                }
                (Some(_), other) => failures.push(format!(
                    "{id}: handler ran {} times, expected once",
                    other.len()
                )),
            }
        }
    }
    assert!(rows >= 250, "the table lost rows: {rows}");
    assert!(
        failures.is_empty(),
        "{} of {rows} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn keep_alive_connection_carries_several_deliveries_and_rejections() {
    for server in servers() {
        let mut connection = Connection::open(server.addr).unwrap();
        let bodies: Vec<Vec<u8>> = (0..4)
            .map(|i| format!("{{\"action\":\"employee_update\",\"n\":{i}}}").into_bytes())
            .collect();
        for (i, body) in bodies.iter().enumerate() {
            let id = format!("{}:keep-alive-{i}", server.name);
            // The third delivery is forged; the connection must still carry the fourth.
            let secret = if i == 2 { "forged" } else { PF_SECRET };
            let headers = vec![
                signed(Provider::PeopleForce, secret, body),
                ("X-Request-Id".into(), id.clone()),
            ];
            let request = Request {
                path: "/peopleforce".into(),
                headers,
                body: Body::Fixed(body.clone()),
            };
            let response = connection.send(&request).unwrap();
            let seen = server.recorder.seen(&id);
            if i == 2 {
                assert_eq!(response.status, 403, "{id}");
                assert!(seen.is_empty(), "{id}: handler ran");
            } else {
                assert_eq!(response.status, 200, "{id}");
                assert_eq!(seen.len(), 1, "{id}");
                assert_eq!(seen[0].body, *body, "{id}");
            }
        }
    }
}

#[test]
fn health_is_not_protected() {
    for server in servers() {
        let request = Request {
            path: "/health".into(),
            headers: vec![],
            body: Body::Fixed(vec![]),
        };
        let response = send(server.addr, &request).unwrap();
        assert_eq!(
            (response.status, response.body.as_slice()),
            (200, &b"ok"[..]),
            "{}",
            server.name
        );
    }
}

#[test]
fn other_methods_get_405_with_allow_post_and_never_reach_the_handler() {
    let mut failures = Vec::new();
    for server in servers() {
        for method in ["GET", "HEAD", "PUT"] {
            for path in ["/peopleforce", "/bindbee"] {
                let id = format!("{}:{method} {path}", server.name);
                let mut connection = Connection::open(server.addr).unwrap();
                let head = format!(
                    "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: {id}\r\n\r\n"
                );
                connection.write_raw(head.as_bytes()).unwrap();
                let response = if method == "HEAD" {
                    connection.read_head_response()
                } else {
                    connection.read_response()
                };
                let response = match response {
                    Ok(response) => response,
                    Err(error) => {
                        failures.push(format!("{id}: transport error {error}"));
                        continue;
                    }
                };
                if response.status != 405 {
                    failures.push(format!("{id}: status {}, expected 405", response.status));
                }
                if response.header("allow") != ["POST"] {
                    failures.push(format!("{id}: Allow {:?}", response.header("allow")));
                }
                if !server.recorder.seen(&id).is_empty() {
                    failures.push(format!("{id}: handler ran but must not"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn read_timeout_is_one_deadline_for_the_whole_body_on_both_adapters() {
    let gap = READ_TIMEOUT / 4;
    for server in servers() {
        // Every wait is a quarter of the timeout, but the whole body takes three times it:
        // refused with 408 once the deadline passes, not when the body ends.
        let id = format!("{}:slow drip", server.name);
        let (status, elapsed) = dripped(server, &id, 12, gap);
        assert_eq!(status, 408, "{id}");
        assert!(
            elapsed >= READ_TIMEOUT && elapsed < gap * 10,
            "{id}: answered after {elapsed:?}"
        );
        assert!(server.recorder.seen(&id).is_empty(), "{id}: handler ran");

        // The same drip that ends within the deadline is delivered.
        let id = format!("{}:short drip", server.name);
        let (status, _) = dripped(server, &id, 2, gap);
        assert_eq!(status, 200, "{id}");
        assert_eq!(server.recorder.bodies(&id), [b"xx".to_vec()], "{id}");
    }
}
