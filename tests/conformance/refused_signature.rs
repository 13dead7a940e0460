//! The rows refused for their signature or their body's bytes once the whole body is in:
//! unknown keys, missing, malformed, forged or duplicated headers, tampered and non-UTF-8
//! bodies.

use crate::case::{fixed, Case, NON_UTF8, SEED};
use crate::headers::{bb_current, pf, pf_header};
use crate::support::servers::signed;
use hookguard::Provider;

#[allow(clippy::too_many_lines, reason = "one table, one row per case")]
pub(crate) fn rows() -> Vec<Case> {
    vec![
        Case {
            name: "bindbee: unknown key",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |b| vec![signed(Provider::Bindbee, "bb_revoked", b)],
            status: 403,
            handler_key: None,
        },
        Case {
            name: "header missing",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |_| vec![],
            status: 403,
            handler_key: None,
        },
        Case {
            name: "another provider's header",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: bb_current,
            status: 403,
            handler_key: None,
        },
        Case {
            name: "header empty",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |_| pf_header(""),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "wrong prefix",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n, v.replace("sha256=", "sha1=")))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "prefix missing",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n, v.replace("sha256=", "")))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "wrong length",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| {
                pf(b)
                    .into_iter()
                    .map(|(n, v)| (n, v[..70].to_owned()))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "not hex",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |_| pf_header(&format!("sha256={}", "zz".repeat(32))),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "not base64url",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |_| {
                vec![(
                    "X-Bindbee-Webhook-Signature".into(),
                    format!("{}=", "*".repeat(43)),
                )]
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "bindbee unpadded",
            path: "/bindbee",
            body: fixed(SEED),
            headers: |b| {
                bb_current(b)
                    .into_iter()
                    .map(|(n, v)| (n, v.trim_end_matches('=').to_owned()))
                    .collect()
            },
            status: 403,
            handler_key: None,
        },
        Case {
            name: "forged signature",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| vec![signed(Provider::PeopleForce, "attacker-guess", b)],
            status: 403,
            handler_key: None,
        },
        Case {
            name: "tampered body",
            path: "/peopleforce",
            body: fixed(&SEED.to_ascii_uppercase()),
            headers: |_| pf(SEED),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "duplicate signature headers",
            path: "/peopleforce",
            body: fixed(SEED),
            headers: |b| [pf(b), pf(b)].concat(),
            status: 403,
            handler_key: None,
        },
        Case {
            name: "non-UTF-8 body",
            path: "/peopleforce",
            body: fixed(NON_UTF8),
            headers: pf,
            status: 403,
            handler_key: None,
        },
        Case {
            name: "bindbee: body altered by one byte",
            path: "/bindbee",
            body: fixed(
                &SEED
                    .iter()
                    .enumerate()
                    .map(|(i, b)| if i == 10 { b ^ 1 } else { *b })
                    .collect::<Vec<u8>>(),
            ),
            headers: |_| bb_current(SEED),
            status: 403,
            handler_key: None,
        },
    ]
}
