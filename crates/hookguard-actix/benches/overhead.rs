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

#[path = "../../../benches/overhead.rs"]
mod overhead;

use std::hint::black_box;

use actix_web::http::StatusCode;
use actix_web::rt::Runtime;
use actix_web::web::{self, Bytes};
use actix_web::{test, App, HttpResponse};
use hookguard_actix::VerifySignature;

use paired::Arm;

const HEADER: &str = "x-peopleforce-signature";
const PATH: &str = "/webhooks/peopleforce";

async fn handler(body: Bytes) -> HttpResponse {
    black_box(body);
    HttpResponse::Ok().finish()
}

/// The signed delivery as the provider sends it (both arms get the same request).
fn request(body: &'static [u8], signature: &'static str) -> actix_http::Request {
    test::TestRequest::post()
        .uri(PATH)
        .insert_header(("content-type", "application/json"))
        .insert_header((HEADER, signature))
        .set_payload(Bytes::from_static(body))
        .to_request()
}

/// The handler without the middleware, and with it.
fn arms<'r>(runtime: &'r Runtime, body: &'static [u8], signature: &'static str) -> [Arm<'r>; 2] {
    let without = runtime.block_on(test::init_service(
        App::new().service(web::resource(PATH).route(web::post().to(handler))),
    ));
    let with = runtime.block_on(test::init_service(
        App::new().service(
            web::resource(PATH)
                .wrap(VerifySignature::new(overhead::verifier()))
                .route(web::post().to(handler)),
        ),
    ));
    [
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
    ]
}

fn main() {
    let runtime = Runtime::new().expect("runtime");
    overhead::main("actix", |body, signature| arms(&runtime, body, signature));
}
