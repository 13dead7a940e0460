//! [`Signature`]: what a request's headers say about its signature, read before any body
//! byte: the candidate tags, the delivery id and timestamp when the scheme has them, and
//! the signed content that comes before the body.
//!
//! # Security
//! Every header is bounded: a signature header of more than [`MAX_SIGNATURES`] items is
//! refused, a delivery id must be 1 to [`MAX_DELIVERY_ID`] visible ASCII characters and a
//! timestamp 1 to [`MAX_TIMESTAMP_DIGITS`] digits. In a list, an item that is empty, truncated or of another
//! version is skipped and can never match; a list with no usable item is refused.
//!
//! # Errors
//! [`Rejection::MissingSignature`], [`Rejection::MultipleSignatures`],
//! [`Rejection::MalformedSignature`], and for schemes with an id or a timestamp
//! [`Rejection::MissingDeliveryId`], [`Rejection::MalformedDeliveryId`],
//! [`Rejection::MissingTimestamp`] and [`Rejection::MalformedTimestamp`]: each refused
//! before the body is read.

use crate::candidates::{candidates, Candidates};
use crate::delivery_id::DeliveryId;
use crate::encoding::{ED25519_SIGNATURE_LEN, TAG_LEN};
use crate::error::{Malformed, Rejection};
use crate::scheme::{Part, Spec, TimestampSource};

/// The most signature items one header may carry (several secrets rolling at once).
pub const MAX_SIGNATURES: usize = 8;

/// The longest delivery id accepted, in bytes.
pub const MAX_DELIVERY_ID: usize = 256;

/// The room for the signed content before the body gathered into one piece: a usual
/// delivery id (a UUID, Svix's `msg_` ids), a timestamp and the text around them.
const BEFORE_BODY_BUFFER: usize = 128;

/// The longest timestamp accepted, in decimal digits: Unix seconds up to 999999999999.
pub const MAX_TIMESTAMP_DIGITS: usize = 12;

/// An Ed25519 signature's bytes.
pub(crate) type Ed25519Bytes = [u8; ED25519_SIGNATURE_LEN];

/// The signature a request's headers carry, read by
/// [`Verifier::parse_signature`](crate::Verifier::parse_signature) or
/// [`Verifier::read_headers`](crate::Verifier::read_headers).
///
/// # Example
/// ```
/// # use hookguard_core::{Provider, Secret, Verifier};
/// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
/// let signature = verifier.parse_signature(Some(format!("sha256={}", "ab".repeat(32))))?;
/// assert_eq!(signature.as_bytes(), &[0xab; 32]);
/// assert_eq!(signature.delivery_id(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The first HMAC tag, unless [`Extra::no_first`].
    first: [u8; TAG_LEN],
    /// The delivery's timestamp, for schemes that have one (small, kept inline).
    timestamp: Option<Timestamp>,
    /// The delivery id, for schemes that have one; moved on into
    /// [`Verified`](crate::Verified).
    delivery_id: Option<DeliveryId>,
    /// Further candidates, which a request with one signature does not have; boxed, so
    /// the signature a request carries through an adapter's future stays small.
    extra: Option<Box<Extra>>,
}

/// The candidates of a [`Signature`] beyond its first HMAC tag.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Extra {
    /// The header holds no HMAC tag (only Ed25519 signatures): `first` is not a candidate.
    no_first: bool,
    more: Vec<[u8; TAG_LEN]>,
    ed25519: Vec<Ed25519Bytes>,
}

/// A delivery's timestamp: its value, and its digits as sent (the signed text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timestamp {
    seconds: u64,
    digits: [u8; MAX_TIMESTAMP_DIGITS],
    len: u8,
}

