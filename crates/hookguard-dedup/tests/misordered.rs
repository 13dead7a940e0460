//! The deduplicating stage placed outside signature verification (the order mistaken), on
//! both adapters in process: every request, even a correctly signed one, is answered `500`
//! with a plain-text body saying how to order the two stages, the same text on both, and
//! the handler never runs.

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::routing::post;
use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_dedup::{Dedup, DeduplicateLayer};
use http_body_util::BodyExt;
use tower::ServiceExt;

const SECRET: &str = "misordered-secret";

/// The body both adapters answer with.
const EXPECTED: &str = "hookguard: the deduplication stage received a request that was not \
verified (no hookguard_core::Verified in its extensions). Deduplication must run after \
signature verification, that is inside it. axum/tower: in one tower::ServiceBuilder, list \
VerifySignatureLayer before DeduplicateLayer; with separate .layer or .route_layer calls, \
add DeduplicateLayer first (the layer added last runs first). actix-web: call \
.wrap(Deduplicate::new(..)) before .wrap(VerifySignature::new(..)) (the wrap added last \
runs first).";

fn verifier(provider: Provider) -> Verifier {
    Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap()
}

fn signature(provider: Provider, body: &str) -> String {
    Signer::new(provider, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body.as_bytes())
}

/// axum, with the two `route_layer` calls in the wrong order: the one added last
/// (deduplication) runs first.
#[tokio::test]
async fn axum_dedup_outside_verification_says_how_to_order_them() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let handler = move || async move {
        counted.fetch_add(1, Ordering::Relaxed);
        "handled"
    };
    let app = axum::Router::new().route(
        "/hook",
        post(handler)
            .route_layer(hookguard_tower::VerifySignatureLayer::new(verifier(
                Provider::Bindbee,
            )))
            .route_layer(DeduplicateLayer::new(Dedup::in_memory())),
    );
    let request = http::Request::post("/hook")
        .header(
            Provider::Bindbee.header_name(),
            signature(Provider::Bindbee, "{}"),
        )
        .body(Body::from("{}"))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(
        response.headers()[http::header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(std::str::from_utf8(&body).unwrap(), EXPECTED);
    assert_eq!(runs.load(Ordering::Relaxed), 0);
}

/// actix-web, with the two `wrap` calls in the wrong order: the one added last
/// (deduplication) runs first.
#[actix_web::test]
async fn actix_dedup_outside_verification_says_how_to_order_them() {
    use actix_web::{test, web, App, HttpResponse};
    use hookguard_actix::VerifySignature;
    use hookguard_dedup::actix::Deduplicate;

    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let app = test::init_service(
        App::new().service(
            web::resource("/hook").route(
                web::post()
                    .to(move || {
                        counted.fetch_add(1, Ordering::Relaxed);
                        async { HttpResponse::Ok().body("handled") }
                    })
                    .wrap(VerifySignature::new(verifier(Provider::PeopleForce)))
                    .wrap(Deduplicate::new(Dedup::in_memory())),
            ),
        ),
    )
    .await;
    let request = test::TestRequest::post()
        .uri("/hook")
        .insert_header((
            Provider::PeopleForce.header_name(),
            signature(Provider::PeopleForce, "{}"),
        ))
        .set_payload("{}")
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), 500);
    assert_eq!(
        response
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .unwrap(),
        "text/plain; charset=utf-8"
    );
    let body = test::read_body(response).await;
    assert_eq!(std::str::from_utf8(&body).unwrap(), EXPECTED);
    assert_eq!(runs.load(Ordering::Relaxed), 0);
}
