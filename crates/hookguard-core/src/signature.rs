//! [`Signature`]: what a request's headers say about its signature, read before any body
//! byte: the candidate tags, the delivery id and timestamp when the scheme has them, and
//! the signed content that comes before the body.
//!
//! # Security
//! Every header is bounded: a signature header of more than [`MAX_SIGNATURES`] items is
//! refused, a delivery id must be 1 to [`MAX_DELIVERY_ID`] visible ASCII characters and a
//! timestamp 1 to 12 digits. In a list, an item that is empty, truncated or of another
//! version is skipped and can never match; a list with no usable item is refused.
//!
//! # Errors
//! [`Rejection::MissingSignature`], [`Rejection::MultipleSignatures`],
//! [`Rejection::MalformedSignature`], and for schemes with an id or a timestamp
//! [`Rejection::MissingDeliveryId`], [`Rejection::MalformedDeliveryId`],
//! [`Rejection::MissingTimestamp`] and [`Rejection::MalformedTimestamp`]: each refused
//! before the body is read.

use std::sync::Arc;

use crate::encoding::TAG_LEN;
use crate::error::{Malformed, Rejection};
use crate::scheme::{Part, Spec, Syntax, TimestampSource};

/// The most signature items one header may carry (several secrets rolling at once).
pub const MAX_SIGNATURES: usize = 8;

/// The longest delivery id accepted, in bytes.
pub const MAX_DELIVERY_ID: usize = 256;

/// The longest timestamp accepted, in digits.
const MAX_TIMESTAMP_DIGITS: usize = 12;

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
    first: [u8; TAG_LEN],
    /// Everything a body-only request with one signature does not have; boxed, so the
    /// signature a body-only request carries through an adapter's future stays small.
    extra: Option<Box<Extra>>,
}

