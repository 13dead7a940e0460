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

use std::hint::black_box;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use criterion::Criterion;
use hmac::{Hmac, KeyInit, Mac};
use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_tower::VerifySignatureLayer;
use sha2::Sha256;
use tokio::runtime::Runtime;
use tower::ServiceExt;

use paired::Arm;

const SEED: &[u8] = include_bytes!("../../../tests/vectors/employee_create.json");
const SECRET: &str = "pf_whsec_2b7e151628aed2a6";
const HEADER: &str = "x-peopleforce-signature";

async fn handler(body: Bytes) -> StatusCode {
    black_box(body);
    StatusCode::OK
}

fn routers() -> (Router, Router) {
    let verifier = Verifier::new(Provider::PeopleForce, Secret::new(SECRET).expect("secret"))
        .expect("verifier");
    // `with_state` turns handlers into routes (and applies layers) once, as `axum::serve`
    // does; a bare `Router` would redo that on every `oneshot`.
    let without = Router::new()
        .route("/webhooks/peopleforce", post(handler))
        .with_state(());
    let with = Router::new()
        .route("/webhooks/peopleforce", post(handler))
        .layer(VerifySignatureLayer::new(verifier))
        .with_state(());
    (without, with)
}

/// A body of `len` bytes: the seed itself, or the seed repeated.
fn body_of(len: usize) -> Bytes {
    if len == SEED.len() {
        return Bytes::from_static(SEED);
    }
    SEED.iter()
        .copied()
        .cycle()
        .take(len)
        .collect::<Vec<u8>>()
        .into()
}

/// The signed delivery as the provider sends it (both arms get the same request).
fn request(body: &Bytes, signature: &str) -> Request<Body> {
    Request::post("/webhooks/peopleforce")
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .header(HEADER, signature)
        .body(Body::from(body.clone()))
        .expect("request")
}

/// Without the middleware, with it, and the bare HMAC of the body.
fn arms<'a>(runtime: &'a Runtime, body: &'a Bytes, signature: &'a str) -> Vec<Arm<'a>> {
    let (without, with) = routers();
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).expect("key");
    let call = move |router: Router| {
        move || {
            let response = runtime
                .block_on(router.clone().oneshot(request(body, signature)))
                .expect("infallible");
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    vec![
        Arm {
            name: "without layer",
            run: Box::new(call(without)),
        },
        Arm {
            name: "with VerifySignatureLayer",
            run: Box::new(call(with)),
        },
        Arm {
            name: "bare hmac-sha256 (pre-keyed)",
            run: Box::new(move || {
                let mut mac = keyed.clone();
                mac.update(black_box(body));
                black_box(mac.finalize());
            }),
        },
    ]
}

fn sizes() -> [(&'static str, Bytes); 2] {
    [
        ("1.3KiB-seed", body_of(SEED.len())),
        ("64KiB", body_of(64 << 10)),
    ]
}

fn signature(body: &[u8]) -> String {
    Signer::new(Provider::PeopleForce, Secret::new(SECRET).expect("secret"))
        .expect("signer")
        .sign(body)
}

fn bench_overhead(c: &mut Criterion, runtime: &Runtime) {
    for (label, body) in sizes() {
        let signature = signature(&body);
        let mut group = c.benchmark_group(format!("tower-overhead/{label}"));
        for arm in arms(runtime, &body, &signature) {
            group.bench_function(arm.name, |b| b.iter(|| (arm.run)()));
        }
        group.finish();
    }
}

fn paired_overhead(runtime: &Runtime, rounds: usize, budget: Duration) {
    println!("\ntower in-process overhead (median of {rounds} paired rounds)");
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>10} {:>22}",
        "size", "without", "with", "with-w/o", "hmac", "(with-without)/hmac"
    );
    for (label, body) in sizes() {
        let signature = signature(&body);
        let arms = arms(runtime, &body, &signature);
        let calls: Vec<u32> = arms
            .iter()
            .map(|arm| paired::calibrate(&*arm.run, 8, budget))
            .collect();
        let times = paired::rounds(&arms, &calls, rounds);
        let [without, with, hmac] =
            [0, 1, 2].map(|i| paired::median(times.iter().map(|t| t[i])) * 1e6);
        println!(
            "{label:<12} {without:>7.2} µs {with:>7.2} µs {:>7.2} µs {hmac:>7.2} µs {:>22.2}",
            paired::median(times.iter().map(|t| t[1] - t[0])) * 1e6,
            paired::median(times.iter().map(|t| (t[1] - t[0]) / t[2]))
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    paired::main(
        |c| bench_overhead(c, &runtime),
        || paired_overhead(&runtime, 41, Duration::from_micros(500)),
    );
}
