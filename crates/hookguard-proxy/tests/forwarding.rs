//! End to end through a real upstream in another language (`tests/upstream.py`): what
//! reaches it, byte for byte, and what never does.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

// The workspace's scheme routes name the core `hookguard`, as the facade re-exports it.
extern crate hookguard_core as hookguard;

mod support;

use std::time::Duration;

use hookguard_core::{ContentCoding, Rejection};
use hookguard_tower::{DefaultRejection, RejectionResponse};
use http_body_util::BodyExt;
use support::http::Response;
use support::{config, now, post, preset_routes, RunningProxy, Upstream};

/// A delivery body with bytes JSON re-serialisation would change.
const BODY: &[u8] =
    b"{\"event\":\"employee_create\",  \"name\":\"Zo\\u00eb \xc3\xa9\",\"n\":1.50}\n";

#[test]
fn valid_deliveries_of_every_preset_reach_the_upstream_byte_exact_with_the_added_headers() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let proxy = RunningProxy::start(config(routes.iter().map(|r| r.route(&upstream.url()))));
    let mut failures = Vec::new();
    for (index, route) in routes.iter().enumerate() {
        let id = format!("msg_{index}");
        let mut headers = route.sign(route.signing[1], &id, now(), BODY);
        headers.push(("Content-Type".into(), "application/json".into()));
        headers.push(("X-Custom".into(), "one".into()));
        headers.push(("X-Custom".into(), "two".into()));
        let response = post(proxy.addr, route.path, &headers, BODY);
        if response.status != 200 || response.header("x-upstream") != ["python"] {
            failures.push(format!(
                "{}: {} {:?}",
                route.path, response.status, response.headers
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    let records = upstream.records();
    assert_eq!(records.len(), routes.len());
    for (record, route) in records.iter().zip(&routes) {
        let path = route.path;
        assert_eq!(record.method, "POST", "{path}");
        assert_eq!(record.path, path);
        assert_eq!(record.body, BODY, "{path}: body altered");
        assert_eq!(
            record.header("hookguard-provider"),
            [route.provider.to_string()],
            "{path}"
        );
        assert_eq!(record.header("hookguard-key-id"), ["previous"], "{path}");
        // Only an id the signature covers is a verification result (not GitHub's or
        // Shopify's, which reach the upstream in their own header).
        let delivery_id = route.provider.signs_delivery_id().then_some("msg_");
        let sent_id: Vec<&str> = record.header("hookguard-delivery-id");
        match delivery_id {
            Some(prefix) => assert!(
                sent_id.len() == 1 && sent_id[0].starts_with(prefix),
                "{path}: {sent_id:?}"
            ),
            None => assert!(sent_id.is_empty(), "{path}: {sent_id:?}"),
        }
        assert_eq!(record.header("x-forwarded-for"), ["127.0.0.1"], "{path}");
        assert_eq!(
            record.header("forwarded"),
            ["for=127.0.0.1;proto=http;host=\"127.0.0.1\""],
            "{path}"
        );
        assert_eq!(record.header("x-custom"), ["one", "two"], "{path}");
        assert_eq!(
            record.header("content-type"),
            ["application/json"],
            "{path}"
        );
        let signature = route.provider.header_name();
        assert_eq!(
            record.header(signature).len(),
            1,
            "{path}: signature header kept"
        );
    }
}

/// The status, `Content-Type` and body the tower adapter answers `rejection` with by
/// default (the actix-web adapter's are the same: the conformance suite holds them equal).
fn adapter_rejection(rejection: Rejection) -> (u16, String, Vec<u8>) {
    let response = DefaultRejection.respond(rejection);
    let content_type = response.headers()[http::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let status = response.status().as_u16();
    let body = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(response.into_body().collect())
        .unwrap()
        .to_bytes();
    (status, content_type, body.to_vec())
}

#[test]
fn forged_unsigned_oversize_stale_encoded_and_stalled_deliveries_never_reach_the_upstream() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let limited = routes.iter().map(|route| {
        route
            .route(&upstream.url())
            .with_max_body_size(4096)
            .with_read_timeout(Duration::from_millis(300))
    });
    let proxy = RunningProxy::start(config(limited));
    let mut failures = Vec::new();
    // Status, `Content-Type` and body exactly as the adapters' default rejection has them.
    let mut check = |what: &str, path: &str, expected: Rejection, response: &Response| {
        let wanted = adapter_rejection(expected);
        let got = (
            response.status,
            response.header("content-type"),
            response.body.as_slice(),
        );
        let wanted = (wanted.0, vec![wanted.1.as_str()], wanted.2.as_slice());
        if got != wanted {
            let (got, wanted) = (
                (got.0, got.1, String::from_utf8_lossy(got.2)),
                (wanted.0, wanted.1, String::from_utf8_lossy(wanted.2)),
            );
            failures.push(format!("{path} {what}: {got:?}, expected {wanted:?}"));
        }
    };
    for route in &routes {
        let path = route.path;
        let forged = route.sign(route.forged, "msg_1", now(), BODY);
        let response = post(proxy.addr, path, &forged, BODY);
        check("forged", path, Rejection::Mismatch, &response);

        let response = post(proxy.addr, path, &[], BODY);
        check("unsigned", path, Rejection::MissingSignature, &response);

        let valid = route.sign(route.signing[0], "msg_1", now(), BODY);
        let mut tampered = BODY.to_vec();
        tampered[2] ^= 1;
        let response = post(proxy.addr, path, &valid, &tampered);
        check("tampered", path, Rejection::Mismatch, &response);

        let big = vec![b'a'; 5000];
        let oversize = route.sign(route.signing[0], "msg_1", now(), &big);
        let response = post(proxy.addr, path, &oversize, &big);
        check(
            "oversize",
            path,
            Rejection::BodyTooLarge { limit: 4096 },
            &response,
        );

        let mut gzip = valid.clone();
        gzip.push(("Content-Encoding".into(), "gzip".into()));
        let response = post(proxy.addr, path, &gzip, BODY);
        let unsupported = ContentCoding::IdentityOnly.check(["gzip"]).unwrap_err();
        check("gzip", path, unsupported, &response);

        if route.provider.signs_timestamp() {
            let stale = route.sign(route.signing[0], "msg_1", now() - 3600, BODY);
            let response = post(proxy.addr, path, &stale, BODY);
            check(
                "stale",
                path,
                Rejection::TimestampOutsideTolerance { skew: -3600 },
                &response,
            );
        }

        let stalled = support::http::Request {
            path: path.to_owned(),
            headers: valid.clone(),
            body: support::http::Body::Stalled {
                declared: BODY.len(),
                sent: BODY[..10].to_vec(),
            },
        };
        let response = support::http::send(proxy.addr, &stalled).unwrap();
        check("stalled", path, Rejection::BodyTimeout, &response);
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(upstream.records().is_empty(), "{:#?}", upstream.records());
}

#[test]
fn client_sent_proxy_headers_and_hop_by_hop_fields_never_reach_the_upstream() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[0];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    let mut headers = route.sign(route.signing[0], "", now(), BODY);
    headers.extend(
        [
            ("Hookguard-Key-Id", "admin"),
            ("HOOKGUARD-PROVIDER", "trusted"),
            ("hookguard-delivery-id", "forged"),
            ("X-Forwarded-For", "6.6.6.6"),
            ("Forwarded", "for=6.6.6.6"),
            ("Connection", "keep-alive, X-Hop"),
            ("X-Hop", "1"),
            ("Keep-Alive", "timeout=5"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );
    assert_eq!(post(proxy.addr, route.path, &headers, BODY).status, 200);

    let records = upstream.records();
    assert_eq!(records.len(), 1, "forwarded once");
    let record = &records[0];
    assert_eq!(record.header("hookguard-key-id"), ["current"]);
    assert_eq!(record.header("hookguard-provider"), ["peopleforce"]);
    assert!(record.header("hookguard-delivery-id").is_empty());
    assert_eq!(record.header("x-forwarded-for"), ["127.0.0.1"]);
    assert!(record.header("forwarded")[0].starts_with("for=127.0.0.1;"));
    assert!(record.header("x-hop").is_empty());
    assert!(record.header("keep-alive").is_empty());
    assert_eq!(record.body, BODY);
}

#[test]
fn the_upstream_status_headers_and_body_come_back_unchanged() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[1];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    let mut headers = route.sign(route.signing[0], "", now(), BODY);
    headers.push(("X-Reply-Status".into(), "418".into()));
    let response = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(response.status, 418);
    assert_eq!(response.header("x-upstream"), ["python"]);
    assert_eq!(response.header("content-type"), ["application/json"]);
    assert_eq!(response.body, br#"{"received": 1}"#);
}

#[test]
fn a_path_no_route_names_gives_404_and_reaches_nothing() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[0];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    let headers = route.sign(route.signing[0], "", now(), BODY);
    for path in [
        "/",
        "/webhooks/peopleforce/",
        "/webhooks/PEOPLEFORCE",
        "/_record",
        "/webhooks",
    ] {
        let response = post(proxy.addr, path, &headers, BODY);
        assert_eq!(
            (response.status, response.body.as_slice()),
            (404, &b"Not Found"[..]),
            "{path}"
        );
    }
    assert!(upstream.records().is_empty());
}

#[test]
fn an_http_1_0_upstreams_answers_reach_the_client_as_http_1_1() {
    let upstream = Upstream::with_args(&["--http10"]);
    let routes = preset_routes();
    let route = &routes[0];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    let headers = route.sign(route.signing[0], "", now(), BODY);
    let request = hookguard_test_support::http::Request {
        path: route.path.to_owned(),
        headers,
        body: hookguard_test_support::http::Body::Fixed(BODY.to_vec()),
    };
    // A client such as curl closes the connection after an HTTP/1.0 answer: the status
    // line must say HTTP/1.1, on each delivery of one connection.
    let mut stream = std::net::TcpStream::connect(proxy.addr).unwrap();
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    for attempt in 0..2 {
        hookguard_test_support::http::write_request(&mut stream, &request).unwrap();
        let mut status_line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut status_line).unwrap();
        assert!(
            status_line.starts_with("HTTP/1.1 200"),
            "attempt {attempt}: {status_line:?}"
        );
        // The rest of the head, then the body by its length.
        let mut length = 0;
        loop {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        std::io::Read::read_exact(&mut reader, &mut body).unwrap();
    }
    assert_eq!(upstream.records().len(), 2);
}

#[test]
fn other_methods_than_post_on_a_route_get_405_and_reach_nothing() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[0];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    for method in ["GET", "PUT", "DELETE"] {
        let mut connection = hookguard_test_support::http::Connection::open(proxy.addr).unwrap();
        let head = format!(
            "{method} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            route.path
        );
        connection.write_raw(head.as_bytes()).unwrap();
        let response = connection.read_response().unwrap();
        assert_eq!(response.status, 405, "{method}");
        assert!(
            response
                .headers
                .contains(&("allow".to_owned(), "POST".to_owned())),
            "{method}: {:?}",
            response.headers
        );
    }
    assert!(upstream.records().is_empty());
}

#[test]
fn expect_100_continue_is_answered_only_for_a_request_whose_headers_pass() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[0];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    let head = |headers: &[(String, String)]| {
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: {}\r\n",
            route.path,
            BODY.len()
        );
        for (name, value) in headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    };

    // Unsigned: refused from the head alone, without inviting the body.
    let mut refused = support::http::Connection::open(proxy.addr).unwrap();
    refused.write_raw(&head(&[])).unwrap();
    assert_eq!(refused.read_response().unwrap().status, 403);

    // Signed: invited, then forwarded without the expectation.
    let mut valid = support::http::Connection::open(proxy.addr).unwrap();
    valid
        .write_raw(&head(&route.sign(route.signing[0], "", now(), BODY)))
        .unwrap();
    assert_eq!(valid.read_head_response().unwrap().status, 100);
    valid.write_raw(BODY).unwrap();
    assert_eq!(valid.read_response().unwrap().status, 200);

    let records = upstream.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].body, BODY);
    assert!(records[0].header("expect").is_empty());
}
