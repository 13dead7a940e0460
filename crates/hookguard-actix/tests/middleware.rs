//! `VerifySignature` in-process through `actix_web::test`, for what only an actix payload
//! can show (how far the middleware pulls a stream past the limit, empty chunks), its read
//! timer, a custom rejection, clones and `Debug`. The behaviour both adapters share is in
//! the workspace's `tests/conformance.rs`; placements and extractors are in `app.rs`.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup should fail the test loudly

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_http::Request;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpResponse};
use common::{
    echo_bytes, header_of, sign, signed, verifier, BoxedStream, Recorder, BB_HEADER, BODY,
    PF_HEADER, SECRET,
};
use futures_util::{stream, StreamExt as _};
use hookguard_actix::{Rejection, RejectionResponse, VerifySignature};
use hookguard_core::Provider;

/// Sends `request` to `/hook` wrapped (on the resource) in `guard`; returns status,
/// response body and what the handler recorded.
async fn send<R: RejectionResponse>(
    guard: VerifySignature<R>,
    request: Request,
) -> (StatusCode, Bytes, Vec<Bytes>) {
    let recorder = web::Data::new(Recorder::default());
    let app = test::init_service(
        App::new()
            // actix's own `Bytes` extractor limit (256 KiB) must not be what answers 413.
            .app_data(web::PayloadConfig::new(8 * 1024 * 1024))
            .app_data(recorder.clone())
            .service(
                web::resource("/hook")
                    .wrap(guard)
                    .route(web::post().to(echo_bytes)),
            ),
    )
    .await;
    let response = test::call_service(&app, request).await;
    let status = response.status();
    let body = test::read_body(response).await;
    (status, body, recorder.runs())
}

fn with_header(provider: &Provider, value: &str) -> Request {
    TestRequest::post()
        .uri("/hook")
        .insert_header((header_of(provider), value))
        .set_payload(BODY)
        .to_request()
}

/// A payload that counts how often it was polled: proves a rejection never touched it.
fn counted(chunks: Vec<Result<Bytes, PayloadError>>, polls: &Arc<AtomicUsize>) -> BoxedStream {
    let polls = Arc::clone(polls);
    Box::pin(stream::iter(chunks).inspect(move |_| {
        polls.fetch_add(1, Ordering::SeqCst);
    }))
}

fn streamed(request: TestRequest, payload: BoxedStream) -> Request {
    let (request, _old) = request.to_request().replace_payload(Payload::from(payload));
    request
}

#[actix_web::test]
async fn streamed_body_without_content_length_is_cut_at_the_limit() {
    // 3 chunks of 40 bytes against a 100-byte limit: the third passes it.
    let chunk = Bytes::from(vec![b'a'; 40]);
    let whole = [chunk.clone(), chunk.clone(), chunk.clone()].concat();
    let polls = Arc::new(AtomicUsize::new(0));
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, &whole)));
    let payload = counted(
        vec![
            Ok(chunk.clone()),
            Ok(chunk.clone()),
            Ok(chunk.clone()),
            Ok(chunk),
        ],
        &polls,
    );
    let guard = VerifySignature::new(verifier(Provider::PeopleForce)).with_max_body_size(100);
    let (status, _, runs) = send(guard, streamed(request, payload)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(runs.is_empty());
    assert_eq!(
        polls.load(Ordering::SeqCst),
        3,
        "read past the chunk that crossed the limit"
    );
}

#[actix_web::test]
async fn a_hundred_mebibyte_chunked_body_is_refused_without_buffering_it() {
    const CHUNK: usize = 64 * 1024;
    const TOTAL: usize = 100 * 1024 * 1024;
    const LIMIT: usize = 1024 * 1024;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let chunk = Bytes::from(vec![b'x'; CHUNK]);
    let payload: BoxedStream = Box::pin(stream::unfold(0usize, move |sent| {
        let chunk = chunk.clone();
        let counter = Arc::clone(&counter);
        async move {
            if sent >= TOTAL {
                return None;
            }
            let pulled = counter.fetch_add(CHUNK, Ordering::SeqCst) + CHUNK;
            assert!(
                pulled <= LIMIT + CHUNK,
                "middleware pulled {pulled} bytes, past the limit"
            );
            Some((Ok(chunk), sent + CHUNK))
        }
    }));
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, b"irrelevant")))
        .insert_header(("transfer-encoding", "chunked"));
    let (status, _, runs) = send(
        VerifySignature::new(verifier(Provider::PeopleForce)),
        streamed(request, payload),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(runs.is_empty());
    let pulled = pulled.load(Ordering::SeqCst);
    assert!(
        pulled > LIMIT && pulled <= LIMIT + CHUNK,
        "pulled {pulled} bytes"
    );
}

