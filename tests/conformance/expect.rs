//! What a row's response must carry: the provider and key the extractor reports for a
//! delivery, the default rejection's body for a refusal.

use crate::support::scheme_routes::SCHEME_ROUTES;
use crate::support::servers;
use hookguard::Provider;

/// The provider each route of `tests/support/servers.rs` is keyed for, as `Display` spells it.
pub(crate) fn provider_of(path: &str) -> String {
    if let Some(route) = SCHEME_ROUTES.iter().find(|r| r.path == path) {
        return route.provider.to_string();
    }
    match path {
        "/bindbee" => Provider::Bindbee.to_string(),
        "/custom" => servers::custom_github().to_string(),
        _ => Provider::PeopleForce.to_string(),
    }
}

/// The position of the key labelled `key` (`#n` when unlabelled) in its route's verifier.
pub(crate) fn key_index(key: &str) -> usize {
    match key {
        "current" => 0,
        "previous" => 1,
        numbered => numbered
            .strip_prefix('#')
            .and_then(|n| n.parse().ok())
            .unwrap(),
    }
}

/// The default rejection's body for each status the adapters answer themselves: short,
/// generic, the same on both.
pub(crate) fn rejection_body(status: u16) -> Option<&'static str> {
    match status {
        400 => Some("Bad Request"),
        403 => Some("Forbidden"),
        408 => Some("Request Timeout"),
        413 => Some("Payload Too Large"),
        415 => Some("Unsupported Media Type"),
        _ => None,
    }
}
