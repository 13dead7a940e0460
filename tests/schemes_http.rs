//! Timestamped schemes over real sockets, on both adapters: a Standard Webhooks route (id,
//! timestamp, a list of signatures, the `whsec_` secret) and a Stripe route (the timestamp
//! inside the signature header, two secrets). Each accepted delivery reaches the handler
//! with its exact bytes and its delivery id; each refused one never reaches it.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

mod support;

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use hookguard::{Provider, Secret, Signer};
use support::http::{send, Body, Request};
use support::servers::{self, Server, STRIPE_PREVIOUS, SW_SECRET};

const BODY: &[u8] = br#"{"type":"employee.created","data":{"id":42}}"#;

fn servers() -> &'static [Server; 2] {
    static SERVERS: OnceLock<[Server; 2]> = OnceLock::new();
    SERVERS.get_or_init(|| [servers::start_axum(), servers::start_actix()])
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn headers(provider: Provider, secret: &str, id: &str, timestamp: u64) -> Vec<(String, String)> {
    Signer::new(provider, Secret::new(secret).unwrap())
        .unwrap()
        .sign_headers(id, timestamp, BODY)
}

/// `headers` with the value of `name` replaced (or removed when `value` is `None`).
fn with(
    mut headers: Vec<(String, String)>,
    name: &str,
    value: Option<String>,
) -> Vec<(String, String)> {
    headers.retain(|(header, _)| header != name);
    if let Some(value) = value {
        headers.push((name.to_owned(), value));
    }
    headers
}

struct Case {
    name: &'static str,
    path: &'static str,
    headers: Vec<(String, String)>,
    status: u16,
    /// For accepted deliveries: the delivery id and the key index the handler saw.
    seen: Option<(Option<&'static str>, usize)>,
}

fn cases() -> Vec<Case> {
    let now = now();
    let sw = |id, timestamp| headers(Provider::StandardWebhooks, SW_SECRET, id, timestamp);
    let valid = sw("msg_valid", now);
    let signature = valid[0].1.clone();
    let sig = "webhook-signature";
    let stripe_old = headers(Provider::Stripe, STRIPE_PREVIOUS, "", now);
    vec![
        Case {
            name: "valid",
            path: "/standard-webhooks",
            headers: sw("msg_1", now),
            status: 200,
            seen: Some((Some("msg_1"), 0)),
        },
        Case {
            name: "stale",
            path: "/standard-webhooks",
            headers: sw("msg_2", now - 600),
            status: 403,
            seen: None,
        },
        Case {
            name: "from the future",
            path: "/standard-webhooks",
            headers: sw("msg_3", now + 600),
            status: 403,
            seen: None,
        },
        Case {
            name: "missing id",
            path: "/standard-webhooks",
            headers: with(sw("msg_4", now), "webhook-id", None),
            status: 403,
            seen: None,
        },
        Case {
            name: "missing timestamp",
            path: "/standard-webhooks",
            headers: with(sw("msg_5", now), "webhook-timestamp", None),
            status: 403,
            seen: None,
        },
        Case {
            name: "another id than signed",
            path: "/standard-webhooks",
            headers: with(valid.clone(), "webhook-id", Some("msg_other".into())),
            status: 403,
            seen: None,
        },
        Case {
            name: "several signatures, one valid",
            path: "/standard-webhooks",
            headers: with(
                valid.clone(),
                sig,
                Some(format!("v1,{} v2,abc {signature}", "A".repeat(44))),
            ),
            status: 200,
            seen: Some((Some("msg_valid"), 0)),
        },
        Case {
            name: "empty v1,",
            path: "/standard-webhooks",
            headers: with(valid.clone(), sig, Some("v1,".into())),
            status: 403,
            seen: None,
        },
        Case {
            name: "unknown version only",
            path: "/standard-webhooks",
            headers: with(
                valid.clone(),
                sig,
                Some(signature.replacen("v1,", "v2,", 1)),
            ),
            status: 403,
            seen: None,
        },
        Case {
            name: "stripe rotated key",
            path: "/stripe",
            headers: stripe_old.clone(),
            status: 200,
            seen: Some((None, 1)),
        },
        Case {
            name: "stripe stale",
            path: "/stripe",
            headers: headers(Provider::Stripe, STRIPE_PREVIOUS, "", now - 3600),
            status: 403,
            seen: None,
        },
    ]
}

#[test]
fn timestamped_schemes_over_sockets_on_both_adapters() {
    let mut failures = Vec::new();
    for server in servers() {
        for case in cases() {
            let id = format!("{}:{}", server.name, case.name);
            let mut headers = case.headers.clone();
            headers.push(("X-Request-Id".into(), id.clone()));
            let request = Request {
                path: case.path.into(),
                headers,
                body: Body::Fixed(BODY.to_vec()),
            };
            let response = send(server.addr, &request).unwrap();
            if response.status != case.status {
                failures.push(format!(
                    "{id}: status {}, expected {}",
                    response.status, case.status
                ));
            }
            let seen = server.recorder.seen(&id);
            match case.seen {
                None if !seen.is_empty() => {
                    failures.push(format!("{id}: handler ran but must not"));
                }
                None => {}
                Some((delivery_id, key_index)) => match &seen[..] {
                    [one]
                        if one.body == BODY
                            && one.delivery_id.as_deref() == delivery_id
                            && one.key_index == key_index => {}
                    other => failures.push(format!("{id}: handler saw {other:?}")),
                },
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
