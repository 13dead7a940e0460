//! Run with: cargo run --example axum_receiver
//!
//! An axum server that receives signed webhooks from PeopleForce and Bindbee, refuses
//! anything else with `403` before the handler runs, and runs the handler once per
//! delivery: a copy of a delivery already handled gets `200` with `Hookguard-Duplicate:
//! true`, a copy of one still running `409`. Deliveries are remembered in memory, or in the
//! Redis at `REDIS_URL` when it is set, so that instances sharing it answer each other's
//! deliveries' copies as duplicates.
//!
//! ```text
//! WEBHOOK_SECRET=s3cret PORT=3000 cargo run --example axum_receiver
//! WEBHOOK_SECRET=s3cret PORT=3001 REDIS_URL=redis://127.0.0.1:6379/ cargo run --example axum_receiver
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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use hookguard::{Provider, Secret, Verifier};
use hookguard_dedup::{Dedup, DeduplicateLayer};
use hookguard_tower::{VerifiedWebhook, VerifySignatureLayer};
use serde_json::{json, Value};
use tower::ServiceBuilder;

/// How many deliveries passed verification and reached the handler, shared by both routes.
#[derive(Debug, Default)]
pub(crate) struct Received(AtomicU64);

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

/// The webhook handler: it only runs for correctly signed requests.
async fn on_event(
    VerifiedWebhook(verified): VerifiedWebhook,
    State(received): State<Arc<Received>>,
    body: Bytes,
) -> Json<Value> {
    let action = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| value.get("action").cloned())
        .unwrap_or(Value::Null);
    eprintln!(
        "delivery {}: {} webhook verified with key {}: action {action}",
        received.record(),
        verified.provider(),
        verified.key()
    );
    Json(json!({ "action": action, "bytes": body.len() }))
}

/// A verifier for `provider`'s scheme keyed with the secret in `WEBHOOK_SECRET`.
fn verifier(provider: Provider) -> Result<Verifier, hookguard::ConfigError> {
    Verifier::new(provider, Secret::from_env("WEBHOOK_SECRET")?)
}

