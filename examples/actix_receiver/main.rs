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
use hookguard_dedup::{actix::Deduplicate, Dedup, RedisStore};

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

/// Deduplication in memory, or through the Redis at `REDIS_URL` when it is set (keys are
/// namespaced by provider, so both routes share one store).
async fn dedup() -> Result<Dedup, String> {
    match std::env::var("REDIS_URL") {
        Err(std::env::VarError::NotPresent) => Ok(Dedup::in_memory()),
        Err(std::env::VarError::NotUnicode(_)) => Err("REDIS_URL is not valid UTF-8".to_owned()),
        Ok(url) => match RedisStore::connect(&url).await {
            Ok(store) => Ok(Dedup::new(store)),
            Err(error) => Err(format!("REDIS_URL {url}: {error}")),
        },
    }
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
        Ok(setup) => dedup().await.map(|dedup| (setup, dedup)),
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
mod tests {
    use super::*;
    use actix_web::http::StatusCode;
    use actix_web::test;
    use hookguard::Signer;

    const SECRET: &str = "actix-example-secret";
    /// The seed `employee_create` delivery.
    const SEED: &[u8] = include_bytes!("../tests/vectors/employee_create.json");

    fn secret(text: &str) -> Secret {
        Secret::new(text).unwrap()
    }

    fn signer(provider: Provider, key: &str) -> Signer {
        Signer::new(provider, secret(key)).unwrap()
    }

    /// The example's routes keyed with [`SECRET`], and the handler's delivery count.
    fn routes_and_count() -> (impl FnOnce(&mut web::ServiceConfig), web::Data<Received>) {
        let received = web::Data::new(Received::default());
        let verifier = |provider| Verifier::new(provider, secret(SECRET)).unwrap();
        let routes = routes(
            verifier(Provider::PeopleForce),
            verifier(Provider::Bindbee),
            &Dedup::in_memory(),
            received.clone(),
        );
        (routes, received)
    }

    /// A `POST` of `body` to `path`, with the signature header `signer` writes for
    /// `signed` (when there is a signer).
    fn post(path: &str, signer: Option<&Signer>, signed: &[u8], body: &[u8]) -> test::TestRequest {
        let mut request = test::TestRequest::post()
            .uri(path)
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_vec());
        if let Some(signer) = signer {
            request = request.insert_header((signer.header_name(), signer.sign(signed)));
        }
        request
    }

    /// What the handler answers for a delivery of `bytes` bytes with `action`.
    fn answer(action: &str, bytes: usize) -> String {
        format!(r#"{{"action":{action},"bytes":{bytes}}}"#)
    }

    // The handler answers each delivery's action and length; that it sees the exact bytes
    // is held by `tests/conformance.rs`, for both adapters.
    #[actix_web::test]
    async fn signed_deliveries_reach_the_handler() {
        let (routes, received) = routes_and_count();
        let app = test::init_service(App::new().configure(routes)).await;
        for (provider, path) in [
            (Provider::PeopleForce, "/webhooks/peopleforce"),
            (Provider::Bindbee, "/webhooks/bindbee"),
        ] {
            let signer = signer(provider, SECRET);
            let request = post(path, Some(&signer), SEED, SEED);
            let response = test::call_service(&app, request.to_request()).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(
                test::read_body(response).await,
                answer(r#""employee_create""#, SEED.len()),
                "{path}"
            );
        }
        assert_eq!(received.count(), 2);

        // A body that is not an object has no action.
        let signer = signer(Provider::Bindbee, SECRET);
        let response = test::call_service(
            &app,
            post("/webhooks/bindbee", Some(&signer), b"[1]", b"[1]").to_request(),
        )
        .await;
        assert_eq!(test::read_body(response).await, answer("null", 3));

        let response =
            test::call_service(&app, test::TestRequest::get().uri("/health").to_request()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(test::read_body(response).await, "ok");
    }

    #[actix_web::test]
    async fn bodies_up_to_the_middleware_limit_reach_the_handler() {
        // Past actix-web's own 256 KiB default for `web::Bytes`, which the example does not
        // raise itself: the middleware does.
        let prefix = br#"{"action":"big","pad":""#;
        let mut body = prefix.to_vec();
        body.resize(hookguard::DEFAULT_MAX_BODY_SIZE - 2, b'x');
        body.extend_from_slice(b"\"}");
        let (routes, received) = routes_and_count();
        let app = test::init_service(App::new().configure(routes)).await;
        let signer = signer(Provider::PeopleForce, SECRET);
        let request = post("/webhooks/peopleforce", Some(&signer), &body, &body);
        let response = test::call_service(&app, request.to_request()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            test::read_body(response).await,
            answer(r#""big""#, hookguard::DEFAULT_MAX_BODY_SIZE)
        );
        assert_eq!(received.count(), 1);
    }

    #[actix_web::test]
    async fn refused_deliveries_get_403_and_never_reach_the_handler() {
        let (routes, received) = routes_and_count();
        let app = test::init_service(App::new().configure(routes)).await;
        let mut tampered = SEED.to_vec();
        let id = tampered.windows(6).position(|w| w == b"130333").unwrap();
        tampered[id] = b'9';
        for (provider, path) in [
            (Provider::PeopleForce, "/webhooks/peopleforce"),
            (Provider::Bindbee, "/webhooks/bindbee"),
        ] {
            let genuine = signer(provider.clone(), SECRET);
            let forger = signer(provider, "not-the-secret");
            let other = if path.ends_with("bindbee") {
                signer(Provider::PeopleForce, SECRET)
            } else {
                signer(Provider::Bindbee, SECRET)
            };
            for (case, request) in [
                ("unsigned", post(path, None, SEED, SEED)),
                ("forged", post(path, Some(&forger), SEED, SEED)),
                ("tampered body", post(path, Some(&genuine), SEED, &tampered)),
                (
                    "other provider's scheme",
                    post(path, Some(&other), SEED, SEED),
                ),
            ] {
                let response = test::call_service(&app, request.to_request()).await;
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case} to {path}");
            }
        }
        assert_eq!(
            received.count(),
            0,
            "the handler ran for a refused delivery"
        );
    }

    #[actix_web::test]
    async fn other_methods_get_405_with_allow_post_over_a_socket() {
        use hookguard_test_support::http::Connection;

        let received = web::Data::new(Received::default());
        let verifier = |provider| Verifier::new(provider, secret(SECRET)).unwrap();
        let (peopleforce, bindbee) = (verifier(Provider::PeopleForce), verifier(Provider::Bindbee));
        let data = received.clone();
        let dedup = Dedup::in_memory();
        let server = HttpServer::new(move || {
            App::new().configure(routes(
                peopleforce.clone(),
                bindbee.clone(),
                &dedup,
                data.clone(),
            ))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);

        for method in ["GET", "HEAD", "PUT"] {
            for path in ["/webhooks/peopleforce", "/webhooks/bindbee"] {
                // The workspace's raw HTTP/1.1 test client, synchronous: on a blocking thread.
                let response = actix_web::rt::task::spawn_blocking(move || {
                    let mut connection = Connection::open(addr)?;
                    let head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                    connection.write_raw(head.as_bytes())?;
                    if method == "HEAD" {
                        connection.read_head_response()
                    } else {
                        connection.read_response()
                    }
                })
                .await
                .unwrap()
                .unwrap();
                assert_eq!(response.status, 405, "{method} {path}");
                assert_eq!(response.header("allow"), ["POST"], "{method} {path}");
            }
        }
        assert_eq!(received.count(), 0, "the handler ran");
        handle.stop(true).await;
    }

    #[actix_web::test]
    async fn a_delivery_runs_once_its_copies_are_duplicates() {
        let (routes, received) = routes_and_count();
        let app = test::init_service(App::new().configure(routes)).await;
        let signer = signer(Provider::PeopleForce, SECRET);
        let first = test::call_service(
            &app,
            post("/webhooks/peopleforce", Some(&signer), SEED, SEED).to_request(),
        )
        .await;
        assert_eq!(first.status(), StatusCode::OK);
        assert!(first.headers().get("hookguard-duplicate").is_none());
        let copy = test::call_service(
            &app,
            post("/webhooks/peopleforce", Some(&signer), SEED, SEED).to_request(),
        )
        .await;
        assert_eq!(copy.status(), StatusCode::OK);
        assert_eq!(copy.headers().get("hookguard-duplicate").unwrap(), "true");
        assert_eq!(received.count(), 1);
    }

    #[actix_web::test]
    async fn two_instances_sharing_redis_answer_each_others_copies() {
        use hookguard_test_support::redis::RedisServer;

        let test = "actix_receiver::two_instances_sharing_redis_answer_each_others_copies";
        let Some(redis) = RedisServer::start(test).unwrap() else {
            return;
        };
        let signer = signer(Provider::Bindbee, SECRET);
        let mut instances = Vec::new();
        for _ in 0..2 {
            let received = web::Data::new(Received::default());
            let dedup = Dedup::new(RedisStore::connect(&redis.url()).await.unwrap());
            let verifier = |provider| Verifier::new(provider, secret(SECRET)).unwrap();
            let routes = routes(
                verifier(Provider::PeopleForce),
                verifier(Provider::Bindbee),
                &dedup,
                received.clone(),
            );
            let app = test::init_service(App::new().configure(routes)).await;
            instances.push((app, received));
        }
        let request = || post("/webhooks/bindbee", Some(&signer), SEED, SEED).to_request();
        let first = test::call_service(&instances[0].0, request()).await;
        assert_eq!(first.status(), StatusCode::OK);
        let copy = test::call_service(&instances[1].0, request()).await;
        assert_eq!(copy.status(), StatusCode::OK);
        assert_eq!(copy.headers().get("hookguard-duplicate").unwrap(), "true");
        assert_eq!((instances[0].1.count(), instances[1].1.count()), (1, 0));
    }
}
