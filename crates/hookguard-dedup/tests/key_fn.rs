//! A user-supplied key function, through the tower service in process: it replaces the
//! default key (here an event id header, so re-signed copies of one event are duplicates)
//! and `None` lets a request through without deduplication; the default key makes
//! byte-identical bodies one delivery, which a key function adding the topic undoes.

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

/// A Shopify delivery of `body` under `topic` and a webhook id of its own, verified.
fn shopify(body: &str, topic: &str, id: &str) -> Request<String> {
    let secret = || Secret::new("shpss_test").unwrap();
    let header = Signer::new(Provider::Shopify, secret())
        .unwrap()
        .sign(body.as_bytes());
    let verifier = Verifier::new(Provider::Shopify, secret()).unwrap();
    let proof = verifier.verify(Some(&header), body.as_bytes()).unwrap();
    let mut request = Request::post("/hook")
        .header(Provider::Shopify.header_name(), header)
        .header("X-Shopify-Topic", topic)
        .header("X-Shopify-Webhook-Id", id)
        .body(body.to_owned())
        .unwrap();
    request.extensions_mut().insert(proof);
    request
}

#[tokio::test]
async fn byte_identical_bodies_are_one_delivery_unless_the_key_adds_the_topic() {
    let body = "{\"id\":450789469}";
    let (dedup, runs) = (Dedup::in_memory(), Arc::default());
    assert_eq!(
        status(&dedup, &runs, shopify(body, "orders/create", "w-1")).await,
        200
    );
    // The documented behaviour: another topic and webhook id, neither signed, same body.
    assert_eq!(
        status(&dedup, &runs, shopify(body, "orders/paid", "w-2")).await,
        200
    );
    assert_eq!(runs.load(Ordering::Relaxed), 1);

    let with_topic = Dedup::in_memory().with_key_fn(|request: &KeyContext<'_>| {
        let key = Key::derive(request.verified())?;
        let topic = request
            .headers()
            .value("X-Shopify-Topic")
            .unwrap_or_default();
        Some(Key::new(format!(
            "{key}:{}",
            String::from_utf8_lossy(topic)
        )))
    });
    let runs = Arc::default();
    for (topic, id) in [("orders/create", "w-1"), ("orders/paid", "w-2")] {
        assert_eq!(
            status(&with_topic, &runs, shopify(body, topic, id)).await,
            200
        );
    }
    assert_eq!(runs.load(Ordering::Relaxed), 2);
    // A copy of one topic's delivery is still a duplicate.
    assert_eq!(
        status(&with_topic, &runs, shopify(body, "orders/paid", "w-3")).await,
        200
    );
    assert_eq!(runs.load(Ordering::Relaxed), 2);
}
