//! The fleet: three receivers as separate processes (axum, actix-web, axum) sharing one
//! real `redis-server`, and a sender delivering every event 1 to 4 times, copies at once
//! to different receivers, retrying each copy until it gets a 2xx. Handlers sometimes fail
//! (`500`, no effect) and sometimes are slow; each effect is a line in a file.
//!
//! Run 1, no faults: every event's effect ran exactly once.
//! Run 2, faults: Redis is killed and restarted a third of the way (it keeps its keys:
//! append-only file, fsync on every write), and one receiver is killed with `SIGKILL` and
//! restarted two thirds of the way. No event is lost, and an event's effect runs twice
//! only when a copy was in flight on the killed receiver.
//!
//! Size: `HOOKGUARD_FLEET_EVENTS` events per run (default 10 000). The figures in
//! `docs/testing.md` come from
//! `HOOKGUARD_REQUIRE_REDIS=1 cargo test -p hookguard-dedup --test fleet` (its own `main`,
//! so it prints its figures and takes no test filter).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

#[path = "fleet/receiver.rs"]
mod receiver;
#[path = "fleet/sender.rs"]
mod sender;

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use hookguard_test_support::redis::RedisServer;
use receiver::Config;

/// A directory for one run's Redis and effect files, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("hookguard-fleet-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// How many times each event's effect ran, over every receiver's effects file.
fn effects(dir: &Path, receivers: usize) -> BTreeMap<u64, u32> {
    let mut counts = BTreeMap::new();
    for index in 0..receivers {
        let text =
            std::fs::read_to_string(dir.join(format!("effects-{index}"))).unwrap_or_default();
        for line in text.lines() {
            *counts.entry(line.parse().unwrap()).or_default() += 1;
        }
    }
    counts
}

/// One run; `faults` kills and restarts Redis, then receiver 1.
fn run(name: &str, events: u64, faults: bool) -> Option<()> {
    let scratch = Scratch::new(name);
    let dir = scratch.0.to_str().unwrap();
    let options = [
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        dir,
    ];
    let mut redis = RedisServer::start_with(&format!("fleet::{name}"), &options).unwrap()?;
    let configs: Vec<Config> = ["axum", "actix", "axum"]
        .iter()
        .enumerate()
        .map(|(index, adapter)| Config {
            adapter,
            addr: free_addr(),
            redis: redis.url(),
            effects: scratch.0.join(format!("effects-{index}")),
            lease: Duration::from_secs(5),
        })
        .collect();
    let mut processes: Vec<_> = configs.iter().map(Config::spawn).collect();
    let receivers = RwLock::new(configs.iter().map(|config| config.addr).collect());

    let plan = sender::plan(events);
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    let report = std::thread::scope(|scope| {
        let sending = scope.spawn(|| sender::deliver(&plan, &receivers, &done));
        if faults {
            let wait_for = |share: usize| {
                while done.load(Ordering::Relaxed) < plan.len() * share / 3 {
                    std::thread::sleep(Duration::from_millis(5));
                }
            };
            wait_for(1);
            redis.kill().unwrap();
            std::thread::sleep(Duration::from_millis(300));
            redis.restart().unwrap();
            wait_for(2);
            processes[1].kill();
            std::thread::sleep(Duration::from_millis(300));
            processes[1] = configs[1].spawn();
        }
        sending.join().unwrap()
    });
    let elapsed = started.elapsed();
    drop(processes);

    let counts = effects(&scratch.0, configs.len());
    let lost: Vec<u64> = (0..events)
        .filter(|event| !counts.contains_key(event))
        .collect();
    let doubled: Vec<u64> = counts
        .iter()
        .filter(|(_, &n)| n > 1)
        .map(|(&e, _)| e)
        .collect();
    let once = counts.values().filter(|&&n| n == 1).count();
    let cut_on_killed: Vec<u64> = report
        .cut
        .iter()
        .filter(|(r, _)| *r == 1)
        .map(|&(_, e)| e)
        .collect();
    let attempts: u64 =
        report.statuses.values().sum::<u64>() + report.no_answer.values().sum::<u64>();
    eprintln!(
        "fleet {name}: {events} events, {} copies, {attempts} attempts in {elapsed:.1?}; \
         statuses {:?}, no answer {:?}; effects ran 0x: {}, 1x: {once}, 2+x: {}; \
         copies cut on the killed receiver: {}; gave up: {}",
        plan.len(),
        report.statuses,
        report.no_answer,
        lost.len(),
        doubled.len(),
        cut_on_killed.len(),
        report.gave_up.len(),
    );
    assert!(
        report.gave_up.is_empty(),
        "copies never delivered: {:?}",
        report.gave_up
    );
    assert!(lost.is_empty(), "events whose effect never ran: {lost:?}");
    if faults {
        let unexplained: Vec<_> = doubled
            .iter()
            .filter(|e| !cut_on_killed.contains(e))
            .collect();
        assert!(
            unexplained.is_empty(),
            "doubles not in flight on the killed receiver: {unexplained:?}"
        );
    } else {
        assert!(
            doubled.is_empty(),
            "events whose effect ran twice without a kill: {doubled:?}"
        );
    }
    Some(())
}

fn events() -> u64 {
    std::env::var("HOOKGUARD_FLEET_EVENTS").map_or(10_000, |n| n.parse().unwrap())
}

/// This test has its own `main` (`harness = false` in Cargo.toml): started with the
/// `HOOKGUARD_FLEET_*` variables it is one of the fleet's receivers (see
/// `fleet/receiver.rs`), otherwise it runs the fleet, one run after the other so the
/// machine's cores go to one fleet at a time. A failed check panics: a non-zero exit.
fn main() {
    if receiver::run_if_receiver() {
        return;
    }
    if run("no-faults", events(), false).is_some() {
        run("faults", events(), true);
    }
    println!("fleet: every event's effect ran as required");
}
