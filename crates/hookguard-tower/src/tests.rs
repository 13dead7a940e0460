//! The behaviour table of MISSION.md through `oneshot`: every rejection proves the handler
//! did not run; every success proves the handler saw the exact bytes.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hookguard_core::{Encoding, Provider, Rejection, Secret, Signer, Verified, Verifier};
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use tower::{service_fn, Layer, Service, ServiceBuilder, ServiceExt};

use crate::{VerifySignature, VerifySignatureLayer};

const SECRET: &str = "whsec-test-secret";
const PF: &str = "X-PeopleForce-Signature";
const BB: &str = "X-Bindbee-Webhook-Signature";
const SAMPLE: &str = r#"{"action":"employee_create","data":{"id":42,"first_name":"Zoë"}}"#;

/// One handler call: the body it saw and the `Verified` extension.
type Call = (Bytes, Option<Verified>);

/// What the handler saw, one entry per call.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Call>>>);

impl Recorder {
    fn calls(&self) -> Vec<Call> {
        self.0.lock().unwrap().clone()
    }

    fn ran(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// A handler that records the body and the `Verified` extension, and echoes the body.
    fn handler(
        &self,
    ) -> impl tower::Service<
        Request<Full<Bytes>>,
        Response = Response<Full<Bytes>>,
        Error = Infallible,
        Future = impl Send,
    > + Clone {
        let calls = self.0.clone();
        service_fn(move |request: Request<Full<Bytes>>| {
            let calls = calls.clone();
            async move {
                let verified = request.extensions().get::<Verified>().cloned();
                let body = request.into_body().collect().await?.to_bytes();
                calls.lock().unwrap().push((body.clone(), verified));
                Ok::<_, Infallible>(Response::new(Full::new(body)))
            }
        })
    }
}

fn verifier(provider: Provider) -> Verifier {
    Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap()
}

fn sign(provider: Provider, body: &[u8]) -> String {
    Signer::new(provider, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body)
}

/// A body that yields the given frames, then ends, fails or stalls; counts bytes pulled.
/// Gives no size hint unless [`TestBody::claiming`] sets an exact one.
struct TestBody {
    frames: VecDeque<Bytes>,
    end: End,
    pulled: Arc<AtomicUsize>,
    exact_size: Option<u64>,
}

#[derive(Clone, Copy)]
enum End {
    Finish,
    Fail,
    Stall,
}

impl TestBody {
    fn new<I: IntoIterator<Item = &'static [u8]>>(frames: I, end: End) -> Self {
        TestBody {
            frames: frames.into_iter().map(Bytes::from_static).collect(),
            end,
            pulled: Arc::default(),
            exact_size: None,
        }
    }

    /// The same body, claiming through its size hint to be exactly `size` bytes long.
    fn claiming(self, size: u64) -> Self {
        TestBody {
            exact_size: Some(size),
            ..self
        }
    }
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(frame) = self.frames.pop_front() {
            self.pulled.fetch_add(frame.len(), Ordering::SeqCst);
            return Poll::Ready(Some(Ok(Frame::data(frame))));
        }
        match self.end {
            End::Finish => Poll::Ready(None),
            End::Fail => Poll::Ready(Some(Err(std::io::Error::other("connection reset")))),
            End::Stall => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.exact_size
            .map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}

/// A body that hands out one frame every `gap` (on tokio's clock), like a slow client.
struct Trickle {
    frames: VecDeque<Bytes>,
    gap: Duration,
    wait: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Trickle {
    fn new(frames: &[&'static [u8]], gap: Duration) -> Self {
        Trickle {
            frames: frames.iter().copied().map(Bytes::from_static).collect(),
            gap,
            wait: None,
        }
    }
}

impl Body for Trickle {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.frames.is_empty() {
            return Poll::Ready(None);
        }
        let gap = self.gap;
        let wait = self
            .wait
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(gap)));
        std::task::ready!(wait.as_mut().poll(cx));
        self.wait = None;
        Poll::Ready(self.frames.pop_front().map(|frame| Ok(Frame::data(frame))))
    }
}

