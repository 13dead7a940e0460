//! A request's headers as the unit tests hold them: `(name, value)` pairs.

/// Every value of the header `name` (any case) in `headers`, in order: what
/// `Verifier::verify_request` asks of a request's headers.
pub(crate) fn values_of(headers: &[(String, String)], name: &str) -> Vec<String> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .collect()
}
