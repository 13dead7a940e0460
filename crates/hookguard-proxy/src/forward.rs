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
const PROVIDER: HeaderName = HeaderName::from_static("hookguard-provider");
/// The id (or `#index`) of the secret or key that matched.
const KEY_ID: HeaderName = HeaderName::from_static("hookguard-key-id");
/// The delivery id the sender sent, for schemes that have one.
const DELIVERY_ID: HeaderName = HeaderName::from_static("hookguard-delivery-id");
/// `X-Forwarded-For`, which `http` has no constant for.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Fields only the proxy writes: a client's are dropped, whatever their case.
const SET_BY_PROXY: [HeaderName; 5] = [
    PROVIDER,
    KEY_ID,
    DELIVERY_ID,
    header::FORWARDED,
    X_FORWARDED_FOR,
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

/// Who sent the requests of one connection and how, for `Forwarded` and
/// `X-Forwarded-For`: written once per connection.
#[derive(Debug)]
pub(crate) struct Peer {
    pub(crate) addr: SocketAddr,
    /// `for=...;proto=...`, the start of every `Forwarded` value.
    forwarded: String,
    forwarded_for: HeaderValue,
}

impl Peer {
    /// The peer at `addr`, connected over TLS or not.
    pub(crate) fn new(addr: SocketAddr, tls: bool) -> Peer {
        let client = addr.ip();
        let mut forwarded = match client {
            IpAddr::V4(ip) => format!("for={ip}"),
            IpAddr::V6(ip) => format!("for=\"[{ip}]\""),
        };
        forwarded.push_str(if tls { ";proto=https" } else { ";proto=http" });
        let forwarded_for = HeaderValue::try_from(client.to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("unknown"));
        Peer {
            addr,
            forwarded,
            forwarded_for,
        }
    }
}

/// The upstream's copy of a verified request: same method, the exact body, the end-to-end
/// headers, and the proxy's own (`provider` is the route's `Hookguard-Provider` value).
pub(crate) fn upstream_request(
    upstream: &Upstream,
    provider: &HeaderValue,
    mut parts: Parts,
    body: Bytes,
    verified: &Verified,
    peer: &Peer,
) -> Result<Request<Full<Bytes>>, http::Error> {
    let headers = &mut parts.headers;
    strip(headers, &SET_BY_PROXY);
    let mut forwarded = peer.forwarded.clone();
    if let Some(host) = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
    {
        if !host.contains(['"', '\\']) {
            forwarded.push_str(";host=\"");
            forwarded.push_str(host);
            forwarded.push('"');
        }
    }
    headers.append(header::FORWARDED, HeaderValue::try_from(forwarded)?);
    headers.append(X_FORWARDED_FOR, peer.forwarded_for.clone());
    headers.append(PROVIDER, provider.clone());
    let key = verified.key();
    let key_id = match key.label() {
        Some(label) => HeaderValue::from_str(label)?,
        None => HeaderValue::try_from(key.to_string())?,
    };
    headers.append(KEY_ID, key_id);
    // Only a signed id is a verification result; GitHub's and Shopify's reach the upstream
    // in their own header, as sent.
    if let Some(id) = verified.signed_delivery_id() {
        headers.append(DELIVERY_ID, HeaderValue::from_str(id)?);
    }
    parts.uri = upstream.target(&parts.uri)?;
    // The proxy speaks HTTP/1.1 to the upstream whatever the client spoke, and none of the
    // server's request extensions apply to the client's request.
    parts.version = http::Version::HTTP_11;
    parts.extensions = http::Extensions::new();
    Ok(Request::from_parts(parts, Full::new(body)))
}

/// The upstream's response headers as the client gets them: without hop-by-hop fields.
pub(crate) fn response_headers(headers: &mut HeaderMap) {
    strip(headers, &[]);
}

/// Removes from `headers` the hop-by-hop fields, those the `Connection` field names, and
/// those in `dropped`. Nothing is allocated when nothing is removed.
fn strip(headers: &mut HeaderMap, dropped: &[HeaderName]) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    let removed: Vec<HeaderName> = headers
        .keys()
        .filter(|name| {
            HOP_BY_HOP.contains(&name.as_str()) || dropped.contains(name) || named.contains(name)
        })
        .cloned()
        .collect();
    for name in removed {
        headers.remove(name);
    }
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
        strip(&mut headers, &SET_BY_PROXY);
        let mut names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["x-custom", "x-peopleforce-signature"]);
        assert_eq!(headers.get_all("x-custom").iter().count(), 2);
    }
}
