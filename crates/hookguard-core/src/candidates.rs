//! The signature header's syntaxes ([`Syntax`]): a single value, a space-separated
//! versioned list, or a comma-separated key-value list; each read into the candidate tags
//! it carries.
//!
//! # Security
//! A list of more than twice [`MAX_SIGNATURES`] items is refused, and so is one of more
//! than [`MAX_ED25519_SIGNATURES`] Ed25519 signatures: each costs a hash of the whole body
//! per public key and a curve check, so their number bounds the work a forged request can
//! cause. An item that is empty, truncated, undecodable or of another version is skipped
//! and can never match.

use crate::encoding::TAG_LEN;
use crate::error::{Malformed, Rejection};
use crate::scheme::{Algorithm, Spec, Syntax};
use crate::signature::{timestamp, Ed25519Bytes, Timestamp, MAX_SIGNATURES};

/// The most items a list may hold: [`MAX_SIGNATURES`] twice over (room for another
/// version's items beside the ones read).
const MAX_ITEMS: usize = 2 * MAX_SIGNATURES;

/// The most Ed25519 signatures one header may carry (a sender rolling its key signs with
/// two).
pub(crate) const MAX_ED25519_SIGNATURES: usize = 4;

/// The timestamp a signature header carries (Stripe's `t=`), if any: read, or refused.
pub(crate) type FromSignature = Option<Result<Timestamp, Rejection>>;

/// Candidate tags in order: the first HMAC tag held inline, so a one-signature header
/// allocates nothing.
#[derive(Default)]
pub(crate) struct Candidates {
    pub(crate) first: Option<[u8; TAG_LEN]>,
    pub(crate) more: Vec<[u8; TAG_LEN]>,
    pub(crate) ed25519: Vec<Ed25519Bytes>,
}

impl Candidates {
    /// Decodes `encoded` as a tag of `algorithm`; an undecodable one is skipped.
    fn push(&mut self, spec: &Spec<'_>, algorithm: Algorithm, encoded: &[u8]) {
        match algorithm {
            Algorithm::HmacSha256 => {
                if let Ok(tag) = spec.encoding.decode(encoded) {
                    match self.first {
                        None => self.first = Some(tag),
                        Some(_) => self.more.push(tag),
                    }
                }
            }
            Algorithm::Ed25519 => {
                if let Ok(signature) = spec.encoding.decode(encoded) {
                    self.ed25519.push(signature);
                }
            }
        }
    }
}

/// What the signature header's `value` carries.
pub(crate) fn candidates(
    spec: &Spec<'_>,
    value: &[u8],
) -> Result<(Candidates, FromSignature), Rejection> {
    let malformed = Rejection::MalformedSignature;
    let value = value.trim_ascii();
    if value.is_empty() {
        return Err(malformed(Malformed::Empty));
    }
    let mut candidates = Candidates::default();
    match spec.syntax {
        Syntax::Single => {
            let encoded = value
                .strip_prefix(spec.prefix.as_bytes())
                .ok_or(malformed(Malformed::MissingPrefix))?;
            match spec.algorithm {
                Algorithm::HmacSha256 => {
                    candidates.first = Some(spec.encoding.decode(encoded).map_err(malformed)?);
                }
                Algorithm::Ed25519 => {
                    let signature = spec.encoding.decode(encoded).map_err(malformed)?;
                    candidates.ed25519.push(signature);
                }
            }
            Ok((candidates, None))
        }
        Syntax::VersionedList { version, ed25519 } => {
            // The usual header, one item of `version`: no blank can hide in a tag that
            // decodes, so the whole value is that one item.
            if let Some(tag) = labelled(value, version, b',')
                .and_then(|encoded| spec.encoding.decode(encoded).ok())
            {
                candidates.first = Some(tag);
                return Ok((candidates, None));
            }
            let items = value
                .split(|byte| *byte == b' ')
                .filter(|item| !item.is_empty());
            for (count, item) in items.enumerate() {
                if count == MAX_ITEMS {
                    return Err(malformed(Malformed::TooManySignatures));
                }
                if let Some(encoded) = labelled(item, version, b',') {
                    candidates.push(spec, Algorithm::HmacSha256, encoded);
                } else if let Some(encoded) = ed25519.and_then(|label| labelled(item, label, b','))
                {
                    candidates.push(spec, Algorithm::Ed25519, encoded);
                }
            }
            if candidates.ed25519.len() > MAX_ED25519_SIGNATURES {
                return Err(malformed(Malformed::TooManySignatures));
            }
            Ok((candidates, None))
        }
        Syntax::KeyValue {
            timestamp: timestamp_key,
            signature,
        } => {
            let mut found = None;
            for (count, item) in value.split(|byte| *byte == b',').enumerate() {
                if count == MAX_ITEMS {
                    return Err(malformed(Malformed::TooManySignatures));
                }
                let item = item.trim_ascii();
                if let Some(text) = labelled(item, timestamp_key, b'=') {
                    found = Some(match found {
                        None => timestamp(text),
                        Some(_) => Err(Rejection::MalformedTimestamp),
                    });
                } else if let Some(text) = labelled(item, signature, b'=') {
                    candidates.push(spec, spec.algorithm, text);
                }
            }
            Ok((candidates, found))
        }
    }
}

/// The text after `label` and `separator` when `item` starts with them (`v1,` in
/// `v1,<tag>`, `t=` in `t=<timestamp>`).
fn labelled<'a>(item: &'a [u8], label: &str, separator: u8) -> Option<&'a [u8]> {
    item.strip_prefix(label.as_bytes())?
        .strip_prefix(&[separator])
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    use super::*;
    use crate::{Provider, Secret, Verifier};

    #[test]
    fn more_than_four_ed25519_signatures_are_refused_before_any_body_is_read() {
        let public = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        let whpk = format!("whpk_{}", STANDARD.encode(public.as_bytes()));
        let verifier = Verifier::builder(Provider::StandardWebhooks)
            .secret(Secret::new(whpk).unwrap())
            .clock(|| 1_700_000_000)
            .build()
            .unwrap();
        let item = format!("v1a,{}", STANDARD.encode([7_u8; 64]));
        let read = |count: usize| {
            let signature = vec![item.as_str(); count].join(" ");
            verifier.read_headers(|name| match name {
                "webhook-signature" => vec![signature.clone()],
                "webhook-id" => vec!["msg_1".to_owned()],
                "webhook-timestamp" => vec!["1700000000".to_owned()],
                _ => vec![],
            })
        };
        assert!(read(MAX_ED25519_SIGNATURES).is_ok());
        assert_eq!(
            read(MAX_ED25519_SIGNATURES + 1).unwrap_err(),
            Rejection::MalformedSignature(Malformed::TooManySignatures)
        );
    }
}
