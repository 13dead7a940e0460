//! The existing app, in axum.

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
