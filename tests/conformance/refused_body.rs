//! The rows refused for how the body comes: over the limit (by `Content-Length` or while
//! read), broken chunked framing, too slow, cut off, or in a content coding not opted in.

use crate::case::{fixed, Case, GZIPPED, JSON, MIB, SEED};
use crate::headers::{encoded, pf};
use crate::support::http::Body;
use crate::support::servers::SMALL_LIMIT;

pub(crate) fn rows() -> Vec<Case> {
    vec![
        Case {
            name: "oversize by Content-Length (1 MiB default)",
            path: "/peopleforce",
            body: Body::DeclaredOnly(MIB + 1),
            headers: |_| pf(b"{}"),
            status: 413,
            handler_key: None,
        },
        Case {
            name: "oversize by Content-Length (1 KiB route)",
            path: "/small",
            body: Body::DeclaredOnly(SMALL_LIMIT + 1),
            headers: |_| pf(b"{}"),
            status: 413,
            handler_key: None,
        },
        Case {
            name: "oversize chunked, no Content-Length",
            path: "/small",
            body: Body::Chunked(vec![vec![b'x'; 700]; 2]),
            headers: pf,
            status: 413,
            handler_key: None,
        },
        Case {
            name: "broken chunked framing",
            path: "/peopleforce",
            body: Body::BrokenChunked(b"10\r\n{\"action\":\"x\"}\r\nzz\r\n".to_vec()),
            headers: |_| pf(b"{\"action\":\"x\"}"),
            status: 400,
            handler_key: None,
        },
        Case {
            name: "body stalls past the read timeout",
            path: "/peopleforce",
            body: Body::Stalled {
                declared: 100,
                sent: b"{\"action\":".to_vec(),
            },
            headers: |_| pf(b"{}"),
            status: 408,
            handler_key: None,
        },
        Case {
            name: "gzip body, signed over the JSON before compression",
            path: "/peopleforce",
            body: fixed(GZIPPED),
            headers: |_| encoded("gzip", pf(JSON)),
            status: 415,
            handler_key: None,
        },
        Case {
            name: "br coding, signed over the bytes sent, not opted in",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| encoded("br", pf(b)),
            status: 415,
            handler_key: None,
        },
        Case {
            name: "client hangs up mid-body",
            path: "/peopleforce",
            body: Body::Truncated {
                declared: SEED.len(),
                sent: SEED[..100].to_vec(),
            },
            headers: |_| pf(SEED),
            status: 400,
            handler_key: None,
        },
    ]
}
