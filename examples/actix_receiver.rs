//! Run with: cargo run --example actix_receiver
//!
//! An actix-web webhook receiver protected by `hookguard_actix::VerifySignature`.
//!
//! - `WEBHOOK_SECRET` (required): the shared secret configured at the provider.
//! - `PORT` (optional, default 3000): the port to listen on, on 127.0.0.1.
//!
//! Routes:
//! - `POST /webhooks/peopleforce`: verified with the PeopleForce scheme
//!   (`X-PeopleForce-Signature: sha256=<hex>`);
//! - `POST /webhooks/bindbee`: verified with the Bindbee scheme
//!   (`X-Bindbee-Webhook-Signature: <url-safe base64>`);
//! - `GET /health`: not protected.
//!
//! Both webhook routes answer `200` with `{"action": <the body's "action" or null>, "bytes": <body length>}`;
//! a request that fails verification gets `403` and never reaches the handler.
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
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use hookguard::{Provider, Secret, Verifier};
use hookguard_actix::VerifySignature;

/// The handler both webhook routes share: unchanged by the middleware in front of it.
async fn on_event(body: web::Bytes) -> HttpResponse {
    let action = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|value| value.get("action").cloned())
        .unwrap_or(serde_json::Value::Null);
    HttpResponse::Ok().json(serde_json::json!({ "action": action, "bytes": body.len() }))
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().body("ok")
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
    let (peopleforce, bindbee, port) = match setup() {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };

    // How long a client may take to send a whole body: actix-web's own timeout covers only
    // the request head.
    let guard = |verifier: &Verifier| {
        VerifySignature::new(verifier.clone()).with_read_timeout(Duration::from_secs(10))
    };
    let server = HttpServer::new(move || {
        App::new()
            // Let handlers take bodies up to the middleware's limit (actix's default is 256 KiB).
            .app_data(web::PayloadConfig::new(hookguard::DEFAULT_MAX_BODY_SIZE))
            .service(
                web::resource("/webhooks/peopleforce")
                    .wrap(guard(&peopleforce))
                    .route(web::post().to(on_event)),
            )
            .service(
                web::resource("/webhooks/bindbee")
                    .wrap(guard(&bindbee))
                    .route(web::post().to(on_event)),
            )
            .route("/health", web::get().to(health))
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