impl Timestamp {
    fn text(&self) -> &[u8] {
        self.digits.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl Signature {
    /// Reads the signature of `spec` from the request's headers: `header(name)` gives every
    /// value of the header `name` (case-insensitive), in order.
    pub(crate) fn read<F, I, V>(spec: &Spec<'_>, mut header: F) -> Result<Signature, Rejection>
    where
        F: FnMut(&str) -> I,
        I: IntoIterator<Item = V>,
        V: AsRef<[u8]>,
    {
        let value = only(header(spec.signature_header)).map_err(|many| {
            if many {
                Rejection::MultipleSignatures
            } else {
                Rejection::MissingSignature
            }
        })?;
        let (candidates, from_signature) = candidates(spec, value.as_ref())?;
        let delivery_id = match spec.id_header {
            Some((name, required)) => delivery_id(header(name), required)?,
            None => None,
        };
        let timestamp = match spec.timestamp {
            TimestampSource::None => None,
            TimestampSource::SignatureHeader => {
                Some(from_signature.ok_or(Rejection::MissingTimestamp)??)
            }
            TimestampSource::Header(name) => {
                let value = only(header(name)).map_err(|many| {
                    if many {
                        Rejection::MalformedTimestamp
                    } else {
                        Rejection::MissingTimestamp
                    }
                })?;
                Some(timestamp(value.as_ref())?)
            }
        };
        let Candidates {
            first,
            more,
            ed25519,
        } = candidates;
        if first.is_none() && ed25519.is_empty() {
            return Err(Rejection::MalformedSignature(Malformed::NoUsableSignature));
        }
        let extra = (first.is_none() || !more.is_empty() || !ed25519.is_empty()).then(|| {
            Box::new(Extra {
                no_first: first.is_none(),
                more,
                ed25519,
            })
        });
        Ok(Signature {
            first: first.unwrap_or_default(),
            timestamp,
            delivery_id,
            extra,
        })
    }

    /// The bytes of the first candidate: a 32-byte HMAC tag, or for a header of Ed25519
    /// signatures alone, a 64-byte signature.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
    /// # let signature = verifier.parse_signature(Some(format!("sha256={}", "00".repeat(32))))?;
    /// assert_eq!(signature.as_bytes().len(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match self.tags().next() {
            Some(tag) => tag,
            None => self
                .ed25519()
                .first()
                .map_or(&[][..], |signature| signature),
        }
    }

    /// The delivery id the request carries, for schemes that have one.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// let verifier = Verifier::new(Provider::GitHub, Secret::new("k")?)?;
    /// let signature = verifier.read_headers(|name| match name {
    ///     "X-Hub-Signature-256" => vec![format!("sha256={}", "00".repeat(32))],
    ///     "X-GitHub-Delivery" => vec!["72d3162e-cc78-11e3-81ab-4c9367dc0958".to_owned()],
    ///     _ => vec![],
    /// })?;
    /// assert_eq!(signature.delivery_id(), Some("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delivery_id(&self) -> Option<&str> {
        self.delivery_id.as_deref()
    }

    /// The delivery's timestamp in Unix seconds, for schemes that have one.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// let verifier = Verifier::builder(Provider::Slack)
    ///     .secret(Secret::new("k")?)
    ///     .clock(|| 1_764_460_800)
    ///     .build()?;
    /// let signature = verifier.read_headers(|name| match name {
    ///     "X-Slack-Signature" => vec![format!("v0={}", "00".repeat(32))],
    ///     "X-Slack-Request-Timestamp" => vec!["1764460800".to_owned()],
    ///     _ => vec![],
    /// })?;
    /// assert_eq!(signature.timestamp(), Some(1_764_460_800));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timestamp(&self) -> Option<u64> {
        Some(self.timestamp?.seconds)
    }

    /// Every candidate HMAC tag, the first one first.
    pub(crate) fn tags(&self) -> impl Iterator<Item = &[u8; TAG_LEN]> {
        let (first, more) = match self.extra.as_deref() {
            None => (Some(&self.first), &[][..]),
            Some(extra) => ((!extra.no_first).then_some(&self.first), &extra.more[..]),
        };
        first.into_iter().chain(more)
    }

    /// Every candidate Ed25519 signature.
    pub(crate) fn ed25519(&self) -> &[Ed25519Bytes] {
        self.extra
            .as_ref()
            .map_or(&[][..], |extra| &extra.ed25519[..])
    }

    /// Feeds the signed content before the body, as `spec` lays it out, to `hash`: its
    /// pieces gathered into one slice while they fit [`BEFORE_BODY_BUFFER`] bytes, as each
    /// call of `hash` has a fixed cost.
    pub(crate) fn before_body(&self, spec: &Spec<'_>, mut hash: impl FnMut(&[u8])) {
        if spec.before_body.is_empty() {
            return;
        }
        let mut buffer = [0_u8; BEFORE_BODY_BUFFER];
        let mut len = 0;
        for part in spec.before_body {
            let piece = match part {
                Part::Id => self.delivery_id().unwrap_or_default().as_bytes(),
                Part::Timestamp => self.timestamp.as_ref().map_or(&[][..], Timestamp::text),
                Part::Literal(text) => text.as_bytes(),
            };
            if let Some(slot) = buffer.get_mut(len..len + piece.len()) {
                slot.copy_from_slice(piece);
                len += piece.len();
            } else {
                hash(buffer.get(..len).unwrap_or_default());
                hash(piece);
                len = 0;
            }
        }
        if len > 0 {
            hash(buffer.get(..len).unwrap_or_default());
        }
    }

    /// What the headers said that a successful verification reports: the delivery id
    /// (moved, not copied) and the timestamp.
    pub(crate) fn into_outcome(self) -> (Option<DeliveryId>, Option<u64>) {
        (
            self.delivery_id,
            self.timestamp.map(|timestamp| timestamp.seconds),
        )
    }
}

