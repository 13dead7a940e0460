//! Run with: cargo run --example protect_existing
//!
//! Protecting the webhook route of an app that already exists, in axum and in actix-web,
//! without touching its handler or its other routes.
//!
//! The app has a home page, a small user API and a PeopleForce webhook receiver whose
//! handler extracts `Json<EmployeeEvent>` and records the event, written as it was before
//! anybody thought of signatures. Protecting it is one line per framework:
//!
//! - axum: `post(on_employee_event)` becomes
//!   `post(on_employee_event).route_layer(VerifySignatureLayer::new(verifier))`;
//! - actix-web: `web::resource("/webhooks/peopleforce")` gains
//!   `.wrap(VerifySignature::new(verifier))`.
//!
//! `GET /`, `GET /users/{id}` and `POST /users` answer exactly as before, with no signature.
//! `POST /webhooks/peopleforce` answers `403` to an unsigned or forged delivery, and the
//! handler does not run.
//!
//! - `WEBHOOK_SECRET` (required): the secret configured in PeopleForce.
//! - `PORT` (optional, default 3000): axum listens on 127.0.0.1:`PORT`, actix-web on
//!   127.0.0.1:`PORT`+1.
//!
//! Try it (from the repository root):
//! ```text
//! WEBHOOK_SECRET=s3cret cargo run --example protect_existing
//!
//! curl -i http://127.0.0.1:3000/users/7                     # 200, no signature needed
//! curl -i -X POST http://127.0.0.1:3001/users -H 'Content-Type: application/json' -d '{"name":"Ada"}'
//!
//! body=tests/vectors/employee_create.json
//! curl -i -X POST http://127.0.0.1:3000/webhooks/peopleforce \
//!      -H 'Content-Type: application/json' --data-binary @$body   # 403: not signed
//!
//! # Sign like PeopleForce with the CLI...
//! sig=$(WEBHOOK_SECRET=s3cret cargo run -q -p hookguard-cli -- sign --provider peopleforce --body-file $body)
//! # ...or with openssl:
//! sig="sha256=$(openssl dgst -sha256 -hmac s3cret < $body | sed 's/^.* //')"
//! curl -i -X POST http://127.0.0.1:3000/webhooks/peopleforce \
//!      -H 'Content-Type: application/json' -H "X-PeopleForce-Signature: $sig" --data-binary @$body
//!
//! # Or let the CLI sign and send in one go (to either app):
//! WEBHOOK_SECRET=s3cret cargo run -q -p hookguard-cli -- send --provider peopleforce \
//!     --url http://127.0.0.1:3001/webhooks/peopleforce --body-file $body
//! ```

#![allow(
    clippy::doc_markdown,
    reason = "the first line is the command, verbatim"
)]

use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use hookguard::{Provider, Secret, Verifier};
use serde::Deserialize;
use serde_json::json;

/// A PeopleForce event, as the existing app already parses it (other fields are ignored).
#[derive(Debug, Deserialize)]
struct EmployeeEvent {
    /// What happened, e.g. `employee_create`.
    action: String,
    /// The employee it happened to.
    data: EmployeeRef,
}

/// The part of an event's `data` the app uses.
#[derive(Debug, Deserialize)]
struct EmployeeRef {
    /// PeopleForce's employee id.
    id: u64,
}

/// A new user, as `POST /users` accepts it.
#[derive(Debug, Deserialize)]
struct NewUser {
    /// The user's name.
    name: String,
}

/// The events the app has accepted, `(action, employee id)` in arrival order.
///
/// The existing app's own state, shared by both frameworks here; the tests read it to see
/// whether the webhook handler ran.
#[derive(Debug, Clone, Default)]
struct EventLog(Arc<Mutex<Vec<(String, u64)>>>);

impl EventLog {
    /// Appends one event.
    fn record(&self, event: &EmployeeEvent) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((event.action.clone(), event.data.id));
    }

    /// A copy of the events so far.
    #[cfg(test)]
    fn entries(&self) -> Vec<(String, u64)> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The answer to an accepted event, the same in both frameworks.
fn event_answer(event: &EmployeeEvent) -> serde_json::Value {
    json!({ "received": event.action, "employee_id": event.data.id })
}

/// The existing app, in axum.
mod axum_app {
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use axum::{Json, Router};
    use hookguard::Verifier;
    use hookguard_tower::VerifySignatureLayer;
    use serde_json::{json, Value};

    use super::{event_answer, EmployeeEvent, EventLog, NewUser};

    /// `GET /`.
    async fn home() -> &'static str {
        "existing app (axum)"
    }

    /// `GET /users/{id}`.
    async fn get_user(Path(id): Path<u64>) -> Json<Value> {
        Json(json!({ "id": id, "name": format!("user {id}") }))
    }

    /// `POST /users`.
    async fn create_user(Json(user): Json<NewUser>) -> (StatusCode, Json<Value>) {
        (
            StatusCode::CREATED,
            Json(json!({ "id": 1, "name": user.name })),
        )
    }

    /// `POST /webhooks/peopleforce`: the handler as it was before hookguard, unchanged.
    async fn on_employee_event(
        State(log): State<EventLog>,
        Json(event): Json<EmployeeEvent>,
    ) -> Json<Value> {
        log.record(&event);
        Json(event_answer(&event))
    }

    /// The routes; only the webhook route is behind the signature check.
    pub(super) fn app(verifier: Verifier, log: EventLog) -> Router {
        Router::new()
            .route("/", get(home))
            .route("/users/{id}", get(get_user))
            .route("/users", post(create_user))
            .route(
                "/webhooks/peopleforce",
                // Before: `post(on_employee_event)`. The added layer is the only change.
                post(on_employee_event).route_layer(VerifySignatureLayer::new(verifier)),
            )
            .with_state(log)
    }
}

