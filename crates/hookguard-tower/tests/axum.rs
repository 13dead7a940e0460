//! The layer inside axum, in-process: `Router::layer`, `Router::route_layer` and the
//! `VerifiedWebhook` extractor, with handlers extracting `Bytes`, `String` and `Json<T>`.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]
#![cfg(feature = "axum")]

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_tower::{VerifiedWebhook, VerifySignatureLayer};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

const SECRET: &str = "axum-test-secret";
const BODY: &str = r#"{"action":"sync_completed","id":7}"#;

type Seen = Arc<Mutex<Vec<Bytes>>>;

fn layer(provider: Provider) -> VerifySignatureLayer {
    VerifySignatureLayer::new(Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap())
}

fn signed(uri: &str, provider: Provider, body: &'static str) -> Request<Body> {
    let signer = Signer::new(provider, Secret::new(SECRET).unwrap()).unwrap();
    Request::post(uri)
        .header(signer.header_name(), signer.sign(body.as_bytes()))
        .body(Body::from(body))
        .unwrap()
}

fn forged(uri: &str, provider: &Provider, body: &'static str) -> Request<Body> {
    let value = match provider {
        Provider::Bindbee => format!("{}=", "A".repeat(43)),
        _ => format!("sha256={}", "0".repeat(64)),
    };
    Request::post(uri)
        .header(provider.header_name(), value)
        .body(Body::from(body))
        .unwrap()
}

async fn record_bytes(State(seen): State<Seen>, body: Bytes) -> Bytes {
    seen.lock().unwrap().push(body.clone());
    body
}

async fn call(app: &Router, request: Request<Body>) -> (StatusCode, Bytes) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

#[tokio::test]
async fn router_layer_protects_every_route() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/a", post(record_bytes))
        .route("/b", post(record_bytes))
        .with_state(seen.clone())
        .layer(layer(Provider::PeopleForce));

    assert_eq!(
        call(&app, signed("/a", Provider::PeopleForce, BODY)).await,
        (StatusCode::OK, Bytes::from(BODY))
    );
    assert_eq!(
        call(&app, signed("/b", Provider::PeopleForce, BODY))
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, forged("/a", &Provider::PeopleForce, BODY))
            .await
            .0,
        403
    );
    let unsigned = Request::post("/b").body(Body::from(BODY)).unwrap();
    assert_eq!(
        call(&app, unsigned).await,
        (StatusCode::FORBIDDEN, Bytes::from("Forbidden"))
    );
    assert_eq!(*seen.lock().unwrap(), [BODY, BODY]);
}

#[tokio::test]
async fn route_layer_protects_only_its_route() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/webhooks/bindbee", post(record_bytes))
        .route_layer(layer(Provider::Bindbee))
        .route("/open", post(record_bytes))
        .route("/health", get(|| async { "ok" }))
        .with_state(seen.clone());

    assert_eq!(
        call(&app, signed("/webhooks/bindbee", Provider::Bindbee, BODY))
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, forged("/webhooks/bindbee", &Provider::Bindbee, BODY))
            .await
            .0,
        403
    );
    assert_eq!(seen.lock().unwrap().len(), 1);

    // Other routes are untouched: unsigned requests pass, 404 stays 404.
    let open = Request::post("/open").body(Body::from("plain")).unwrap();
    assert_eq!(
        call(&app, open).await,
        (StatusCode::OK, Bytes::from("plain"))
    );
    let health = Request::get("/health").body(Body::empty()).unwrap();
    assert_eq!(
        call(&app, health).await,
        (StatusCode::OK, Bytes::from("ok"))
    );
    let missing = Request::get("/nowhere").body(Body::empty()).unwrap();
    assert_eq!(call(&app, missing).await.0, 404);
    assert_eq!(*seen.lock().unwrap(), [BODY, "plain"]);
}

#[tokio::test]
async fn string_and_json_handlers_work_unchanged() {
    let app = Router::new()
        .route("/string", post(|body: String| async move { body }))
        .route(
            "/json",
            post(|Json(value): Json<serde_json::Value>| async move { value["action"].to_string() }),
        )
        .layer(layer(Provider::PeopleForce));

    let mut request = signed("/string", Provider::PeopleForce, BODY);
    request
        .headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    assert_eq!(
        call(&app, request).await,
        (StatusCode::OK, Bytes::from(BODY))
    );

    let mut request = signed("/json", Provider::PeopleForce, BODY);
    request
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    assert_eq!(
        call(&app, request).await,
        (StatusCode::OK, Bytes::from("\"sync_completed\""))
    );
}

