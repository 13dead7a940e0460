//! The same existing app, in actix-web.

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

/// The routes, for `App::configure`; only the webhook's `POST` route is wrapped, so other
/// methods still get actix-web's `405` with `Allow: POST`.
pub(super) fn routes(verifier: Verifier, log: EventLog) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(log))
            .route("/", web::get().to(home))
            .route("/users/{id}", web::get().to(get_user))
            .route("/users", web::post().to(create_user))
            .service(
                web::resource("/webhooks/peopleforce").route(
                    // Before: `web::post().to(on_employee_event)`. The added `wrap` is the
                    // only change.
                    web::post()
                        .to(on_employee_event)
                        .wrap(VerifySignature::new(verifier)),
                ),
            );
    }
}
