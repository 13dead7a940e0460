//! Soak through the proxy: many concurrent mixed requests, valid and hostile, while the
//! upstream answers errors, answers too late, and is killed and restarted. It asserts that
//!
//! * no refused request ever reaches the upstream (0 forged forwarded),
//! * every valid delivery the upstream answered was recorded exactly once, byte for byte,
//!   with the key that signed it (0 lost or altered); a valid delivery is otherwise
//!   answered 502 or 504, which tells its sender to retry, and is never refused,
//! * every response has the status expected for its kind.
//!
//! Size: `HOOKGUARD_PROXY_SOAK_REQUESTS` (default 2 000, a few seconds). The full run:
//! `HOOKGUARD_PROXY_SOAK_REQUESTS=100000 cargo test --release -p hookguard-proxy --test soak -- --nocapture`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

// The workspace's scheme routes name the core `hookguard`, as the facade re-exports it.
extern crate hookguard_core as hookguard;

mod support;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use support::http::{Body, Connection, Request};
use support::{config, now, preset_routes, RunningProxy, TestRoute, Upstream};

/// For each request number, every (body, `Hookguard-Key-Id`) the upstream recorded.
type Records = HashMap<usize, Vec<(Vec<u8>, String)>>;

/// Client threads, each with its own keep-alive connection.
const CONCURRENCY: usize = 32;
/// Requests per upstream restart: the upstream is killed and restarted once per this many
/// (at least once a run).
const REQUESTS_PER_RESTART: usize = 20_000;

/// What a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Valid,
    ValidPreviousKey,
    ValidUpstreamError,
    ValidUpstreamSlow,
    Forged,
    Unsigned,
    Tampered,
    Oversize,
    Stale,
    ClientKeyId,
    UnknownPath,
}

/// The kind of request `n` (deterministic, interleaved): 60 % valid.
fn kind_of(n: usize) -> Kind {
    match (n.wrapping_mul(7919)) % 100 {
        0..=39 => Kind::Valid,
        40..=49 => Kind::ValidPreviousKey,
        50..=54 => Kind::ValidUpstreamError,
        55 => Kind::ValidUpstreamSlow,
        56..=59 => Kind::ClientKeyId,
        60..=69 => Kind::Forged,
        70..=77 => Kind::Unsigned,
        78..=85 => Kind::Tampered,
        86..=91 => Kind::Oversize,
        92..=96 => Kind::Stale,
        _ => Kind::UnknownPath,
    }
}

impl Kind {
    fn is_valid(self) -> bool {
        matches!(
            self,
            Kind::Valid
                | Kind::ValidPreviousKey
                | Kind::ValidUpstreamError
                | Kind::ValidUpstreamSlow
                | Kind::ClientKeyId
        )
    }

    /// The status when the upstream is up (a valid delivery may also get 502 while it is down).
    fn expected(self) -> u16 {
        match self {
            Kind::Valid | Kind::ValidPreviousKey | Kind::ClientKeyId => 200,
            Kind::ValidUpstreamError => 503,
            Kind::ValidUpstreamSlow => 504,
            Kind::Forged | Kind::Unsigned | Kind::Tampered | Kind::Stale => 403,
            Kind::Oversize => 413,
            Kind::UnknownPath => 404,
        }
    }
}

/// Request `n`: its route (PeopleForce, GitHub or Stripe), headers and body; and the key id
/// the upstream should see.
fn plan(n: usize, routes: &[TestRoute]) -> (Request, Vec<u8>, &'static str) {
    let kind = kind_of(n);
    let route = &routes[n % routes.len()];
    let body = format!("{{\"n\":{n},\"pad\":\"{}\"}}", "x".repeat(n % 700)).into_bytes();
    let id = format!("delivery-{n}");
    let key = usize::from(kind == Kind::ValidPreviousKey);
    let mut headers = match kind {
        Kind::Forged => route.sign(route.forged, &id, now(), &body),
        Kind::Unsigned | Kind::UnknownPath => Vec::new(),
        Kind::Stale => route.sign(route.signing[0], &id, now() - 3600, &body),
        _ => route.sign(route.signing[key], &id, now(), &body),
    };
    let mut sent = body.clone();
    match kind {
        Kind::Tampered => sent[5] ^= 1,
        Kind::Oversize => sent = vec![b'x'; 5000],
        Kind::ValidUpstreamError => headers.push(("X-Reply-Status".into(), "503".into())),
        Kind::ValidUpstreamSlow => headers.push(("X-Reply-Delay".into(), "0.6".into())),
        Kind::ClientKeyId => headers.push(("Hookguard-Key-Id".into(), "previous".into())),
        _ => {}
    }
    if kind == Kind::Stale && !route.provider.signs_timestamp() {
        // Body-only schemes carry no timestamp: a stale one is a forged one.
        headers = route.sign(route.forged, &id, now(), &body);
    }
    let path = if kind == Kind::UnknownPath {
        "/not-routed"
    } else {
        route.path
    };
    let request = Request {
        path: path.to_owned(),
        headers,
        body: Body::Fixed(sent.clone()),
    };
    (request, sent, if key == 1 { "previous" } else { "current" })
}