/// A body of `total` bytes in 64 KiB frames with no size hint (like a chunked upload),
/// made on demand; fails the test if pulled further than `fail_after` bytes.
struct Endless {
    remaining: usize,
    pulled: Arc<AtomicUsize>,
    fail_after: usize,
}

const FRAME: usize = 64 * 1024;

impl Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let len = FRAME.min(self.remaining);
        self.remaining -= len;
        let pulled = self.pulled.fetch_add(len, Ordering::SeqCst) + len;
        assert!(
            pulled <= self.fail_after,
            "the layer pulled {pulled} bytes, past the limit plus one frame"
        );
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'a'; len])))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

async fn status_and_body<B>(response: Response<B>) -> (StatusCode, Bytes)
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    let status = response.status();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

fn request(header: &str, value: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::post("/hook")
        .header(header, value)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

/// [`SAMPLE`] with a valid PeopleForce signature.
fn signed_sample() -> Request<Full<Bytes>> {
    request(PF, &sign(Provider::PeopleForce, SAMPLE.as_bytes()), SAMPLE)
}

/// The bodies the handler saw, one per call.
fn bodies(recorder: &Recorder) -> Vec<Bytes> {
    recorder.calls().into_iter().map(|(body, _)| body).collect()
}

#[tokio::test]
async fn valid_peopleforce_reaches_the_handler_with_exact_bytes() {
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
    let response = svc.oneshot(signed_sample()).await.unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, 200);
    assert_eq!(body, SAMPLE);
    let calls = recorder.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, SAMPLE);
    let verified = calls[0].1.clone().expect("Verified in the extensions");
    assert_eq!(verified.provider(), &Provider::PeopleForce);
    assert_eq!(verified.key().index(), 0);
}

#[tokio::test]
async fn valid_bindbee_reaches_the_handler_with_exact_bytes() {
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::Bindbee));
    let header = sign(Provider::Bindbee, SAMPLE.as_bytes());
    assert_eq!(header.len(), 44);
    let response = svc.oneshot(request(BB, &header, SAMPLE)).await.unwrap();
    assert_eq!(response.status(), 200);
    let calls = recorder.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, SAMPLE);
    assert_eq!(calls[0].1.as_ref().unwrap().provider(), &Provider::Bindbee);
}

#[tokio::test]
async fn signed_empty_body_is_accepted() {
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::Bindbee));
    let response = svc
        .oneshot(request(BB, &sign(Provider::Bindbee, b""), ""))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(bodies(&recorder), [Bytes::new()]);
}

/// Sends `headers` with a body whose polling is counted; asserts 403, a generic body, no
/// handler call and no body read.
async fn assert_refused_before_body(provider: Provider, headers: &[(&str, &str)]) {
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(provider));
    let body = TestBody::new([SAMPLE.as_bytes()], End::Finish);
    let pulled = body.pulled.clone();
    let mut builder = Request::post("/hook");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = svc.oneshot(builder.body(body).unwrap()).await.unwrap();
    let (status, text) = status_and_body(response).await;
    assert_eq!(status, 403, "headers {headers:?}");
    assert_eq!(
        text, "Forbidden",
        "the body must not say which check failed"
    );
    assert_eq!(recorder.ran(), 0, "handler ran for {headers:?}");
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        0,
        "body read for {headers:?}"
    );
}

