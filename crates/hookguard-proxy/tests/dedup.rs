//! Deduplication end to end, through the Python upstream (`tests/upstream.py`) and, for the
//! shared store, a real `redis-server`: each delivery reaches the upstream once, copies are
//! answered by the proxy, failures let the sender's retry through, and a store that cannot
//! be reached forwards nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]
#![allow(clippy::float_cmp, reason = "counts are whole numbers, exact in f64")]

// The workspace's scheme routes name the core `hookguard`, as the facade re-exports it.
extern crate hookguard_core as hookguard;

#[path = "support/metrics.rs"]
mod metrics;
mod support;

use std::time::Duration;

use hookguard_proxy::{Deduplication, ProxyConfig};
use hookguard_test_support::redis::RedisServer;
use metrics::counter;
use prometheus_parse::Scrape;
use support::{config, get, now, post, preset_routes, RunningProxy, TestRoute, Upstream};

const BODY: &[u8] = b"{\"event\":\"employee_create\",\"id\":7}";

/// The Bindbee route (no delivery id: copies are recognised by their signature).
fn bindbee() -> TestRoute {
    preset_routes().swap_remove(1)
}

/// A proxy whose Bindbee route forwards to `upstream` with `dedup`.
fn proxy(route: &TestRoute, upstream: &Upstream, dedup: Deduplication) -> RunningProxy {
    RunningProxy::start(config([route.route(&upstream.url()).with_dedup(dedup)]))
}

/// `hookguard_proxy_deliveries_total` for `route` and `outcome`.
fn deliveries(proxy: &RunningProxy, route: &str, outcome: &str) -> f64 {
    let (status, body) = get(proxy.addr, "/metrics");
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    let scrape = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).unwrap();
    let labels = [("route", route), ("outcome", outcome)];
    counter(&scrape, "hookguard_proxy_deliveries_total", &labels)
}

#[test]
fn a_delivery_sent_twice_reaches_the_upstream_once_and_the_copy_is_answered_as_a_duplicate() {
    let upstream = Upstream::start();
    let route = bindbee();
    let proxy = proxy(&route, &upstream, Deduplication::memory());
    let headers = route.sign(route.signing[0], "", now(), BODY);

    let first = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-upstream"), ["python"]);
    assert!(first.header("hookguard-duplicate").is_empty());
    for _ in 0..2 {
        let copy = post(proxy.addr, route.path, &headers, BODY);
        assert_eq!(copy.status, 200);
        assert_eq!(copy.header("hookguard-duplicate"), ["true"]);
        assert!(
            copy.header("x-upstream").is_empty(),
            "answered by the proxy"
        );
    }
    let other = b"{\"event\":\"employee_create\",\"id\":8}";
    let other_headers = route.sign(route.signing[0], "", now(), other);
    assert_eq!(
        post(proxy.addr, route.path, &other_headers, other).status,
        200
    );

    let records = upstream.records();
    assert_eq!(records.len(), 2, "{records:#?}");
    assert_eq!(records[0].body, BODY);
    assert_eq!(records[1].body, other);
    assert_eq!(deliveries(&proxy, route.path, "duplicate"), 2.0);
    assert_eq!(deliveries(&proxy, route.path, "forwarded"), 2.0);
}

#[test]
fn two_routes_given_one_delivery_id_each_forward_their_own_copy() {
    let upstream = Upstream::start();
    let first = preset_routes()
        .into_iter()
        .find(|route| route.provider == hookguard::Provider::StandardWebhooks)
        .unwrap();
    let second = TestRoute {
        path: "/standard-webhooks-audit",
        ..first.clone()
    };
    let memory = Deduplication::memory();
    let proxy = RunningProxy::start(config([
        first.route(&upstream.url()).with_dedup(memory.clone()),
        second.route(&upstream.url()).with_dedup(memory),
    ]));
    for route in [&first, &second] {
        let headers = route.sign(route.signing[0], "msg_shared", now(), BODY);
        let response = post(proxy.addr, route.path, &headers, BODY);
        assert_eq!(response.status, 200, "{}", route.path);
        assert!(
            response.header("hookguard-duplicate").is_empty(),
            "{}",
            route.path
        );
    }
    let headers = first.sign(first.signing[0], "msg_shared", now(), BODY);
    let copy = post(proxy.addr, first.path, &headers, BODY);
    assert_eq!(copy.header("hookguard-duplicate"), ["true"]);

    let paths: Vec<_> = upstream.records().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, [first.path, second.path]);
}

