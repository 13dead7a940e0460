//! Verification cost against the hardware reference: a raw SHA-256 of the same bytes,
//! measured in the same run. Run with: `cargo bench -p hookguard-core --bench verify`.
//!
//! Sizes: 256 B, the seed's `employee_create` delivery (1259 B), 64 KiB and 1 MiB.
//!
//! After the criterion groups, a paired run prints the throughput ratios against SHA-256:
//! every round times each variant back to back, in rotating order, and the ratio
//! `sha256 time / variant time` is taken within the round (each time the fastest of 5
//! short timings, as preemption only adds time); the table shows the median over the
//! rounds. Pairing cancels the drift of a shared machine, which criterion's
//! one-after-the-other groups cannot.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark code fails loudly"
)]

#[path = "../../../benches/paired.rs"]
mod paired;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use hookguard_core::{Provider, Secret, Signer, Verifier};
use sha2::{Digest, Sha256};

use paired::Arm;

const SEED: &[u8] = include_bytes!("../../../tests/vectors/employee_create.json");
const SECRET: &str = "pf_whsec_2b7e151628aed2a6";
/// A Standard Webhooks secret: `whsec_` and 24 bytes in base64.
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Discord's application public key and the private key seed that signs for it (hex).
const DISCORD: (&str, &str) = (
    "cc77844ad2b11eada8608f7e857ec6dd53cda26b332adecf9c6c497674675cdc",
    "3aa2504d707eb91a3ce867b22319e47bfe983b5ea6bbed6d288e949cdc97e33e",
);
/// The clock of the timestamped arms, and the timestamp they sign.
const NOW: u64 = 1_764_460_800;
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

/// The measured operations over `body`, the SHA-256 reference first.
fn variants(body: &[u8]) -> Vec<Arm<'_>> {
    let mut list = vec![
        Arm {
            name: "sha256 (reference)",
            run: Box::new(move || {
                black_box(Sha256::digest(black_box(body)));
            }),
        },
        paired::hmac_arm(SECRET, body),
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
        list.push(Arm {
            name,
            run: Box::new(move || {
                black_box(
                    verifier
                        .verify(Some(black_box(value.as_str())), black_box(body))
                        .expect("valid"),
                );
            }),
        });
    }
    list.extend(request_arms(body));
    list
}

/// A request's headers, looked up as the adapters look them up (their `SchemeHeaders`):
/// the scheme's header names parsed into `http`'s form once, each request finding a
/// header by its parsed name.
#[derive(Clone)]
struct Request {
    names: Vec<(Box<str>, http::HeaderName)>,
    headers: http::HeaderMap,
}

impl Request {
    fn new(provider: &Provider, headers: http::HeaderMap) -> Request {
        let names = [
            Some(provider.header_name()),
            provider.delivery_id_header(),
            provider.timestamp_header(),
        ];
        let names = names
            .into_iter()
            .flatten()
            .map(|name| {
                let parsed = http::HeaderName::from_bytes(name.as_bytes()).expect("name");
                (Box::from(name), parsed)
            })
            .collect();
        Request { names, headers }
    }

    /// Every value of the header `name`, as bytes.
    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        let values = match self.names.iter().find(|(known, _)| **known == *name) {
            Some((_, parsed)) => self.headers.get_all(parsed),
            None => self.headers.get_all(name),
        };
        values.iter().map(http::HeaderValue::as_bytes)
    }
}

/// The whole request, headers looked up in an `http::HeaderMap` as the adapters do: a
/// body-only scheme beside the timestamped ones, so their difference is the cost of the id
/// and timestamp (the headers read, the tolerance check, the signed prefix hashed), and
/// Discord's, the cost of Ed25519. Each with the key it verifies with and the one its
/// sender signs with.
fn request_arms(body: &[u8]) -> Vec<Arm<'_>> {
    let mut list = Vec::new();
    // The `read_headers` arms time the headers alone, where the schemes differ most.
    for ((name, headers_only), provider, (secret, signing)) in [
        (
            ("verify_request peopleforce", "read_headers peopleforce"),
            Provider::PeopleForce,
            (SECRET, SECRET),
        ),
        (
            ("verify_request stripe", "read_headers stripe"),
            Provider::Stripe,
            (SECRET, SECRET),
        ),
        (
            (
                "verify_request standard-webhooks",
                "read_headers standard-webhooks",
            ),
            Provider::StandardWebhooks,
            (WHSEC, WHSEC),
        ),
        (
            ("verify_request discord", "read_headers discord"),
            Provider::Discord,
            DISCORD,
        ),
    ] {
        let verifier = Verifier::builder(provider.clone())
            .secret(Secret::new(secret).expect("secret"))
            .clock(|| NOW)
            .build()
            .expect("verifier");
        let mut headers = http::HeaderMap::new();
        let signer =
            Signer::new(provider.clone(), Secret::new(signing).expect("key")).expect("signer");
        for (header, value) in signer.sign_headers("msg_2b4c0e1f9a7d3e5c8b6a4f2e0d1", NOW, body) {
            headers.insert(
                http::HeaderName::from_bytes(header.as_bytes()).expect("name"),
                http::HeaderValue::from_str(&value).expect("value"),
            );
        }
        let request = Request::new(&provider, headers);
        let (only_verifier, only_request) = (verifier.clone(), request.clone());
        list.push(Arm {
            name: headers_only,
            run: Box::new(move || {
                let request = black_box(&only_request);
                black_box(
                    only_verifier
                        .read_headers(|header| request.values(header))
                        .expect("valid"),
                );
            }),
        });
        list.push(Arm {
            name,
            run: Box::new(move || {
                let request = black_box(&request);
                black_box(
                    verifier
                        .verify_request(|header| request.values(header), black_box(body))
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
                b.iter(|| (variant.run)());
            });
        }
        group.finish();
    }
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
        // Calls per timing so one timing of the reference lasts about `budget`, the same for
        // every variant, then a warm-up of each.
        let calls = paired::calibrate(&*list[0].run, 16, budget);
        for variant in &list {
            paired::time_per_call(&*variant.run, calls);
        }
        let times = paired::rounds(&list, &vec![calls; list.len()], rounds);
        for (i, variant) in list.iter().enumerate() {
            println!(
                "{label:<14} {:<42} {:>9.3} µs {:>8.3}",
                variant.name,
                paired::median(times.iter().map(|round| round[i])) * 1e6,
                paired::median(times.iter().map(|round| round[0] / round[i]))
            );
        }
    }
}

fn main() {
    paired::main(bench_verify, || {
        paired_ratios(61, Duration::from_micros(400));
    });
}
