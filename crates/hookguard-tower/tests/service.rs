//! The tower service in-process, through `oneshot`: what only an `http_body::Body` can show
//! (how far the layer pulls a body past the limit, a size hint without `Content-Length`,
//! empty frames, a one-frame body handed on without a copy), and the tower API itself
//! (`ServiceBuilder`, `poll_ready`, a custom rejection). The behaviour both adapters share
//! is in the workspace's `tests/conformance.rs`.

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

mod common;

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use common::{
    bodies, request, sign, signed_sample, status_and_body, verifier, End, Recorder, TestBody, BB,
    PF, SAMPLE,
};
use hookguard_core::{Provider, Rejection};
use hookguard_tower::{VerifySignature, VerifySignatureLayer};
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::Full;
use tower::{Layer, ServiceBuilder, ServiceExt};

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
