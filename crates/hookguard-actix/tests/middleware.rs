//! In-process tests of `VerifySignature` through `actix_web::test`: every row of the
//! behaviour table, with a handler that records whether it ran and the bytes it saw.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup should fail the test loudly

use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_http::Request;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse};
use futures_util::{stream, Stream, StreamExt as _};
use hookguard_actix::{Rejection, RejectionResponse, Verified, VerifiedWebhook, VerifySignature};
use hookguard_core::{Provider, Secret, Signer, Verifier};

const SECRET: &str = "s3cret-for-tests";
const PF_HEADER: &str = "X-PeopleForce-Signature";
const BB_HEADER: &str = "X-Bindbee-Webhook-Signature";
const BODY: &str = r#"{"action":"employee_create","data":{"id":42,"name":"Zoë"}}"#;

type BoxedStream = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// What the handlers saw: one entry per run, holding the exact body bytes.
#[derive(Default)]
struct Recorder(Mutex<Vec<Bytes>>);

impl Recorder {
    fn runs(&self) -> Vec<Bytes> {
        self.0.lock().unwrap().clone()
    }
    fn record(&self, body: Bytes) {
        self.0.lock().unwrap().push(body);
    }
}

async fn echo_bytes(recorder: web::Data<Recorder>, body: Bytes) -> HttpResponse {
    recorder.record(body.clone());
    HttpResponse::Ok().body(body)
}

fn verifier(provider: Provider) -> Verifier {
    Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap()
}

fn sign(provider: Provider, body: &[u8]) -> String {
    Signer::new(provider, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body)
}

fn header_of(provider: &Provider) -> &'static str {
    match provider {
        Provider::PeopleForce => PF_HEADER,
        _ => BB_HEADER,
    }
}

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

