//! A user-supplied key function, through the tower service in process: it replaces the
//! default key (here an event id header, so re-signed copies of one event are duplicates)
//! and `None` lets a request through without deduplication.

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_dedup::{Dedup, Deduplicate, Key, KeyContext};
use http::{Request, Response};
use tower::{service_fn, ServiceExt};

/// A request for `body` signed with `secret` (the verifier accepts both), with an optional
/// `X-Event-Id`, carrying the `Verified` the verifying layer would have put there.
fn verified(body: &str, secret: &str, event: Option<&str>) -> Request<String> {
    let header = Signer::new(Provider::Bindbee, Secret::new(secret).unwrap())
        .unwrap()
        .sign(body.as_bytes());
    let verifier = Verifier::builder(Provider::Bindbee)
        .secret(Secret::new("current").unwrap())
        .secret(Secret::new("previous").unwrap())
        .build()
        .unwrap();
    let proof = verifier.verify(Some(&header), body.as_bytes()).unwrap();
    let mut request = Request::post("/hook").header(Provider::Bindbee.header_name(), header);
    if let Some(event) = event {
        request = request.header("X-Event-Id", event);
    }
    let mut request = request.body(body.to_owned()).unwrap();
    request.extensions_mut().insert(proof);
    request
}

async fn status(dedup: &Dedup, runs: &Arc<AtomicUsize>, request: Request<String>) -> u16 {
    let runs = Arc::clone(runs);
    let handler = service_fn(move |_: Request<String>| {
        runs.fetch_add(1, Ordering::Relaxed);
        async { Ok::<_, Infallible>(Response::new(String::new())) }
    });
    let response = Deduplicate::new(handler, dedup.clone())
        .oneshot(request)
        .await
        .unwrap();
    response.status().as_u16()
}

fn by_event_id() -> Dedup {
    Dedup::in_memory().with_key_fn(|request: &KeyContext<'_>| {
        let id = std::str::from_utf8(request.headers().value("x-event-id")?).ok()?;
        Some(Key::new(format!(
            "{}:event:{id}",
            request.verified().provider()
        )))
    })
}

#[tokio::test]
async fn the_key_function_decides_what_a_copy_is() {
    let (dedup, runs) = (by_event_id(), Arc::default());
    assert_eq!(
        status(&dedup, &runs, verified("{\"n\":1}", "current", Some("e1"))).await,
        200
    );
    // Re-signed with the previous secret, and even another body: the same event.
    assert_eq!(
        status(&dedup, &runs, verified("{\"n\":1}", "previous", Some("e1"))).await,
        200
    );
    assert_eq!(
        status(&dedup, &runs, verified("{\"n\":2}", "current", Some("e1"))).await,
        200
    );
    assert_eq!(runs.load(Ordering::Relaxed), 1);
    assert_eq!(
        status(&dedup, &runs, verified("{\"n\":1}", "current", Some("e2"))).await,
        200
    );
    assert_eq!(runs.load(Ordering::Relaxed), 2);
}

#[tokio::test]
async fn no_key_no_deduplication() {
    let (dedup, runs) = (by_event_id(), Arc::default());
    for _ in 0..3 {
        assert_eq!(
            status(&dedup, &runs, verified("{}", "current", None)).await,
            200
        );
    }
    assert_eq!(runs.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn the_default_key_tells_a_rotated_secret_apart() {
    let (dedup, runs) = (Dedup::in_memory(), Arc::default());
    assert_eq!(
        status(&dedup, &runs, verified("{}", "current", Some("e1"))).await,
        200
    );
    assert_eq!(
        status(&dedup, &runs, verified("{}", "current", Some("e1"))).await,
        200
    );
    assert_eq!(runs.load(Ordering::Relaxed), 1);
    // The documented limit: a copy re-signed with another secret has another key.
    assert_eq!(
        status(&dedup, &runs, verified("{}", "previous", Some("e1"))).await,
        200
    );
    assert_eq!(runs.load(Ordering::Relaxed), 2);
}