#[test]
fn without_dedup_a_delivery_sent_twice_reaches_the_upstream_twice() {
    let upstream = Upstream::start();
    let route = bindbee();
    let proxy = proxy(&route, &upstream, Deduplication::off());
    let headers = route.sign(route.signing[0], "", now(), BODY);
    for _ in 0..2 {
        let response = post(proxy.addr, route.path, &headers, BODY);
        assert_eq!(response.status, 200);
        assert!(response.header("hookguard-duplicate").is_empty());
    }
    assert_eq!(upstream.records().len(), 2);
}

#[test]
fn a_copy_while_the_first_is_held_by_a_slow_upstream_gets_409_with_retry_after() {
    let upstream = Upstream::start();
    let route = bindbee();
    let proxy = proxy(&route, &upstream, Deduplication::memory());
    let headers = route.sign(route.signing[0], "", now(), BODY);
    let mut slow = headers.clone();
    slow.push(("X-Reply-Delay".into(), "1.5".into()));
    let addr = proxy.addr;
    let path = route.path;
    let first = std::thread::spawn(move || post(addr, path, &slow, BODY));
    // Wait until the upstream holds the first delivery.
    while upstream.records().is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let copy = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(copy.status, 409);
    assert_eq!(copy.header("retry-after"), ["5"]);
    assert_eq!(copy.header("hookguard-duplicate"), ["true"]);
    assert_eq!(first.join().unwrap().status, 200);
    assert_eq!(upstream.records().len(), 1);
    assert_eq!(deliveries(&proxy, route.path, "duplicate"), 1.0);
}

#[test]
fn an_upstream_503_frees_the_delivery_so_the_senders_retry_reaches_the_upstream() {
    let upstream = Upstream::start();
    let route = bindbee();
    let proxy = proxy(&route, &upstream, Deduplication::memory());
    let headers = route.sign(route.signing[0], "", now(), BODY);
    let mut failing = headers.clone();
    failing.push(("X-Reply-Status".into(), "503".into()));

    assert_eq!(post(proxy.addr, route.path, &failing, BODY).status, 503);
    let retry = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(retry.status, 200);
    assert_eq!(retry.header("x-upstream"), ["python"]);
    let copy = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(copy.status, 200);
    assert_eq!(copy.header("hookguard-duplicate"), ["true"]);
    assert!(copy.header("x-upstream").is_empty());
    let records = upstream.records();
    assert_eq!(records.len(), 2, "the failed attempt and its retry");
    assert!(records.iter().all(|record| record.body == BODY));
}

#[test]
fn two_proxies_sharing_one_redis_forward_one_copy_only() {
    let Some(redis) = RedisServer::start("two_proxies_sharing_one_redis").unwrap() else {
        return;
    };
    let upstream = Upstream::start();
    let route = bindbee();
    let shared = Deduplication::redis(&redis.url()).unwrap();
    let one = proxy(&route, &upstream, shared.clone());
    let two = proxy(&route, &upstream, shared);
    let headers = route.sign(route.signing[0], "", now(), BODY);

    assert_eq!(post(one.addr, route.path, &headers, BODY).status, 200);
    let copy = post(two.addr, route.path, &headers, BODY);
    assert_eq!(copy.status, 200);
    assert_eq!(copy.header("hookguard-duplicate"), ["true"]);
    assert_eq!(upstream.records().len(), 1);
    assert_eq!(get(one.addr, "/readyz"), (200, b"ready\n".to_vec()));
    let keys = redis.command("DBSIZE").unwrap();
    assert_eq!(keys, ":1\r\n", "one key for the delivery");
}

