//! The signature headers the rows send.

use crate::case::SEED;
use crate::support::servers::{signed, BB_CURRENT, BB_PREVIOUS, PF_SECRET};
use hookguard::Provider;

pub(crate) type Headers = Vec<(String, String)>;

pub(crate) fn pf(body: &[u8]) -> Headers {
    vec![signed(Provider::PeopleForce, PF_SECRET, body)]
}

pub(crate) fn bb_current(body: &[u8]) -> Headers {
    vec![signed(Provider::Bindbee, BB_CURRENT, body)]
}

pub(crate) fn bb_previous(body: &[u8]) -> Headers {
    vec![signed(Provider::Bindbee, BB_PREVIOUS, body)]
}

/// `headers` plus `Content-Encoding: coding`.
pub(crate) fn encoded(coding: &str, mut headers: Headers) -> Headers {
    headers.push(("Content-Encoding".to_owned(), coding.to_owned()));
    headers
}

pub(crate) fn pf_header(value: &str) -> Headers {
    vec![("X-PeopleForce-Signature".to_owned(), value.to_owned())]
}

pub(crate) fn bb_header(value: &str) -> Headers {
    vec![("X-Bindbee-Webhook-Signature".to_owned(), value.to_owned())]
}

/// PeopleForce's signature of [`SEED`]: `sha256=` and 64 hex digits.
pub(crate) fn pf_seed() -> String {
    signed(Provider::PeopleForce, PF_SECRET, SEED).1
}

/// Bindbee's signature of [`SEED`] with the current key: 43 URL-safe base64 digits and `=`.
pub(crate) fn bb_seed() -> String {
    signed(Provider::Bindbee, BB_CURRENT, SEED).1
}
