//! Verification cost against the hardware reference: a raw SHA-256 of the same bytes,
//! measured in the same run. Run with: `cargo bench -p hookguard-core --bench verify`.
//!
//! Sizes: 256 B, the seed's `employee_create` delivery (1259 B), 64 KiB and 1 MiB.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use hookguard_core::{Provider, Secret, Signer, Verifier};
use sha2::{Digest, Sha256};

const SEED: &[u8] = include_bytes!("../../../tests/vectors/employee_create.json");
const SECRET: &str = "pf_whsec_2b7e151628aed2a6";

/// An ASCII JSON-ish body of exactly `len` bytes, made by repeating the seed payload.
fn body_of(len: usize) -> Vec<u8> {
    SEED.iter().copied().cycle().take(len).collect()
}

fn verifier(provider: &Provider) -> Verifier {
    Verifier::new(provider.clone(), Secret::new(SECRET).expect("secret")).expect("verifier")
}

fn header(provider: &Provider, body: &[u8]) -> String {
    Signer::new(provider.clone(), Secret::new(SECRET).expect("secret"))
        .expect("signer")
        .sign(body)
}

fn bench_verify(c: &mut Criterion) {
    let sizes = [
        ("256B", 256),
        ("1.3KiB-seed", SEED.len()),
        ("64KiB", 64 << 10),
        ("1MiB", 1 << 20),
    ];
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).expect("hmac key");
    for (label, len) in sizes {
        let body = if len == SEED.len() {
            SEED.to_vec()
        } else {
            body_of(len)
        };
        let mut group = c.benchmark_group(format!("verify/{label}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("sha256 (reference)", |b| {
            b.iter(|| Sha256::digest(black_box(&body)));
        });
        group.bench_function("hmac-sha256 (pre-keyed)", |b| {
            b.iter(|| {
                let mut mac = keyed.clone();
                mac.update(black_box(&body));
                mac.finalize()
            });
        });
        for provider in [Provider::PeopleForce, Provider::Bindbee] {
            let verifier = verifier(&provider);
            let value = header(&provider, &body);
            group.bench_function(BenchmarkId::new("hookguard verify", &provider), |b| {
                b.iter(|| {
                    verifier
                        .verify(Some(black_box(value.as_str())), black_box(&body))
                        .expect("valid")
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
