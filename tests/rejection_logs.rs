//! A custom rejection response's status is the one logged: the `warn` event of a refused
//! request names the status the client got, on both adapters and on each of the tower
//! adapter's refusal paths (before the body, while reading it, after hashing it).

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

use actix_web::{test as actix_test, web, App, HttpResponse};
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::routing::post;
use axum::Router;
use hookguard_core::{Provider, Rejection, Secret, Signer, Verifier};
use hookguard_test_support::log::Captured;
use tower::ServiceExt;

const SECRET: &str = "rejection-logs-secret";

/// The `warn` events of refused requests that `captured` holds.
fn refusals(captured: &Captured) -> Vec<String> {
    let lines = captured.lines().into_iter();
    lines
        .filter(|line| line.contains("request refused"))
        .collect()
}

fn verifier() -> Verifier {
    Verifier::new(Provider::PeopleForce, Secret::new(SECRET).unwrap()).unwrap()
}

fn signed(body: &str) -> String {
    let signer = Signer::new(Provider::PeopleForce, Secret::new(SECRET).unwrap()).unwrap();
    signer.sign(body.as_bytes())
}

fn unauthorized(_: Rejection) -> Response<&'static str> {
    let mut response = Response::new("unauthorized");
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

#[tokio::test(flavor = "current_thread")]
async fn axum_logs_the_status_its_custom_rejection_answered() {
    let captured = Captured::default();
    let _subscriber = captured.set_default();
    let layer = hookguard_tower::VerifySignatureLayer::new(verifier())
        .with_max_body_size(16)
        .with_rejection(unauthorized);
    let app = Router::new()
        .route("/", post(|| async { "handler ran" }))
        .layer(layer);
    let forged = signed("{\"other\":1}");
    let cases = [
        (None, "{}", "signature header is missing"),
        (
            Some(signed("{}")),
            "{\"too\":\"large....\"}",
            "body exceeds",
        ),
        (Some(forged), "{}", "signature does not match"),
    ];
    for (signature, body, _) in &cases {
        let mut request = Request::post("/");
        if let Some(signature) = signature {
            request = request.header(Provider::PeopleForce.header_name(), signature);
        }
        let request = request.body(Body::from(*body)).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{body}");
        let text = axum::body::to_bytes(response.into_body(), 64)
            .await
            .unwrap();
        assert_eq!(&text[..], b"unauthorized");
    }
    let refusals = refusals(&captured);
    assert_eq!(refusals.len(), cases.len(), "{refusals:#?}");
    for (line, (_, _, reason)) in refusals.iter().zip(&cases) {
        assert!(line.contains("status=401"), "{line}");
        assert!(line.contains(reason), "{line}");
    }
}

#[actix_web::test]
async fn actix_logs_the_status_its_custom_rejection_answered() {
    let captured = Captured::default();
    let _subscriber = captured.set_default();
    let guard = hookguard_actix::VerifySignature::new(verifier())
        .with_rejection(|_: Rejection| HttpResponse::Unauthorized().body("unauthorized"));
    let app = actix_test::init_service(
        App::new()
            .wrap(guard)
            .route("/", web::post().to(|| async { "handler ran" })),
    )
    .await;
    let request = actix_test::TestRequest::post()
        .uri("/")
        .insert_header((Provider::PeopleForce.header_name(), signed("{\"other\":1}")))
        .set_payload("{}")
        .to_request();
    let response = actix_test::call_service(&app, request).await;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(&actix_test::read_body(response).await[..], b"unauthorized");
    let refusals = refusals(&captured);
    assert_eq!(refusals.len(), 1, "{refusals:#?}");
    assert!(refusals[0].contains("status=401"), "{}", refusals[0]);
}