#[test]
fn mixed_traffic_with_upstream_failures_forwards_no_forgery_and_loses_no_delivery() {
    let total: usize =
        std::env::var("HOOKGUARD_PROXY_SOAK_REQUESTS").map_or(2000, |v| v.parse().unwrap());
    let dir = std::env::temp_dir().join(format!("hookguard-proxy-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("records.jsonl");
    let record_arg = record.to_str().unwrap().to_owned();
    let first = Upstream::with_args(&["--record", &record_arg]);
    let port = first.addr.port().to_string();
    let upstream_url = first.url();
    let upstream = Mutex::new(Some(first));

    let all = preset_routes();
    let routes: Vec<TestRoute> = all
        .into_iter()
        .filter(|route| ["/webhooks/peopleforce", "/github", "/stripe"].contains(&route.path))
        .collect();
    let proxy_routes = routes.iter().map(|route| {
        route
            .route(&upstream_url)
            .with_max_body_size(4096)
            .with_upstream_timeout(Duration::from_millis(300))
    });
    let proxy = RunningProxy::start(config(proxy_routes));
    let addr = proxy.addr;

    let done = AtomicUsize::new(0);
    let restarts = AtomicUsize::new(0);
    let started = Instant::now();
    let outcomes: Mutex<Vec<(usize, Result<u16, String>)>> = Mutex::new(Vec::with_capacity(total));
    let sent_bodies: Mutex<HashMap<usize, (Vec<u8>, &'static str)>> = Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        // Failure injection: kill the upstream and bring it back on the same port.
        let (done, restarts, upstream) = (&done, &restarts, &upstream);
        scope.spawn(move || {
            // Refusals while it is down are fast: count the stretch from each restart, so
            // that the upstream is up for most of the run.
            let planned = (total / REQUESTS_PER_RESTART).max(1);
            let stretch = total / (planned + 1);
            let mut next = stretch;
            for _ in 0..planned {
                while done.load(Ordering::SeqCst) < next.min(total) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                if done.load(Ordering::SeqCst) >= total {
                    break;
                }
                let down = Instant::now();
                drop(upstream.lock().unwrap().take());
                std::thread::sleep(Duration::from_millis(50));
                let args = ["--port", port.as_str(), "--record", record_arg.as_str()];
                *upstream.lock().unwrap() = Some(Upstream::with_args(&args));
                restarts.fetch_add(1, Ordering::SeqCst);
                println!("upstream down for {:?}", down.elapsed());
                next = done.load(Ordering::SeqCst) + stretch;
            }
        });
        for thread in 0..CONCURRENCY {
            let (routes, outcomes, sent_bodies) = (&routes, &outcomes, &sent_bodies);
            scope.spawn(move || {
                let mut connection: Option<Connection> = None;
                for n in (0..total).filter(|n| n % CONCURRENCY == thread) {
                    let (request, sent, key) = plan(n, routes);
                    if kind_of(n).is_valid() {
                        sent_bodies.lock().unwrap().insert(n, (sent, key));
                    }
                    let result = send(addr, &mut connection, &request);
                    if matches!(result, Ok(502 | 504)) {
                        // As a sender does, wait before the next try.
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    outcomes.lock().unwrap().push((n, result));
                    done.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    let elapsed = started.elapsed();
    drop(proxy);
    drop(upstream.lock().unwrap().take());

    let records = read_records(&record);
    std::fs::remove_dir_all(&dir).unwrap();
    let sent_bodies = sent_bodies.into_inner().unwrap();
    let (failures, by_status) = check(outcomes.into_inner().unwrap(), &records, &sent_bodies);
    let restarts = restarts.load(Ordering::SeqCst);
    assert_the_run_delivered(&by_status, &records, total, restarts);
    println!(
        "{total} requests in {elapsed:?} through the proxy, upstream restarted {restarts} times"
    );
    for ((kind, status), count) in &by_status {
        println!("  {kind:?} -> {status}: {count}");
    }
    let unknown: Vec<&usize> = records
        .keys()
        .filter(|n| !kind_of(**n).is_valid() || **n >= total)
        .collect();
    assert!(
        unknown.is_empty(),
        "refused requests reached the upstream: {unknown:?}"
    );
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

/// Checks each outcome against the records: the failures, and the count of each status by kind.
/// Every request got an outcome, the fault was injected, and the valid deliveries did
/// reach the upstream: a proxy answering every one of them 502 must fail here.
fn assert_the_run_delivered(
    by_status: &BTreeMap<(Kind, String), usize>,
    records: &Records,
    total: usize,
    restarts: usize,
) {
    assert_eq!(
        by_status.values().sum::<usize>(),
        total,
        "requests without an outcome"
    );
    assert!(restarts >= 1, "the upstream was never restarted");
    let valid: usize = by_status
        .iter()
        .filter(|((kind, _), _)| kind.is_valid())
        .map(|(_, count)| count)
        .sum();
    let delivered = records.values().filter(|seen| !seen.is_empty()).count();
    assert!(
        delivered * 2 >= valid,
        "only {delivered} of {valid} valid deliveries reached the upstream"
    );
}

fn check(
    outcomes: Vec<(usize, Result<u16, String>)>,
    records: &Records,
    sent_bodies: &HashMap<usize, (Vec<u8>, &'static str)>,
) -> (Vec<String>, BTreeMap<(Kind, String), usize>) {
    let mut failures: Vec<String> = Vec::new();
    let mut by_status: BTreeMap<(Kind, String), usize> = BTreeMap::new();
    for (n, result) in outcomes {
        let kind = kind_of(n);
        let shown = result
            .as_ref()
            .map_or_else(|e| format!("error {e}"), u16::to_string);
        *by_status.entry((kind, shown)).or_default() += 1;
        let seen = records.get(&n).map_or(&[][..], Vec::as_slice);
        let status = match result {
            Ok(status) => status,
            Err(error) => {
                failures.push(format!("#{n} {kind:?}: {error}"));
                continue;
            }
        };
        if !kind.is_valid() {
            if status != kind.expected() || !seen.is_empty() {
                failures.push(format!("#{n} {kind:?}: {status}, {} record(s)", seen.len()));
            }
            continue;
        }
        let answered_by_upstream = status == kind.expected() && status != 504;
        let count_ok = match status {
            _ if answered_by_upstream => seen.len() == 1,
            504 => kind == Kind::ValidUpstreamSlow && seen.len() == 1,
            502 => seen.len() <= 1,
            _ => false,
        };
        let (body, key) = &sent_bodies[&n];
        let exact = seen
            .iter()
            .all(|(got, got_key)| got == body && got_key == key);
        if !count_ok || !exact {
            failures.push(format!(
                "#{n} {kind:?}: {status}, {} record(s), exact: {exact}",
                seen.len()
            ));
        }
    }
    (failures, by_status)
}

/// Sends `request` on the open connection (or a fresh one), keeping it open after a 2xx.
fn send(
    addr: SocketAddr,
    connection: &mut Option<Connection>,
    request: &Request,
) -> Result<u16, String> {
    let mut open = match connection.take() {
        Some(open) => open,
        None => Connection::open(addr).map_err(|e| e.to_string())?,
    };
    let response = open.send(request).map_err(|e| e.to_string())?;
    if response.status == 200 {
        *connection = Some(open);
    }
    Ok(response.status)
}

/// The records file: for each request number, every (body, key id) the upstream got.
fn read_records(path: &std::path::Path) -> Records {
    let mut records = Records::new();
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let body = hex::decode(record["body"].as_str().unwrap()).unwrap();
        let key = record["headers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|pair| {
                pair[0]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case("hookguard-key-id")
            })
            .map(|pair| pair[1].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(",");
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let n = usize::try_from(parsed["n"].as_u64().unwrap()).unwrap();
        records.entry(n).or_default().push((body, key));
    }
    records
}
