//! Bench-only server for `benches/load.sh`, on one worker thread, with four routes:
//! `/plain` (a handler that extracts the body bytes and returns 200, no verification),
//! `/webhooks/peopleforce` (the same handler behind the PeopleForce middleware),
//! `/in-handler` (no middleware: the handler itself reads the body and runs the core
//! check, the least any verifying server does, so the bench can separate the cost of the
//! check from the cost of the middleware), and `/minimal` (the handler behind the least a
//! verifying middleware does, written with the framework's `from_fn`: read the body, run
//! the one-shot check, hand the bytes on; no extension, no read timeout, no logging).
//! Two more put hookguard's deduplication (in memory) behind the verifying middleware:
//! `/dedup-first` keys every request apart (the default key plus a counter), so each is a
//! first delivery (claim, handler, done); `/dedup-copy` uses the default key, so every
//! request after the first is a duplicate answered without the handler.
//!
//! Run with: `WEBHOOK_SECRET=... PORT=3000 cargo run --release --example load_target -- axum`
//! (or `-- actix`). Not a template for production: `/plain` is deliberately unprotected so
//! the load benchmark can compare the arms on the same server.

use std::fmt::Write as _;
use std::process::ExitCode;

use std::sync::atomic::{AtomicU64, Ordering};

use hookguard::{Provider, Rejection, Secret, Verifier};
use hookguard_dedup::{Dedup, Key, KeyContext};

fn verifier() -> Result<Verifier, String> {
    let secret = Secret::from_env("WEBHOOK_SECRET").map_err(|error| error.to_string())?;
    Verifier::new(Provider::PeopleForce, secret).map_err(|error| error.to_string())
}

/// The status the in-handler check answers: 200, or the rejection's status.
fn status(outcome: Result<hookguard::Verified, Rejection>) -> u16 {
    match outcome {
        Ok(verified) => {
            std::hint::black_box(verified);
            200
        }
        Err(rejection) => rejection.status(),
    }
}

/// Deduplication where every request is a first delivery: the default key, made unique.
fn dedup_first() -> Dedup {
    let counter = AtomicU64::new(0);
    Dedup::in_memory().with_key_fn(move |request: &KeyContext<'_>| {
        let key = Key::derive(request.verified())?;
        let count = counter.fetch_add(1, Ordering::Relaxed);
        // Written once, at its final size: `:` and at most 20 digits.
        let mut unique = String::with_capacity(key.as_str().len() + 21);
        write!(unique, "{}:{count}", key.as_str()).ok()?;
        Some(Key::new(unique))
    })
}

fn port() -> Result<u16, String> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    port.trim()
        .parse()
        .map_err(|_| format!("PORT must be a port number, got {port:?}"))
}

mod axum_target {
    use axum::body::Bytes;
    use axum::extract::{Request, State};
    use axum::http::request::Parts;
    use axum::http::{HeaderName, HeaderValue, StatusCode};
    use axum::routing::post;
    use axum::Router;
    use hookguard::{Verifier, DEFAULT_MAX_BODY_SIZE};
    use hookguard_dedup::{Dedup, DeduplicateLayer};
    use hookguard_tower::VerifySignatureLayer;

    async fn handler(body: Bytes) -> StatusCode {
        std::hint::black_box(body);
        StatusCode::OK
    }

    /// The in-handler route's state: the verifier and its header name, parsed once (as the
    /// middleware does).
    type InHandler = State<(Verifier, HeaderName)>;

    /// Reads the whole body, bounded by the default limit, and runs the one-shot check:
    /// the request's parts and bytes, or the status to answer (413 for any read error).
    async fn read_and_verify(
        verifier: &Verifier,
        header: &HeaderName,
        request: Request,
    ) -> Result<(Parts, Bytes), StatusCode> {
        let (parts, body) = request.into_parts();
        let Ok(body) = axum::body::to_bytes(body, DEFAULT_MAX_BODY_SIZE).await else {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        };
        let values = parts.headers.get_all(header).iter();
        match super::status(verifier.verify(values.map(HeaderValue::as_bytes), &body)) {
            200 => Ok((parts, body)),
            status => Err(StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN)),
        }
    }

    async fn verify_in_handler(
        State((verifier, header)): InHandler,
        request: Request,
    ) -> StatusCode {
        match read_and_verify(&verifier, &header, request).await {
            Ok(verified) => {
                std::hint::black_box(verified);
                StatusCode::OK
            }
            Err(status) => status,
        }
    }

    /// The least a verifying middleware does: reads the whole body, runs the one-shot
    /// check, and hands the same bytes on; no extension, no read timeout.
    async fn minimal_middleware(
        State((verifier, header)): InHandler,
        request: Request,
        next: axum::middleware::Next,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        match read_and_verify(&verifier, &header, request).await {
            Ok((parts, body)) => {
                next.run(Request::from_parts(parts, axum::body::Body::from(body)))
                    .await
            }
            Err(status) => status.into_response(),
        }
    }

    pub(crate) fn run(verifier: Verifier, port: u16) -> std::io::Result<()> {
        let header = HeaderName::try_from(verifier.provider().header_name())
            .map_err(std::io::Error::other)?;
        let minimal = Router::new().route("/minimal", post(handler)).layer(
            axum::middleware::from_fn_with_state(
                (verifier.clone(), header.clone()),
                minimal_middleware,
            ),
        );
        let in_handler = Router::new()
            .route("/in-handler", post(verify_in_handler))
            .with_state((verifier.clone(), header));
        // One `layer` call, as the verified route has: the two differ by the deduplicating
        // stage, not by a layer axum wraps.
        let deduplicated = |path, dedup| {
            Router::new().route(path, post(handler)).layer(
                tower::ServiceBuilder::new()
                    .layer(VerifySignatureLayer::new(verifier.clone()))
                    .layer(DeduplicateLayer::new(dedup)),
            )
        };
        let first = deduplicated("/dedup-first", super::dedup_first());
        let copy = deduplicated("/dedup-copy", Dedup::in_memory());
        let app = Router::new()
            .route("/webhooks/peopleforce", post(handler))
            .layer(VerifySignatureLayer::new(verifier))
            .merge(first)
            .merge(copy)
            .merge(Router::new().route("/plain", post(handler)))
            .merge(in_handler)
            .merge(minimal);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
                println!("listening on http://127.0.0.1:{port}");
                axum::serve(listener, app).await
            })
    }
}

