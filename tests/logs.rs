//! Secrets never reach the logs, on either adapter, at any level: this process's only
//! `tracing` subscriber records everything down to TRACE while both servers take a valid
//! delivery and every kind of refused request over real sockets. Then no secret (as text
//! or hex) and no signature value appears anywhere in the output, and every refusal left
//! a `warn` event naming its reason.

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use hookguard::Provider;
use support::http::{send, Body, Request};
use support::servers::{self, signed, BB_CURRENT, BB_PREVIOUS, GH_SECRET, PF_SECRET, SMALL_LIMIT};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// (path, headers, body, expected status)
type Case = (&'static str, Vec<(String, String)>, Body, u16);

#[test]
#[allow(clippy::too_many_lines, reason = "one table of cases and its checks")]
fn no_secret_or_signature_is_ever_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let body = br#"{"action":"employee_create","id":1}"#.to_vec();
    let pf = signed(Provider::PeopleForce, PF_SECRET, &body);
    let bb_previous = signed(Provider::Bindbee, BB_PREVIOUS, &body);
    let mut tampered = body.clone();
    tampered[3] ^= 1;
    let mut non_utf8 = body.clone();
    non_utf8.extend_from_slice(b"\xff");
    let non_utf8_signed = signed(Provider::PeopleForce, PF_SECRET, &non_utf8);
    let big = vec![b'a'; SMALL_LIMIT + 1];
    let big_signed = signed(Provider::PeopleForce, PF_SECRET, &big);
    let pf_header = |value: &str| ("X-PeopleForce-Signature".to_owned(), value.to_owned());

    let cases: Vec<Case> = vec![
        (
            "/peopleforce",
            vec![pf.clone()],
            Body::Fixed(body.clone()),
            200,
        ),
        (
            "/bindbee",
            vec![bb_previous.clone()],
            Body::Fixed(body.clone()),
            200,
        ),
        (
            "/peopleforce",
            vec![signed(Provider::PeopleForce, "forged", &body)],
            Body::Fixed(body.clone()),
            403,
        ),
        ("/peopleforce", vec![], Body::Fixed(body.clone()), 403),
        (
            "/peopleforce",
            vec![pf_header("sha256=zz")],
            Body::Fixed(body.clone()),
            403,
        ),
        ("/peopleforce", vec![pf.clone()], Body::Fixed(tampered), 403),
        (
            "/peopleforce",
            vec![non_utf8_signed],
            Body::Fixed(non_utf8),
            403,
        ),
        (
            "/peopleforce",
            vec![pf.clone(), pf.clone()],
            Body::Fixed(body.clone()),
            403,
        ),
        (
            "/small",
            vec![big_signed.clone()],
            Body::DeclaredOnly(SMALL_LIMIT + 1),
            413,
        ),
        (
            "/small",
            vec![big_signed],
            Body::Chunked(vec![big.clone(), big]),
            413,
        ),
        (
            "/bindbee",
            vec![signed(Provider::Bindbee, "bb_revoked", &body)],
            Body::Fixed(body.clone()),
            403,
        ),
        (
            "/peopleforce",
            vec![
                pf.clone(),
                ("Content-Encoding".to_owned(), "gzip".to_owned()),
            ],
            Body::Fixed(body.clone()),
            415,
        ),
        (
            "/peopleforce",
            vec![pf.clone()],
            Body::Stalled {
                declared: body.len(),
                sent: body[..4].to_vec(),
            },
            408,
        ),
    ];
    let refusals = cases.iter().filter(|case| case.3 != 200).count();
    for server in [servers::start_axum(), servers::start_actix()] {
        for (path, headers, body, status) in &cases {
            let request = Request {
                path: (*path).to_owned(),
                headers: headers.clone(),
                body: body.clone(),
            };
            let response = send(server.addr, &request).unwrap();
            assert_eq!(
                response.status, *status,
                "{}: {path} {headers:?}",
                server.name
            );
        }
        // No request carries an id: the handler ran for the two deliveries only, on the
        // exact bytes, and for none of the refusals.
        let seen = server.recorder.bodies("");
        assert_eq!(seen, [body.clone(), body.clone()], "{}", server.name);
    }
    std::thread::sleep(servers::READ_TIMEOUT);

    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    for secret in [PF_SECRET, BB_CURRENT, BB_PREVIOUS, GH_SECRET] {
        for form in [secret.to_owned(), hex::encode(secret)] {
            assert!(!text.contains(&form), "secret {secret:?} logged:\n{text}");
        }
    }
    for (_, value) in [&pf, &bb_previous] {
        let encoded = value.trim_start_matches("sha256=");
        assert!(!text.contains(encoded), "signature {value} logged:\n{text}");
    }
    let warned = text
        .lines()
        .filter(|line| line.contains("WARN") && line.contains("webhook request refused"))
        .count();
    assert_eq!(warned, 2 * refusals, "one warning per refusal:\n{text}");
    assert!(
        text.lines()
            .filter(|line| line.contains("webhook request refused"))
            .all(|line| line.contains("reason=")),
        "{text}"
    );
    // A refused content coding is named, so it does not pass for a forgery.
    let coding = text
        .lines()
        .filter(|line| line.contains("status=415") && line.contains("Content-Encoding gzip"))
        .count();
    assert_eq!(coding, 2, "one 415 per adapter, naming gzip:\n{text}");
    // The success path logs too (DEBUG), with the key id and nothing secret.
    assert!(text.contains("webhook signature verified"), "{text}");
}