fn signed(provider: Provider, body: &'static [u8]) -> Request {
    TestRequest::post()
        .uri("/hook")
        .insert_header((header_of(&provider), sign(provider, body)))
        .set_payload(body)
        .to_request()
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
async fn valid_signatures_reach_the_handler_with_the_exact_bytes() {
    for provider in [Provider::PeopleForce, Provider::Bindbee] {
        let (status, body, runs) = send(
            VerifySignature::new(verifier(provider.clone())),
            signed(provider.clone(), BODY.as_bytes()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{provider}");
        assert_eq!(body, BODY, "{provider}");
        assert_eq!(
            runs,
            vec![Bytes::from_static(BODY.as_bytes())],
            "{provider}"
        );
    }
}

#[actix_web::test]
async fn empty_body_with_a_valid_signature_is_accepted() {
    let (status, _, runs) = send(
        VerifySignature::new(verifier(Provider::Bindbee)),
        signed(Provider::Bindbee, b""),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs, vec![Bytes::new()]);
}

#[actix_web::test]
async fn bad_headers_are_refused_before_the_body_is_read() {
    let pf_hex = "ab".repeat(32);
    let cases: Vec<(Provider, Option<Vec<String>>, &str)> = vec![
        (Provider::PeopleForce, None, "missing"),
        (Provider::PeopleForce, Some(vec![String::new()]), "empty"),
        (Provider::PeopleForce, Some(vec!["   ".into()]), "blank"),
        (
            Provider::PeopleForce,
            Some(vec![format!("md5={pf_hex}")]),
            "wrong prefix",
        ),
        (
            Provider::PeopleForce,
            Some(vec![pf_hex.clone()]),
            "no prefix",
        ),
        (
            Provider::PeopleForce,
            Some(vec!["sha256=abcd".into()]),
            "wrong length",
        ),
        (
            Provider::PeopleForce,
            Some(vec![format!("sha256={}", "zz".repeat(32))]),
            "not hex",
        ),
        (
            Provider::PeopleForce,
            Some(vec!["garbage".into()]),
            "malformed",
        ),
        (
            Provider::PeopleForce,
            Some(vec![
                sign(Provider::PeopleForce, BODY.as_bytes()),
                sign(Provider::PeopleForce, BODY.as_bytes()),
            ]),
            "duplicated",
        ),
        (Provider::Bindbee, None, "missing"),
        (Provider::Bindbee, Some(vec![String::new()]), "empty"),
        (Provider::Bindbee, Some(vec!["AAAA".into()]), "wrong length"),
        (
            Provider::Bindbee,
            Some(vec![format!("{}=", "!".repeat(43))]),
            "not base64",
        ),
        (
            Provider::Bindbee,
            Some(vec![
                sign(Provider::Bindbee, BODY.as_bytes()),
                sign(Provider::Bindbee, BODY.as_bytes()),
            ]),
            "duplicated",
        ),
    ];
    for (provider, values, what) in cases {
        let polls = Arc::new(AtomicUsize::new(0));
        let mut request = TestRequest::post().uri("/hook");
        for value in values.into_iter().flatten() {
            request = request.append_header((header_of(&provider), value));
        }
        let payload = counted(vec![Ok(Bytes::from_static(BODY.as_bytes()))], &polls);
        let (status, body, runs) = send(
            VerifySignature::new(verifier(provider.clone())),
            streamed(request, payload),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{provider} {what}");
        assert_eq!(body, "Forbidden", "{provider} {what}");
        assert!(runs.is_empty(), "{provider} {what}: handler ran");
        assert_eq!(
            polls.load(Ordering::SeqCst),
            0,
            "{provider} {what}: payload was read"
        );
    }
}

#[actix_web::test]
async fn a_signature_for_another_body_or_secret_is_refused() {
    for provider in [Provider::PeopleForce, Provider::Bindbee] {
        let other_body = sign(provider.clone(), b"{\"action\":\"other\"}");
        let other_secret = Signer::new(provider.clone(), Secret::new("another secret").unwrap())
            .unwrap()
            .sign(BODY.as_bytes());
        for value in [other_body, other_secret] {
            let (status, body, runs) = send(
                VerifySignature::new(verifier(provider.clone())),
                with_header(&provider, &value),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{provider}");
            assert_eq!(body, "Forbidden");
            assert!(runs.is_empty(), "{provider}: handler ran");
        }
    }
}

#[actix_web::test]
async fn non_utf8_bodies_are_refused_by_default_and_accepted_when_allowed() {
    const LATIN1: &[u8] = b"{\"name\":\"Zo\xeb\"}";
    let (status, _, runs) = send(
        VerifySignature::new(verifier(Provider::PeopleForce)),
        signed(Provider::PeopleForce, LATIN1),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(runs.is_empty());

    let lenient = Verifier::builder(Provider::PeopleForce)
        .secret(Secret::new(SECRET).unwrap())
        .require_utf8(false)
        .build()
        .unwrap();
    let (status, body, runs) = send(
        VerifySignature::new(lenient),
        signed(Provider::PeopleForce, LATIN1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, LATIN1);
    assert_eq!(runs, vec![Bytes::from_static(LATIN1)]);
}

#[actix_web::test]
async fn header_names_are_case_insensitive() {
    for name in [
        "x-peopleforce-signature",
        "X-PEOPLEFORCE-SIGNATURE",
        "x-PeopleForce-signature",
    ] {
        let request = TestRequest::post()
            .uri("/hook")
            .insert_header((name, sign(Provider::PeopleForce, BODY.as_bytes())))
            .set_payload(BODY)
            .to_request();
        let (status, _, runs) = send(
            VerifySignature::new(verifier(Provider::PeopleForce)),
            request,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert_eq!(runs, vec![Bytes::from_static(BODY.as_bytes())], "{name}");
    }
}

#[actix_web::test]
async fn content_length_over_the_limit_is_refused_before_reading() {
    let polls = Arc::new(AtomicUsize::new(0));
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, BODY.as_bytes())))
        .insert_header(("content-length", "101"));
    let payload = counted(vec![Ok(Bytes::from(vec![b'a'; 101]))], &polls);
    let guard = VerifySignature::new(verifier(Provider::PeopleForce)).with_max_body_size(100);
    let (status, body, runs) = send(guard, streamed(request, payload)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body, "Payload Too Large");
    assert!(runs.is_empty());
    assert_eq!(polls.load(Ordering::SeqCst), 0, "payload was read");
}

#[actix_web::test]
async fn default_limit_is_one_mebibyte() {
    let at_limit: &'static [u8] = Box::leak(vec![b'a'; 1024 * 1024].into_boxed_slice());
    let (status, _, runs) = send(
        VerifySignature::new(verifier(Provider::PeopleForce)),
        signed(Provider::PeopleForce, at_limit),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs, vec![Bytes::from_static(at_limit)]);

    let over: &'static [u8] = Box::leak(vec![b'a'; 1024 * 1024 + 1].into_boxed_slice());
    let (status, _, runs) = send(
        VerifySignature::new(verifier(Provider::PeopleForce)),
        signed(Provider::PeopleForce, over),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(runs.is_empty());
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
async fn streamed_body_exactly_at_the_limit_is_accepted() {
    let chunk = Bytes::from(vec![b'a'; 50]);
    let whole = [chunk.clone(), chunk.clone()].concat();
    let polls = Arc::new(AtomicUsize::new(0));
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, &whole)));
    let payload = counted(vec![Ok(chunk.clone()), Ok(chunk)], &polls);
    let guard = VerifySignature::new(verifier(Provider::PeopleForce)).with_max_body_size(100);
    let (status, body, runs) = send(guard, streamed(request, payload)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, whole);
    assert_eq!(runs, vec![Bytes::from(whole)]);
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
async fn a_failing_payload_is_a_bad_request() {
    let request = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, BODY.as_bytes())));
    let payload: BoxedStream = Box::pin(stream::iter(vec![
        Ok(Bytes::from_static(&BODY.as_bytes()[..10])),
        Err(PayloadError::Incomplete(None)),
    ]));
    let (status, body, runs) = send(
        VerifySignature::new(verifier(Provider::PeopleForce)),
        streamed(request, payload),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, "Bad Request");
    assert!(runs.is_empty());
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
async fn rotation_reports_the_matching_key_in_extensions_and_extractor() {
    async fn report(req: HttpRequest, webhook: VerifiedWebhook) -> HttpResponse {
        let from_extensions = req.extensions().get::<Verified>().cloned();
        assert_eq!(from_extensions.as_ref(), Some(&webhook.0));
        HttpResponse::Ok().body(format!(
            "{} {} {}",
            webhook.provider(),
            webhook.key().label().unwrap_or("-"),
            webhook.key().index()
        ))
    }
    let rotating = Verifier::builder(Provider::Bindbee)
        .secret_with_id("current", Secret::new("new key").unwrap())
        .secret_with_id("previous", Secret::new("old key").unwrap())
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .wrap(VerifySignature::new(rotating))
            .route("/hook", web::post().to(report)),
    )
    .await;
    for (secret, expected) in [
        ("new key", "bindbee current 0"),
        ("old key", "bindbee previous 1"),
    ] {
        let header = Signer::new(Provider::Bindbee, Secret::new(secret).unwrap())
            .unwrap()
            .sign(BODY.as_bytes());
        let request = TestRequest::post()
            .uri("/hook")
            .insert_header((BB_HEADER, header))
            .set_payload(BODY)
            .to_request();
        let body = test::call_and_read_body(&app, request).await;
        assert_eq!(body, expected);
    }
}

#[actix_web::test]
async fn the_extractor_without_the_middleware_is_a_server_error() {
    let app = test::init_service(App::new().route(
        "/hook",
        web::post().to(|_: VerifiedWebhook| async { HttpResponse::Ok().finish() }),
    ))
    .await;
    let response = test::call_service(&app, signed(Provider::Bindbee, b"{}")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = test::read_body(response).await;
    assert!(
        String::from_utf8_lossy(&body).contains("VerifySignature"),
        "{body:?}"
    );
}

#[derive(serde::Deserialize)]
struct Event {
    action: String,
}

#[actix_web::test]
async fn string_and_json_handlers_work_unchanged() {
    let recorder = web::Data::new(Recorder::default());
    let app = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .wrap(VerifySignature::new(verifier(Provider::PeopleForce)))
            .route(
                "/string",
                web::post().to(|recorder: web::Data<Recorder>, body: String| async move {
                    recorder.record(Bytes::from(body.clone()));
                    HttpResponse::Ok().body(body)
                }),
            )
            .route(
                "/json",
                web::post().to(
                    |recorder: web::Data<Recorder>, event: web::Json<Event>| async move {
                        recorder.record(Bytes::from(event.action.clone()));
                        HttpResponse::Ok().body(event.into_inner().action)
                    },
                ),
            ),
    )
    .await;
    for (uri, expected) in [("/string", BODY), ("/json", "employee_create")] {
        let request = TestRequest::post()
            .uri(uri)
            .insert_header((PF_HEADER, sign(Provider::PeopleForce, BODY.as_bytes())))
            .insert_header(("content-type", "application/json"))
            .set_payload(BODY)
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(test::read_body(response).await, expected, "{uri}");
    }
    // The String handler saw the exact body; the Json one parsed it.
    assert_eq!(
        recorder.runs(),
        vec![
            Bytes::from_static(BODY.as_bytes()),
            Bytes::from("employee_create")
        ]
    );

    let forged = TestRequest::post()
        .uri("/json")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, b"{}")))
        .insert_header(("content-type", "application/json"))
        .set_payload(BODY)
        .to_request();
    assert_eq!(
        test::call_service(&app, forged).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(recorder.runs().len(), 2, "handler ran on a forged request");
}

