//! [`Signature`]: the tag a request's signature header carries, decoded before any body
//! is read.
//!
//! # Errors
//! [`Rejection::MissingSignature`], [`Rejection::MultipleSignatures`] or
//! [`Rejection::MalformedSignature`] (empty, wrong prefix, wrong length, outside the
//! encoding): each refused before the body is read.

use crate::encoding::TAG_LEN;
use crate::error::Rejection;
use crate::provider::Provider;

/// A decoded signature tag, read from a header by [`Verifier::parse_signature`].
///
/// # Example
/// ```
/// # use hookguard_core::{Provider, Secret, Verifier};
/// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
/// let signature = verifier.parse_signature(Some(format!("sha256={}", "ab".repeat(32))))?;
/// assert_eq!(signature.as_bytes(), &[0xab; 32]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    tag: [u8; TAG_LEN],
}

impl Signature {
    /// Reads the tag out of every value of `provider`'s header the request carried: none,
    /// one, or several (which is refused).
    pub(crate) fn parse<I>(provider: &Provider, values: I) -> Result<Signature, Rejection>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut values = values.into_iter();
        let value = values.next().ok_or(Rejection::MissingSignature)?;
        if values.next().is_some() {
            return Err(Rejection::MultipleSignatures);
        }
        provider
            .parse_tag(value.as_ref())
            .map(|tag| Signature { tag })
            .map_err(Rejection::MalformedSignature)
    }

    /// The 32 tag bytes.
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
        &self.tag
    }
}
