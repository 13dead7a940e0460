//! Operations: `/healthz`, `/readyz`, `/metrics` (parsed as Prometheus text, counters
//! matching the requests sent) and TLS termination with a certificate made in the test.

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

use std::sync::Arc;

use hookguard_proxy::TlsFiles;
use metrics::counter;
use prometheus_parse::{Scrape, Value};
use support::{closed_port, config, get, now, post, preset_routes, RunningProxy, Upstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::{self, pki_types::ServerName, RootCertStore};

const BODY: &[u8] = b"{\"event\":\"ping\"}";

#[test]
fn healthz_is_alive_and_readyz_names_the_routes_whose_upstream_is_down() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let up = routes[0].route(&upstream.url());
    let proxy = RunningProxy::start(config([up]));
    assert_eq!(get(proxy.addr, "/healthz"), (200, b"ok\n".to_vec()));
    assert_eq!(get(proxy.addr, "/readyz"), (200, b"ready\n".to_vec()));
    drop(proxy);

    let down = closed_port();
    let proxy = RunningProxy::start(config([
        routes[0].route(&upstream.url()),
        routes[1].route(&format!("http://{down}")),
    ]));
    assert_eq!(get(proxy.addr, "/healthz").0, 200);
    let (status, body) = get(proxy.addr, "/readyz");
    assert_eq!(status, 503);
    let text = String::from_utf8(body).unwrap();
    assert_eq!(
        text,
        format!("upstream unreachable: /webhooks/bindbee -> {down}\n")
    );
    assert!(
        upstream.records().is_empty(),
        "probes are connections, not requests"
    );
}

#[test]
fn metrics_parse_as_prometheus_text_and_count_every_outcome() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let (pf, bb) = (&routes[0], &routes[1]);
    let down = format!("http://{}", closed_port());
    let proxy = RunningProxy::start(config([pf.route(&upstream.url()), bb.route(&down)]));
    let valid = pf.sign(pf.signing[0], "", now(), BODY);
    let forged = pf.sign(pf.forged, "", now(), BODY);
    for _ in 0..3 {
        assert_eq!(post(proxy.addr, pf.path, &valid, BODY).status, 200);
    }
    for _ in 0..2 {
        assert_eq!(post(proxy.addr, pf.path, &forged, BODY).status, 403);
    }
    assert_eq!(post(proxy.addr, pf.path, &[], BODY).status, 403);
    assert_eq!(post(proxy.addr, "/nowhere", &valid, BODY).status, 404);
    let to_bindbee = bb.sign(bb.signing[0], "", now(), BODY);
    assert_eq!(post(proxy.addr, bb.path, &to_bindbee, BODY).status, 502);

    let (status, body) = get(proxy.addr, "/metrics");
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    let lines = text.lines().map(|line| Ok(line.to_owned()));
    let scrape = Scrape::parse(lines).unwrap();
    let deliveries = "hookguard_proxy_deliveries_total";
    let refusals = "hookguard_proxy_refusals_total";
    let route = |path| ("route", path);
    assert_eq!(
        counter(
            &scrape,
            deliveries,
            &[route(pf.path), ("outcome", "forwarded")]
        ),
        3.0
    );
    assert_eq!(
        counter(
            &scrape,
            deliveries,
            &[route(pf.path), ("outcome", "refused")]
        ),
        3.0
    );
    assert_eq!(
        counter(&scrape, refusals, &[route(pf.path), ("reason", "mismatch")]),
        2.0
    );
    assert_eq!(
        counter(
            &scrape,
            refusals,
            &[route(pf.path), ("reason", "missing_signature")]
        ),
        1.0
    );
    assert_eq!(
        counter(
            &scrape,
            deliveries,
            &[route(bb.path), ("outcome", "upstream_unreachable")]
        ),
        1.0
    );
    assert_eq!(counter(&scrape, "hookguard_proxy_unrouted_total", &[]), 1.0);
    assert_eq!(
        scrape.docs.get(deliveries).map(String::as_str),
        Some("Requests to a route, by outcome.")
    );

    let histogram = scrape
        .samples
        .iter()
        .find(|sample| {
            sample.metric == "hookguard_proxy_upstream_duration_seconds"
                && sample.labels.get("route") == Some(pf.path)
        })
        .expect("the latency histogram");
    let Value::Histogram(buckets) = &histogram.value else {
        panic!("not a histogram: {:?}", histogram.value);
    };
    let total = buckets
        .iter()
        .map(|bucket| bucket.count)
        .fold(0.0, f64::max);
    assert_eq!(total, 3.0, "three forwarded deliveries timed");
    assert_eq!(upstream.records().len(), 3);
}

#[test]
fn tls_is_terminated_with_a_certificate_made_in_the_test() {
    let upstream = Upstream::start();
    let routes = preset_routes();
    let route = &routes[0];

    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = std::env::temp_dir().join(format!("hookguard-proxy-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, certified.cert.pem()).unwrap();
    std::fs::write(&files.key, certified.signing_key.serialize_pem()).unwrap();
    let proxy = RunningProxy::start(config([route.route(&upstream.url())]).with_tls(files));
    std::fs::remove_dir_all(&dir).unwrap();

    let mut roots = RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let headers = route.sign(route.signing[0], "", now(), BODY);
    let mut closing = headers.clone();
    closing.push(("Connection".to_owned(), "close".to_owned()));
    let request = support::http::Request {
        path: route.path.to_owned(),
        headers: closing,
        body: support::http::Body::Fixed(BODY.to_vec()),
    };
    let mut wire = Vec::new();
    support::http::write_request(&mut wire, &request).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response = runtime.block_on(async {
        let tcp = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
        let name = ServerName::try_from("localhost").unwrap();
        let mut tls = connector.connect(name, tcp).await.unwrap();
        tls.write_all(&wire).await.unwrap();
        let mut response = Vec::new();
        tls.read_to_end(&mut response).await.unwrap();
        String::from_utf8(response).unwrap()
    });
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let records = upstream.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].body, BODY);
    assert_eq!(
        records[0].header("forwarded"),
        ["for=127.0.0.1;proto=https;host=\"127.0.0.1\""]
    );

    // Plain HTTP on the TLS port gets no answer.
    assert!(support::http::send(
        proxy.addr,
        &support::http::Request {
            path: route.path.to_owned(),
            headers,
            body: support::http::Body::Fixed(BODY.to_vec()),
        }
    )
    .is_err());
    assert_eq!(upstream.records().len(), 1);
}
