//! The in-process overhead bench both adapters run (`hookguard-tower` and
//! `hookguard-actix`, `benches/overhead.rs`), included by each with
//! `#[path = "../../../benches/overhead.rs"] mod overhead;` after `paired`.
//!
//! An adapter supplies four arms, all sent the same signed delivery: its handler without
//! the middleware, with it, behind the floor (a middleware doing only what any
//! body-buffering middleware must: read the whole body, hand the bytes on as the new body
//! and put one value in the request's extensions, verifying nothing; actix's `from_fn`, a
//! hand-written tower layer), and behind the minimal verifying middleware (the framework's
//! `from_fn`: read the whole body, run the one-shot `Verifier::verify`, hand the bytes on).
//! This module adds the pre-keyed HMAC-SHA256 of the same body (`paired::hmac_arm`), runs
//! criterion over the five, then prints the paired table of `(arm − without) / HMAC` for
//! the seed's 1.3 KiB delivery and a 64 KiB one.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark code fails loudly"
)]

use std::time::Duration;

use criterion::Criterion;
use hookguard_core::{Provider, Secret, Signer, Verifier};

use crate::paired::{self, Arm};

const SEED: &[u8] = include_bytes!("../tests/vectors/employee_create.json");
const SECRET: &str = "pf_whsec_2b7e151628aed2a6";

/// What each floor puts in the extensions in place of `Verified`: the body's length (a
/// value with a size, so inserting it allocates as inserting `Verified` does).
#[derive(Clone)]
#[allow(dead_code)] // Only its size matters.
pub(crate) struct Buffered(pub(crate) usize);

/// The PeopleForce verifier the adapter's "with" arm puts in front of its handler.
pub(crate) fn verifier() -> Verifier {
    Verifier::new(Provider::PeopleForce, Secret::new(SECRET).expect("secret")).expect("verifier")
}

/// The measured sizes: the seed itself, and the seed repeated to 64 KiB. Leaked (once for
/// the criterion groups, once for the paired table) so the arms can hand the same bytes to
/// every request without copying.
fn sizes() -> [(&'static str, &'static [u8]); 2] {
    let repeated: Vec<u8> = SEED.iter().copied().cycle().take(64 << 10).collect();
    [("1.3KiB-seed", SEED), ("64KiB", repeated.leak())]
}

/// The `X-PeopleForce-Signature` value for `body`.
fn signature(body: &[u8]) -> &'static str {
    let value = Signer::new(Provider::PeopleForce, Secret::new(SECRET).expect("secret"))
        .expect("signer")
        .sign(body);
    value.leak()
}

/// Runs the bench for `adapter`, whose `arms(body, signature)` gives its handler without
/// the middleware, with it, behind the floor middleware and behind the minimal verifying
/// middleware.
pub(crate) fn main<'r>(adapter: &str, arms: impl Fn(&'static [u8], &'static str) -> [Arm<'r>; 4]) {
    let all = |body: &'static [u8]| {
        let [without, with, floor, minimal] = arms(body, signature(body));
        [
            without,
            with,
            floor,
            minimal,
            paired::hmac_arm(SECRET, body),
        ]
    };
    paired::main(
        |c| criterion_groups(c, adapter, &all),
        || paired_table(adapter, &all, 41, Duration::from_micros(500)),
    );
}

fn criterion_groups<'r>(
    c: &mut Criterion,
    adapter: &str,
    all: &dyn Fn(&'static [u8]) -> [Arm<'r>; 5],
) {
    for (label, body) in sizes() {
        let mut group = c.benchmark_group(format!("{adapter}-overhead/{label}"));
        for arm in all(body) {
            group.bench_function(arm.name, |b| b.iter(|| (arm.run)()));
        }
        group.finish();
    }
}

fn paired_table<'r>(
    adapter: &str,
    all: &dyn Fn(&'static [u8]) -> [Arm<'r>; 5],
    rounds: usize,
    budget: Duration,
) {
    println!("\n{adapter} in-process overhead (median of {rounds} paired rounds)");
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>20} {:>21} {:>23}",
        "size",
        "without",
        "with",
        "with-w/o",
        "floor",
        "minimal",
        "hmac",
        "(with-without)/hmac",
        "(floor-without)/hmac",
        "(minimal-without)/hmac"
    );
    for (label, body) in sizes() {
        let arms = all(body);
        let calls: Vec<u32> = arms
            .iter()
            .map(|arm| paired::calibrate(&*arm.run, 8, budget))
            .collect();
        let times = paired::rounds(&arms, &calls, rounds);
        let [without, with, floor, minimal, hmac] =
            [0, 1, 2, 3, 4].map(|i| paired::median(times.iter().map(|t| t[i])) * 1e6);
        let over_hmac = |arm: usize| paired::median(times.iter().map(|t| (t[arm] - t[0]) / t[4]));
        println!(
            "{label:<12} {without:>7.2} µs {with:>7.2} µs {:>7.2} µs {floor:>7.2} µs {minimal:>7.2} µs {hmac:>7.2} µs {:>20.2} {:>21.2} {:>23.2}",
            paired::median(times.iter().map(|t| t[1] - t[0])) * 1e6,
            over_hmac(1),
            over_hmac(2),
            over_hmac(3),
        );
    }
}
