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

use std::io::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use hookguard::Provider;
use support::http::{send, Body, Connection, Request};
use support::servers::{
    self, signed, Server, BB_CURRENT, BB_PREVIOUS, GH_SECRET, PF_SECRET, READ_TIMEOUT, SMALL_LIMIT,
};

const SEED: &[u8] = include_bytes!("vectors/employee_create.json");
const MIB: usize = 1024 * 1024;
/// `{"action":"employee_create","id":1}`, the JSON [`GZIPPED`] holds.
const JSON: &[u8] = br#"{"action":"employee_create","id":1}"#;
/// [`JSON`] compressed with gzip (Python's `gzip.compress(JSON, mtime=0)`).
const GZIPPED: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x4a\x4c\x2e\xc9\
    \xcc\xcf\x53\xb2\x52\x4a\xcd\x2d\xc8\xc9\xaf\x4c\x4d\x8d\x4f\x2e\
    \x4a\x4d\x2c\x49\x55\xd2\x51\xca\x4c\x51\xb2\x32\xac\x05\x00\x09\
    \x9a\x10\xab\x23\x00\x00\x00";

fn servers() -> &'static [Server; 2] {
    static SERVERS: OnceLock<[Server; 2]> = OnceLock::new();
    SERVERS.get_or_init(|| [servers::start_axum(), servers::start_actix()])
}

type Headers = Vec<(String, String)>;

fn pf(body: &[u8]) -> Headers {
    vec![signed(Provider::PeopleForce, PF_SECRET, body)]
}

fn bb_current(body: &[u8]) -> Headers {
    vec![signed(Provider::Bindbee, BB_CURRENT, body)]
}

fn bb_previous(body: &[u8]) -> Headers {
    vec![signed(Provider::Bindbee, BB_PREVIOUS, body)]
}

/// `headers` plus `Content-Encoding: coding`.
fn encoded(coding: &str, mut headers: Headers) -> Headers {
    headers.push(("Content-Encoding".to_owned(), coding.to_owned()));
    headers
}

fn pf_header(value: &str) -> Headers {
    vec![("X-PeopleForce-Signature".to_owned(), value.to_owned())]
}

fn bb_header(value: &str) -> Headers {
    vec![("X-Bindbee-Webhook-Signature".to_owned(), value.to_owned())]
}

/// PeopleForce's signature of [`SEED`]: `sha256=` and 64 hex digits.
fn pf_seed() -> String {
    signed(Provider::PeopleForce, PF_SECRET, SEED).1
}

/// Bindbee's signature of [`SEED`] with the current key: 43 URL-safe base64 digits and `=`.
fn bb_seed() -> String {
    signed(Provider::Bindbee, BB_CURRENT, SEED).1
}

/// A row refused on its signature header alone, before the body is read: only the head
/// goes out (`Content-Length` of the seed, no body), so an adapter that waited for the body
/// would answer 408 at the read timeout, not 403.
fn refused_before_body(
    name: &'static str,
    path: &'static str,
    headers: fn(&[u8]) -> Headers,
) -> Case {
    Case {
        name,
        path,
        body: Body::DeclaredOnly(SEED.len()),
        headers,
        status: 403,
        handler_key: None,
    }
}

/// One row: what is sent and what must happen.
struct Case {
    name: &'static str,
    path: &'static str,
    body: Body,
    headers: fn(&[u8]) -> Headers,
    status: u16,
    /// `Some(key)` when the handler must run and report that key; `None` when it must not run.
    handler_key: Option<&'static str>,
}

