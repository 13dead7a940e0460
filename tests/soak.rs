//! Soak test: many concurrent requests over real loopback sockets at the same receiver on
//! both adapters, mixing valid deliveries with every kind of bad, hostile or broken
//! request. It asserts that
//!
//! * no bad request reaches the handler (0 false accepts),
//! * every valid delivery reaches the handler exactly once, byte for byte (0 lost or
//!   altered), with the key that signed it,
//! * every response has the status the behaviour table says,
//! * the server still answers afterwards,
//! * memory stays bounded (`VmRSS`/`VmHWM` of this process, which runs both servers).
//!
//! Size: `HOOKGUARD_SOAK_REQUESTS` per adapter (default 2 000, a few seconds). The full run
//! whose figures are in `docs/testing.md`:
//! `HOOKGUARD_SOAK_REQUESTS=100000 cargo test --release --test soak -- --nocapture`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::unreachable,
    reason = "test code fails loudly"
)]

mod support;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use hookguard::{Provider, Signer};
use support::http::{write_request, Body, Connection, Request};
use support::servers::{
    self, signer, Seen, Server, BB_CURRENT, BB_PREVIOUS, GH_SECRET, PF_SECRET, SMALL_LIMIT,
};

const SEED: &[u8] = include_bytes!("vectors/employee_create.json");
const MIB: usize = 1024 * 1024;
/// Client threads per adapter, each with its own keep-alive connection.
const CONCURRENCY: usize = 64;
const DEFAULT_REQUESTS: usize = 2_000;

/// What a request is, with its share of the mix (weights sum to 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    // Valid deliveries (60 %).
    ValidPeopleForce,
    ValidPeopleForceSeed,
    ValidChunked,
    ValidBindbeeCurrent,
    ValidBindbeePrevious,
    ValidGithub,
    ValidLenientNonUtf8,
    // Bad requests (40 %).
    Forged,
    Unsigned,
    Malformed,
    Tampered,
    NonUtf8,
    Duplicate,
    OversizeContentLength,
    OversizeChunked,
    SlowBody,
    Disconnect,
    BrokenChunked,
}

const MIX: [(Kind, u64); 18] = [
    (Kind::ValidPeopleForce, 20),
    (Kind::ValidPeopleForceSeed, 10),
    (Kind::ValidChunked, 9),
    (Kind::ValidBindbeeCurrent, 8),
    (Kind::ValidBindbeePrevious, 5),
    (Kind::ValidGithub, 5),
    (Kind::ValidLenientNonUtf8, 3),
    (Kind::Forged, 6),
    (Kind::Unsigned, 5),
    (Kind::Malformed, 5),
    (Kind::Tampered, 5),
    (Kind::NonUtf8, 3),
    (Kind::Duplicate, 3),
    (Kind::OversizeContentLength, 4),
    (Kind::OversizeChunked, 4),
    (Kind::SlowBody, 1),
    (Kind::Disconnect, 3),
    (Kind::BrokenChunked, 1),
];

/// Deterministic mixing so the kinds interleave without a pattern (splitmix64).
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn kind_of(i: usize) -> Kind {
    let mut pick = mix(i as u64) % 100;
    for (kind, weight) in MIX {
        if pick < weight {
            return kind;
        }
        pick -= weight;
    }
    unreachable!("weights sum to 100")
}

fn digest(bytes: &[u8]) -> (u64, usize) {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    (hasher.finish(), bytes.len())
}

struct Signers {
    pf: Signer,
    bb_current: Signer,
    bb_previous: Signer,
    github: Signer,
}

impl Signers {
    fn new() -> Signers {
        Signers {
            pf: signer(Provider::PeopleForce, PF_SECRET),
            bb_current: signer(Provider::Bindbee, BB_CURRENT),
            bb_previous: signer(Provider::Bindbee, BB_PREVIOUS),
            github: signer(servers::github(), GH_SECRET),
        }
    }
}

