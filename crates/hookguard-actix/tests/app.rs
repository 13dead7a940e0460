//! `VerifySignature` inside actix-web apps, through `actix_web::test`: where it can wrap
//! (app, scope, resource), the `VerifiedWebhook` extractor and the `Verified` extension, and
//! handlers extracting `String` and `Json<T>` unchanged.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup should fail the test loudly

mod common;

use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse};
use common::{echo_bytes, sign, signed, verifier, Recorder, BB_HEADER, BODY, PF_HEADER};
use hookguard_actix::{Verified, VerifiedWebhook, VerifySignature};
use hookguard_core::{Provider, Secret, Signer, Verifier};

#[actix_web::test]
async fn rotation_reports_the_matching_key_in_extensions_and_extractor() {
    async fn report(req: HttpRequest, webhook: VerifiedWebhook) -> HttpResponse {
        let from_extensions = req.extensions().get::<Verified>().cloned();
        assert_eq!(from_extensions.as_ref(), Some(&webhook.0));
        HttpResponse::Ok().body(format!(
            "{} {} {}",
            webhook.provider(),
            webhook.key().label().unwrap_or("-"),
            webhook.key().index()
        ))
    }
    let rotating = Verifier::builder(Provider::Bindbee)
        .secret_with_id("current", Secret::new("new key").unwrap())
        .secret_with_id("previous", Secret::new("old key").unwrap())
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .wrap(VerifySignature::new(rotating))
            .route("/hook", web::post().to(report)),
    )
    .await;
    for (secret, expected) in [
        ("new key", "bindbee current 0"),
        ("old key", "bindbee previous 1"),
    ] {
        let header = Signer::new(Provider::Bindbee, Secret::new(secret).unwrap())
            .unwrap()
            .sign(BODY.as_bytes());
        let request = TestRequest::post()
            .uri("/hook")
            .insert_header((BB_HEADER, header))
            .set_payload(BODY)
            .to_request();
        let body = test::call_and_read_body(&app, request).await;
        assert_eq!(body, expected);
    }
}