#[allow(clippy::too_many_lines, reason = "one table, one row per case")]
fn cases() -> Vec<Case> {
    let fixed = |bytes: &[u8]| Body::Fixed(bytes.to_vec());
    let non_utf8 = b"{\"name\":\"\xff\xfe\"}";
    vec![
        Case {
            name: "peopleforce: seed employee_create",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "bindbee: current key",
            path: "/bindbee",
            body: fixed(SEED),
            headers: bb_current,
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "bindbee: previous key (rotation)",
            path: "/bindbee",
            body: fixed(b"{\"event\":\"sync_completed\"}"),
            headers: bb_previous,
            status: 200,
            handler_key: Some("previous"),
        },
        Case {
            name: "bindbee: unknown key",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |b| vec![signed(Provider::Bindbee, "bb_revoked", b)],
            status: 403,
            handler_key: None,
        },
        Case {
            name: "custom github-style provider",
            path: "/github",
            body: fixed(b"Hello, World!"),
            headers: |b| vec![signed(servers::github(), GH_SECRET, b)],
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "header name lowercase",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n.to_lowercase(), v))
                    .collect()
            },
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "header name uppercase",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |b| {
                bb_current(b)
                    .into_iter()
                    .map(|(n, v)| (n.to_uppercase(), v))
                    .collect()
            },
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "non-ASCII UTF-8 body",
            path: "/peopleforce",
            body: fixed("{\"first_name\":\"Zoë\",\"city\":\"Київ\"}".as_bytes()),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "empty body, signed",
            path: "/bindbee",
            body: fixed(b""),
            headers: bb_current,
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "chunked body, several chunks",
            path: "/peopleforce",
            body: Body::Chunked(SEED.chunks(100).map(<[u8]>::to_vec).collect()),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "body exactly at the limit",
            path: "/small",
            body: fixed(&[b'x'; SMALL_LIMIT]),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "non-UTF-8 body allowed when turned off",
            path: "/lenient",
            body: fixed(non_utf8),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "header missing",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |_| vec![],
            status: 403,
            handler_key: None,
        },
        Case {
            name: "another provider's header",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: bb_current,
            status: 403,
            handler_key: None,
        },
        Case {
            name: "header empty",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |_| pf_header(""),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "wrong prefix",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n, v.replace("sha256=", "sha1=")))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "prefix missing",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n, v.replace("sha256=", "")))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "wrong length",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n, v[..70].to_owned()))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "not hex",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |_| pf_header(&format!("sha256={}", "zz".repeat(32))),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "not base64url",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |_| {
                vec![(
                    "X-Bindbee-Webhook-Signature".into(),
                    format!("{}=", "*".repeat(43)),
                )]
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "bindbee unpadded",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |b| {
                bb_current(b)
                    .into_iter()
                    .map(|(n, v)| (n, v.trim_end_matches('=').to_owned()))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "forged signature",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| vec![signed(Provider::PeopleForce, "attacker-guess", b)],
            status: 403,
            handler_key: None,
        },
        Case {
            name: "tampered body",
            path: "/peopleforce",
            body: fixed(&SEED.to_ascii_uppercase()),
            headers: |_| pf(SEED),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "duplicate signature headers",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| [pf(b), pf(b)].concat(),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "non-UTF-8 body",
            path: "/peopleforce",
            body: fixed(non_utf8),
            headers: pf,
            status: 403,
            handler_key: None,
        },
        Case {
            name: "oversize by Content-Length (1 MiB default)",
            path: "/peopleforce",
            body: Body::DeclaredOnly(MIB + 1),
            headers: |_| pf(b"{}"),
            status: 413,
            handler_key: None,
        },
        Case {
            name: "oversize by Content-Length (1 KiB route)",
            path: "/small",
            body: Body::DeclaredOnly(SMALL_LIMIT + 1),
            headers: |_| pf(b"{}"),
            status: 413,
            handler_key: None,
        },
        Case {
            name: "oversize chunked, no Content-Length",
            path: "/small",
            body: Body::Chunked(vec![vec![b'x'; 700]; 2]),
            headers: pf,
            status: 413,
            handler_key: None,
        },
        Case {
            name: "512 KiB delivery, under the 1 MiB limit",
            path: "/peopleforce",
            body: fixed(
                &SEED
                    .iter()
                    .copied()
                    .cycle()
                    .take(512 * 1024)
                    .collect::<Vec<u8>>(),
            ),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "broken chunked framing",
            path: "/peopleforce",
            body: Body::BrokenChunked(b"10\r\n{\"action\":\"x\"}\r\nzz\r\n".to_vec()),
            headers: |_| pf(b"{\"action\":\"x\"}"),
            status: 400,
            handler_key: None,
        },
        Case {
            name: "body stalls past the read timeout",
            path: "/peopleforce",
            body: Body::Stalled {
                declared: 100,
                sent: b"{\"action\":".to_vec(),
            },
            headers: |_| pf(b"{}"),
            status: 408,
            handler_key: None,
        },
        Case {
            name: "gzip body, signed over the JSON before compression",
            path: "/peopleforce",
            body: fixed(GZIPPED),
            headers: |_| encoded("gzip", pf(JSON)),
            status: 415,
            handler_key: None,
        },
        Case {
            name: "br coding, signed over the bytes sent, not opted in",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| encoded("br", pf(b)),
            status: 415,
            handler_key: None,
        },
        Case {
            name: "Content-Encoding: identity",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| encoded("identity", pf(b)),
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "gzip body signed as sent, opted in: the encoded bytes arrive",
            path: "/encoded",
            body: fixed(GZIPPED),
            headers: |b| encoded("gzip", pf(b)),
            status: 200,
            handler_key: Some("#0"),
        },
        refused_before_body(
            "before the body: header missing",
            "/peopleforce",
            |_| vec![],
        ),
        refused_before_body("before the body: header empty", "/peopleforce", |_| {
            pf_header("")
        }),
        refused_before_body("before the body: header blank", "/peopleforce", |_| {
            pf_header("   ")
        }),
        refused_before_body("before the body: garbage", "/peopleforce", |_| {
            pf_header("garbage")
        }),
        refused_before_body("before the body: wrong prefix", "/peopleforce", |_| {
            pf_header(&pf_seed().replace("sha256=", "sha1="))
        }),
        refused_before_body("before the body: prefix missing", "/peopleforce", |_| {
            pf_header(pf_seed().trim_start_matches("sha256="))
        }),
        refused_before_body("before the body: too short", "/peopleforce", |_| {
            pf_header(&pf_seed()[..47])
        }),
        refused_before_body("before the body: too long", "/peopleforce", |_| {
            pf_header(&format!("{}00", pf_seed()))
        }),
        refused_before_body("before the body: not hex", "/peopleforce", |_| {
            pf_header(&format!("sha256={}", "zz".repeat(32)))
        }),
        refused_before_body("before the body: duplicated", "/peopleforce", |_| {
            [pf(SEED), pf(SEED)].concat()
        }),
        refused_before_body(
            "before the body: another provider's header",
            "/peopleforce",
            |_| bb_current(SEED),
        ),
        refused_before_body("before the body: bindbee missing", "/bindbee", |_| vec![]),
        refused_before_body("before the body: bindbee empty", "/bindbee", |_| {
            bb_header("")
        }),
        refused_before_body("before the body: bindbee unpadded", "/bindbee", |_| {
            bb_header(bb_seed().trim_end_matches('='))
        }),
        refused_before_body("before the body: bindbee padded twice", "/bindbee", |_| {
            bb_header(&format!("{}==", &bb_seed()[..42]))
        }),
        refused_before_body("before the body: bindbee too short", "/bindbee", |_| {
            bb_header("AAAA")
        }),
        refused_before_body("before the body: not base64url", "/bindbee", |_| {
            bb_header(&format!("{}=", "!".repeat(43)))
        }),
        refused_before_body(
            "before the body: standard base64 alphabet",
            "/bindbee",
            |_| bb_header(&format!("{}=", "+".repeat(43))),
        ),
        refused_before_body("before the body: bindbee duplicated", "/bindbee", |_| {
            [bb_current(SEED), bb_current(SEED)].concat()
        }),
        Case {
            name: "bindbee: body altered by one byte",
            path: "/bindbee",
            body: fixed(
                &SEED
                    .iter()
                    .enumerate()
                    .map(|(i, b)| if i == 10 { b ^ 1 } else { *b })
                    .collect::<Vec<u8>>(),
            ),
            headers: |_| bb_current(SEED),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "chunked, split inside UTF-8 characters, mixed-case header name",
            path: "/bindbee",
            body: Body::Chunked(
                "{\"first_name\":\"Zoë\",\"city\":\"Київ\"}"
                    .as_bytes()
                    .chunks(3)
                    .map(<[u8]>::to_vec)
                    .collect(),
            ),
            headers: |b| {
                bb_current(b)
                    .into_iter()
                    .map(|(_, v)| ("x-BINDBEE-webhook-SIGNATURE".to_owned(), v))
                    .collect()
            },
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "chunked body exactly at the limit",
            path: "/small",
            body: Body::Chunked(vec![vec![b'x'; SMALL_LIMIT / 4]; 4]),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "body exactly at the 1 MiB default limit",
            path: "/peopleforce",
            body: fixed(&vec![b'x'; MIB]),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "client hangs up mid-body",
            path: "/peopleforce",
            body: Body::Truncated {
                declared: SEED.len(),
                sent: SEED[..100].to_vec(),
            },
            headers: |_| pf(SEED),
            status: 400,
            handler_key: None,
        },
    ]
}

