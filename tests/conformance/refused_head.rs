//! The rows refused on the signature header alone, sent with the head only.

use crate::case::{Case, SEED};
use crate::headers::{bb_current, bb_header, bb_seed, pf, pf_header, pf_seed, Headers};
use crate::support::http::Body;

/// A row refused on its signature header alone, before the body is read: only the head
/// goes out (`Content-Length` of the seed, no body), so an adapter that waited for the body
/// would answer 408 at the read timeout, not 403.
fn refused_before_body(
    name: &'static str,
    path: &'static str,
    headers: fn(&[u8]) -> Headers,
) -> Case {
    Case {
        name,
        path,
        body: Body::DeclaredOnly(SEED.len()),
        headers,
        status: 403,
        handler_key: None,
    }
}

pub(crate) fn rows() -> Vec<Case> {
    vec![
        refused_before_body(
            "before the body: header missing",
            "/peopleforce",
            |_| vec![],
        ),
        refused_before_body("before the body: header empty", "/peopleforce", |_| {
            pf_header("")
        }),
        refused_before_body("before the body: header blank", "/peopleforce", |_| {
            pf_header("   ")
        }),
        refused_before_body("before the body: garbage", "/peopleforce", |_| {
            pf_header("garbage")
        }),
        refused_before_body("before the body: wrong prefix", "/peopleforce", |_| {
            pf_header(&pf_seed().replace("sha256=", "sha1="))
        }),
        refused_before_body("before the body: prefix missing", "/peopleforce", |_| {
            pf_header(pf_seed().trim_start_matches("sha256="))
        }),
        refused_before_body("before the body: too short", "/peopleforce", |_| {
            pf_header(&pf_seed()[..47])
        }),
        refused_before_body("before the body: too long", "/peopleforce", |_| {
            pf_header(&format!("{}00", pf_seed()))
        }),
        refused_before_body("before the body: not hex", "/peopleforce", |_| {
            pf_header(&format!("sha256={}", "zz".repeat(32)))
        }),
        refused_before_body("before the body: duplicated", "/peopleforce", |_| {
            [pf(SEED), pf(SEED)].concat()
        }),
        refused_before_body(
            "before the body: another provider's header",
            "/peopleforce",
            |_| bb_current(SEED),
        ),
        refused_before_body("before the body: bindbee missing", "/bindbee", |_| vec![]),
        refused_before_body("before the body: bindbee empty", "/bindbee", |_| {
            bb_header("")
        }),
        refused_before_body("before the body: bindbee unpadded", "/bindbee", |_| {
            bb_header(bb_seed().trim_end_matches('='))
        }),
        refused_before_body("before the body: bindbee padded twice", "/bindbee", |_| {
            bb_header(&format!("{}==", &bb_seed()[..42]))
        }),
        refused_before_body("before the body: bindbee too short", "/bindbee", |_| {
            bb_header("AAAA")
        }),
        refused_before_body("before the body: not base64url", "/bindbee", |_| {
            bb_header(&format!("{}=", "!".repeat(43)))
        }),
        refused_before_body(
            "before the body: standard base64 alphabet",
            "/bindbee",
            |_| bb_header(&format!("{}=", "+".repeat(43))),
        ),
        refused_before_body("before the body: bindbee duplicated", "/bindbee", |_| {
            [bb_current(SEED), bb_current(SEED)].concat()
        }),
    ]
}
