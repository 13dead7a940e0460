//! The request's headers as `verify` takes them: `-H 'Name: value'`, repeatable, names
//! compared without regard to ASCII case.

/// One header of the request, as given with `-H`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequestHeader {
    /// The name, as written.
    pub(crate) name: String,
    /// The value, without the whitespace around it.
    pub(crate) value: String,
}

impl RequestHeader {
    /// Parses `Name: value` (the form `curl -H` takes and `hookguard sign` prints); the value
    /// may be empty.
    ///
    /// # Errors
    /// A message for clap (exit code 2) when there is no colon or the name is not an HTTP
    /// header name.
    pub(crate) fn parse(line: &str) -> Result<RequestHeader, String> {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("{line:?} is not `Name: value`"));
        };
        // RFC 9110 `token`: no whitespace either, so `Name : value` is refused as HTTP does.
        let is_token_byte =
            |byte: u8| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte);
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(format!("{name:?} is not an HTTP header name"));
        }
        Ok(RequestHeader {
            name: name.to_owned(),
            value: value.trim_matches([' ', '\t']).to_owned(),
        })
    }
}

/// Every value of the header `name` among `headers` (ignoring ASCII case), in order.
pub(crate) fn values<'a>(headers: &'a [RequestHeader], name: &str) -> Vec<&'a [u8]> {
    headers
        .iter()
        .filter(|header| header.name.eq_ignore_ascii_case(name))
        .map(|header| header.value.as_bytes())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_trimmed_value() {
        let header = RequestHeader::parse("Stripe-Signature:  t=1,v1=ab \t").unwrap();
        assert_eq!(header.name, "Stripe-Signature");
        assert_eq!(header.value, "t=1,v1=ab");
        // Only the first colon separates: values may hold colons.
        let header = RequestHeader::parse("X-Note: a:b").unwrap();
        assert_eq!(header.value, "a:b");
        assert_eq!(RequestHeader::parse("X-Empty:").unwrap().value, "");
    }

    #[test]
    fn refuses_lines_that_are_not_headers() {
        for bad in ["no colon", ": value", "X Sig: v", "X-Sig : v", "Säg: v"] {
            assert!(RequestHeader::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn values_match_names_case_insensitively_in_order() {
        let headers: Vec<RequestHeader> = ["webhook-id: a", "Webhook-ID: b", "other: c"]
            .into_iter()
            .map(|line| RequestHeader::parse(line).unwrap())
            .collect();
        assert_eq!(values(&headers, "WEBHOOK-ID"), [&b"a"[..], &b"b"[..]]);
        assert!(values(&headers, "webhook-timestamp").is_empty());
    }
}