#[test]
fn with_redis_down_a_delivery_gets_503_nothing_is_forwarded_and_readyz_says_so() {
    let Some(mut redis) = RedisServer::start("redis_down_answers_503").unwrap() else {
        return;
    };
    let upstream = Upstream::start();
    let route = bindbee();
    let dedup = Deduplication::redis(&redis.url()).unwrap();
    let proxy = proxy(&route, &upstream, dedup);
    redis.kill().unwrap();
    let headers = route.sign(route.signing[0], "", now(), BODY);

    let refused = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("retry-after"), ["5"]);
    assert!(refused.header("hookguard-duplicate").is_empty());
    assert!(upstream.records().is_empty(), "nothing forwarded");
    let (status, body) = get(proxy.addr, "/readyz");
    assert_eq!(status, 503);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        format!("deduplication Redis unreachable: {}\n", route.path)
    );
    assert_eq!(deliveries(&proxy, route.path, "dedup_unavailable"), 1.0);

    redis.restart().unwrap();
    let mut status = 0;
    for _ in 0..50 {
        status = post(proxy.addr, route.path, &headers, BODY).status;
        if status != 503 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(status, 200, "forwarded once Redis is back");
    assert_eq!(upstream.records().len(), 1);
}

#[test]
fn failing_open_with_redis_down_forwards_the_delivery_unchecked() {
    let Some(mut redis) = RedisServer::start("failing_open_with_redis_down").unwrap() else {
        return;
    };
    let upstream = Upstream::start();
    let route = bindbee();
    let dedup = Deduplication::redis(&redis.url()).unwrap().with_fail_open();
    let proxy = proxy(&route, &upstream, dedup);
    redis.kill().unwrap();
    let headers = route.sign(route.signing[0], "", now(), BODY);
    let response = post(proxy.addr, route.path, &headers, BODY);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-upstream"), ["python"]);
    assert_eq!(upstream.records().len(), 1);
}

#[test]
fn the_file_sets_dedup_per_route_and_a_bad_value_names_its_field() {
    let file = |dedup: &str| {
        format!(
            r#"
            listen = "127.0.0.1:8080"
            [[routes]]
            path = "/hooks"
            provider = "bindbee"
            secrets = [{{ env = "HOOKGUARD_PROXY_DEDUP_TEST" }}]
            upstream = "http://127.0.0.1:3000"
            dedup = {dedup}
            "#
        )
    };
    std::env::set_var("HOOKGUARD_PROXY_DEDUP_TEST", "bb_current");
    for good in [
        r#""off""#,
        r#""memory""#,
        r#"{ redis = "redis://127.0.0.1:6379/", prefix = "hr:" }"#,
        r#"{ redis = "redis://127.0.0.1:6379/", fail_open = true }"#,
    ] {
        ProxyConfig::from_toml(&file(good)).unwrap();
    }
    let error = ProxyConfig::from_toml(&file(r#""disk""#)).unwrap_err();
    assert_eq!(error.field(), "routes[0].dedup");
    assert!(error.to_string().contains("memory"), "{error}");
    let error = ProxyConfig::from_toml(&file("true")).unwrap_err();
    assert!(
        error.to_string().contains(r#""off", "memory" or"#),
        "{error}"
    );
    assert!(!error.to_string().contains("DedupFile"), "{error}");
    let error =
        ProxyConfig::from_toml(&file(r#"{ redis = "http://user:pw@127.0.0.1/" }"#)).unwrap_err();
    assert_eq!(error.field(), "routes[0].dedup.redis");
    assert!(!error.to_string().contains("pw"), "{error}");
}
