//! The rows the handler must receive: each provider and key, header names in any case,
//! bodies of every shape and size up to the limit, and the content codings let through.

use crate::case::{fixed, Case, GZIPPED, MIB, NON_UTF8, SEED};
use crate::headers::{bb_current, bb_previous, encoded, pf};
use crate::support::http::Body;
use crate::support::servers::{self, signed, GH_SECRET, SMALL_LIMIT};

#[allow(clippy::too_many_lines, reason = "one table, one row per case")]
pub(crate) fn rows() -> Vec<Case> {
    vec![
        Case {
            name: "peopleforce: seed employee_create",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "bindbee: current key",
            path: "/bindbee",
            body: fixed(SEED),
            headers: bb_current,
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "bindbee: previous key (rotation)",
            path: "/bindbee",
            body: fixed(b"{\"event\":\"sync_completed\"}"),
            headers: bb_previous,
            status: 200,
            handler_key: Some("previous"),
        },
        Case {
            name: "custom github-style provider",
            path: "/custom",
            body: fixed(b"Hello, World!"),
            headers: |b| vec![signed(servers::custom_github(), GH_SECRET, b)],
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "header name lowercase",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n.to_lowercase(), v))
                    .collect()
            },
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "header name uppercase",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |b| {
                bb_current(b)
                    .into_iter()
                    .map(|(n, v)| (n.to_uppercase(), v))
                    .collect()
            },
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "non-ASCII UTF-8 body",
            path: "/peopleforce",
            body: fixed("{\"first_name\":\"Zoë\",\"city\":\"Київ\"}".as_bytes()),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "empty body, signed",
            path: "/bindbee",
            body: fixed(b""),
            headers: bb_current,
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "chunked body, several chunks",
            path: "/peopleforce",
            body: Body::Chunked(SEED.chunks(100).map(<[u8]>::to_vec).collect()),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "body exactly at the limit",
            path: "/small",
            body: fixed(&[b'x'; SMALL_LIMIT]),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "non-UTF-8 body allowed when turned off",
            path: "/lenient",
            body: fixed(NON_UTF8),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "512 KiB delivery, under the 1 MiB limit",
            path: "/peopleforce",
            body: fixed(
                &SEED
                    .iter()
                    .copied()
                    .cycle()
                    .take(512 * 1024)
                    .collect::<Vec<u8>>(),
            ),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "Content-Encoding: identity",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| encoded("identity", pf(b)),
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "gzip body signed as sent, opted in: the encoded bytes arrive",
            path: "/encoded",
            body: fixed(GZIPPED),
            headers: |b| encoded("gzip", pf(b)),
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "chunked, split inside UTF-8 characters, mixed-case header name",
            path: "/bindbee",
            body: Body::Chunked(
                "{\"first_name\":\"Zoë\",\"city\":\"Київ\"}"
                    .as_bytes()
                    .chunks(3)
                    .map(<[u8]>::to_vec)
                    .collect(),
            ),
            headers: |b| {
                bb_current(b)
                    .into_iter()
                    .map(|(_, v)| ("x-BINDBEE-webhook-SIGNATURE".to_owned(), v))
                    .collect()
            },
            status: 200,
            handler_key: Some("current"),
        },
        Case {
            name: "chunked body exactly at the limit",
            path: "/small",
            body: Body::Chunked(vec![vec![b'x'; SMALL_LIMIT / 4]; 4]),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
        Case {
            name: "body exactly at the 1 MiB default limit",
            path: "/peopleforce",
            body: fixed(&vec![b'x'; MIB]),
            headers: pf,
            status: 200,
            handler_key: Some("#0"),
        },
    ]
}
