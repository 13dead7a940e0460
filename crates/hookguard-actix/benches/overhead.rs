//! Middleware overhead, in process: the same actix-web handler (extracts `Bytes`, returns
//! 200) with and without `VerifySignature`, driven by `actix_web::test::call_service`,
//! against the bare pre-keyed HMAC-SHA256 of the same body, all in one run.
//! Run with: `cargo bench -p hookguard-actix --bench overhead`.
//!
//! Criterion reports each arm; then a paired run prints `(with − without) / HMAC`: every
//! round times the three arms back to back in rotating order (each the fastest of 5 short
//! timings, as preemption only adds time) and takes the ratio within the round; the table
//! shows the median over the rounds. Both arms build the same signed request.

#[path = "../../../benches/paired.rs"]
mod paired;

use std::hint::black_box;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::rt::Runtime;
use actix_web::web::{self, Bytes};
use actix_web::{test, App, HttpResponse};
use criterion::Criterion;
use hmac::{Hmac, KeyInit, Mac};
use hookguard_actix::VerifySignature;
use hookguard_core::{Provider, Secret, Signer, Verifier};
use sha2::Sha256;

use paired::Arm;

const SEED: &[u8] = include_bytes!("../../../tests/vectors/employee_create.json");
const SECRET: &str = "pf_whsec_2b7e151628aed2a6";
const HEADER: &str = "x-peopleforce-signature";
const PATH: &str = "/webhooks/peopleforce";

async fn handler(body: Bytes) -> HttpResponse {
    black_box(body);
    HttpResponse::Ok().finish()
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

fn signature(body: &[u8]) -> String {
    Signer::new(Provider::PeopleForce, Secret::new(SECRET).expect("secret"))
        .expect("signer")
        .sign(body)
}

/// The signed delivery as the provider sends it (both arms get the same request).
fn request(body: &Bytes, signature: &str) -> actix_http::Request {
    test::TestRequest::post()
        .uri(PATH)
        .insert_header(("content-type", "application/json"))
        .insert_header((HEADER, signature))
        .set_payload(body.clone())
        .to_request()
}

/// Without the middleware, with it, and the bare HMAC of the body.
fn arms<'a>(runtime: &'a Runtime, body: &'a Bytes, signature: &'a str) -> Vec<Arm<'a>> {
    let verifier = Verifier::new(Provider::PeopleForce, Secret::new(SECRET).expect("secret"))
        .expect("verifier");
    let without = runtime.block_on(test::init_service(
        App::new().service(web::resource(PATH).route(web::post().to(handler))),
    ));
    let with = runtime.block_on(test::init_service(
        App::new().service(
            web::resource(PATH)
                .wrap(VerifySignature::new(verifier))
                .route(web::post().to(handler)),
        ),
    ));
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).expect("key");
    vec![
        Arm {
            name: "without middleware",
            run: Box::new(move || {
                let response =
                    runtime.block_on(test::call_service(&without, request(body, signature)));
                assert_eq!(response.status(), StatusCode::OK);
            }),
        },
        Arm {
            name: "with VerifySignature",
            run: Box::new(move || {
                let response =
                    runtime.block_on(test::call_service(&with, request(body, signature)));
                assert_eq!(response.status(), StatusCode::OK);
            }),
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

fn bench_overhead(c: &mut Criterion, runtime: &Runtime) {
    for (label, body) in sizes() {
        let signature = signature(&body);
        let mut group = c.benchmark_group(format!("actix-overhead/{label}"));
        for arm in arms(runtime, &body, &signature) {
            group.bench_function(arm.name, |b| b.iter(|| (arm.run)()));
        }
        group.finish();
    }
}

fn paired_overhead(runtime: &Runtime, rounds: usize, budget: Duration) {
    println!("\nactix in-process overhead (median of {rounds} paired rounds)");
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
    let runtime = Runtime::new().expect("runtime");
    paired::main(
        |c| bench_overhead(c, &runtime),
        || paired_overhead(&runtime, 41, Duration::from_micros(500)),
    );
}
