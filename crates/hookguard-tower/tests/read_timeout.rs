//! The tower layer's read timeout, on tokio's paused clock: when it starts, what it covers,
//! and that a body already there never arms it.

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

mod common;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use common::{
    bodies, sign, signed_sample, status_and_body, verifier, End, Recorder, TestBody, PF, SAMPLE,
};
use hookguard_core::Provider;
use hookguard_tower::VerifySignatureLayer;
use http::Request;
use http_body::{Body, Frame};
use tower::{Layer, Service, ServiceExt};

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
