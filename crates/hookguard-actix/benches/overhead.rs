//! Middleware overhead, in process, for actix-web: the arms `benches/overhead.rs` times
//! and tabulates (see there and `benches/paired.rs` for the method). The handler extracts
//! `Bytes` and returns 200; the floor is an `actix_web::middleware::from_fn` that only
//! buffers the payload, hands it on and inserts one extension; the minimal verifying
//! middleware is a `from_fn` too; requests are driven by `actix_web::test::call_service`.
//! Run with: `cargo bench -p hookguard-actix --bench overhead`.

#![allow(clippy::expect_used, reason = "benchmark code fails loudly")]

#[path = "../../../benches/paired.rs"]
mod paired;

#[path = "../../../benches/overhead.rs"]
mod overhead;

use std::hint::black_box;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::rt::Runtime;
use actix_web::web::{self, Bytes};
use actix_web::{test, App, HttpMessage, HttpResponse};
use hookguard_actix::VerifySignature;
use hookguard_core::Verifier;

use overhead::Buffered;
use paired::Arm;

const HEADER: &str = "x-peopleforce-signature";
const PATH: &str = "/webhooks/peopleforce";

async fn handler(body: Bytes) -> HttpResponse {
    black_box(body);
    HttpResponse::Ok().finish()
}

/// The floor: the least any payload-buffering middleware does (read the whole payload, hand
/// the same bytes on as the payload, insert one extension), verifying nothing.
async fn buffer_only(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let bytes = request.extract::<Bytes>().await?;
    request.extensions_mut().insert(Buffered(bytes.len()));
    request.set_payload(Payload::from(bytes));
    next.call(request).await
}

/// The minimal verifying middleware: reads the whole payload, runs the one-shot check,
/// hands the same bytes on (no extension, no read timeout, no logging).
async fn minimal(
    verifier: web::Data<Verifier>,
    header: web::Data<HeaderName>,
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let bytes = request.extract::<Bytes>().await?;
    let values = request
        .headers()
        .get_all(header.get_ref())
        .map(HeaderValue::as_bytes);
    if verifier.verify(values, &bytes).is_err() {
        let forbidden = HttpResponse::Forbidden().finish();
        return Ok(request.into_response(forbidden).map_into_right_body());
    }
    request.set_payload(Payload::from(bytes));
    Ok(next.call(request).await?.map_into_left_body())
}

/// The signed delivery as the provider sends it (every arm gets the same request).
fn request(body: &'static [u8], signature: &'static str) -> actix_http::Request {
    test::TestRequest::post()
        .uri(PATH)
        .insert_header(("content-type", "application/json"))
        .insert_header((HEADER, signature))
        .set_payload(Bytes::from_static(body))
        .to_request()
}

/// The handler without the middleware, with it, behind the floor middleware and behind
/// the minimal verifying middleware.
fn arms<'r>(runtime: &'r Runtime, body: &'static [u8], signature: &'static str) -> [Arm<'r>; 4] {
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
    let floor = runtime.block_on(test::init_service(
        App::new().service(
            web::resource(PATH)
                .wrap(from_fn(buffer_only))
                .route(web::post().to(handler)),
        ),
    ));
    let minimal = runtime.block_on(test::init_service(
        App::new()
            .app_data(web::Data::new(overhead::verifier()))
            .app_data(web::Data::new(HeaderName::from_static(HEADER)))
            .service(
                web::resource(PATH)
                    .wrap(from_fn(minimal))
                    .route(web::post().to(handler)),
            ),
    ));
    let delivery = move || request(body, signature);
    [
        arm(runtime, "without middleware", without, delivery),
        arm(runtime, "with VerifySignature", with, delivery),
        arm(
            runtime,
            "floor (buffering middleware, no verification)",
            floor,
            delivery,
        ),
        arm(
            runtime,
            "minimal verifying middleware (from_fn)",
            minimal,
            delivery,
        ),
    ]
}

/// An arm that sends `delivery()` to `service` and expects 200.
fn arm<'r, S, B>(
    runtime: &'r Runtime,
    name: &'static str,
    service: S,
    delivery: impl Fn() -> actix_http::Request + 'r,
) -> Arm<'r>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'r,
{
    Arm {
        name,
        run: Box::new(move || {
            let response = runtime.block_on(test::call_service(&service, delivery()));
            assert_eq!(response.status(), StatusCode::OK);
        }),
    }
}

fn main() {
    let runtime = Runtime::new().expect("runtime");
    overhead::main("actix", |body, signature| arms(&runtime, body, signature));
}
