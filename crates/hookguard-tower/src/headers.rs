//! [`SchemeHeaders`]: the headers a scheme reads, parsed once into `http`'s form. Looking a
//! header up by its text parses the name again on every request.

use std::sync::Arc;

use hookguard_core::Provider;
use http::header::{GetAll, HeaderMap, HeaderName, HeaderValue};

/// The scheme's headers (signature, delivery id, timestamp), each name beside its parsed
/// form; shared, so cloning the service per request copies no name.
#[derive(Clone, Debug)]
pub(crate) struct SchemeHeaders(Arc<[(Box<str>, HeaderName)]>);

impl SchemeHeaders {
    /// The headers `provider`'s scheme reads. A name `http` cannot parse is left out: looked
    /// up by its text, it finds nothing either.
    pub(crate) fn new(provider: &Provider) -> Self {
        let names = [
            Some(provider.header_name()),
            provider.delivery_id_header(),
            provider.timestamp_header(),
        ];
        SchemeHeaders(
            names
                .into_iter()
                .flatten()
                .filter_map(|name| {
                    let parsed = HeaderName::from_bytes(name.as_bytes()).ok()?;
                    Some((Box::from(name), parsed))
                })
                .collect(),
        )
    }

    /// Every value of the header `name` in `headers`, in order.
    pub(crate) fn get_all<'a>(
        &self,
        headers: &'a HeaderMap,
        name: &str,
    ) -> GetAll<'a, HeaderValue> {
        match self.0.iter().find(|(known, _)| **known == *name) {
            Some((_, parsed)) => headers.get_all(parsed),
            None => headers.get_all(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_of_the_scheme_is_found_in_any_case_and_others_by_their_text() {
        let headers = SchemeHeaders::new(&Provider::StandardWebhooks);
        assert_eq!(headers.0.len(), 3);
        let mut map = HeaderMap::new();
        for (name, value) in [
            ("Webhook-Signature", "v1,sig"),
            ("WEBHOOK-ID", "msg_1"),
            ("webhook-timestamp", "1"),
            ("webhook-timestamp", "2"),
            ("X-Other", "other"),
        ] {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_static(value),
            );
        }
        let values = |name: &str| -> Vec<&[u8]> {
            headers
                .get_all(&map, name)
                .iter()
                .map(HeaderValue::as_bytes)
                .collect()
        };
        assert_eq!(values("webhook-signature"), [b"v1,sig"]);
        assert_eq!(values("webhook-id"), [b"msg_1"]);
        assert_eq!(values("webhook-timestamp"), [b"1", b"2"]);
        assert_eq!(values("x-other"), [b"other"]);
        assert!(values("x-missing").is_empty());
    }
}
