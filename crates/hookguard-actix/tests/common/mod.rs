//! Shared by the actix-web adapter's test binaries: a recording echo handler, the secret
//! and signing helpers.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of the support code"
)]

use std::pin::Pin;
use std::sync::Mutex;

use actix_http::Request;
use actix_web::error::PayloadError;
use actix_web::test::TestRequest;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use futures_util::Stream;
use hookguard_core::{Provider, Secret, Signer, Verifier};

pub(crate) const SECRET: &str = "s3cret-for-tests";
pub(crate) const PF_HEADER: &str = "X-PeopleForce-Signature";
pub(crate) const BB_HEADER: &str = "X-Bindbee-Webhook-Signature";
pub(crate) const BODY: &str = r#"{"action":"employee_create","data":{"id":42,"name":"Zoë"}}"#;

pub(crate) type BoxedStream = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// What the handlers saw: one entry per run, holding the exact body bytes.
#[derive(Default)]
pub(crate) struct Recorder(Mutex<Vec<Bytes>>);

impl Recorder {
    pub(crate) fn runs(&self) -> Vec<Bytes> {
        self.0.lock().unwrap().clone()
    }
    pub(crate) fn record(&self, body: Bytes) {
        self.0.lock().unwrap().push(body);
    }
}

pub(crate) async fn echo_bytes(recorder: web::Data<Recorder>, body: Bytes) -> HttpResponse {
    recorder.record(body.clone());
    HttpResponse::Ok().body(body)
}

pub(crate) fn verifier(provider: Provider) -> Verifier {
    Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap()
}

pub(crate) fn sign(provider: Provider, body: &[u8]) -> String {
    Signer::new(provider, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body)
}

pub(crate) fn header_of(provider: &Provider) -> &'static str {
    match provider {
        Provider::PeopleForce => PF_HEADER,
        _ => BB_HEADER,
    }
}

pub(crate) fn signed(provider: Provider, body: &'static [u8]) -> Request {
    TestRequest::post()
        .uri("/hook")
        .insert_header((header_of(&provider), sign(provider, body)))
        .set_payload(body)
        .to_request()
}
