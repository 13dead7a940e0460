//! The `actix_receiver` example's tests: its routes through `actix_web::test` and over a
//! socket, and deduplication on instances sharing a store.

use super::*;
use actix_web::http::StatusCode;
use actix_web::test;
use hookguard::Signer;
use hookguard_dedup::RedisStore;

const SECRET: &str = "actix-example-secret";
/// The seed `employee_create` delivery.
const SEED: &[u8] = include_bytes!("../../tests/vectors/employee_create.json");

fn secret(text: &str) -> Secret {
    Secret::new(text).unwrap()
}

fn signer(provider: Provider, key: &str) -> Signer {
    Signer::new(provider, secret(key)).unwrap()
}

/// The example's routes keyed with [`SECRET`], and the handler's delivery count.
fn routes_and_count() -> (impl FnOnce(&mut web::ServiceConfig), web::Data<Received>) {
    let received = web::Data::new(Received::default());
    let verifier = |provider| Verifier::new(provider, secret(SECRET)).unwrap();
    let routes = routes(
        verifier(Provider::PeopleForce),
        verifier(Provider::Bindbee),
        &Dedup::in_memory(),
        received.clone(),
    );
    (routes, received)
}

/// A `POST` of `body` to `path`, with the signature header `signer` writes for
/// `signed` (when there is a signer).
fn post(path: &str, signer: Option<&Signer>, signed: &[u8], body: &[u8]) -> test::TestRequest {
    let mut request = test::TestRequest::post()
        .uri(path)
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_vec());
    if let Some(signer) = signer {
        request = request.insert_header((signer.header_name(), signer.sign(signed)));
    }
    request
}