#[tokio::test]
async fn extractor_reports_provider_and_key() {
    let verifier = Verifier::builder(Provider::Bindbee)
        .secret_with_id("current", Secret::new("brand-new").unwrap())
        .secret_with_id("previous", Secret::new(SECRET).unwrap())
        .build()
        .unwrap();
    let app = Router::new()
        .route(
            "/hook",
            post(|VerifiedWebhook(verified): VerifiedWebhook| async move {
                format!("{} {}", verified.provider(), verified.key())
            }),
        )
        .layer(VerifySignatureLayer::new(verifier));
    let (status, body) = call(&app, signed("/hook", Provider::Bindbee, BODY)).await;
    assert_eq!(status, 200);
    assert_eq!(body, "bindbee previous");
}

#[tokio::test]
async fn extractor_without_the_layer_is_a_500_that_says_what_to_do() {
    let app = Router::new()
        .route("/hook", post(|_: VerifiedWebhook| async { "unreachable" }))
        .route(
            "/optional",
            post(|verified: Option<VerifiedWebhook>| async move { verified.is_some().to_string() }),
        );
    let (status, body) = call(&app, Request::post("/hook").body(Body::empty()).unwrap()).await;
    assert_eq!(status, 500);
    assert!(
        String::from_utf8_lossy(&body).contains("VerifySignatureLayer"),
        "{body:?}"
    );
    let (status, body) = call(
        &app,
        Request::post("/optional").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, Bytes::from("false")));
}

#[tokio::test]
async fn placement_decides_what_other_methods_get() {
    let seen = Seen::default();
    // On the method router: axum answers other methods itself.
    let on_route = Router::new()
        .route(
            "/hook",
            post(record_bytes).route_layer(layer(Provider::PeopleForce)),
        )
        .with_state(seen.clone());
    // `Router::route_layer` wraps the route's whole method router, 405 fallback included.
    let on_route_layer = Router::new()
        .route("/hook", post(record_bytes))
        .route_layer(layer(Provider::PeopleForce))
        .with_state(seen.clone());
    // Around the router: the layer runs before the method is matched.
    let on_router = Router::new()
        .route("/hook", post(record_bytes))
        .with_state(seen.clone())
        .layer(layer(Provider::PeopleForce));

    for method in ["GET", "HEAD", "PUT"] {
        let request = || {
            Request::builder()
                .method(method)
                .uri("/hook")
                .body(Body::empty())
                .unwrap()
        };
        let response = on_route.clone().oneshot(request()).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(response.headers()["allow"], "POST", "{method}");
        for refusing in [&on_route_layer, &on_router] {
            let response = refusing.clone().oneshot(request()).await.unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method}");
        }
    }
    assert!(seen.lock().unwrap().is_empty(), "the handler ran");
}

#[tokio::test]
async fn a_limit_above_axums_default_body_limit_reaches_string_and_bytes_handlers() {
    // 3 MiB: over axum's own extractor limit (2 MB), under the layer's 4 MiB.
    let body = "x".repeat(3 * 1024 * 1024);
    let signature = Signer::new(Provider::PeopleForce, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body.as_bytes());
    let seen = Seen::default();
    let app = Router::new()
        .route(
            "/bytes",
            post(record_bytes)
                .route_layer(layer(Provider::PeopleForce).with_max_body_size(4 << 20)),
        )
        .route(
            "/string",
            post(|text: String| async move { text.len().to_string() })
                .route_layer(layer(Provider::PeopleForce).with_max_body_size(4 << 20)),
        )
        .with_state(seen.clone());
    let request = |uri: &str| {
        Request::post(uri)
            .header("X-PeopleForce-Signature", signature.clone())
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let (status, echoed) = call(&app, request("/bytes")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(echoed, body.as_bytes());
    assert_eq!(seen.lock().unwrap().len(), 1);
    let (status, length) = call(&app, request("/string")).await;
    assert_eq!(
        (status, length),
        (StatusCode::OK, Bytes::from(body.len().to_string()))
    );
}