#[tokio::test]
async fn bad_signature_headers_are_refused_before_reading_the_body() {
    let valid_pf = sign(Provider::PeopleForce, SAMPLE.as_bytes());
    let hex_digest = valid_pf.trim_start_matches("sha256=").to_owned();
    let pf_cases: Vec<Vec<(&str, String)>> = vec![
        vec![],                                                  // missing
        vec![(PF, String::new())],                               // empty
        vec![(PF, "   ".into())],                                // blank
        vec![(PF, "garbage".into())],                            // malformed
        vec![(PF, format!("sha1={hex_digest}"))],                // wrong prefix
        vec![(PF, hex_digest.clone())],                          // no prefix
        vec![(PF, format!("sha256={}", &hex_digest[..40]))],     // wrong length
        vec![(PF, format!("{valid_pf}00"))],                     // too long
        vec![(PF, format!("sha256={}", "zz".repeat(32)))],       // not hex
        vec![(PF, valid_pf.clone()), (PF, valid_pf.clone())],    // duplicated
        vec![("X-Bindbee-Webhook-Signature", valid_pf.clone())], // other provider's header
    ];
    for case in &pf_cases {
        let headers: Vec<(&str, &str)> = case.iter().map(|(n, v)| (*n, v.as_str())).collect();
        assert_refused_before_body(Provider::PeopleForce, &headers).await;
    }

    let valid_bb = sign(Provider::Bindbee, SAMPLE.as_bytes());
    let bb_cases: Vec<Vec<(&str, String)>> = vec![
        vec![],
        vec![(BB, String::new())],
        vec![(BB, valid_bb[..43].to_owned())], // padding dropped
        vec![(BB, format!("{}==", &valid_bb[..42]))], // wrong length/padding
        vec![(BB, format!("{}=", "!".repeat(43)))], // not base64
        vec![(BB, format!("{}=", "+".repeat(43)))], // standard, not URL-safe alphabet
        vec![(BB, valid_bb.clone()), (BB, valid_bb.clone())], // duplicated
    ];
    for case in &bb_cases {
        let headers: Vec<(&str, &str)> = case.iter().map(|(n, v)| (*n, v.as_str())).collect();
        assert_refused_before_body(Provider::Bindbee, &headers).await;
    }
}

#[tokio::test]
async fn mismatched_signatures_are_refused() {
    let other_body = sign(Provider::PeopleForce, b"{\"action\":\"employee_delete\"}");
    let wrong_secret = Signer::new(Provider::PeopleForce, Secret::new("another").unwrap())
        .unwrap()
        .sign(SAMPLE.as_bytes());
    let zeros = format!("sha256={}", "0".repeat(64));
    for header in [other_body, wrong_secret, zeros] {
        let recorder = Recorder::default();
        let svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
        let response = svc.oneshot(request(PF, &header, SAMPLE)).await.unwrap();
        let (status, text) = status_and_body(response).await;
        assert_eq!(status, 403);
        assert_eq!(text, "Forbidden");
        assert_eq!(recorder.ran(), 0);
    }
}

#[tokio::test]
async fn body_altered_by_one_byte_is_refused() {
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::Bindbee));
    let header = sign(Provider::Bindbee, SAMPLE.as_bytes());
    let altered = SAMPLE.replace("42", "43");
    let request = Request::post("/")
        .header(BB, header)
        .body(Full::new(Bytes::from(altered)))
        .unwrap();
    assert_eq!(svc.oneshot(request).await.unwrap().status(), 403);
    assert_eq!(recorder.ran(), 0);
}

#[tokio::test]
async fn non_utf8_body_is_refused_by_default_and_accepted_when_allowed() {
    let body: &'static [u8] = b"{\"action\":\"\xff\xfe\"}";
    let header = sign(Provider::PeopleForce, body);
    let make = || {
        Request::post("/")
            .header(PF, header.as_str())
            .body(Full::new(Bytes::from_static(body)))
            .unwrap()
    };

    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
    assert_eq!(svc.oneshot(make()).await.unwrap().status(), 403);
    assert_eq!(recorder.ran(), 0);

    let lenient = Verifier::builder(Provider::PeopleForce)
        .secret(Secret::new(SECRET).unwrap())
        .require_utf8(false)
        .build()
        .unwrap();
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), lenient);
    assert_eq!(svc.oneshot(make()).await.unwrap().status(), 200);
    assert_eq!(bodies(&recorder), [body]);
}

