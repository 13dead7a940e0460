//! Run with: cargo run --example axum_receiver
//!
//! An axum server that receives signed webhooks from PeopleForce and Bindbee and refuses
//! anything else with `403` before the handler runs.
//!
//! ```text
//! WEBHOOK_SECRET=s3cret PORT=3000 cargo run --example axum_receiver
//! curl -i http://127.0.0.1:3000/health
//! echo '{"action":"employee_create"}' | WEBHOOK_SECRET=s3cret cargo run -p hookguard-cli -- \
//!     send --provider peopleforce --url http://127.0.0.1:3000/webhooks/peopleforce
//! ```
//!
//! - `POST /webhooks/peopleforce`: `X-PeopleForce-Signature: sha256=<hex>`;
//! - `POST /webhooks/bindbee`: `X-Bindbee-Webhook-Signature: <URL-safe base64>`;
//! - `GET /health`: not protected.
//!
//! Both webhook routes use the secret in `WEBHOOK_SECRET` and answer
//! `{"action": <the body's "action" or null>, "bytes": <body length>}`.

#![allow(
    clippy::doc_markdown,
    reason = "the first line is the command, verbatim"
)]

use std::process::ExitCode;

use axum::body::Bytes;
use axum::routing::{get, post};
use axum::{Json, Router};
use hookguard::{Provider, Secret, Verifier};
use hookguard_tower::{VerifiedWebhook, VerifySignatureLayer};
use serde_json::{json, Value};

/// The webhook handler: it only runs for correctly signed requests.
async fn on_event(VerifiedWebhook(verified): VerifiedWebhook, body: Bytes) -> Json<Value> {
    let action = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| value.get("action").cloned())
        .unwrap_or(Value::Null);
    eprintln!(
        "{} webhook verified with key {}: action {action}",
        verified.provider(),
        verified.key()
    );
    Json(json!({ "action": action, "bytes": body.len() }))
}

/// A layer verifying `provider`'s scheme with the secret in `WEBHOOK_SECRET`.
fn guard(provider: Provider) -> Result<VerifySignatureLayer, hookguard::ConfigError> {
    let secret = Secret::from_env("WEBHOOK_SECRET")?;
    Ok(VerifySignatureLayer::new(Verifier::new(provider, secret)?))
}

fn app() -> Result<Router, hookguard::ConfigError> {
    Ok(Router::new()
        .route(
            "/webhooks/peopleforce",
            post(on_event).route_layer(guard(Provider::PeopleForce)?),
        )
        .route(
            "/webhooks/bindbee",
            post(on_event).route_layer(guard(Provider::Bindbee)?),
        )
        .route("/health", get(|| async { "ok" })))
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

#[tokio::main]
async fn main() -> ExitCode {
    // Rejections are logged by the layer (reason only, never the secret).
    tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_writer(std::io::stderr)
        .init();

    let app = match app() {
        Ok(app) => app,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let port = match port() {
        Ok(port) => port,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "error: cannot listen on 127.0.0.1:{port}: {error} (set PORT to a free port)"
            );
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map_or(port, |addr| addr.port());
    println!("listening on http://127.0.0.1:{port}");
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("error: server stopped: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
