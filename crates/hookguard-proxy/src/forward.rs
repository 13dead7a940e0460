//! The request the upstream gets, and the response the client gets back from it.
//!
//! Hop-by-hop fields (RFC 9110 §7.6.1) are removed both ways; `Forwarded`,
//! `X-Forwarded-For` and the verification result are set by the proxy alone.

use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use hookguard_core::Verified;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::request::Parts;
use http::Request;
use http_body_util::Full;

use crate::route::Upstream;

/// The scheme's name, such as `peopleforce`.
pub(crate) const PROVIDER: &str = "hookguard-provider";
/// The id (or `#index`) of the secret or key that matched.
pub(crate) const KEY_ID: &str = "hookguard-key-id";
/// The delivery id the sender sent, for schemes that have one.
pub(crate) const DELIVERY_ID: &str = "hookguard-delivery-id";

/// Fields only the proxy writes: a client's are dropped, whatever their case.
const SET_BY_PROXY: [&str; 5] = [
    PROVIDER,
    KEY_ID,
    DELIVERY_ID,
    "forwarded",
    "x-forwarded-for",
];

/// Fields that describe one connection, never forwarded (RFC 9110 §7.6.1). `Expect` is
/// one too here: the proxy has already read the whole body.
const HOP_BY_HOP: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
    "expect",
];

/// Who sent the request and how it arrived, for `Forwarded` and `X-Forwarded-For`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Peer {
    pub(crate) addr: SocketAddr,
    pub(crate) tls: bool,
}

/// The upstream's copy of a verified request: same method, the exact body, the end-to-end
/// headers, and the proxy's own.
pub(crate) fn upstream_request(
    upstream: &Upstream,
    parts: &Parts,
    body: Bytes,
    verified: &Verified,
    peer: Peer,
) -> Result<Request<Full<Bytes>>, http::Error> {
    let mut headers = end_to_end(&parts.headers, &SET_BY_PROXY);
    let client = peer.addr.ip();
    let mut forwarded = match client {
        IpAddr::V4(ip) => format!("for={ip}"),
        IpAddr::V6(ip) => format!("for=\"[{ip}]\""),
    };
    forwarded.push_str(if peer.tls {
        ";proto=https"
    } else {
        ";proto=http"
    });
    if let Some(host) = parts
        .headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
    {
        if !host.contains(['"', '\\']) {
            forwarded.push_str(";host=\"");
            forwarded.push_str(host);
            forwarded.push('"');
        }
    }
    let mut added = vec![
        ("forwarded", forwarded),
        ("x-forwarded-for", client.to_string()),
        (PROVIDER, verified.provider().to_string()),
        (KEY_ID, verified.key().to_string()),
    ];
    // Only a signed id is a verification result; GitHub's and Shopify's reach the upstream
    // in their own header, as sent.
    if let Some(id) = verified.signed_delivery_id() {
        added.push((DELIVERY_ID, id.to_owned()));
    }
    for (name, text) in added {
        headers.append(HeaderName::from_static(name), HeaderValue::try_from(text)?);
    }
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(upstream.target(&parts.uri)?)
        .body(Full::new(body))?;
    *request.headers_mut() = headers;
    Ok(request)
}

/// The upstream's response headers as the client gets them: without hop-by-hop fields.
pub(crate) fn response_headers(headers: &mut HeaderMap) {
    *headers = end_to_end(headers, &[]);
}

/// `headers` without the hop-by-hop fields, those the `Connection` field names, and those
/// in `dropped` (lowercase).
fn end_to_end(headers: &HeaderMap, dropped: &[&str]) -> HeaderMap {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let name_text = name.as_str();
        if !HOP_BY_HOP.contains(&name_text)
            && !dropped.contains(&name_text)
            && !named.contains(name)
        {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).unwrap()
    }

    #[test]
    fn hop_by_hop_fields_and_those_connection_names_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.append(header::CONNECTION, value("keep-alive, X-Secret-Hop"));
        headers.append("x-secret-hop", value("1"));
        headers.append("keep-alive", value("timeout=5"));
        headers.append(header::TRANSFER_ENCODING, value("chunked"));
        headers.append(header::TE, value("trailers"));
        headers.append(header::UPGRADE, value("h2c"));
        headers.append("x-peopleforce-signature", value("sha256=00"));
        headers.append("x-custom", value("a"));
        headers.append("x-custom", value("b"));
        headers.append("hookguard-key-id", value("#0"));
        headers.append("x-forwarded-for", value("10.0.0.1"));
        let kept = end_to_end(&headers, &SET_BY_PROXY);
        let names: Vec<&str> = kept.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["x-peopleforce-signature", "x-custom"]);
        assert_eq!(kept.get_all("x-custom").iter().count(), 2);
    }
}