/// What must come of one request (kept for the whole run, so it holds no body: the
/// outcomes of 100 000 requests must not dominate the memory figures).
struct Planned {
    id: String,
    kind: Kind,
    /// Status the client must read; `None` for a client that hangs up.
    status: Option<u16>,
    /// For a valid delivery: the body's digest and the key that must be reported.
    delivery: Option<((u64, usize), &'static str)>,
}

fn unique_body(i: usize) -> Vec<u8> {
    format!(
        "{{\"action\":\"employee_update\",\"soak\":{i},\"pad\":\"{}\"}}",
        "x".repeat(i % 97)
    )
    .into_bytes()
}

#[allow(clippy::too_many_lines, reason = "one arm per kind of request")]
fn plan(adapter: &str, i: usize, signers: &Signers) -> (Request, Planned) {
    let kind = kind_of(i);
    let id = format!("{adapter}:{i}:{kind:?}");
    let body = unique_body(i);
    let pf = |b: &[u8]| ("X-PeopleForce-Signature".to_owned(), signers.pf.sign(b));
    let header = |name: &str, value: String| (name.to_owned(), value);
    let (path, headers, wire, status, delivery): (_, Vec<(String, String)>, _, _, _) = match kind {
        Kind::ValidPeopleForce => (
            "/peopleforce",
            vec![pf(&body)],
            Body::Fixed(body.clone()),
            Some(200),
            Some("#0"),
        ),
        Kind::ValidPeopleForceSeed => {
            let mut seed = format!("{{\"soak\":{i},\"delivery\":").into_bytes();
            seed.extend_from_slice(SEED);
            seed.push(b'}');
            (
                "/peopleforce",
                vec![pf(&seed)],
                Body::Fixed(seed),
                Some(200),
                Some("#0"),
            )
        }
        Kind::ValidChunked => {
            let (a, rest) = body.split_at(i % body.len());
            let (b, c) = rest.split_at(rest.len() / 2);
            (
                "/peopleforce",
                vec![pf(&body)],
                Body::Chunked(vec![a.to_vec(), b.to_vec(), c.to_vec()]),
                Some(200),
                Some("#0"),
            )
        }
        Kind::ValidBindbeeCurrent => (
            "/bindbee",
            vec![header(
                "X-Bindbee-Webhook-Signature",
                signers.bb_current.sign(&body),
            )],
            Body::Fixed(body.clone()),
            Some(200),
            Some("current"),
        ),
        Kind::ValidBindbeePrevious => (
            "/bindbee",
            vec![header(
                "x-bindbee-webhook-signature",
                signers.bb_previous.sign(&body),
            )],
            Body::Fixed(body.clone()),
            Some(200),
            Some("previous"),
        ),
        Kind::ValidGithub => (
            "/github",
            vec![header("X-Hub-Signature-256", signers.github.sign(&body))],
            Body::Fixed(body.clone()),
            Some(200),
            Some("#0"),
        ),
        Kind::ValidLenientNonUtf8 => {
            let mut bytes = body.clone();
            bytes.extend_from_slice(b"\xff\xfe");
            (
                "/lenient",
                vec![pf(&bytes)],
                Body::Fixed(bytes),
                Some(200),
                Some("#0"),
            )
        }
        Kind::Forged => {
            let forged = signer(Provider::PeopleForce, &format!("guess-{i}")).sign(&body);
            let path = if i.is_multiple_of(2) {
                "/peopleforce"
            } else {
                "/lenient"
            };
            (
                path,
                vec![header("X-PeopleForce-Signature", forged)],
                Body::Fixed(body),
                Some(403),
                None,
            )
        }
        Kind::Unsigned => {
            // No header at all, or another provider's valid header (still unsigned here).
            let (path, headers) = if i.is_multiple_of(2) {
                (["/peopleforce", "/bindbee", "/github"][i % 3], vec![])
            } else {
                ("/bindbee", vec![pf(&body)])
            };
            (path, headers, Body::Fixed(body), Some(403), None)
        }
        Kind::Malformed => {
            let good = signers.pf.sign(&body);
            let value = match i % 7 {
                0 => String::new(),
                1 => good.replacen("sha256=", "sha1=", 1),
                2 => good.trim_start_matches("sha256=").to_owned(),
                3 => format!("{good}00"),
                4 => format!("sha256={}", "zz".repeat(32)),
                5 => good[..good.len() - 1].to_owned(),
                _ => format!("sha256={}", "+/".repeat(32)),
            };
            (
                "/peopleforce",
                vec![header("X-PeopleForce-Signature", value)],
                Body::Fixed(body),
                Some(403),
                None,
            )
        }
        Kind::Tampered => {
            let signature = pf(&body);
            let mut tampered = body.clone();
            let at = i % tampered.len();
            tampered[at] ^= 0x01;
            (
                "/peopleforce",
                vec![signature],
                Body::Fixed(tampered),
                Some(403),
                None,
            )
        }
        Kind::NonUtf8 => {
            let mut bytes = body.clone();
            bytes.extend_from_slice(b"\xc3\x28");
            (
                "/peopleforce",
                vec![pf(&bytes)],
                Body::Fixed(bytes),
                Some(403),
                None,
            )
        }
        Kind::Duplicate => {
            let other = unique_body(i + 1);
            let second = if i.is_multiple_of(2) {
                pf(&body)
            } else {
                pf(&other)
            };
            (
                "/peopleforce",
                vec![pf(&body), second],
                Body::Fixed(body),
                Some(403),
                None,
            )
        }
        Kind::OversizeContentLength => {
            if i.is_multiple_of(2) {
                (
                    "/peopleforce",
                    vec![pf(b"")],
                    Body::DeclaredOnly(MIB + 1 + i),
                    Some(413),
                    None,
                )
            } else {
                let big = vec![b'a'; SMALL_LIMIT + 1 + i % 512];
                ("/small", vec![pf(&big)], Body::Fixed(big), Some(413), None)
            }
        }
        Kind::OversizeChunked => {
            let chunk = vec![b'a'; 700];
            let chunks = vec![chunk; 2 + i % 4];
            let signature = pf(&chunks.concat());
            (
                "/small",
                vec![signature],
                Body::Chunked(chunks),
                Some(413),
                None,
            )
        }
        Kind::SlowBody => (
            "/peopleforce",
            vec![pf(&body)],
            Body::Stalled {
                declared: body.len(),
                sent: body[..body.len() / 2].to_vec(),
            },
            Some(408),
            None,
        ),
        Kind::Disconnect => (
            "/peopleforce",
            vec![pf(&body)],
            Body::Stalled {
                declared: body.len(),
                sent: body[..body.len() / 3].to_vec(),
            },
            None,
            None,
        ),
        Kind::BrokenChunked => (
            "/peopleforce",
            vec![pf(b"{}")],
            Body::BrokenChunked(b"2\r\n{}\r\nzz\r\n".to_vec()),
            Some(400),
            None,
        ),
    };
    let mut headers = headers;
    headers.push(("X-Request-Id".to_owned(), id.clone()));
    let request = Request {
        path: path.to_owned(),
        headers,
        body: wire,
    };
    let delivery = delivery.map(|key| (digest(&request.body.bytes()), key));
    let planned = Planned {
        id,
        kind,
        status,
        delivery,
    };
    (request, planned)
}

/// Sends the head and part of the body, then hangs up without reading the response.
fn hang_up_mid_body(addr: SocketAddr, request: &Request) -> std::io::Result<()> {
    debug_assert!(
        matches!(request.body, Body::Stalled { .. }),
        "disconnects are planned as stalled bodies"
    );
    let mut stream = TcpStream::connect(addr)?;
    write_request(&mut stream, request)?;
    stream.shutdown(std::net::Shutdown::Both)
}

/// `VmRSS` and `VmHWM` of this process in KiB (0 where `/proc` is unavailable).
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets `VmHWM` to the current RSS (Linux `clear_refs` 5), so peaks are per phase.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The run's tally: counters and the first failures. It is all the run keeps, so its
/// size does not depend on the request count and the memory figures are the servers'.
struct Tally {
    requests: usize,
    valid: usize,
    false_accepts: usize,
    lost: usize,
    wrong_status: usize,
    per_kind: [usize; MIX.len()],
    failures: Vec<String>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            requests: 0,
            valid: 0,
            false_accepts: 0,
            lost: 0,
            wrong_status: 0,
            per_kind: [0; MIX.len()],
            failures: Vec::new(),
        }
    }

    fn fail(&mut self, message: String) {
        if self.failures.len() < 20 {
            self.failures.push(message);
        }
    }

    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.valid += other.valid;
        self.false_accepts += other.false_accepts;
        self.lost += other.lost;
        self.wrong_status += other.wrong_status;
        for (mine, theirs) in self.per_kind.iter_mut().zip(other.per_kind) {
            *mine += theirs;
        }
        for failure in other.failures {
            self.fail(failure);
        }
    }

    /// Checks one request against its plan, given the status the client read and what
    /// the handler saw for its id.
    fn check(&mut self, planned: &Planned, result: &Result<u16, String>, seen: &[Seen]) {
        self.requests += 1;
        self.per_kind[planned.kind as usize] += 1;
        let id = &planned.id;
        if let Some((sent, key)) = &planned.delivery {
            self.valid += 1;
            let intact = matches!(seen, [one] if digest(&one.body) == *sent && one.key == *key);
            if !intact || *result != Ok(200) {
                self.lost += 1;
                self.fail(format!(
                    "{id}: lost or altered: {result:?}, handler saw {seen:?}"
                ));
            }
            return;
        }
        if !seen.is_empty() || *result == Ok(200) {
            self.false_accepts += 1;
            self.fail(format!(
                "{id}: false accept: {result:?}, handler saw {seen:?}"
            ));
        }
        let status_ok = match (planned.status, result) {
            (None, Ok(_)) => true,
            (Some(expected), Ok(got)) => expected == *got,
            (_, Err(_)) => false,
        };
        if !status_ok {
            self.wrong_status += 1;
            self.fail(format!(
                "{id}: expected {:?}, got {result:?}",
                planned.status
            ));
        }
    }
}

