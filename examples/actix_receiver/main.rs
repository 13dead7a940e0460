//! Run with: cargo run --example actix_receiver
//!
//! An actix-web webhook receiver protected by `hookguard_actix::VerifySignature`, running
//! its handler once per delivery (`hookguard_dedup::actix::Deduplicate`).
//!
//! - `WEBHOOK_SECRET` (required): the shared secret configured at the provider.
//! - `PORT` (optional, default 3000): the port to listen on, on 127.0.0.1.
//! - `REDIS_URL` (optional): remember deliveries in this Redis instead of in memory, so
//!   that instances sharing it answer each other's deliveries' copies as duplicates.
//!
//! Routes:
//! - `POST /webhooks/peopleforce`: verified with the PeopleForce scheme
//!   (`X-PeopleForce-Signature: sha256=<hex>`);
//! - `POST /webhooks/bindbee`: verified with the Bindbee scheme
//!   (`X-Bindbee-Webhook-Signature: <url-safe base64>`);
//! - `GET /health`: not protected.
//!
//! Both webhook routes answer `200` with `{"action": <the body's "action" or null>, "bytes": <body length>}`;
//! a request that fails verification gets `403` and never reaches the handler, and any
//! other method gets `405` with `Allow: POST` (the guard wraps the `POST` route only).
//! A copy of a delivery already handled gets `200` with `Hookguard-Duplicate: true`, a
//! copy of one still running `409`; neither runs the handler.
//!
//! Try it (with `WEBHOOK_SECRET=s3cret`):
//! ```text
//! body='{"action":"employee_create"}'
//! sig=$(printf %s "$body" | openssl dgst -sha256 -hmac s3cret | sed 's/^.* //')
//! curl -i -X POST localhost:3000/webhooks/peopleforce \
//!      -H "X-PeopleForce-Signature: sha256=$sig" -d "$body"
//! ```

// The first doc line is the exact command, kept free of Markdown so it can be copied.
#![allow(clippy::doc_markdown)]

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use hookguard::{Provider, Secret, Verifier};
use hookguard_actix::{VerifiedWebhook, VerifySignature};
use hookguard_dedup::{actix::Deduplicate, Dedup};

/// The body's `"action"`, or null when the body is not JSON or has none.
fn action(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value.get("action").cloned())
        .unwrap_or(serde_json::Value::Null)
}

/// How many deliveries passed verification and reached the handler, shared by both routes.
#[derive(Debug, Default)]
struct Received(AtomicU64);

impl Received {
    /// Counts one more delivery; its number, from 1.
    fn record(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The number of deliveries so far.
    #[cfg(test)]
    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The handler both webhook routes share: it only runs for correctly signed requests.
async fn on_event(
    webhook: VerifiedWebhook,
    received: web::Data<Received>,
    body: web::Bytes,
) -> HttpResponse {
    let action = action(&body);
    eprintln!(
        "delivery {}: {} webhook verified with key {}: action {action}",
        received.record(),
        webhook.provider(),
        webhook.key()
    );
    HttpResponse::Ok().json(serde_json::json!({ "action": action, "bytes": body.len() }))
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().body("ok")
}

/// How long a client may take to send a whole body: actix-web's own timeout covers only
/// the request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The routes, for `App::configure`: the two webhook resources, whose `POST` route is
/// behind its own `VerifySignature` (which also lets the handler's `web::Bytes` take bodies
/// up to the middleware's 1 MiB limit, past actix-web's 256 KiB default) and then
/// `Deduplicate`, and the open health check. Wrapping the route, not the resource, leaves
/// other methods to actix-web: `405` with `Allow: POST`.
fn routes(
    peopleforce: Verifier,
    bindbee: Verifier,
    dedup: &Dedup,
    received: web::Data<Received>,
) -> impl FnOnce(&mut web::ServiceConfig) {
    let guard = |verifier| VerifySignature::new(verifier).with_read_timeout(READ_TIMEOUT);
    // actix-web runs the `wrap` added last first: the signature is checked before a key
    // is claimed.
    let dedup = dedup.clone();
    let once = move || Deduplicate::new(dedup.clone());
    let protected = move |verifier| web::post().to(on_event).wrap(once()).wrap(guard(verifier));
    move |cfg| {
        cfg.app_data(received)
            .service(web::resource("/webhooks/peopleforce").route(protected(peopleforce)))
            .service(web::resource("/webhooks/bindbee").route(protected(bindbee)))
            .route("/health", web::get().to(health));
    }
}

fn verifier(provider: Provider) -> Result<Verifier, String> {
    let secret = Secret::from_env("WEBHOOK_SECRET").map_err(|error| error.to_string())?;
    Verifier::new(provider, secret).map_err(|error| error.to_string())
}

fn port() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(port) => port
            .trim()
            .parse()
            .map_err(|_| format!("PORT must be a port number (0-65535), got {port:?}")),
        Err(std::env::VarError::NotPresent) => Ok(3000),
        Err(std::env::VarError::NotUnicode(_)) => Err("PORT is not valid UTF-8".to_owned()),
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();

    let setup = || -> Result<(Verifier, Verifier, u16), String> {
        Ok((
            verifier(Provider::PeopleForce)?,
            verifier(Provider::Bindbee)?,
            port()?,
        ))
    };
    let setup = match setup() {
        Ok(setup) => Dedup::from_env("REDIS_URL")
            .await
            .map_err(|error| error.to_string())
            .map(|dedup| (setup, dedup)),
        Err(message) => Err(message),
    };
    let ((peopleforce, bindbee, port), dedup) = match setup {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };

    let received = web::Data::new(Received::default());
    let server = HttpServer::new(move || {
        App::new().configure(routes(
            peopleforce.clone(),
            bindbee.clone(),
            &dedup,
            received.clone(),
        ))
    })
    .bind(("127.0.0.1", port));
    let server = match server {
        Ok(server) => server,
        Err(error) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let bound = server
        .addrs()
        .first()
        .map_or(port, std::net::SocketAddr::port);
    println!("listening on http://127.0.0.1:{bound}");

    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: server failed: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests;