/// The same existing app, in actix-web.
mod actix_app {
    use actix_web::{web, HttpResponse};
    use hookguard::Verifier;
    use hookguard_actix::VerifySignature;
    use serde_json::json;

    use super::{event_answer, EmployeeEvent, EventLog, NewUser};

    /// `GET /`.
    async fn home() -> &'static str {
        "existing app (actix-web)"
    }

    /// `GET /users/{id}`.
    async fn get_user(id: web::Path<u64>) -> HttpResponse {
        let id = id.into_inner();
        HttpResponse::Ok().json(json!({ "id": id, "name": format!("user {id}") }))
    }

    /// `POST /users`.
    async fn create_user(web::Json(user): web::Json<NewUser>) -> HttpResponse {
        HttpResponse::Created().json(json!({ "id": 1, "name": user.name }))
    }

    /// `POST /webhooks/peopleforce`: the handler as it was before hookguard, unchanged.
    async fn on_employee_event(
        log: web::Data<EventLog>,
        web::Json(event): web::Json<EmployeeEvent>,
    ) -> HttpResponse {
        log.record(&event);
        HttpResponse::Ok().json(event_answer(&event))
    }

    /// The routes, for `App::configure`; only the webhook resource is wrapped.
    pub(super) fn routes(
        verifier: Verifier,
        log: EventLog,
    ) -> impl FnOnce(&mut web::ServiceConfig) {
        move |cfg| {
            cfg.app_data(web::Data::new(log))
                .route("/", web::get().to(home))
                .route("/users/{id}", web::get().to(get_user))
                .route("/users", web::post().to(create_user))
                .service(
                    web::resource("/webhooks/peopleforce")
                        // The added `wrap` is the only change.
                        .wrap(VerifySignature::new(verifier))
                        .route(web::post().to(on_employee_event)),
                );
        }
    }
}

/// The port from `PORT`, 3000 when it is unset.
fn port() -> Result<u16, String> {
    match std::env::var("PORT") {
        Err(std::env::VarError::NotPresent) => Ok(3000),
        Err(std::env::VarError::NotUnicode(_)) => Err("PORT is not valid UTF-8".to_owned()),
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("PORT must be a port number (0-65535), got {text:?}")),
    }
}

/// Starts both apps and serves until one of them stops.
async fn run() -> Result<(), String> {
    let verifier = Secret::from_env("WEBHOOK_SECRET")
        .and_then(|secret| Verifier::new(Provider::PeopleForce, secret))
        .map_err(|error| error.to_string())?;
    let axum_port = port()?;
    // PORT=0 asks for ephemeral ports: then both are.
    let actix_port = match axum_port {
        0 => 0,
        port => port
            .checked_add(1)
            .ok_or("PORT must leave room for the actix app on PORT+1 (at most 65534)")?,
    };
    let log = EventLog::default();

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", axum_port))
        .await
        .map_err(|error| format!("cannot listen on 127.0.0.1:{axum_port}: {error}"))?;
    let axum_port = listener.local_addr().map_or(axum_port, |addr| addr.port());

    let actix_verifier = verifier.clone();
    let actix_log = log.clone();
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .configure(actix_app::routes(actix_verifier.clone(), actix_log.clone()))
    })
    .bind(("127.0.0.1", actix_port))
    .map_err(|error| format!("cannot listen on 127.0.0.1:{actix_port}: {error}"))?;
    let actix_port = server
        .addrs()
        .first()
        .map_or(actix_port, std::net::SocketAddr::port);

    println!("axum app listening on http://127.0.0.1:{axum_port}");
    println!("actix app listening on http://127.0.0.1:{actix_port}");
    // actix-web stops on Ctrl-C; the axum app stops with it.
    tokio::select! {
        result = axum::serve(listener, axum_app::app(verifier, log)) => {
            result.map_err(|error| format!("the axum app stopped: {error}"))
        }
        result = server.run() => {
            result.map_err(|error| format!("the actix app stopped: {error}"))
        }
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    // Rejections are logged by the layer and the middleware (reason only, never the secret).
    tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_writer(std::io::stderr)
        .init();

    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hookguard::Signer;

    const SECRET: &str = "existing-app-secret";
    const SEED: &str = include_str!("../tests/vectors/employee_create.json");
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
        async fn webhook_refuses_bad_signatures_before_the_handler() {
            let log = EventLog::default();
            let app = axum_app::app(verifier(), log.clone());
            for (case, signature) in refused() {
                let request = json_post("/webhooks/peopleforce", signature, SEED);
                assert_eq!(call(&app, request).await.0, StatusCode::FORBIDDEN, "{case}");
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
        async fn webhook_refuses_bad_signatures_before_the_handler() {
            let log = EventLog::default();
            let app = test::init_service(
                App::new().configure(actix_app::routes(verifier(), log.clone())),
            )
            .await;
            for (case, signature) in refused() {
                let request = json_post("/webhooks/peopleforce", signature, SEED).to_request();
                let response = test::call_service(&app, request).await;
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
            }
            assert_eq!(log.entries(), [], "the handler ran for a refused delivery");
        }

        #[actix_web::test]
        async fn webhook_handler_gets_the_typed_seed_event() {
            let log = EventLog::default();
            let app = test::init_service(
                App::new().configure(actix_app::routes(verifier(), log.clone())),
            )
            .await;
            let request = json_post("/webhooks/peopleforce", Some(signature(SECRET, SEED)), SEED)
                .to_request();
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
}