#[actix_web::test]
async fn the_extractor_without_the_middleware_is_a_server_error() {
    let app = test::init_service(App::new().route(
        "/hook",
        web::post().to(|_: VerifiedWebhook| async { HttpResponse::Ok().finish() }),
    ))
    .await;
    let response = test::call_service(&app, signed(Provider::Bindbee, b"{}")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = test::read_body(response).await;
    assert!(
        String::from_utf8_lossy(&body).contains("VerifySignature"),
        "{body:?}"
    );
}

#[derive(serde::Deserialize)]
struct Event {
    action: String,
}

#[actix_web::test]
async fn string_and_json_handlers_work_unchanged() {
    let recorder = web::Data::new(Recorder::default());
    let app = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .wrap(VerifySignature::new(verifier(Provider::PeopleForce)))
            .route(
                "/string",
                web::post().to(|recorder: web::Data<Recorder>, body: String| async move {
                    recorder.record(Bytes::from(body.clone()));
                    HttpResponse::Ok().body(body)
                }),
            )
            .route(
                "/json",
                web::post().to(
                    |recorder: web::Data<Recorder>, event: web::Json<Event>| async move {
                        recorder.record(Bytes::from(event.action.clone()));
                        HttpResponse::Ok().body(event.into_inner().action)
                    },
                ),
            ),
    )
    .await;
    for (uri, expected) in [("/string", BODY), ("/json", "employee_create")] {
        let request = TestRequest::post()
            .uri(uri)
            .insert_header((PF_HEADER, sign(Provider::PeopleForce, BODY.as_bytes())))
            .insert_header(("content-type", "application/json"))
            .set_payload(BODY)
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(test::read_body(response).await, expected, "{uri}");
    }
    // The String handler saw the exact body; the Json one parsed it.
    assert_eq!(
        recorder.runs(),
        vec![
            Bytes::from_static(BODY.as_bytes()),
            Bytes::from("employee_create")
        ]
    );

    let forged = TestRequest::post()
        .uri("/json")
        .insert_header((PF_HEADER, sign(Provider::PeopleForce, b"{}")))
        .insert_header(("content-type", "application/json"))
        .set_payload(BODY)
        .to_request();
    assert_eq!(
        test::call_service(&app, forged).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(recorder.runs().len(), 2, "handler ran on a forged request");
}

#[actix_web::test]
async fn app_scope_and_resource_wrapping_all_protect() {
    let recorder = web::Data::new(Recorder::default());
    let guard = || VerifySignature::new(verifier(Provider::PeopleForce));
    let app_wrapped = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .wrap(guard())
            .route("/hook", web::post().to(echo_bytes)),
    )
    .await;
    let scope_wrapped = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .service(
                web::scope("/webhooks")
                    .wrap(guard())
                    .route("/hook", web::post().to(echo_bytes)),
            )
            .route("/open", web::post().to(echo_bytes)),
    )
    .await;
    let resource_wrapped = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .service(
                web::resource("/hook")
                    .wrap(guard())
                    .route(web::post().to(echo_bytes)),
            )
            .route("/open", web::post().to(echo_bytes)),
    )
    .await;

    let request = |uri: &str, header: Option<String>| {
        let mut request = TestRequest::post().uri(uri).set_payload(BODY);
        if let Some(header) = header {
            request = request.insert_header((PF_HEADER, header));
        }
        request.to_request()
    };
    let good = || Some(sign(Provider::PeopleForce, BODY.as_bytes()));
    let bad = || Some(sign(Provider::PeopleForce, b"tampered"));

    assert_eq!(
        test::call_service(&app_wrapped, request("/hook", good()))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&app_wrapped, request("/hook", bad()))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&scope_wrapped, request("/webhooks/hook", good()))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&scope_wrapped, request("/webhooks/hook", bad()))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&scope_wrapped, request("/open", None))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&resource_wrapped, request("/hook", good()))
            .await
            .status(),
        200
    );
    assert_eq!(
        test::call_service(&resource_wrapped, request("/hook", None))
            .await
            .status(),
        403
    );
    assert_eq!(
        test::call_service(&resource_wrapped, request("/open", None))
            .await
            .status(),
        200
    );

    // Three verified runs and two unprotected ones, all with the exact body.
    let runs = recorder.runs();
    assert_eq!(runs.len(), 5);
    assert!(runs.iter().all(|run| run == BODY));
}

#[actix_web::test]
async fn placement_decides_what_other_methods_get() {
    let recorder = web::Data::new(Recorder::default());
    let guard = || VerifySignature::new(verifier(Provider::PeopleForce));
    // On the POST route inside its resource: actix-web answers other methods itself.
    let on_route = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .service(web::resource("/hook").route(web::post().to(echo_bytes).wrap(guard()))),
    )
    .await;
    // Around the resource: the guard runs before a route is picked.
    let on_resource = test::init_service(
        App::new().app_data(recorder.clone()).service(
            web::resource("/hook")
                .wrap(guard())
                .route(web::post().to(echo_bytes)),
        ),
    )
    .await;
    // `App::route` turns the method into a guard of the resource: no resource matches.
    let app_route = test::init_service(
        App::new()
            .app_data(recorder.clone())
            .route("/hook", web::post().to(echo_bytes).wrap(guard())),
    )
    .await;

    for method in [Method::GET, Method::HEAD, Method::PUT] {
        let request = || TestRequest::default().method(method.clone()).uri("/hook");
        let response = test::call_service(&on_route, request().to_request()).await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(response.headers().get("allow").unwrap(), "POST", "{method}");
        let response = test::call_service(&on_resource, request().to_request()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method}");
        let response = test::call_service(&app_route, request().to_request()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method}");
    }
    assert_eq!(recorder.runs(), Vec::<Bytes>::new(), "the handler ran");

    // The route-wrapped POST is guarded as usual.
    let unsigned = TestRequest::post().uri("/hook").set_payload(BODY);
    let response = test::call_service(&on_route, unsigned.to_request()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let header = sign(Provider::PeopleForce, BODY.as_bytes());
    let signed = TestRequest::post()
        .uri("/hook")
        .insert_header((PF_HEADER, header))
        .set_payload(BODY);
    let response = test::call_service(&on_route, signed.to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(recorder.runs(), [Bytes::from_static(BODY.as_bytes())]);
}