/// How long a client may take to send a whole body: neither hyper nor axum times out a
/// request body that stalls.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The two protected webhook routes (verified, then deduplicated through `dedup`),
/// counting their deliveries in `received`, and the open health check.
pub(crate) fn app(
    peopleforce: Verifier,
    bindbee: Verifier,
    dedup: &Dedup,
    received: Arc<Received>,
) -> Router {
    // In the order they run: the signature is checked before a key is claimed.
    let guarded = |verifier| {
        ServiceBuilder::new()
            .layer(VerifySignatureLayer::new(verifier).with_read_timeout(READ_TIMEOUT))
            .layer(DeduplicateLayer::new(dedup.clone()))
    };
    Router::new()
        .route(
            "/webhooks/peopleforce",
            post(on_event).route_layer(guarded(peopleforce)),
        )
        .route(
            "/webhooks/bindbee",
            post(on_event).route_layer(guarded(bindbee)),
        )
        .route("/health", get(|| async { "ok" }))
        .with_state(received)
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

    let verifiers = verifier(Provider::PeopleForce)
        .and_then(|peopleforce| Ok((peopleforce, verifier(Provider::Bindbee)?)))
        .map_err(|error| error.to_string());
    let setup = match verifiers {
        Ok(verifiers) => Dedup::from_env("REDIS_URL")
            .await
            .map_err(|error| error.to_string())
            .map(|dedup| (verifiers, dedup)),
        Err(error) => Err(error),
    };
    let app = match setup {
        Ok(((peopleforce, bindbee), dedup)) => app(peopleforce, bindbee, &dedup, Arc::default()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use hookguard::Signer;
    use hookguard_test_support::http::{self, Body, Request};

    const SECRET: &str = "example-secret";

    /// The example's app keyed with [`SECRET`], served on an ephemeral port, and the
    /// handler's delivery count.
    async fn serve() -> (std::net::SocketAddr, Arc<Received>) {
        serve_with(&Dedup::in_memory()).await
    }

    async fn serve_with(dedup: &Dedup) -> (std::net::SocketAddr, Arc<Received>) {
        let secret = || Secret::new(SECRET).unwrap();
        let received = Arc::<Received>::default();
        let app = app(
            Verifier::new(Provider::PeopleForce, secret()).unwrap(),
            Verifier::new(Provider::Bindbee, secret()).unwrap(),
            dedup,
            Arc::clone(&received),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (addr, received)
    }

    /// Sends one request to the app at `addr` with the workspace's raw HTTP/1.1 test client
    /// (synchronous, so on a blocking thread); the status and body.
    async fn send(
        addr: std::net::SocketAddr,
        path: &str,
        headers: &[&(String, String)],
        body: &str,
    ) -> (u16, String) {
        let response = exchange(addr, path, headers, body).await;
        (response.status, String::from_utf8(response.body).unwrap())
    }

    async fn exchange(
        addr: std::net::SocketAddr,
        path: &str,
        headers: &[&(String, String)],
        body: &str,
    ) -> http::Response {
        let request = Request {
            path: path.to_owned(),
            headers: headers.iter().map(|&header| header.clone()).collect(),
            body: Body::Fixed(body.as_bytes().to_vec()),
        };
        tokio::task::spawn_blocking(move || http::send(addr, &request))
            .await
            .unwrap()
            .unwrap()
    }

    /// The signature header (name, value) `provider` sends for `body`.
    fn sign(provider: Provider, body: &str) -> (String, String) {
        let signer = Signer::new(provider, Secret::new(SECRET).unwrap()).unwrap();
        (
            signer.header_name().to_owned(),
            signer.sign(body.as_bytes()),
        )
    }

    #[tokio::test]
    async fn routes_answer_as_documented() {
        let (addr, received) = serve().await;
        let body = r#"{"action":"employee_create","id":1}"#;
        let expected = format!(r#"{{"action":"employee_create","bytes":{}}}"#, body.len());
        let peopleforce = sign(Provider::PeopleForce, body);
        assert_eq!(
            send(addr, "/webhooks/peopleforce", &[&peopleforce], body).await,
            (200, expected.clone())
        );
        let bindbee = sign(Provider::Bindbee, body);
        assert_eq!(
            send(addr, "/webhooks/bindbee", &[&bindbee], body).await,
            (200, expected)
        );

        // A body that is not an object: action is null.
        let list = sign(Provider::Bindbee, "[1,2]");
        let answer = send(addr, "/webhooks/bindbee", &[&list], "[1,2]").await;
        assert_eq!(answer, (200, r#"{"action":null,"bytes":5}"#.to_owned()));
        assert_eq!(received.count(), 3);

        // Signed for another body, missing, or another provider's scheme: 403, and the
        // handler never runs.
        assert_eq!(
            send(addr, "/webhooks/bindbee", &[&bindbee], "{}").await.0,
            403
        );
        assert_eq!(send(addr, "/webhooks/peopleforce", &[], body).await.0, 403);
        let crossed = (bindbee.0, peopleforce.1);
        let answer = send(addr, "/webhooks/bindbee", &[&crossed], body).await;
        assert_eq!(answer.0, 403);
        assert_eq!(received.count(), 3);

        assert_eq!(send(addr, "/health", &[], "").await, (200, "ok".to_owned()));
    }

    #[tokio::test]
    async fn a_delivery_runs_once_its_copies_are_duplicates() {
        let (addr, received) = serve().await;
        let body = r#"{"action":"employee_create","id":2}"#;
        let signature = sign(Provider::Bindbee, body);
        let first = exchange(addr, "/webhooks/bindbee", &[&signature], body).await;
        assert_eq!(first.status, 200);
        assert!(first.header("hookguard-duplicate").is_empty());
        let copy = exchange(addr, "/webhooks/bindbee", &[&signature], body).await;
        assert_eq!(
            (copy.status, copy.header("hookguard-duplicate")),
            (200, vec!["true"])
        );
        assert_eq!(received.count(), 1);
    }

    #[tokio::test]
    async fn two_instances_sharing_redis_answer_each_others_copies() {
        use hookguard_dedup::RedisStore;
        use hookguard_test_support::redis::RedisServer;

        let test = "axum_receiver::two_instances_sharing_redis_answer_each_others_copies";
        let Some(redis) = RedisServer::start(test).unwrap() else {
            return;
        };
        let shared = || async { Dedup::new(RedisStore::connect(&redis.url()).await.unwrap()) };
        let (one, received_one) = serve_with(&shared().await).await;
        let (two, received_two) = serve_with(&shared().await).await;
        let body = r#"{"action":"employee_update","id":3}"#;
        let signature = sign(Provider::PeopleForce, body);
        let first = exchange(one, "/webhooks/peopleforce", &[&signature], body).await;
        assert_eq!(first.status, 200);
        let copy = exchange(two, "/webhooks/peopleforce", &[&signature], body).await;
        assert_eq!(
            (copy.status, copy.header("hookguard-duplicate")),
            (200, vec!["true"])
        );
        assert_eq!((received_one.count(), received_two.count()), (1, 0));
    }
}
