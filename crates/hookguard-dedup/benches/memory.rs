//! What in-memory deduplication costs a request, in process: deriving the key of a
//! body-only delivery (a SHA-256 of its signature header), a first delivery (claim, then
//! done) in a full store (so each claim also evicts), and a duplicate (one claim that finds
//! the key done). Compare with the server CPU per request of `benches/load.sh`.
//! Run with: `cargo bench -p hookguard-dedup --bench memory`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "benchmark code fails loudly"
)]

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_dedup::{Claim, Key, MemoryStore, Store, StoreFuture, DEFAULT_CAPACITY};

const LEASE: Duration = Duration::from_secs(30);
const WINDOW: Duration = Duration::from_secs(86_400);

/// The memory store answers at once: its futures are ready on the first poll.
fn now<T>(mut future: StoreFuture<T>) -> T {
    match Pin::new(&mut future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(answer) => answer.unwrap(),
        Poll::Pending => panic!("the memory store never waits"),
    }
}

fn bench(c: &mut Criterion) {
    let body = include_bytes!("../../../tests/vectors/employee_create.json");
    let secret = || Secret::new("bench-secret").unwrap();
    let header = Signer::new(Provider::PeopleForce, secret())
        .unwrap()
        .sign(body);
    let verified = Verifier::new(Provider::PeopleForce, secret())
        .unwrap()
        .verify(Some(&header), body)
        .unwrap();
    c.bench_function("dedup/derive key (signature fingerprint)", |b| {
        b.iter(|| Key::derive(black_box(&verified)));
    });

    let store = MemoryStore::new(DEFAULT_CAPACITY);
    let keys: Vec<Key> = (0..DEFAULT_CAPACITY * 2)
        .map(|n| Key::new(format!("peopleforce:sig:{n:064x}")))
        .collect();
    for key in keys.iter().take(DEFAULT_CAPACITY) {
        now(store.complete(key.clone(), WINDOW));
    }
    let mut next = keys.iter().cycle().skip(DEFAULT_CAPACITY);
    c.bench_function("dedup/first delivery in a full store (claim, done)", |b| {
        b.iter(|| {
            let key = next.next().unwrap();
            let claim = now(store.claim(key.clone(), LEASE));
            black_box(claim);
            now(store.complete(key.clone(), WINDOW));
        });
    });

    let done = Key::new("peopleforce:sig:done");
    now(store.complete(done.clone(), WINDOW));
    c.bench_function("dedup/duplicate (claim finds done)", |b| {
        b.iter(|| assert_eq!(now(store.claim(done.clone(), LEASE)), Claim::Done));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