/// The one value of a header: `Err(false)` when there is none, `Err(true)` when there are
/// several.
fn only<I: IntoIterator<Item = V>, V>(values: I) -> Result<V, bool> {
    let mut values = values.into_iter();
    let value = values.next().ok_or(false)?;
    match values.next() {
        Some(_) => Err(true),
        None => Ok(value),
    }
}

/// The delivery id header's one value: 1 to [`MAX_DELIVERY_ID`] visible ASCII characters.
fn delivery_id<I, V>(values: I, required: bool) -> Result<Option<DeliveryId>, Rejection>
where
    I: IntoIterator<Item = V>,
    V: AsRef<[u8]>,
{
    let value = match only(values) {
        Ok(value) => value,
        Err(false) if !required => return Ok(None),
        Err(false) => return Err(Rejection::MissingDeliveryId),
        Err(true) => return Err(Rejection::MalformedDeliveryId),
    };
    let id = value.as_ref().trim_ascii();
    if id.is_empty() || id.len() > MAX_DELIVERY_ID || !id.iter().all(u8::is_ascii_graphic) {
        return Err(Rejection::MalformedDeliveryId);
    }
    std::str::from_utf8(id)
        .map(|id| Some(DeliveryId::from(id)))
        .map_err(|_| Rejection::MalformedDeliveryId)
}

/// A timestamp's text as Unix seconds: 1 to 12 ASCII digits, blanks around allowed.
pub(crate) fn timestamp(text: &[u8]) -> Result<Timestamp, Rejection> {
    let text = text.trim_ascii();
    let len = u8::try_from(text.len())
        .ok()
        .filter(|&len| usize::from(len) <= MAX_TIMESTAMP_DIGITS)
        .ok_or(Rejection::MalformedTimestamp)?;
    // `u64::from_str` takes ASCII digits after an optional `+`: a first digit refuses
    // the sign (and an empty text).
    let seconds = std::str::from_utf8(text)
        .ok()
        .filter(|_| text.first().is_some_and(u8::is_ascii_digit))
        .and_then(|text| text.parse().ok())
        .ok_or(Rejection::MalformedTimestamp)?;
    let mut digits = [0_u8; MAX_TIMESTAMP_DIGITS];
    digits
        .get_mut(..text.len())
        .ok_or(Rejection::MalformedTimestamp)?
        .copy_from_slice(text);
    Ok(Timestamp {
        seconds,
        digits,
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_is_1_to_12_digits_kept_as_sent() {
        for (text, seconds, digits) in [
            (&b" 1764460800\t"[..], 1_764_460_800, &b"1764460800"[..]),
            (b"0017644608", 17_644_608, b"0017644608"),
            (b"999999999999", 999_999_999_999, b"999999999999"),
        ] {
            let read = timestamp(text).unwrap();
            assert_eq!((read.seconds, read.text()), (seconds, digits));
        }
        for text in [
            &b""[..],
            b"  ",
            b"+1764460800",
            b"-1",
            b"17644608e2",
            b"1764 460800",
            b"1000000000000",
            "١٧٦٤".as_bytes(),
        ] {
            assert_eq!(
                timestamp(text),
                Err(Rejection::MalformedTimestamp),
                "{text:?}"
            );
        }
    }
}
