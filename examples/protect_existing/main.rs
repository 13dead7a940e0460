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
//! - actix-web: `web::post().to(on_employee_event)` becomes
//!   `web::post().to(on_employee_event).wrap(VerifySignature::new(verifier))`.
//!
//! `GET /`, `GET /users/{id}` and `POST /users` answer exactly as before, with no signature.
//! `POST /webhooks/peopleforce` answers `403` to an unsigned or forged delivery, and the
//! handler does not run; other methods on it get `405` with `Allow: POST`, as before.
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
//! header=$(WEBHOOK_SECRET=s3cret cargo run -q -p hookguard-cli -- sign --provider peopleforce --body-file $body)
//! # ...or with openssl:
//! header="X-PeopleForce-Signature: sha256=$(openssl dgst -sha256 -hmac s3cret < $body | sed 's/^.* //')"
//! curl -i -X POST http://127.0.0.1:3000/webhooks/peopleforce \
//!      -H 'Content-Type: application/json' -H "$header" --data-binary @$body
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

mod actix_app;
mod axum_app;

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
mod tests;
