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

#[path = "soak/client.rs"]
mod client;
#[path = "soak/memory.rs"]
mod memory;
#[path = "soak/mix.rs"]
mod mix;
#[path = "soak/plan.rs"]
mod plan;
#[path = "soak/tally.rs"]
mod tally;

use std::time::Instant;

use client::{fire, CONCURRENCY};
use memory::{memory_kib, reset_peak};
use mix::{kind_of, Kind, MIX};
use plan::{unique_body, Signers};
use support::http::{Body, Connection, Request};
use support::servers::{self, Server};

const DEFAULT_REQUESTS: usize = 2_000;

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
