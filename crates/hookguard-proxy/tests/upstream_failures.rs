//! What the client gets when the upstream fails: unreachable, too slow, or hanging up in
//! the middle of its response; and a response too long to be read whole, streamed.

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

use support::{closed_port, config, now, post, preset_routes, RunningProxy, Upstream};

const BODY: &[u8] = b"{\"event\":\"employee_create\",\"n\":1}\n";

#[test]
fn an_unreachable_upstream_gives_502() {
    let routes = preset_routes();
    let route = &routes[0];
    let down = format!("http://{}", closed_port());
    let proxy = RunningProxy::start(config([route.route(&down)]));
    let headers = route.sign(route.signing[0], "", now(), BODY);
    assert_eq!(post(proxy.addr, route.path, &headers, BODY).status, 502);
}

#[test]
fn a_slow_upstream_gives_504_after_the_upstream_timeout() {
    let upstream = Upstream::with_delay(3.0);
    let routes = preset_routes();
    let route = &routes[0];
    let slow = route
        .route(&upstream.url())
        .with_upstream_timeout(Duration::from_millis(400));
    let proxy = RunningProxy::start(config([slow]));
    let headers = route.sign(route.signing[0], "", now(), BODY);
    let started = std::time::Instant::now();
    assert_eq!(post(proxy.addr, route.path, &headers, BODY).status, 504);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_millis(2500),
        "{waited:?}"
    );
    assert_eq!(upstream.records().len(), 1, "the valid delivery reached it");
}

#[test]
fn an_upstream_hanging_up_mid_response_gives_502_and_the_next_delivery_gets_through() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[0];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    let mut headers = route.sign(route.signing[0], "", now(), BODY);
    headers.push(("X-Reply-Cut".into(), "1".into()));
    assert_eq!(post(proxy.addr, route.path, &headers, BODY).status, 502);
    let headers = route.sign(route.signing[0], "", now(), BODY);
    let response = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, br#"{"received": 2}"#);
    assert_eq!(upstream.records().len(), 2, "both deliveries reached it");
}

#[test]
fn a_response_too_long_to_read_whole_is_streamed_byte_exact() {
    const SIZE: usize = 200_000;
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[0];
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]));
    for _ in 0..2 {
        let mut headers = route.sign(route.signing[0], "", now(), BODY);
        headers.push(("X-Reply-Size".into(), SIZE.to_string()));
        let response = post(proxy.addr, route.path, &headers, BODY);
        assert_eq!(response.status, 200);
        let expected: Vec<u8> = (0..SIZE)
            .map(|index| u8::try_from(index % 251).unwrap())
            .collect();
        assert!(
            response.body == expected,
            "{} bytes back",
            response.body.len()
        );
    }
    assert_eq!(upstream.records().len(), 2);
}
