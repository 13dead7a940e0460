//! The `tracing` events of the deduplicating stage: each duplicate (`INFO`, with its key),
//! each store error (`ERROR` when refusing, `WARN` when failing open), and a missing
//! verifier (`ERROR`); never the secret. Through the tower service, in process.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code fails loudly"
)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_dedup::{Claim, Dedup, Deduplicate, Key, Store, StoreError, StoreFuture, Token};
use hookguard_test_support::log::Captured;
use http::{Request, Response};
use tower::{service_fn, ServiceExt};

const SECRET: &str = "events-secret";

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let guard = captured.set_default();
    (captured, guard)
}

/// A store that cannot be reached.
#[derive(Debug)]
struct Down;

impl Store for Down {
    fn claim(&self, _: Key, _: Duration) -> StoreFuture<Claim> {
        StoreFuture::new(async { Err(StoreError::new("connection refused")) })
    }

    fn complete(&self, _: Key, _: Duration) -> StoreFuture<()> {
        StoreFuture::new(async { Err(StoreError::new("connection refused")) })
    }

    fn release(&self, _: Key, _: Token) -> StoreFuture<()> {
        StoreFuture::new(async { Err(StoreError::new("connection refused")) })
    }
}

/// A verified Bindbee request for `body`, as the verifying layer hands it on.
fn verified(body: &str) -> Request<String> {
    let secret = || Secret::new(SECRET).unwrap();
    let header = Signer::new(Provider::Bindbee, secret())
        .unwrap()
        .sign(body.as_bytes());
    let verifier = Verifier::new(Provider::Bindbee, secret()).unwrap();
    let proof = verifier.verify(Some(&header), body.as_bytes()).unwrap();
    let mut request = Request::post("/hook")
        .header(Provider::Bindbee.header_name(), header)
        .body(body.to_owned())
        .unwrap();
    request.extensions_mut().insert(proof);
    request
}

/// Sends `request` through `dedup` to a handler counting its runs: the status.
async fn call(dedup: &Dedup, runs: &Arc<AtomicUsize>, request: Request<String>) -> u16 {
    let runs = Arc::clone(runs);
    let handler = service_fn(move |request: Request<String>| {
        runs.fetch_add(1, Ordering::Relaxed);
        async move { Ok::<_, Infallible>(Response::new(request.into_body())) }
    });
    let service = Deduplicate::new(handler, dedup.clone());
    service.oneshot(request).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_duplicate_is_an_info_event_naming_its_key() {
    let (captured, _guard) = capture();
    let (dedup, runs) = (Dedup::in_memory(), Arc::default());
    assert_eq!(call(&dedup, &runs, verified("{\"n\":1}")).await, 200);
    assert!(captured
        .lines()
        .iter()
        .all(|line| !line.contains("duplicate")));
    assert_eq!(call(&dedup, &runs, verified("{\"n\":1}")).await, 200);
    assert_eq!(runs.load(Ordering::Relaxed), 1);
    let lines = captured.lines();
    let duplicate: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("duplicate"))
        .collect();
    assert_eq!(duplicate.len(), 1, "{lines:?}");
    assert!(duplicate[0].contains("INFO") && duplicate[0].contains("key=bindbee:sig:"));
    assert!(lines.iter().all(|line| !line.contains(SECRET)));
}

#[tokio::test]
async fn a_store_error_is_an_error_event_and_503() {
    let (captured, _guard) = capture();
    let (dedup, runs) = (Dedup::new(Down), Arc::default());
    assert_eq!(call(&dedup, &runs, verified("{}")).await, 503);
    assert_eq!(runs.load(Ordering::Relaxed), 0);
    let lines = captured.lines();
    let errors: Vec<_> = lines.iter().filter(|line| line.contains("ERROR")).collect();
    assert_eq!(errors.len(), 1, "{lines:?}");
    assert!(errors[0].contains("connection refused") && errors[0].contains("request refused"));
}

#[tokio::test]
async fn failing_open_is_a_warning_and_the_handler_runs() {
    let (captured, _guard) = capture();
    let (dedup, runs) = (Dedup::new(Down).with_fail_open(), Arc::default());
    assert_eq!(call(&dedup, &runs, verified("{}")).await, 200);
    assert_eq!(runs.load(Ordering::Relaxed), 1);
    let lines = captured.lines();
    assert!(
        lines
            .iter()
            .any(|line| line.contains("WARN") && line.contains("runs unchecked")),
        "{lines:?}"
    );
    assert!(
        lines.iter().all(|line| !line.contains("ERROR")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn without_a_verifier_in_front_an_error_event_and_500() {
    let (captured, _guard) = capture();
    let (dedup, runs) = (Dedup::in_memory(), Arc::default());
    let unverified = Request::post("/hook").body(String::from("{}")).unwrap();
    assert_eq!(call(&dedup, &runs, unverified).await, 500);
    assert_eq!(runs.load(Ordering::Relaxed), 0);
    assert!(captured
        .lines()
        .iter()
        .any(|line| line.contains("ERROR") && line.contains("verification")));
}