/// The provider each route of `tests/support/servers.rs` is keyed for, as `Display` spells it.
fn provider_of(path: &str) -> String {
    match path {
        "/bindbee" => Provider::Bindbee.to_string(),
        "/github" => servers::github().to_string(),
        _ => Provider::PeopleForce.to_string(),
    }
}

/// The position of the key labelled `key` (`#n` when unlabelled) in its route's verifier.
fn key_index(key: &str) -> usize {
    match key {
        "current" => 0,
        "previous" => 1,
        numbered => numbered
            .strip_prefix('#')
            .and_then(|n| n.parse().ok())
            .unwrap(),
    }
}

/// The default rejection's body for each status the adapters answer themselves: short,
/// generic, the same on both.
fn rejection_body(status: u16) -> Option<&'static str> {
    match status {
        400 => Some("Bad Request"),
        403 => Some("Forbidden"),
        408 => Some("Request Timeout"),
        413 => Some("Payload Too Large"),
        415 => Some("Unsupported Media Type"),
        _ => None,
    }
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
            let mut headers = (case.headers)(&sent);
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
                }
                (Some(_), other) => failures.push(format!(
                    "{id}: handler ran {} times, expected once",
                    other.len()
                )),
            }
        }
    }
    assert!(rows >= 118, "the table lost rows");
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

/// Sends a signed delivery of `pieces` one-byte pieces, `gap` apart, on one connection
/// (written from a second thread), and returns the status and how long it took to come.
fn dripped(server: &Server, id: &str, pieces: usize, gap: Duration) -> (u16, Duration) {
    let body = vec![b'x'; pieces];
    let (name, value) = signed(hookguard::Provider::PeopleForce, PF_SECRET, &body);
    let mut connection = Connection::open(server.addr).unwrap();
    let head = format!(
        "POST /peopleforce HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: {id}\r\n{name}: {value}\r\n\
         Content-Length: {pieces}\r\n\r\n"
    );
    let mut writer = connection.writer().unwrap();
    let started = Instant::now();
    let drip = std::thread::spawn(move || {
        writer.write_all(head.as_bytes())?;
        for byte in body {
            std::thread::sleep(gap);
            writer.write_all(&[byte])?;
        }
        Ok::<(), std::io::Error>(())
    });
    let status = connection.read_response().unwrap().status;
    let elapsed = started.elapsed();
    // The writer fails once the server has answered and closed; that is expected.
    let _ = drip.join().unwrap();
    (status, elapsed)
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