/// Fires the requests in `range` from `CONCURRENCY` threads, each on its own keep-alive
/// connection (reopened after a rejection or error), and checks each one as it completes:
/// the handler has run (or not) by the time the response is read, so its record for the
/// request is taken right then. Returns the tally and the most requests seen in flight.
fn fire(server: &Server, range: std::ops::Range<usize>, signers: &Signers) -> (Tally, usize) {
    let in_flight = AtomicUsize::new(0);
    let max_in_flight = AtomicUsize::new(0);
    let mut tally = Tally::new();
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..CONCURRENCY)
            .map(|thread| {
                let (range, in_flight, max_in_flight) = (range.clone(), &in_flight, &max_in_flight);
                scope.spawn(move || {
                    let mut tally = Tally::new();
                    let mut connection: Option<Connection> = None;
                    for i in range.filter(|i| i % CONCURRENCY == thread) {
                        let (request, planned) = plan(server.name, i, signers);
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        max_in_flight.fetch_max(now, Ordering::SeqCst);
                        let result = if planned.kind == Kind::Disconnect {
                            hang_up_mid_body(server.addr, &request)
                                .map(|()| 0)
                                .map_err(|e| e.to_string())
                        } else {
                            let sent = match connection.take() {
                                Some(mut open) => open.send(&request).map(|r| (r, open)),
                                None => Connection::open(server.addr)
                                    .and_then(|mut fresh| fresh.send(&request).map(|r| (r, fresh))),
                            };
                            match sent {
                                Ok((response, open)) => {
                                    if response.status == 200 && response.body == b"ok" {
                                        connection = Some(open);
                                    }
                                    Ok(response.status)
                                }
                                Err(e) => Err(e.to_string()),
                            }
                        };
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        let seen = server.recorder.take(&planned.id);
                        tally.check(&planned, &result, &seen);
                    }
                    tally
                })
            })
            .collect();
        for thread in threads {
            tally.merge(thread.join().unwrap());
        }
    });
    (tally, max_in_flight.into_inner())
}

