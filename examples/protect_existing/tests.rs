//! The app answers as before on every route; only the webhook route checks signatures.

use super::*;
use hookguard::Signer;

const SECRET: &str = "existing-app-secret";
const SEED: &str = include_str!("../../tests/vectors/employee_create.json");
const HEADER: &str = "X-PeopleForce-Signature";

fn verifier() -> Verifier {
    Verifier::new(Provider::PeopleForce, Secret::new(SECRET).unwrap()).unwrap()
}

fn signature(secret: &str, body: &str) -> String {
    Signer::new(Provider::PeopleForce, Secret::new(secret).unwrap())
        .unwrap()
        .sign(body.as_bytes())
}

/// Webhook deliveries that must be refused: (what, signature header if any).
fn refused() -> Vec<(&'static str, Option<String>)> {
    vec![
        ("unsigned", None),
        ("forged", Some(format!("sha256={}", "0".repeat(64)))),
        ("wrong secret", Some(signature("not-the-secret", SEED))),
        (
            "signed for another body",
            Some(signature(
                SECRET,
                r#"{"action":"employee_create","data":{"id":1}}"#,
            )),
        ),
    ]
}

/// Methods the webhook route does not serve: they get `405` with `Allow: POST`.
const OTHER_METHODS: [&str; 3] = ["GET", "HEAD", "PUT"];

fn expected_event() -> (String, u64) {
    ("employee_create".to_owned(), 130_333)
}

mod axum {
    use super::*;
    use ::axum::body::{to_bytes, Body};
    use ::axum::http::{header, Request, StatusCode};
    use ::axum::Router;
    use serde_json::Value;
    use tower::ServiceExt;

    async fn call(app: &Router, request: Request<Body>) -> (StatusCode, String) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn json_post(uri: &str, signature: Option<String>, body: &str) -> Request<Body> {
        let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
        if let Some(signature) = signature {
            request = request.header(HEADER, signature);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    }

    #[tokio::test]
    async fn other_routes_need_no_signature() {
        let app = axum_app::app(verifier(), EventLog::default());
        let get = |uri| Request::get(uri).body(Body::empty()).unwrap();

        assert_eq!(
            call(&app, get("/")).await,
            (StatusCode::OK, "existing app (axum)".to_owned())
        );
        let (status, body) = call(&app, get("/users/7")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            serde_json::json!({ "id": 7, "name": "user 7" })
        );
        let (status, body) = call(&app, json_post("/users", None, r#"{"name":"Ada"}"#)).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            serde_json::json!({ "id": 1, "name": "Ada" })
        );
    }

    #[tokio::test]
    async fn webhook_refuses_bad_signatures_and_other_methods_before_the_handler() {
        let log = EventLog::default();
        let app = axum_app::app(verifier(), log.clone());
        for (case, signature) in refused() {
            let request = json_post("/webhooks/peopleforce", signature, SEED);
            assert_eq!(call(&app, request).await.0, StatusCode::FORBIDDEN, "{case}");
        }
        for method in OTHER_METHODS {
            let request = Request::builder()
                .method(method)
                .uri("/webhooks/peopleforce")
                .body(Body::empty())
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method}"
            );
            assert_eq!(response.headers()[header::ALLOW], "POST", "{method}");
        }
        assert_eq!(log.entries(), [], "the handler ran for a refused delivery");
    }

    #[tokio::test]
    async fn webhook_handler_gets_the_typed_seed_event() {
        let log = EventLog::default();
        let app = axum_app::app(verifier(), log.clone());
        let request = json_post("/webhooks/peopleforce", Some(signature(SECRET, SEED)), SEED);
        let (status, body) = call(&app, request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            serde_json::json!({ "received": "employee_create", "employee_id": 130_333 })
        );
        assert_eq!(log.entries(), [expected_event()]);
    }
}

mod actix {
    use super::*;
    use actix_web::http::StatusCode;
    use actix_web::{test, App};
    use serde_json::Value;

    fn json_post(uri: &str, signature: Option<String>, body: &str) -> test::TestRequest {
        let mut request = test::TestRequest::post()
            .uri(uri)
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_owned());
        if let Some(signature) = signature {
            request = request.insert_header((HEADER, signature));
        }
        request
    }

    #[actix_web::test]
    async fn other_routes_need_no_signature() {
        let app = test::init_service(
            App::new().configure(actix_app::routes(verifier(), EventLog::default())),
        )
        .await;

        let response =
            test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(test::read_body(response).await, "existing app (actix-web)");

        let request = test::TestRequest::get().uri("/users/7").to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = test::read_body_json(response).await;
        assert_eq!(body, serde_json::json!({ "id": 7, "name": "user 7" }));

        let request = json_post("/users", None, r#"{"name":"Ada"}"#).to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = test::read_body_json(response).await;
        assert_eq!(body, serde_json::json!({ "id": 1, "name": "Ada" }));
    }

    #[actix_web::test]
    async fn webhook_refuses_bad_signatures_and_other_methods_before_the_handler() {
        let log = EventLog::default();
        let app =
            test::init_service(App::new().configure(actix_app::routes(verifier(), log.clone())))
                .await;
        for (case, signature) in refused() {
            let request = json_post("/webhooks/peopleforce", signature, SEED).to_request();
            let response = test::call_service(&app, request).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
        }
        for method in OTHER_METHODS {
            let request = test::TestRequest::default()
                .method(method.parse().unwrap())
                .uri("/webhooks/peopleforce")
                .to_request();
            let response = test::call_service(&app, request).await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method}"
            );
            assert_eq!(response.headers().get("allow").unwrap(), "POST", "{method}");
        }
        assert_eq!(log.entries(), [], "the handler ran for a refused delivery");
    }

    #[actix_web::test]
    async fn webhook_handler_gets_the_typed_seed_event() {
        let log = EventLog::default();
        let app =
            test::init_service(App::new().configure(actix_app::routes(verifier(), log.clone())))
                .await;
        let request =
            json_post("/webhooks/peopleforce", Some(signature(SECRET, SEED)), SEED).to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = test::read_body_json(response).await;
        assert_eq!(
            body,
            serde_json::json!({ "received": "employee_create", "employee_id": 130_333 })
        );
        assert_eq!(log.entries(), [expected_event()]);
    }
}