/// What the handler answers for a delivery of `bytes` bytes with `action`.
fn answer(action: &str, bytes: usize) -> String {
    format!(r#"{{"action":{action},"bytes":{bytes}}}"#)
}

// The handler answers each delivery's action and length; that it sees the exact bytes
// is held by `tests/conformance.rs`, for both adapters.
#[actix_web::test]
async fn signed_deliveries_reach_the_handler() {
    let (routes, received) = routes_and_count();
    let app = test::init_service(App::new().configure(routes)).await;
    for (provider, path) in [
        (Provider::PeopleForce, "/webhooks/peopleforce"),
        (Provider::Bindbee, "/webhooks/bindbee"),
    ] {
        let signer = signer(provider, SECRET);
        let request = post(path, Some(&signer), SEED, SEED);
        let response = test::call_service(&app, request.to_request()).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            test::read_body(response).await,
            answer(r#""employee_create""#, SEED.len()),
            "{path}"
        );
    }
    assert_eq!(received.count(), 2);

    // A body that is not an object has no action.
    let signer = signer(Provider::Bindbee, SECRET);
    let response = test::call_service(
        &app,
        post("/webhooks/bindbee", Some(&signer), b"[1]", b"[1]").to_request(),
    )
    .await;
    assert_eq!(test::read_body(response).await, answer("null", 3));

    let response =
        test::call_service(&app, test::TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(test::read_body(response).await, "ok");
}

#[actix_web::test]
async fn bodies_up_to_the_middleware_limit_reach_the_handler() {
    // Past actix-web's own 256 KiB default for `web::Bytes`, which the example does not
    // raise itself: the middleware does.
    let prefix = br#"{"action":"big","pad":""#;
    let mut body = prefix.to_vec();
    body.resize(hookguard::DEFAULT_MAX_BODY_SIZE - 2, b'x');
    body.extend_from_slice(b"\"}");
    let (routes, received) = routes_and_count();
    let app = test::init_service(App::new().configure(routes)).await;
    let signer = signer(Provider::PeopleForce, SECRET);
    let request = post("/webhooks/peopleforce", Some(&signer), &body, &body);
    let response = test::call_service(&app, request.to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        test::read_body(response).await,
        answer(r#""big""#, hookguard::DEFAULT_MAX_BODY_SIZE)
    );
    assert_eq!(received.count(), 1);
}

#[actix_web::test]
async fn refused_deliveries_get_403_and_never_reach_the_handler() {
    let (routes, received) = routes_and_count();
    let app = test::init_service(App::new().configure(routes)).await;
    let mut tampered = SEED.to_vec();
    let id = tampered.windows(6).position(|w| w == b"130333").unwrap();
    tampered[id] = b'9';
    for (provider, path) in [
        (Provider::PeopleForce, "/webhooks/peopleforce"),
        (Provider::Bindbee, "/webhooks/bindbee"),
    ] {
        let genuine = signer(provider.clone(), SECRET);
        let forger = signer(provider, "not-the-secret");
        let other = if path.ends_with("bindbee") {
            signer(Provider::PeopleForce, SECRET)
        } else {
            signer(Provider::Bindbee, SECRET)
        };
        for (case, request) in [
            ("unsigned", post(path, None, SEED, SEED)),
            ("forged", post(path, Some(&forger), SEED, SEED)),
            ("tampered body", post(path, Some(&genuine), SEED, &tampered)),
            (
                "other provider's scheme",
                post(path, Some(&other), SEED, SEED),
            ),
        ] {
            let response = test::call_service(&app, request.to_request()).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case} to {path}");
        }
    }
    assert_eq!(
        received.count(),
        0,
        "the handler ran for a refused delivery"
    );
}

#[actix_web::test]
async fn other_methods_get_405_with_allow_post_over_a_socket() {
    use hookguard_test_support::http::Connection;

    let received = web::Data::new(Received::default());
    let verifier = |provider| Verifier::new(provider, secret(SECRET)).unwrap();
    let (peopleforce, bindbee) = (verifier(Provider::PeopleForce), verifier(Provider::Bindbee));
    let data = received.clone();
    let dedup = Dedup::in_memory();
    let server = HttpServer::new(move || {
        App::new().configure(routes(
            peopleforce.clone(),
            bindbee.clone(),
            &dedup,
            data.clone(),
        ))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    for method in ["GET", "HEAD", "PUT"] {
        for path in ["/webhooks/peopleforce", "/webhooks/bindbee"] {
            // The workspace's raw HTTP/1.1 test client, synchronous: on a blocking thread.
            let response = actix_web::rt::task::spawn_blocking(move || {
                let mut connection = Connection::open(addr)?;
                let head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                connection.write_raw(head.as_bytes())?;
                if method == "HEAD" {
                    connection.read_head_response()
                } else {
                    connection.read_response()
                }
            })
            .await
            .unwrap()
            .unwrap();
            assert_eq!(response.status, 405, "{method} {path}");
            assert_eq!(response.header("allow"), ["POST"], "{method} {path}");
        }
    }
    assert_eq!(received.count(), 0, "the handler ran");
    handle.stop(true).await;
}

/// Two instances sharing one store (in memory, then a real Redis when installed): a
/// delivery runs once, and its copies are duplicates on either instance.
#[actix_web::test]
async fn copies_are_duplicates_on_instances_sharing_a_store() {
    let name = "actix_receiver::copies_are_duplicates_on_instances_sharing_a_store";
    let redis = hookguard_test_support::redis::RedisServer::start(name).unwrap();
    let shared = Dedup::in_memory();
    for url in std::iter::once(None).chain(redis.as_ref().map(|redis| Some(redis.url()))) {
        let mut instances = Vec::new();
        for _ in 0..2 {
            let dedup = match &url {
                None => shared.clone(),
                Some(url) => Dedup::new(RedisStore::connect(url).await.unwrap()),
            };
            let received = web::Data::new(Received::default());
            let verifier = |provider| Verifier::new(provider, secret(SECRET)).unwrap();
            let (pf, bb) = (verifier(Provider::PeopleForce), verifier(Provider::Bindbee));
            let app = App::new().configure(routes(pf, bb, &dedup, received.clone()));
            instances.push((test::init_service(app).await, received));
        }
        let signer = signer(Provider::Bindbee, SECRET);
        for (instance, duplicate) in [(0, None), (0, Some("true")), (1, Some("true"))] {
            let request = post("/webhooks/bindbee", Some(&signer), SEED, SEED).to_request();
            let response = test::call_service(&instances[instance].0, request).await;
            assert_eq!(response.status(), StatusCode::OK, "{url:?}");
            let header = response.headers().get("hookguard-duplicate");
            assert_eq!(
                header.map(|value| value.to_str().unwrap()),
                duplicate,
                "{url:?}"
            );
        }
        assert_eq!(
            (instances[0].1.count(), instances[1].1.count()),
            (1, 0),
            "{url:?}"
        );
    }
}