#[actix_web::test]
async fn a_stalled_payload_times_out_with_408() {
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, BODY.as_bytes())));
    let payload: BoxedStream = Box::pin(
        stream::iter(vec![Ok(Bytes::from_static(&BODY.as_bytes()[..10]))]).chain(stream::pending()),
    );
    let guard = VerifySignature::new(verifier(Provider::PeopleForce))
        .with_read_timeout(Duration::from_millis(50));
    let started = std::time::Instant::now();
    let (status, body, runs) = send(guard, streamed(request, payload)).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(body, "Request Timeout");
    assert!(runs.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// The signed [`BODY`] arriving in `pieces` pieces, each after a wait of `gap`.
fn trickled(pieces: usize, gap: Duration) -> Request {
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, BODY.as_bytes())));
    let chunks = BODY.as_bytes().chunks(BODY.len().div_ceil(pieces));
    let payload: BoxedStream = Box::pin(stream::iter(chunks).then(move |piece| async move {
        actix_web::rt::time::sleep(gap).await;
        Ok(Bytes::from_static(piece))
    }));
    streamed(request, payload)
}

#[actix_web::test]
async fn a_slow_body_arriving_in_time_passes_the_read_timeout() {
    // Three pieces 100 ms apart: the body waits 300 ms in all, within the 2 s timeout.
    let guard = VerifySignature::new(verifier(Provider::PeopleForce))
        .with_read_timeout(Duration::from_secs(2));
    let (status, _, runs) = send(guard, trickled(3, Duration::from_millis(100))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs, vec![Bytes::from_static(BODY.as_bytes())]);
}

#[actix_web::test]
async fn read_timeout_covers_the_whole_body_not_each_wait() {
    // Four pieces 60 ms apart: no single wait reaches the 150 ms timeout, the whole body does.
    let guard = VerifySignature::new(verifier(Provider::PeopleForce))
        .with_read_timeout(Duration::from_millis(150));
    let (status, _, runs) = send(guard, trickled(4, Duration::from_millis(60))).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert!(runs.is_empty());
}

#[actix_web::test]
async fn multi_chunk_bodies_are_reassembled_exactly() {
    let parts: [&'static [u8]; 4] = [b"{\"action\":", b"\"employee_", b"", b"update\"}"];
    let whole = parts.concat();
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((BB_HEADER, sign(Provider::Bindbee, &whole)));
    let payload: BoxedStream =
        Box::pin(stream::iter(parts.map(|part| Ok(Bytes::from_static(part)))));
    let (status, body, runs) = send(
        VerifySignature::new(verifier(Provider::Bindbee)),
        streamed(request, payload),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, whole);
    assert_eq!(runs, vec![Bytes::from(whole)]);
}

#[actix_web::test]
async fn a_custom_rejection_closure_replaces_the_response() {
    let guard = VerifySignature::new(verifier(Provider::PeopleForce)).with_rejection(
        |rejection: Rejection| {
            HttpResponse::Unauthorized().body(format!("nope {}", rejection.status()))
        },
    );
    let (status, body, runs) = send(guard, with_header(&Provider::PeopleForce, "sha256=00")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, "nope 403");
    assert!(runs.is_empty());
}

#[actix_web::test]
async fn a_cloned_guard_behaves_the_same() {
    let guard = VerifySignature::new(verifier(Provider::Bindbee)).with_max_body_size(10);
    let (status, _, runs) = send(guard.clone(), signed(Provider::Bindbee, b"{}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs, vec![Bytes::from_static(b"{}")]);
    let (status, _, runs) = send(guard, signed(Provider::Bindbee, b"{\"long\":true}")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(runs.is_empty());
}

#[actix_web::test]
async fn debug_output_of_guard_and_middleware_shows_the_settings_and_never_the_secret() {
    use actix_web::dev::Transform as _;

    let guard = VerifySignature::new(verifier(Provider::PeopleForce))
        .with_max_body_size(4096)
        .with_read_timeout(Duration::from_secs(7));
    let inner = actix_web::dev::fn_service(|request: actix_web::dev::ServiceRequest| async {
        Ok::<_, actix_web::Error>(request.into_response(HttpResponse::Ok()))
    });
    let middleware = guard.new_transform(inner).await.unwrap();
    for (name, text) in [
        ("VerifySignature", format!("{guard:?}")),
        ("VerifySignatureMiddleware", format!("{middleware:?}")),
    ] {
        assert!(text.starts_with(&format!("{name} {{")), "{text}");
        assert!(text.contains("max_body_size: 4096"), "{text}");
        assert!(text.contains("read_timeout: Some(7s)"), "{text}");
        assert!(
            text.contains("peopleforce") || text.contains("PeopleForce"),
            "{text}"
        );
        assert!(!text.contains(SECRET), "{text}");
    }
}
