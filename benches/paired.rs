//! The paired timing the bench binaries share (`hookguard-core`'s `verify`, the tower and
//! actix adapters' `overhead`), included by each with
//! `#[path = "../../../benches/paired.rs"] mod paired;`.
//!
//! Every round times each arm back to back, in rotating order, each time the fastest of 5
//! short timings (preemption only ever adds time); a ratio taken within a round cancels the
//! drift of a shared machine, which criterion's one-after-the-other groups cannot. The
//! caller takes the median over the rounds of whatever it reports.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark code fails loudly"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// One measured operation: its label in the table and one call of it.
pub(crate) struct Arm<'a> {
    /// The label printed for this arm.
    pub(crate) name: &'static str,
    /// One call of the measured operation.
    pub(crate) run: Box<dyn Fn() + 'a>,
}

/// The reference every bench compares with: HMAC-SHA256 (the `hmac` crate) of `body`
/// from a state keyed once with `secret`, cloned per call.
pub(crate) fn hmac_arm<'a>(secret: &str, body: &'a [u8]) -> Arm<'a> {
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("key");
    Arm {
        name: "hmac-sha256 (pre-keyed)",
        run: Box::new(move || {
            let mut mac = keyed.clone();
            mac.update(black_box(body));
            black_box(mac.finalize());
        }),
    }
}

/// Mean time per call of `run` over `calls` calls, in seconds.
pub(crate) fn time_per_call(run: &dyn Fn(), calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        run();
    }
    start.elapsed().as_secs_f64() / f64::from(calls)
}

/// Calls per timing so that one timing of `run` lasts about `budget`: the smallest power of
/// two (at most 2^20) that reaches it, estimated from a timing of `probe` calls.
pub(crate) fn calibrate(run: &dyn Fn(), probe: u32, budget: Duration) -> u32 {
    let once = time_per_call(run, probe);
    let mut calls: u32 = 1;
    while f64::from(calls) * once < budget.as_secs_f64() && calls < 1 << 20 {
        calls *= 2;
    }
    calls
}

/// `rounds` paired rounds: round `r` times every arm back to back, starting at arm
/// `r % arms.len()`, arm `i` over `calls[i]` calls, keeping the fastest of 5 timings.
/// Returns the time per call in seconds, indexed `[round][arm]`.
pub(crate) fn rounds(arms: &[Arm<'_>], calls: &[u32], rounds: usize) -> Vec<Vec<f64>> {
    let mut times = vec![vec![0.0; arms.len()]; rounds];
    for (round, row) in times.iter_mut().enumerate() {
        for k in 0..arms.len() {
            let index = (round + k) % arms.len();
            row[index] = (0..5)
                .map(|_| time_per_call(&*arms[index].run, calls[index]))
                .fold(f64::INFINITY, f64::min);
        }
    }
    times
}

/// The median of `values` (the upper one of an even count).
///
/// # Panics
///
/// If `values` is empty.
pub(crate) fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.into_iter().collect();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A bench binary's `main`: `groups` on criterion (configured from the command line) unless
/// `HOOKGUARD_PAIRED_ONLY` is set, then `paired` unless `HOOKGUARD_NO_PAIRED` is set or
/// criterion is only profiling, listing or testing (`--profile-time`, `--list`, `--test`).
pub(crate) fn main(groups: impl FnOnce(&mut Criterion), paired: impl FnOnce()) {
    let args: Vec<String> = std::env::args().collect();
    let filtered = std::env::var_os("HOOKGUARD_NO_PAIRED").is_some()
        || args
            .iter()
            .any(|arg| matches!(arg.as_str(), "--profile-time" | "--list" | "--test"));
    let mut criterion = Criterion::default().configure_from_args();
    if std::env::var_os("HOOKGUARD_PAIRED_ONLY").is_none() {
        groups(&mut criterion);
        criterion.final_summary();
    }
    if !filtered {
        paired();
    }
}