fn soak(server: &Server, requests: usize, signers: &Signers) {
    let started = Instant::now();
    // Warm-up (allocator pools, thread stacks, connection buffers), then the measured run.
    let warm_up = (requests / 20).clamp(CONCURRENCY, 2_000).min(requests);
    let (rss_start, _) = memory_kib();
    let (mut tally, _) = fire(server, 0..warm_up, signers);
    reset_peak();
    let (rss_warm, _) = memory_kib();
    let (rest, max_in_flight) = fire(server, warm_up..requests, signers);
    tally.merge(rest);
    // Anything the handler ran for and no client took: a refused or hung-up request that
    // reached the handler late. Give such runs time to happen first.
    std::thread::sleep(servers::READ_TIMEOUT * 2);
    for (id, seen) in server.recorder.drain() {
        tally.false_accepts += seen.len();
        tally.fail(format!("{id}: handler ran late: {seen:?}"));
    }
    let (rss_end, hwm) = memory_kib();

    // Still answering, and still verifying, after the storm.
    let mut after = Connection::open(server.addr).unwrap();
    let health = after
        .send(&Request {
            path: "/health".into(),
            headers: vec![],
            body: Body::Fixed(vec![]),
        })
        .unwrap();
    assert_eq!(
        health.status, 200,
        "{}: /health after the soak",
        server.name
    );
    let body = unique_body(requests);
    let id = format!("{}:after", server.name);
    let response = after
        .send(&Request {
            path: "/peopleforce".into(),
            headers: vec![
                ("X-PeopleForce-Signature".into(), signers.pf.sign(&body)),
                ("X-Request-Id".into(), id.clone()),
            ],
            body: Body::Fixed(body.clone()),
        })
        .unwrap();
    assert_eq!(
        response.status, 200,
        "{}: delivery after the soak",
        server.name
    );
    assert_eq!(server.recorder.take(&id).len(), 1);

    let per_kind: Vec<(Kind, usize)> = MIX
        .iter()
        .map(|(kind, _)| (*kind, tally.per_kind[*kind as usize]))
        .collect();
    println!(
        "soak {}: {} requests ({} valid) in {:.1} s, concurrency {} (max in flight {}), \
         false accepts {}, lost/altered deliveries {}, wrong statuses {}, \
         RSS start {} KiB, after warm-up {} KiB, end {} KiB, peak after warm-up {} KiB\n  mix: {per_kind:?}",
        server.name,
        tally.requests,
        tally.valid,
        started.elapsed().as_secs_f64(),
        CONCURRENCY,
        max_in_flight,
        tally.false_accepts,
        tally.lost,
        tally.wrong_status,
        rss_start,
        rss_warm,
        rss_end,
        hwm,
    );
    assert!(
        tally.failures.is_empty(),
        "{}: {} false accepts, {} lost, {} wrong statuses; first failures:\n{}",
        server.name,
        tally.false_accepts,
        tally.lost,
        tally.wrong_status,
        tally.failures.join("\n")
    );
    assert_eq!(tally.requests, requests);
    // Bounded memory: the run keeps nothing per request, so after warm-up the process may
    // grow by allocator slack, never with the request count. (The servers hold at most
    // CONCURRENCY bodies of at most the limit at once.)
    let growth_kib = rss_end.saturating_sub(rss_warm);
    assert!(
        growth_kib < 32 * 1024,
        "{}: RSS grew by {growth_kib} KiB after warm-up",
        server.name
    );
    assert!(hwm < 256 * 1024, "{}: peak RSS {hwm} KiB", server.name);
}

#[test]
fn soak_both_adapters_with_faults() {
    let requests: usize = std::env::var("HOOKGUARD_SOAK_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_REQUESTS);
    let signers = Signers::new();
    // Every kind of request appears even in the small run.
    let kinds: std::collections::HashSet<Kind> = (0..requests).map(kind_of).collect();
    assert_eq!(
        kinds.len(),
        MIX.len(),
        "{requests} requests do not cover the mix"
    );
    // One adapter at a time, so each one's memory figures are its own.
    for start in [servers::start_axum, servers::start_actix] {
        let server = start();
        soak(&server, requests, &signers);
    }
}