#[actix_web::test]
async fn app_scope_and_resource_wrapping_all_protect() {
    let recorder = web::Data::new(Recorder::default());
    let guard = || VerifySignature::new(verifier(Provider::PeopleForce));
    let app_wrapped = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .wrap(guard())
            .route("/hook", web::post().to(echo_bytes)),
    )
    .await;
    let scope_wrapped = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .service(
                web::scope("/webhooks")
                    .wrap(guard())
                    .route("/hook", web::post().to(echo_bytes)),
            )
            .route("/open", web::post().to(echo_bytes)),
    )
    .await;
    let resource_wrapped = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .service(
                web::resource("/hook")
                    .wrap(guard())
                    .route(web::post().to(echo_bytes)),
            )
            .route("/open", web::post().to(echo_bytes)),
    )
    .await;

    let request = |uri: &str, header: Option<String>| {
        let mut request = TestRequest::post().uri(uri).set_payload(BODY);
        if let Some(header) = header {
            request = request.insert_header((PF_HEADER, header));
        }
        request.to_request()
    };
    let good = || Some(sign(Provider::PeopleForce, BODY.as_bytes()));
    let bad = || Some(sign(Provider::PeopleForce, b"tampered"));

    assert_eq!(
        test::call_service(&app_wrapped, request("/hook", good()))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&app_wrapped, request("/hook", bad()))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&scope_wrapped, request("/webhooks/hook", good()))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&scope_wrapped, request("/webhooks/hook", bad()))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&scope_wrapped, request("/open", None))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&resource_wrapped, request("/hook", good()))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&resource_wrapped, request("/hook", None))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&resource_wrapped, request("/open", None))
            .await
            .status(),
        200
    );

    // Three verified runs and two unprotected ones, all with the exact body.
    let runs = recorder.runs();
    assert_eq!(runs.len(), 5);
    assert!(runs.iter().all(|run| run == BODY));
}

