//! Verification cost against the hardware reference: a raw SHA-256 of the same bytes,
//! measured in the same run. Run with: `cargo bench -p hookguard-core --bench verify`.
//!
//! Sizes: 256 B, the seed's `employee_create` delivery (1259 B), 64 KiB and 1 MiB.
//!
//! After the criterion groups, a paired run prints the throughput ratios the targets are
//! stated in (issue 7): every round times each variant back to back, in rotating order,
//! and the ratio `sha256 time / variant time` is taken within the round (each time the
//! fastest of 5 short timings, as preemption only adds time); the table shows the median
//! over the rounds. Pairing cancels the drift of a shared machine, which
//! criterion's one-after-the-other groups cannot.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use hookguard_core::{Provider, Secret, Signer, Verifier};
use sha2::{Digest, Sha256};

const SEED: &[u8] = include_bytes!("../../../tests/vectors/employee_create.json");
const SECRET: &str = "pf_whsec_2b7e151628aed2a6";
const SIZES: [(&str, usize); 4] = [
    ("256B", 256),
    ("1.3KiB-seed", SEED.len()),
    ("64KiB", 64 << 10),
    ("1MiB", 1 << 20),
];

/// The seed itself, or an ASCII JSON-ish body of exactly `len` bytes made by repeating it.
fn body_of(len: usize) -> Vec<u8> {
    if len == SEED.len() {
        return SEED.to_vec();
    }
    SEED.iter().copied().cycle().take(len).collect()
}

fn verifier(provider: &Provider, require_utf8: bool) -> Verifier {
    Verifier::builder(provider.clone())
        .secret(Secret::new(SECRET).expect("secret"))
        .require_utf8(require_utf8)
        .build()
        .expect("verifier")
}

fn header(provider: &Provider, body: &[u8]) -> String {
    Signer::new(provider.clone(), Secret::new(SECRET).expect("secret"))
        .expect("signer")
        .sign(body)
}

/// The operation a variant measures, given the body.
type Run = Box<dyn Fn(&[u8])>;

/// One measured operation over one body.
struct Variant {
    name: &'static str,
    run: Run,
}

fn variants(body: &[u8]) -> Vec<Variant> {
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).expect("hmac key");
    let mut list = vec![
        Variant {
            name: "sha256 (reference)",
            run: Box::new(|body| {
                black_box(Sha256::digest(black_box(body)));
            }),
        },
        Variant {
            name: "hmac-sha256 (pre-keyed)",
            run: Box::new(move |body| {
                let mut mac = keyed.clone();
                mac.update(black_box(body));
                black_box(mac.finalize());
            }),
        },
    ];
    for (name, provider, utf8) in [
        ("verify peopleforce", Provider::PeopleForce, true),
        ("verify bindbee", Provider::Bindbee, true),
        (
            "verify peopleforce, require_utf8(false)",
            Provider::PeopleForce,
            false,
        ),
    ] {
        let verifier = verifier(&provider, utf8);
        let value = header(&provider, body);
        list.push(Variant {
            name,
            run: Box::new(move |body| {
                black_box(
                    verifier
                        .verify(Some(black_box(value.as_str())), black_box(body))
                        .expect("valid"),
                );
            }),
        });
    }
    list
}

fn bench_verify(c: &mut Criterion) {
    for (label, len) in SIZES {
        let body = body_of(len);
        let mut group = c.benchmark_group(format!("verify/{label}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        for variant in variants(&body) {
            group.bench_function(BenchmarkId::from_parameter(variant.name), |b| {
                b.iter(|| (variant.run)(&body));
            });
        }
        group.finish();
    }
}

/// Mean time per call of `run` over `calls` calls.
fn time_per_call(run: &dyn Fn(&[u8]), body: &[u8], calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        run(body);
    }
    start.elapsed().as_secs_f64() / f64::from(calls)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Interleaved rounds; prints the median per-round ratio of SHA-256 time to each variant's.
fn paired_ratios(rounds: usize, budget: Duration) {
    println!(
        "\npaired ratios (median of {rounds} rounds; throughput relative to sha256 of the same bytes)"
    );
    println!(
        "{:<14} {:<42} {:>12} {:>8}",
        "size", "variant", "median", "ratio"
    );
    for (label, len) in SIZES {
        let body = body_of(len);
        let list = variants(&body);
        // Calls per timing so one timing lasts about `budget`.
        let once = time_per_call(&*list[0].run, &body, 16);
        let mut calls: u32 = 1;
        while f64::from(calls) * once < budget.as_secs_f64() && calls < 1 << 20 {
            calls *= 2;
        }
        for variant in &list {
            time_per_call(&*variant.run, &body, calls); // warm-up
        }
        let mut times = vec![Vec::with_capacity(rounds); list.len()];
        for round in 0..rounds {
            for k in 0..list.len() {
                let index = (round + k) % list.len();
                // The fastest of a few short timings: preemption only ever adds time.
                let fastest = (0..5)
                    .map(|_| time_per_call(&*list[index].run, &body, calls))
                    .fold(f64::INFINITY, f64::min);
                times[index].push(fastest);
            }
        }
        for (variant, series) in list.iter().zip(&times) {
            let mut ratios: Vec<f64> = times[0].iter().zip(series).map(|(s, v)| s / v).collect();
            let mut own = series.clone();
            println!(
                "{label:<14} {:<42} {:>9.3} µs {:>8.3}",
                variant.name,
                median(&mut own) * 1e6,
                median(&mut ratios)
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The paired table runs unless criterion is only profiling, listing or testing.
    let filtered = std::env::var_os("HOOKGUARD_NO_PAIRED").is_some()
        || args
            .iter()
            .any(|arg| matches!(arg.as_str(), "--profile-time" | "--list" | "--test"));
    let mut criterion = Criterion::default().configure_from_args();
    if std::env::var_os("HOOKGUARD_PAIRED_ONLY").is_none() {
        bench_verify(&mut criterion);
        criterion.final_summary();
    }
    if !filtered {
        paired_ratios(61, Duration::from_micros(400));
    }
}
