//! Middleware overhead, in process, for tower under axum: the arms `benches/overhead.rs`
//! times and tabulates (see there and `benches/paired.rs` for the method). The handler
//! extracts `Bytes` and returns 200; the floor is a minimal hand-written tower layer that
//! only buffers the body, hands it on and inserts one extension (no boxed future of its
//! own, as `VerifySignature` has none); the minimal verifying middleware is an
//! `axum::middleware::from_fn`; requests are driven by `tower::ServiceExt::oneshot`. The
//! middlewares sit on the route, or around the whole router with
//! `HOOKGUARD_PLACEMENT=router`.
//! Run with: `cargo bench -p hookguard-tower --bench overhead`.

#![allow(clippy::expect_used, reason = "benchmark code fails loudly")]

#[path = "../../../benches/paired.rs"]
mod paired;

#[path = "../../../benches/overhead.rs"]
mod overhead;

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use hookguard_core::{Verifier, DEFAULT_MAX_BODY_SIZE};
use hookguard_tower::VerifySignatureLayer;
use http_body_util::combinators::Collect;
use http_body_util::{BodyExt, Full};
use pin_project_lite::pin_project;
use tokio::runtime::Runtime;
use tower::{Layer, Service, ServiceExt};

use overhead::Buffered;
use paired::Arm;

const HEADER: &str = "x-peopleforce-signature";

async fn handler(body: Bytes) -> StatusCode {
    black_box(body);
    StatusCode::OK
}

/// The floor: the least any body-buffering layer does (read the whole body, hand the same
/// bytes on as the body, insert one extension), verifying nothing; like
/// `VerifySignature`, it clones the inner service per call and allocates no future of its
/// own.
#[derive(Clone)]
struct BufferOnly<S>(S);

impl<S> Service<Request<Body>> for BufferOnly<S>
where
    S: Service<Request<Full<Bytes>>> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BufferOnlyFuture<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let clone = self.0.clone();
        let inner = std::mem::replace(&mut self.0, clone);
        let (parts, body) = request.into_parts();
        BufferOnlyFuture::Reading {
            collect: body.collect(),
            rest: Some((parts, inner)),
        }
    }
}

pin_project! {
    /// [`BufferOnly`]'s future: collects the body, then runs the inner service.
    #[project = BufferOnlyProj]
    enum BufferOnlyFuture<S>
    where
        S: Service<Request<Full<Bytes>>>,
    {
        Reading {
            #[pin]
            collect: Collect<Body>,
            rest: Option<(Parts, S)>,
        },
        Calling {
            #[pin]
            future: S::Future,
        },
    }
}

impl<S> Future for BufferOnlyFuture<S>
where
    S: Service<Request<Full<Bytes>>>,
{
    type Output = Result<S::Response, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let future = match self.as_mut().project() {
                BufferOnlyProj::Reading { collect, rest } => {
                    let bytes = ready!(collect.poll(cx)).expect("in-memory body").to_bytes();
                    let (mut parts, mut inner) = rest.take().expect("polled after the call");
                    parts.extensions.insert(Buffered(bytes.len()));
                    inner.call(Request::from_parts(parts, Full::new(bytes)))
                }
                BufferOnlyProj::Calling { future } => return future.poll(cx),
            };
            self.set(BufferOnlyFuture::Calling { future });
        }
    }
}

/// The minimal verifying middleware: reads the whole body, runs the one-shot check, hands
/// the same bytes on (no extension, no read timeout, no logging).
async fn minimal_middleware(
    State((verifier, header)): State<(Verifier, HeaderName)>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, DEFAULT_MAX_BODY_SIZE).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let values = parts
        .headers
        .get_all(&header)
        .iter()
        .map(HeaderValue::as_bytes);
    if verifier.verify(values, &bytes).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The signed delivery as the provider sends it (every arm gets the same request).
fn request(body: &'static [u8], signature: &'static str) -> Request<Body> {
    Request::post("/webhooks/peopleforce")
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .header(HEADER, signature)
        .body(Body::from(Bytes::from_static(body)))
        .expect("request")
}

/// The signed delivery every arm is sent, and the runtime that drives it.
struct Delivery<'r> {
    runtime: &'r Runtime,
    body: &'static [u8],
    signature: &'static str,
}

impl<'r> Delivery<'r> {
    /// One arm: `service` answers the delivery with 200, once per call.
    fn arm<S, B>(&self, name: &'static str, service: S) -> Arm<'r>
    where
        S: Service<Request<Body>, Response = axum::http::Response<B>> + Clone + 'r,
        S::Error: std::fmt::Debug,
    {
        let Delivery {
            runtime,
            body,
            signature,
        } = *self;
        Arm {
            name,
            run: Box::new(move || {
                let response = runtime
                    .block_on(service.clone().oneshot(request(body, signature)))
                    .expect("infallible");
                assert_eq!(response.status(), StatusCode::OK);
            }),
        }
    }
}

/// Where the layers sit: on the route (`Router::layer`, the per-route wrapping of the
/// README's "Use it"), or, with `HOOKGUARD_PLACEMENT=router`, around the whole router (the
/// tower way, as in front of hyper: axum's per-route boxing is then not paid).
fn around_router() -> bool {
    std::env::var_os("HOOKGUARD_PLACEMENT").is_some_and(|placement| placement == "router")
}

/// The handler's route, with state applied: `with_state` turns handlers into routes (and
/// applies layers) once, as `axum::serve` does; a bare `Router` would redo that on every
/// `oneshot`.
fn route() -> Router {
    Router::new().route("/webhooks/peopleforce", post(handler))
}

/// The handler without the layer, with it, behind the floor middleware and behind the
/// minimal verifying middleware, each placed as `around_router` says.
fn arms<'r>(runtime: &'r Runtime, body: &'static [u8], signature: &'static str) -> [Arm<'r>; 4] {
    let delivery = Delivery {
        runtime,
        body,
        signature,
    };
    let verify = || VerifySignatureLayer::new(overhead::verifier());
    let minimal_layer = || {
        let state = (overhead::verifier(), HeaderName::from_static(HEADER));
        from_fn_with_state(state, minimal_middleware)
    };
    let router = || route().with_state(());
    let [without, with, floor, minimal] = [
        "without layer",
        "with VerifySignatureLayer",
        "floor (buffering layer, no verification)",
        "minimal verifying middleware (from_fn)",
    ];
    if around_router() {
        [
            delivery.arm(without, router()),
            delivery.arm(with, verify().layer(router())),
            delivery.arm(floor, BufferOnly(router())),
            delivery.arm(minimal, minimal_layer().layer(router())),
        ]
    } else {
        let buffer_only = tower::layer::layer_fn(BufferOnly);
        [
            delivery.arm(without, router()),
            delivery.arm(with, route().layer(verify()).with_state(())),
            delivery.arm(floor, route().layer(buffer_only).with_state(())),
            delivery.arm(minimal, route().layer(minimal_layer()).with_state(())),
        ]
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let adapter = if around_router() {
        "tower, around the router"
    } else {
        "tower, on the route"
    };
    overhead::main(adapter, |body, signature| arms(&runtime, body, signature));
}