mod actix_target {
    use actix_web::body::{EitherBody, MessageBody};
    use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
    use actix_web::http::StatusCode;
    use actix_web::middleware::{from_fn, Next};
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    use hookguard::Verifier;
    use hookguard_actix::VerifySignature;
    use hookguard_dedup::{actix::Deduplicate, Dedup};

    async fn handler(body: web::Bytes) -> HttpResponse {
        std::hint::black_box(body);
        HttpResponse::Ok().finish()
    }

    async fn verify_in_handler(
        verifier: web::Data<Verifier>,
        header: web::Data<HeaderName>,
        request: HttpRequest,
        body: web::Bytes,
    ) -> HttpResponse {
        let outcome = verify(&verifier, &header, request.headers(), &body);
        std::hint::black_box(body);
        HttpResponse::new(outcome.err().unwrap_or(StatusCode::OK))
    }

    /// Runs the one-shot check of `body` against the signature header in `headers`: `Ok`,
    /// or the status to answer.
    fn verify(
        verifier: &Verifier,
        header: &HeaderName,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), StatusCode> {
        let values = headers.get_all(header).map(HeaderValue::as_bytes);
        match super::status(verifier.verify(values, body)) {
            200 => Ok(()),
            status => Err(StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN)),
        }
    }

    /// The least a verifying middleware does: reads the whole body, runs the one-shot
    /// check, and hands the same bytes on; no extension, no read timeout.
    async fn minimal_middleware(
        verifier: web::Data<Verifier>,
        header: web::Data<HeaderName>,
        mut request: ServiceRequest,
        next: Next<impl MessageBody>,
    ) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
        let body = request.extract::<web::Bytes>().await?;
        if let Err(status) = verify(&verifier, &header, request.headers(), &body) {
            return Ok(request
                .into_response(HttpResponse::new(status))
                .map_into_right_body());
        }
        request.set_payload(Payload::from(body));
        Ok(next.call(request).await?.map_into_left_body())
    }

    pub(crate) fn run(verifier: Verifier, port: u16) -> std::io::Result<()> {
        // Parsed once, as the middleware does, so the in-handler arm looks it up as cheaply.
        let header = HeaderName::try_from(verifier.provider().header_name())
            .map_err(std::io::Error::other)?;
        let (first, copy) = (super::dedup_first(), Dedup::in_memory());
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let deduplicated = |path, dedup: &Dedup| {
                    web::resource(path)
                        .wrap(Deduplicate::new(dedup.clone()))
                        .wrap(VerifySignature::new(verifier.clone()))
                        .route(web::post().to(handler))
                };
                App::new()
                    .service(
                        web::resource("/webhooks/peopleforce")
                            .wrap(VerifySignature::new(verifier.clone()))
                            .route(web::post().to(handler)),
                    )
                    .service(deduplicated("/dedup-first", &first))
                    .service(deduplicated("/dedup-copy", &copy))
                    .route("/plain", web::post().to(handler))
                    .app_data(web::Data::new(verifier.clone()))
                    .app_data(web::Data::new(header.clone()))
                    .route("/in-handler", web::post().to(verify_in_handler))
                    .service(
                        web::resource("/minimal")
                            .wrap(from_fn(minimal_middleware))
                            .route(web::post().to(handler)),
                    )
            })
            .workers(1)
            .bind(("127.0.0.1", port))?;
            println!("listening on http://127.0.0.1:{port}");
            server.run().await
        })
    }
}

fn main() -> ExitCode {
    let setup = || -> Result<(Verifier, u16), String> { Ok((verifier()?, port()?)) };
    let (verifier, port) = match setup() {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let result = match std::env::args().nth(1).as_deref() {
        Some("axum") => axum_target::run(verifier, port),
        Some("actix") => actix_target::run(verifier, port),
        _ => {
            eprintln!("usage: load_target axum|actix");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
