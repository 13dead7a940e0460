//! Middleware overhead, in process: the same axum handler (extracts `Bytes`, returns 200)
//! with and without `VerifySignatureLayer`, driven by `tower::ServiceExt::oneshot`, against
//! the bare pre-keyed HMAC-SHA256 of the same body, all in one run.
//! Run with: `cargo bench -p hookguard-tower --bench overhead`.
//!
//! Criterion reports each arm; then a paired run prints `(with − without) / HMAC`: every
//! round times the three arms back to back in rotating order (each the fastest of 5 short
//! timings, as preemption only adds time) and takes the ratio within the round; the table
//! shows the median over the rounds. Both arms build the same signed request.

#[path = "../../../benches/paired.rs"]
mod paired;

#[path = "../../../benches/overhead.rs"]
mod overhead;

use std::hint::black_box;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use hookguard_tower::VerifySignatureLayer;
use tokio::runtime::Runtime;
use tower::ServiceExt;

use paired::Arm;

const HEADER: &str = "x-peopleforce-signature";

async fn handler(body: Bytes) -> StatusCode {
    black_box(body);
    StatusCode::OK
}

fn routers() -> (Router, Router) {
    // `with_state` turns handlers into routes (and applies layers) once, as `axum::serve`
    // does; a bare `Router` would redo that on every `oneshot`.
    let without = Router::new()
        .route("/webhooks/peopleforce", post(handler))
        .with_state(());
    let with = Router::new()
        .route("/webhooks/peopleforce", post(handler))
        .layer(VerifySignatureLayer::new(overhead::verifier()))
        .with_state(());
    (without, with)
}

/// The signed delivery as the provider sends it (both arms get the same request).
fn request(body: &'static [u8], signature: &'static str) -> Request<Body> {
    Request::post("/webhooks/peopleforce")
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .header(HEADER, signature)
        .body(Body::from(Bytes::from_static(body)))
        .expect("request")
}

/// The handler without the layer, and with it.
fn arms<'r>(runtime: &'r Runtime, body: &'static [u8], signature: &'static str) -> [Arm<'r>; 2] {
    let (without, with) = routers();
    let call = move |router: Router| {
        move || {
            let response = runtime
                .block_on(router.clone().oneshot(request(body, signature)))
                .expect("infallible");
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    [
        Arm {
            name: "without layer",
            run: Box::new(call(without)),
        },
        Arm {
            name: "with VerifySignatureLayer",
            run: Box::new(call(with)),
        },
    ]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    overhead::main("tower", |body, signature| arms(&runtime, body, signature));
}