/// The rest of a [`Signature`]: further candidates, and what a scheme signs beside the
/// body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Extra {
    more: Vec<[u8; TAG_LEN]>,
    /// The signed content before the body.
    before_body: Vec<u8>,
    delivery_id: Option<Arc<str>>,
    timestamp: Option<u64>,
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
        let (tags, from_signature) = tags(spec, value.as_ref())?;
        let delivery_id = match spec.id_header {
            Some((name, required)) => delivery_id(header(name), required)?,
            None => None,
        };
        let timestamp_text = match spec.timestamp {
            TimestampSource::None => None,
            TimestampSource::SignatureHeader => {
                Some(from_signature.ok_or(Rejection::MissingTimestamp)?)
            }
            TimestampSource::Header(name) => Some(
                only(header(name))
                    .map_err(|many| {
                        if many {
                            Rejection::MalformedTimestamp
                        } else {
                            Rejection::MissingTimestamp
                        }
                    })?
                    .as_ref()
                    .to_vec(),
            ),
        };
        let timestamp = timestamp_text.as_deref().map(timestamp).transpose()?;
        let mut before_body = Vec::new();
        for part in spec.before_body {
            match part {
                Part::Id => before_body
                    .extend_from_slice(delivery_id.as_deref().unwrap_or_default().as_bytes()),
                Part::Timestamp => before_body
                    .extend_from_slice(timestamp_text.as_deref().unwrap_or_default().trim_ascii()),
                Part::Literal(text) => before_body.extend_from_slice(text.as_bytes()),
            }
        }
        let first = tags
            .first
            .ok_or(Rejection::MalformedSignature(Malformed::NoUsableSignature))?;
        let extra = Extra {
            more: tags.more,
            before_body,
            delivery_id,
            timestamp,
        };
        Ok(Signature {
            first,
            extra: (extra != Extra::default()).then(|| Box::new(extra)),
        })
    }

    /// The 32 bytes of the first candidate tag.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
    /// # let signature = verifier.parse_signature(Some(format!("sha256={}", "00".repeat(32))))?;
    /// assert_eq!(signature.as_bytes().len(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8; TAG_LEN] {
        &self.first
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
        self.extra.as_ref()?.delivery_id.as_deref()
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
        self.extra.as_ref()?.timestamp
    }

    /// Every candidate tag, the first one first.
    pub(crate) fn tags(&self) -> impl Iterator<Item = &[u8; TAG_LEN]> {
        let more = self.extra.as_ref().map_or(&[][..], |extra| &extra.more[..]);
        std::iter::once(&self.first).chain(more)
    }

    /// The signed content before the body.
    pub(crate) fn before_body(&self) -> &[u8] {
        self.extra
            .as_ref()
            .map_or(&[][..], |extra| &extra.before_body[..])
    }

    pub(crate) fn into_outcome(self) -> (Option<Arc<str>>, Option<u64>) {
        match self.extra {
            Some(extra) => (extra.delivery_id, extra.timestamp),
            None => (None, None),
        }
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

/// The candidate tags of a signature header, and the timestamp text it carries (Stripe's
/// `t=`), if any.
type Read = (Candidates, Option<Vec<u8>>);

/// Candidate tags in order: the first held inline, so a one-signature header allocates
/// nothing.
#[derive(Default)]
struct Candidates {
    first: Option<[u8; TAG_LEN]>,
    more: Vec<[u8; TAG_LEN]>,
}

impl Candidates {
    fn push(&mut self, tag: [u8; TAG_LEN]) {
        if self.first.is_none() {
            self.first = Some(tag);
        } else {
            self.more.push(tag);
        }
    }
}

impl FromIterator<[u8; TAG_LEN]> for Candidates {
    fn from_iter<T: IntoIterator<Item = [u8; TAG_LEN]>>(tags: T) -> Self {
        let mut candidates = Candidates::default();
        tags.into_iter().for_each(|tag| candidates.push(tag));
        candidates
    }
}

/// What the signature header's `value` carries.
fn tags(spec: &Spec<'_>, value: &[u8]) -> Result<Read, Rejection> {
    let malformed = Rejection::MalformedSignature;
    let value = value.trim_ascii();
    if value.is_empty() {
        return Err(malformed(Malformed::Empty));
    }
    match spec.syntax {
        Syntax::Single => {
            let encoded = value
                .strip_prefix(spec.prefix.as_bytes())
                .ok_or(malformed(Malformed::MissingPrefix))?;
            let tag = spec.encoding.decode(encoded).map_err(malformed)?;
            Ok((std::iter::once(tag).collect(), None))
        }
        Syntax::VersionedList { version } => {
            let items = bounded(
                value
                    .split(|byte| *byte == b' ')
                    .filter(|item| !item.is_empty()),
            )?;
            let tags = items
                .iter()
                .filter_map(|item| item.strip_prefix(version.as_bytes())?.strip_prefix(b","))
                .filter_map(|encoded| spec.encoding.decode(encoded).ok())
                .collect();
            Ok((tags, None))
        }
        Syntax::KeyValue {
            timestamp,
            signature,
        } => {
            let items = bounded(value.split(|byte| *byte == b','))?;
            let mut found = None;
            let mut tags = Candidates::default();
            for item in items {
                let item = item.trim_ascii();
                let Some((key, text)) = split_once(item, b'=') else {
                    continue;
                };
                if key == timestamp.as_bytes() {
                    if found.is_some() {
                        return Err(Rejection::MalformedTimestamp);
                    }
                    found = Some(text.to_vec());
                } else if key == signature.as_bytes() {
                    if let Ok(tag) = spec.encoding.decode(text) {
                        tags.push(tag);
                    }
                }
            }
            Ok((tags, found))
        }
    }
}

/// The items of a list, refused when there are more than [`MAX_SIGNATURES`] twice over
/// (room for another version's items beside the ones read).
fn bounded<'a>(items: impl Iterator<Item = &'a [u8]>) -> Result<Vec<&'a [u8]>, Rejection> {
    let items: Vec<&[u8]> = items.take(2 * MAX_SIGNATURES + 1).collect();
    if items.len() > 2 * MAX_SIGNATURES {
        return Err(Rejection::MalformedSignature(Malformed::TooManySignatures));
    }
    Ok(items)
}

fn split_once(item: &[u8], separator: u8) -> Option<(&[u8], &[u8])> {
    let at = item.iter().position(|byte| *byte == separator)?;
    Some((item.get(..at)?, item.get(at + 1..)?))
}

/// The delivery id header's one value: 1 to [`MAX_DELIVERY_ID`] visible ASCII characters.
fn delivery_id<I, V>(values: I, required: bool) -> Result<Option<Arc<str>>, Rejection>
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
        .map(|id| Some(Arc::from(id)))
        .map_err(|_| Rejection::MalformedDeliveryId)
}

/// A timestamp's text as Unix seconds: 1 to 12 ASCII digits, blanks around allowed.
fn timestamp(text: &[u8]) -> Result<u64, Rejection> {
    let digits = text.trim_ascii();
    if digits.is_empty()
        || digits.len() > MAX_TIMESTAMP_DIGITS
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return Err(Rejection::MalformedTimestamp);
    }
    std::str::from_utf8(digits)
        .ok()
        .and_then(|digits| digits.parse().ok())
        .ok_or(Rejection::MalformedTimestamp)
}
