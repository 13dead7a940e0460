//! What the adapters log, on both, over real sockets: this process's only `tracing`
//! subscriber records everything down to TRACE while both servers take valid deliveries and
//! every kind of refused request. Then no secret (as text or hex) and no signature value
//! appears anywhere in the output, and every refusal left exactly one `warn` event naming
//! its reason, status, provider, method and path.

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

mod support;

use hookguard::Provider;
use hookguard_test_support::log::Captured;
use support::http::{send, Body, Request};
use support::servers::{self, signed, BB_CURRENT, BB_PREVIOUS, GH_SECRET, PF_SECRET, SMALL_LIMIT};

/// One request and what it must leave behind.
struct Case {
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Body,
    status: u16,
    /// The start of the logged reason for a refusal; `None` for a delivery.
    reason: Option<&'static str>,
}

fn case(
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Body,
    status: u16,
    reason: Option<&'static str>,
) -> Case {
    Case {
        path,
        headers,
        body,
        status,
        reason,
    }
}

#[test]
#[allow(clippy::too_many_lines, reason = "one table of cases and its checks")]
fn refusals_log_their_reason_and_nothing_secret() {
    let captured = Captured::default();
    captured.init().unwrap();

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
    let fixed = || Body::Fixed(body.clone());
    let mismatch = Some("signature does not match the body");
    let too_large = Some("body exceeds the 1024-byte limit");

    let cases = vec![
        case("/peopleforce", vec![pf.clone()], fixed(), 200, None),
        case("/bindbee", vec![bb_previous.clone()], fixed(), 200, None),
        case(
            "/peopleforce",
            vec![signed(Provider::PeopleForce, "forged", &body)],
            fixed(),
            403,
            mismatch,
        ),
        case(
            "/peopleforce",
            vec![],
            fixed(),
            403,
            Some("signature header is missing"),
        ),
        case(
            "/peopleforce",
            vec![pf_header("sha256=zz")],
            fixed(),
            403,
            Some("signature header is malformed: "),
        ),
        case(
            "/peopleforce",
            vec![pf.clone()],
            Body::Fixed(tampered),
            403,
            mismatch,
        ),
        case(
            "/peopleforce",
            vec![non_utf8_signed],
            Body::Fixed(non_utf8),
            403,
            Some("body is not valid UTF-8"),
        ),
        case(
            "/peopleforce",
            vec![pf.clone(), pf.clone()],
            fixed(),
            403,
            Some("signature header appears more than once"),
        ),
        case(
            "/small",
            vec![big_signed.clone()],
            Body::DeclaredOnly(SMALL_LIMIT + 1),
            413,
            too_large,
        ),
        case(
            "/small",
            vec![big_signed],
            Body::Chunked(vec![big.clone(), big]),
            413,
            too_large,
        ),
        case(
            "/bindbee",
            vec![signed(Provider::Bindbee, "bb_revoked", &body)],
            fixed(),
            403,
            mismatch,
        ),
        case(
            "/peopleforce",
            vec![
                pf.clone(),
                ("Content-Encoding".to_owned(), "gzip".to_owned()),
            ],
            fixed(),
            415,
            // Named, so a refused content coding does not pass for a forgery.
            Some("body has Content-Encoding gzip, and only unencoded (identity) bodies"),
        ),
        case(
            "/peopleforce",
            vec![pf.clone()],
            Body::Stalled {
                declared: body.len(),
                sent: body[..4].to_vec(),
            },
            408,
            Some("body did not arrive within the read timeout"),
        ),
        case(
            "/peopleforce",
            vec![pf.clone()],
            Body::Truncated {
                declared: body.len(),
                sent: body[..4].to_vec(),
            },
            400,
            Some("body stream failed"),
        ),
    ];
    // The refusal events expected, in order: requests go one at a time, and each adapter
    // logs a refusal before it answers.
    let mut expected = Vec::new();
    for server in [servers::start_axum(), servers::start_actix()] {
        for case in &cases {
            let request = Request {
                path: case.path.to_owned(),
                headers: case.headers.clone(),
                body: case.body.clone(),
            };
            let response = send(server.addr, &request).unwrap();
            assert_eq!(
                response.status, case.status,
                "{}: {} {:?}",
                server.name, case.path, case.headers
            );
            if let Some(reason) = case.reason {
                let provider = if case.path == "/bindbee" {
                    "bindbee"
                } else {
                    "peopleforce"
                };
                expected.push([
                    format!("provider={provider}"),
                    format!("status={}", case.status),
                    format!("reason={reason}"),
                    "method=POST".to_owned(),
                    format!("path=\"{}\"", case.path),
                ]);
            }
        }
        // No request carries an id: the handler ran for the two deliveries only, on the
        // exact bytes, and for none of the refusals.
        let seen = server.recorder.bodies("");
        assert_eq!(seen, [body.clone(), body.clone()], "{}", server.name);
    }
    std::thread::sleep(servers::READ_TIMEOUT);

    let text = captured.text();
    for secret in [PF_SECRET, BB_CURRENT, BB_PREVIOUS, GH_SECRET] {
        for form in [secret.to_owned(), hex::encode(secret)] {
            assert!(!text.contains(&form), "secret {secret:?} logged:\n{text}");
        }
    }
    for (_, value) in [&pf, &bb_previous] {
        let encoded = value.trim_start_matches("sha256=");
        assert!(!text.contains(encoded), "signature {value} logged:\n{text}");
    }
    let refusals: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("webhook request refused"))
        .collect();
    assert_eq!(
        refusals.len(),
        expected.len(),
        "one event per refusal:\n{text}"
    );
    for (line, fields) in refusals.iter().zip(&expected) {
        assert!(line.contains(" WARN "), "not a warning: {line}");
        for field in fields {
            assert!(line.contains(field.as_str()), "{field} missing: {line}");
        }
    }
    // The success path logs too (DEBUG), with the key id and nothing secret.
    assert!(text.contains("webhook signature verified"), "{text}");
}
