//! What each request of the run is: its bytes on the wire and what must come of it.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crate::mix::{kind_of, Kind};
use crate::support::http::{Body, Request};
use crate::support::servers::{
    self, signer, BB_CURRENT, BB_PREVIOUS, GH_SECRET, PF_SECRET, SMALL_LIMIT,
};
use hookguard::{Provider, Signer};

const SEED: &[u8] = include_bytes!("../vectors/employee_create.json");
const MIB: usize = 1024 * 1024;

pub(crate) fn digest(bytes: &[u8]) -> (u64, usize) {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    (hasher.finish(), bytes.len())
}

pub(crate) struct Signers {
    pub(crate) pf: Signer,
    bb_current: Signer,
    bb_previous: Signer,
    github: Signer,
}

impl Signers {
    pub(crate) fn new() -> Signers {
        Signers {
            pf: signer(Provider::PeopleForce, PF_SECRET),
            bb_current: signer(Provider::Bindbee, BB_CURRENT),
            bb_previous: signer(Provider::Bindbee, BB_PREVIOUS),
            github: signer(servers::custom_github(), GH_SECRET),
        }
    }
}

/// What must come of one request (kept for the whole run, so it holds no body: the
/// outcomes of 100 000 requests must not dominate the memory figures).
pub(crate) struct Planned {
    pub(crate) id: String,
    pub(crate) kind: Kind,
    /// Status the client must read; `None` for a client that hangs up.
    pub(crate) status: Option<u16>,
    /// For a valid delivery: the body's digest and the key that must be reported.
    pub(crate) delivery: Option<((u64, usize), &'static str)>,
}

pub(crate) fn unique_body(i: usize) -> Vec<u8> {
    format!(
        "{{\"action\":\"employee_update\",\"soak\":{i},\"pad\":\"{}\"}}",
        "x".repeat(i % 97)
    )
    .into_bytes()
}

#[allow(clippy::too_many_lines, reason = "one arm per kind of request")]
pub(crate) fn plan(adapter: &str, i: usize, signers: &Signers) -> (Request, Planned) {
    let kind = kind_of(i);
    let id = format!("{adapter}:{i}:{kind:?}");
    let body = unique_body(i);
    let pf = |b: &[u8]| ("X-PeopleForce-Signature".to_owned(), signers.pf.sign(b));
    let header = |name: &str, value: String| (name.to_owned(), value);
    let (path, headers, wire, status, delivery): (_, Vec<(String, String)>, _, _, _) = match kind {
        Kind::ValidPeopleForce => (
            "/peopleforce",
            vec![pf(&body)],
            Body::Fixed(body.clone()),
            Some(200),
            Some("#0"),
        ),
        Kind::ValidPeopleForceSeed => {
            let mut seed = format!("{{\"soak\":{i},\"delivery\":").into_bytes();
            seed.extend_from_slice(SEED);
            seed.push(b'}');
            (
                "/peopleforce",
                vec![pf(&seed)],
                Body::Fixed(seed),
                Some(200),
                Some("#0"),
            )
        }
        Kind::ValidChunked => {
            let (a, rest) = body.split_at(i % body.len());
            let (b, c) = rest.split_at(rest.len() / 2);
            (
                "/peopleforce",
                vec![pf(&body)],
                Body::Chunked(vec![a.to_vec(), b.to_vec(), c.to_vec()]),
                Some(200),
                Some("#0"),
            )
        }
        Kind::ValidBindbeeCurrent => (
            "/bindbee",
            vec![header(
                "X-Bindbee-Webhook-Signature",
                signers.bb_current.sign(&body),
            )],
            Body::Fixed(body.clone()),
            Some(200),
            Some("current"),
        ),
        Kind::ValidBindbeePrevious => (
            "/bindbee",
            vec![header(
                "x-bindbee-webhook-signature",
                signers.bb_previous.sign(&body),
            )],
            Body::Fixed(body.clone()),
            Some(200),
            Some("previous"),
        ),
        Kind::ValidGithub => (
            "/custom",
            vec![header("X-Hub-Signature-256", signers.github.sign(&body))],
            Body::Fixed(body.clone()),
            Some(200),
            Some("#0"),
        ),
        Kind::ValidLenientNonUtf8 => {
            let mut bytes = body.clone();
            bytes.extend_from_slice(b"\xff\xfe");
            (
                "/lenient",
                vec![pf(&bytes)],
                Body::Fixed(bytes),
                Some(200),
                Some("#0"),
            )
        }
        Kind::Forged => {
            let forged = signer(Provider::PeopleForce, &format!("guess-{i}")).sign(&body);
            let path = if i.is_multiple_of(2) {
                "/peopleforce"
            } else {
                "/lenient"
            };
            (
                path,
                vec![header("X-PeopleForce-Signature", forged)],
                Body::Fixed(body),
                Some(403),
                None,
            )
        }
        Kind::Unsigned => {
            // No header at all, or another provider's valid header (still unsigned here).
            let (path, headers) = if i.is_multiple_of(2) {
                (["/peopleforce", "/bindbee", "/custom"][i % 3], vec![])
            } else {
                ("/bindbee", vec![pf(&body)])
            };
            (path, headers, Body::Fixed(body), Some(403), None)
        }
        Kind::Malformed => {
            let good = signers.pf.sign(&body);
            let value = match i % 7 {
                0 => String::new(),
                1 => good.replacen("sha256=", "sha1=", 1),
                2 => good.trim_start_matches("sha256=").to_owned(),
                3 => format!("{good}00"),
                4 => format!("sha256={}", "zz".repeat(32)),
                5 => good[..good.len() - 1].to_owned(),
                _ => format!("sha256={}", "+/".repeat(32)),
            };
            (
                "/peopleforce",
                vec![header("X-PeopleForce-Signature", value)],
                Body::Fixed(body),
                Some(403),
                None,
            )
        }
        Kind::Tampered => {
            let signature = pf(&body);
            let mut tampered = body.clone();
            let at = i % tampered.len();
            tampered[at] ^= 0x01;
            (
                "/peopleforce",
                vec![signature],
                Body::Fixed(tampered),
                Some(403),
                None,
            )
        }
        Kind::NonUtf8 => {
            let mut bytes = body.clone();
            bytes.extend_from_slice(b"\xc3\x28");
            (
                "/peopleforce",
                vec![pf(&bytes)],
                Body::Fixed(bytes),
                Some(403),
                None,
            )
        }
        Kind::Duplicate => {
            let other = unique_body(i + 1);
            let second = if i.is_multiple_of(2) {
                pf(&body)
            } else {
                pf(&other)
            };
            (
                "/peopleforce",
                vec![pf(&body), second],
                Body::Fixed(body),
                Some(403),
                None,
            )
        }
        Kind::OversizeContentLength => {
            if i.is_multiple_of(2) {
                (
                    "/peopleforce",
                    vec![pf(b"")],
                    Body::DeclaredOnly(MIB + 1 + i),
                    Some(413),
                    None,
                )
            } else {
                let big = vec![b'a'; SMALL_LIMIT + 1 + i % 512];
                ("/small", vec![pf(&big)], Body::Fixed(big), Some(413), None)
            }
        }
        Kind::OversizeChunked => {
            let chunk = vec![b'a'; 700];
            let chunks = vec![chunk; 2 + i % 4];
            let signature = pf(&chunks.concat());
            (
                "/small",
                vec![signature],
                Body::Chunked(chunks),
                Some(413),
                None,
            )
        }
        Kind::SlowBody => (
            "/peopleforce",
            vec![pf(&body)],
            Body::Stalled {
                declared: body.len(),
                sent: body[..body.len() / 2].to_vec(),
            },
            Some(408),
            None,
        ),
        Kind::Disconnect => (
            "/peopleforce",
            vec![pf(&body)],
            Body::Stalled {
                declared: body.len(),
                sent: body[..body.len() / 3].to_vec(),
            },
            None,
            None,
        ),
        Kind::BrokenChunked => (
            "/peopleforce",
            vec![pf(b"{}")],
            Body::BrokenChunked(b"2\r\n{}\r\nzz\r\n".to_vec()),
            Some(400),
            None,
        ),
    };
    let mut headers = headers;
    headers.push(("X-Request-Id".to_owned(), id.clone()));
    let request = Request {
        path: path.to_owned(),
        headers,
        body: wire,
    };
    let delivery = delivery.map(|key| (digest(&request.body.bytes()), key));
    let planned = Planned {
        id,
        kind,
        status,
        delivery,
    };
    (request, planned)
}