#[tokio::test]
async fn content_length_over_the_limit_is_refused_before_reading() {
    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_max_body_size(16)
        .layer(recorder.handler());
    let body = TestBody::new([SAMPLE.as_bytes()], End::Finish);
    let pulled = body.pulled.clone();
    let request = Request::post("/")
        .header(PF, sign(Provider::PeopleForce, SAMPLE.as_bytes()))
        .header(http::header::CONTENT_LENGTH, SAMPLE.len())
        .body(body)
        .unwrap();
    let (status, text) = status_and_body(svc.oneshot(request).await.unwrap()).await;
    assert_eq!(status, 413);
    assert_eq!(text, "Payload Too Large");
    assert_eq!(recorder.ran(), 0);
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn exact_size_hint_over_the_limit_is_refused_before_reading() {
    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_max_body_size(16)
        .layer(recorder.handler());
    // No `Content-Length`: only the body's own exact size hint tells the length.
    let body = TestBody::new([SAMPLE.as_bytes()], End::Finish).claiming(SAMPLE.len() as u64);
    let pulled = body.pulled.clone();
    let request = Request::post("/")
        .header(PF, sign(Provider::PeopleForce, SAMPLE.as_bytes()))
        .body(body)
        .unwrap();
    let response = svc.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(recorder.ran(), 0);
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn body_of_exactly_the_limit_is_accepted() {
    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_max_body_size(SAMPLE.len())
        .layer(recorder.handler());
    let response = svc.oneshot(signed_sample()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(bodies(&recorder), [SAMPLE]);
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_refused_without_reading_on() {
    let frames: [&'static [u8]; 5] = [b"0123456789", b"0123456789", b"0123456789", b"x", b"y"];
    let all: Vec<u8> = frames.concat();
    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_max_body_size(25)
        .layer(recorder.handler());
    let body = TestBody::new(frames, End::Finish);
    let pulled = body.pulled.clone();
    // A lying Content-Length under the limit does not help either.
    let request = Request::post("/")
        .header(PF, sign(Provider::PeopleForce, &all))
        .header(http::header::CONTENT_LENGTH, "20")
        .body(body)
        .unwrap();
    assert_eq!(svc.oneshot(request).await.unwrap().status(), 413);
    assert_eq!(recorder.ran(), 0);
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        30,
        "stopped at the frame passing 25"
    );
}

#[tokio::test]
async fn hundred_mib_chunked_body_is_refused_near_the_limit() {
    let limit = hookguard_core::DEFAULT_MAX_BODY_SIZE;
    let pulled = Arc::new(AtomicUsize::new(0));
    let body = Endless {
        remaining: 100 * 1024 * 1024,
        pulled: pulled.clone(),
        fail_after: limit + FRAME,
    };
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
    let request = Request::post("/")
        .header(PF, format!("sha256={}", "0".repeat(64)))
        .body(body)
        .unwrap();
    let (status, _) = status_and_body(svc.oneshot(request).await.unwrap()).await;
    assert_eq!(status, 413);
    assert_eq!(recorder.ran(), 0);
    let pulled = pulled.load(Ordering::SeqCst);
    assert!(pulled > limit && pulled <= limit + FRAME, "pulled {pulled}");
}

#[tokio::test]
async fn failing_body_stream_is_400() {
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
    let request = Request::post("/")
        .header(PF, sign(Provider::PeopleForce, b"{\"a\":1}"))
        .body(TestBody::new([&b"{\"a\":"[..]], End::Fail))
        .unwrap();
    let (status, text) = status_and_body(svc.oneshot(request).await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(text, "Bad Request");
    assert_eq!(recorder.ran(), 0);
}

#[tokio::test(start_paused = true)]
async fn stalled_body_is_408_after_the_read_timeout() {
    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_read_timeout(Duration::from_secs(5))
        .layer(recorder.handler());
    let request = Request::post("/")
        .header(PF, sign(Provider::PeopleForce, b"{\"a\":1}"))
        .body(TestBody::new([&b"{\"a\":"[..]], End::Stall))
        .unwrap();
    let started = tokio::time::Instant::now();
    // Bounded, so a timer that never starts fails the test instead of hanging it.
    let response = tokio::time::timeout(Duration::from_secs(60), svc.oneshot(request))
        .await
        .expect("answered by the read timeout");
    let (status, text) = status_and_body(response.unwrap()).await;
    assert_eq!(status, 408);
    assert_eq!(text, "Request Timeout");
    assert_eq!(recorder.ran(), 0);
    assert!(started.elapsed() >= Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn read_timeout_covers_the_whole_body_not_each_wait() {
    // Four frames 2 s apart: no single wait reaches the 5 s timeout, the whole body does.
    let frames: [&'static [u8]; 4] = [b"{\"a\"", b":", b"1", b"}"];
    let signature = sign(Provider::PeopleForce, &frames.concat());
    let send = |timeout| {
        let recorder = Recorder::default();
        let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
            .with_read_timeout(timeout)
            .layer(recorder.handler());
        let request = Request::post("/")
            .header(PF, &signature)
            .body(Trickle::new(&frames, Duration::from_secs(2)))
            .unwrap();
        (recorder, svc.oneshot(request))
    };

    let started = tokio::time::Instant::now();
    let (recorder, response) = send(Duration::from_secs(5));
    let (status, _) = status_and_body(response.await.unwrap()).await;
    assert_eq!(status, 408);
    assert_eq!(recorder.ran(), 0);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
        "{waited:?}"
    );

    let (recorder, response) = send(Duration::from_secs(9));
    assert_eq!(response.await.unwrap().status(), 200);
    assert_eq!(
        bodies(&recorder),
        [String::from_utf8(frames.concat()).unwrap()]
    );
}

#[tokio::test(start_paused = true)]
async fn read_timeout_does_not_start_before_the_first_poll() {
    // The future waits 10 s before its first poll (queued behind other work), then the body
    // arrives in two frames 1 s apart: well within the 5 s it has to read the body.
    let frames: [&'static [u8]; 2] = [b"{\"a\":", b"1}"];
    let recorder = Recorder::default();
    let mut svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_read_timeout(Duration::from_secs(5))
        .layer(recorder.handler());
    let request = Request::post("/")
        .header(PF, sign(Provider::PeopleForce, &frames.concat()))
        .body(Trickle::new(&frames, Duration::from_secs(1)))
        .unwrap();
    let response = ServiceExt::<Request<Trickle>>::ready(&mut svc)
        .await
        .unwrap()
        .call(request);
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(response.await.unwrap().status(), 200);
    assert_eq!(bodies(&recorder), ["{\"a\":1}"]);
}

#[test]
fn a_body_already_there_never_starts_the_read_timeout() {
    // A runtime without timers: arming the timer would panic inside `tokio::time::sleep`.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_read_timeout(Duration::from_secs(5))
        .layer(recorder.handler());
    let response = runtime.block_on(svc.oneshot(signed_sample())).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(bodies(&recorder), [SAMPLE]);
}

#[tokio::test]
async fn rotation_reports_the_matching_key_id() {
    let verifier = Verifier::builder(Provider::Bindbee)
        .secret_with_id("current", Secret::new("new-secret").unwrap())
        .secret_with_id("previous", Secret::new(SECRET).unwrap())
        .build()
        .unwrap();
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier);
    let response = svc
        .oneshot(request(
            BB,
            &sign(Provider::Bindbee, SAMPLE.as_bytes()),
            SAMPLE,
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(bodies(&recorder), [SAMPLE]);
    let verified = recorder.calls()[0].1.clone().unwrap();
    assert_eq!(verified.key().label(), Some("previous"));
    assert_eq!(verified.key().index(), 1);
}

#[tokio::test]
async fn custom_rejection_closure_replaces_the_response() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_rejection(move |rejection: Rejection| {
            log.lock().unwrap().push(rejection);
            let mut response = Response::new("unauthorized");
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        })
        .layer(recorder.handler());
    let response = svc
        .clone()
        .oneshot(request(PF, &format!("sha256={}", "0".repeat(64)), SAMPLE))
        .await
        .unwrap();
    let (status, text) = status_and_body(response).await;
    assert_eq!(status, 401);
    assert_eq!(text, "unauthorized");
    let response = svc
        .oneshot(Request::post("/").body(Full::new(Bytes::new())).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(recorder.ran(), 0);
    assert_eq!(
        *seen.lock().unwrap(),
        [Rejection::Mismatch, Rejection::MissingSignature]
    );
}

#[tokio::test]
async fn header_name_is_case_insensitive() {
    for name in ["x-peopleforce-signature", "X-PEOPLEFORCE-SIGNATURE", PF] {
        let recorder = Recorder::default();
        let svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
        let header = sign(Provider::PeopleForce, SAMPLE.as_bytes());
        let response = svc.oneshot(request(name, &header, SAMPLE)).await.unwrap();
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(bodies(&recorder), [SAMPLE], "{name}");
    }
}

#[tokio::test]
async fn custom_provider_header_is_used() {
    let github = Provider::custom("X-Hub-Signature-256", Encoding::Hex).with_prefix("sha256=");
    let verifier = Verifier::new(github.clone(), Secret::new(SECRET).unwrap()).unwrap();
    let header = Signer::new(github, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(SAMPLE.as_bytes());
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier);
    let response = svc
        .oneshot(request("x-hub-signature-256", &header, SAMPLE))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(bodies(&recorder), [SAMPLE]);
}

#[tokio::test]
async fn multi_chunk_body_is_reassembled_exactly() {
    let frames: [&'static [u8]; 4] = [b"{\"action\":", b"\"employee_", b"", b"create\"}"];
    let all: Vec<u8> = frames.concat();
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::Bindbee));
    let request = Request::post("/")
        .header(BB, sign(Provider::Bindbee, &all))
        .header(http::header::CONTENT_LENGTH, all.len())
        .body(TestBody::new(frames, End::Finish))
        .unwrap();
    let (status, echoed) = status_and_body(svc.oneshot(request).await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(echoed, all);
    assert_eq!(bodies(&recorder), [all]);
}

#[tokio::test]
async fn single_chunk_body_is_handed_on_without_copy() {
    let body = Bytes::from(SAMPLE.as_bytes().to_vec());
    let address = body.as_ptr();
    let recorder = Recorder::default();
    let svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
    let request = Request::post("/")
        .header(PF, sign(Provider::PeopleForce, SAMPLE.as_bytes()))
        .body(Full::new(body))
        .unwrap();
    assert_eq!(svc.oneshot(request).await.unwrap().status(), 200);
    let seen = bodies(&recorder);
    assert_eq!(seen, [SAMPLE]);
    let seen = &seen[0];
    assert_eq!(seen.as_ptr(), address, "the body was copied");
}

#[tokio::test]
async fn service_builder_around_a_plain_service_fn() {
    let recorder = Recorder::default();
    let svc = ServiceBuilder::new()
        .layer(VerifySignatureLayer::new(verifier(Provider::PeopleForce)).with_max_body_size(1024))
        .service(recorder.handler());
    let good = signed_sample();
    let (status, echoed) = status_and_body(svc.clone().oneshot(good).await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(echoed, SAMPLE);
    let forged = request(PF, &format!("sha256={}", "ab".repeat(32)), SAMPLE);
    assert_eq!(svc.oneshot(forged).await.unwrap().status(), 403);
    assert_eq!(
        bodies(&recorder),
        [SAMPLE],
        "the forged request reached the handler"
    );
}

#[tokio::test]
async fn poll_ready_is_forwarded_and_the_service_is_reusable() {
    let recorder = Recorder::default();
    let mut svc = VerifySignature::new(recorder.handler(), verifier(Provider::PeopleForce));
    let header = sign(Provider::PeopleForce, SAMPLE.as_bytes());
    for _ in 0..3 {
        let ready = ServiceExt::<Request<Full<Bytes>>>::ready(&mut svc)
            .await
            .unwrap();
        let response = tower::Service::call(ready, request(PF, &header, SAMPLE)).await;
        assert_eq!(response.unwrap().status(), 200);
    }
    assert_eq!(bodies(&recorder), [SAMPLE; 3]);
}

/// A `MakeWriter` collecting log lines in memory.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn rejections_log_the_reason_but_never_the_secret() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let recorder = Recorder::default();
    let svc = VerifySignatureLayer::new(verifier(Provider::PeopleForce))
        .with_max_body_size(8)
        .layer(recorder.handler());
    let forged = request(PF, &format!("sha256={}", "0".repeat(64)), "{}");
    assert_eq!(svc.clone().oneshot(forged).await.unwrap().status(), 403);
    let large = signed_sample();
    assert_eq!(svc.oneshot(large).await.unwrap().status(), 413);
    assert_eq!(recorder.ran(), 0);

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("signature does not match the body"), "{text}");
    assert!(text.contains("body exceeds the 8-byte limit"), "{text}");
    assert!(text.contains("provider=peopleforce"), "{text}");
    assert!(text.contains("method=POST path=\"/hook\""), "{text}");
    assert!(
        !text.contains(SECRET),
        "the secret leaked into the logs: {text}"
    );
}