#[actix_web::test]
async fn placement_decides_what_other_methods_get() {
    let recorder = web::Data::new(Recorder::default());
    let guard = || VerifySignature::new(verifier(Provider::PeopleForce));
    // On the POST route inside its resource: actix-web answers other methods itself.
    let on_route = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .service(web::resource("/hook").route(web::post().to(echo_bytes).wrap(guard()))),
    )
    .await;
    // Around the resource: the guard runs before a route is picked.
    let on_resource = test::init_service(
        App::new().app_data(recorder.clone()).service(
            web::resource("/hook")
                .wrap(guard())
                .route(web::post().to(echo_bytes)),
        ),
    )
    .await;
    // `App::route` turns the method into a guard of the resource: no resource matches.
    let app_route = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .route("/hook", web::post().to(echo_bytes).wrap(guard())),
    )
    .await;

    for method in [Method::GET, Method::HEAD, Method::PUT] {
        let request = || TestRequest::default().method(method.clone()).uri("/hook");
        let response = test::call_service(&on_route, request().to_request()).await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(response.headers().get("allow").unwrap(), "POST", "{method}");
        let response = test::call_service(&on_resource, request().to_request()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method}");
        let response = test::call_service(&app_route, request().to_request()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method}");
    }
    assert_eq!(recorder.runs(), Vec::<Bytes>::new(), "the handler ran");

    // The route-wrapped POST is guarded as usual.
    let unsigned = TestRequest::post().uri("/hook").set_payload(BODY);
    let response = test::call_service(&on_route, unsigned.to_request()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let header = sign(Provider::PeopleForce, BODY.as_bytes());
    let signed = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, header))
        .set_payload(BODY);
    let response = test::call_service(&on_route, signed.to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(recorder.runs(), [Bytes::from_static(BODY.as_bytes())]);
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

/// Collects the `reason` and `message` fields of every `tracing` event on this thread.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Events {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Visitor(String);
        impl tracing::field::Visit for Visitor {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                let _ = write!(self.0, "{}={value:?};", field.name());
            }
        }
        let mut visitor = Visitor(String::new());
        event.record(&mut visitor);
        self.0.lock().unwrap().push(visitor.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[actix_web::test]
async fn every_rejection_logs_its_reason_but_never_the_secret() {
    let events = Events::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let (status, body, runs) = send(
        VerifySignature::new(verifier(Provider::PeopleForce)),
        with_header(
            &Provider::PeopleForce,
            &sign(Provider::PeopleForce, b"other"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body, "Forbidden",
        "the client must not learn which check failed"
    );
    assert!(runs.is_empty(), "handler ran on a forged request");
    let (status, _, runs) = send(
        VerifySignature::new(verifier(Provider::PeopleForce)),
        TestRequest::post().uri("/hook").to_request(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(runs.is_empty(), "handler ran on an unsigned request");

    let logged = events.0.lock().unwrap().clone();
    let refusals: Vec<&String> = logged
        .iter()
        .filter(|event| event.contains("refused"))
        .collect();
    assert_eq!(refusals.len(), 2, "{logged:?}");
    assert!(
        refusals[0].contains("reason=signature does not match the body"),
        "{logged:?}"
    );
    assert!(
        refusals[1].contains("reason=signature header is missing"),
        "{logged:?}"
    );
    for refusal in &refusals {
        assert!(refusal.contains("provider=peopleforce"), "{logged:?}");
        assert!(refusal.contains("method=POST"), "{logged:?}");
        assert!(refusal.contains("path=\"/hook\""), "{logged:?}");
    }
    assert!(
        logged.iter().all(|event| !event.contains(SECRET)),
        "{logged:?}"
    );
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
