//! [`ContentCoding`]: which `Content-Encoding` a signed body may arrive with, decided the
//! same way by every adapter, from the request's headers, before any body byte is read.
//!
//! A signature covers the bytes its sender signed. A sender that signs its JSON and then
//! compresses it (`Content-Encoding: gzip`) delivers bytes the signature was never made
//! over: verified as they arrive, an honest delivery would look like a forgery. So by
//! default a body with any coding but `identity` is refused with
//! [`Rejection::UnsupportedContentEncoding`] (`415 Unsupported Media Type`), whose text
//! names the coding. A sender that signs the encoded bytes it sends is served by
//! [`ContentCoding::SignedAsSent`]: those bytes are verified as received and handed on
//! unchanged (decoding them is left to the application).
//!
//! # Example
//! ```
//! use hookguard_core::{ContentCoding, Rejection};
//!
//! // No header, or `identity`: the body is verified as usual.
//! assert!(ContentCoding::IdentityOnly.check(None::<&str>).is_ok());
//! assert!(ContentCoding::IdentityOnly.check(["identity"]).is_ok());
//!
//! // Any other coding is refused, and the reason names it.
//! let rejection = ContentCoding::IdentityOnly.check(["gzip"]).unwrap_err();
//! assert_eq!(rejection.status(), 415);
//! assert!(rejection.to_string().contains("gzip"));
//!
//! // Unless the sender signs the encoded bytes.
//! assert!(ContentCoding::SignedAsSent.check(["gzip"]).is_ok());
//! ```

use std::fmt;

use crate::error::Rejection;

/// The longest coding name a [`CodingName`] keeps; registered codings are at most 12 bytes
/// (`pack200-gzip`).
const NAME_CAPACITY: usize = 16;

/// Which `Content-Encoding` a signed request body may carry.
///
/// The adapters hold one (`with_content_coding`) and check it against the request's
/// `Content-Encoding` header values with [`ContentCoding::check`] before reading the body.
///
/// # Example
/// ```
/// use hookguard_core::ContentCoding;
///
/// assert_eq!(ContentCoding::default(), ContentCoding::IdentityOnly);
/// assert!(ContentCoding::IdentityOnly.check(["br"]).is_err());
/// assert!(ContentCoding::SignedAsSent.check(["br"]).is_ok());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentCoding {
    /// Only bodies without a content coding (no `Content-Encoding` header, or `identity`)
    /// are verified; any other coding is refused with `415`. The default: PeopleForce and
    /// Bindbee sign the JSON itself.
    #[default]
    IdentityOnly,
    /// The sender signs the bytes as it sends them, encoded: any coding is accepted, the
    /// signature is checked over the bytes as received, and those bytes (still encoded)
    /// are what the handler gets. Encoded bytes are seldom UTF-8: pair this with
    /// [`VerifierBuilder::require_utf8(false)`](crate::VerifierBuilder::require_utf8).
    SignedAsSent,
}

impl ContentCoding {
    /// Checks a request's `Content-Encoding` header `values` (none, one or several; each
    /// may list codings separated by commas).
    ///
    /// # Errors
    /// Under [`ContentCoding::IdentityOnly`], [`Rejection::UnsupportedContentEncoding`]
    /// naming the first coding that is not `identity` (names are case-insensitive).
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{ContentCoding, Rejection};
    ///
    /// assert!(ContentCoding::IdentityOnly.check(["Identity", ""]).is_ok());
    /// match ContentCoding::IdentityOnly.check(["identity, GZip"]) {
    ///     Err(Rejection::UnsupportedContentEncoding(coding)) => assert_eq!(coding.as_str(), "gzip"),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn check<I>(self, values: I) -> Result<(), Rejection>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        if self == ContentCoding::SignedAsSent {
            return Ok(());
        }
        for value in values {
            for coding in value.as_ref().split(|&byte| byte == b',').map(trim_blanks) {
                if !coding.is_empty() && !coding.eq_ignore_ascii_case(b"identity") {
                    return Err(Rejection::UnsupportedContentEncoding(CodingName::new(
                        coding,
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The name of a refused content coding, as the request gave it, for logs: lowercased,
/// at most 16 bytes, and any byte that HTTP does not allow in a coding name shown as `?`
/// (so a hostile header cannot forge log lines).
///
/// # Example
/// ```
/// use hookguard_core::{ContentCoding, Rejection};
///
/// let Err(Rejection::UnsupportedContentEncoding(name)) = ContentCoding::IdentityOnly.check(["X-GZIP"])
/// else {
///     unreachable!()
/// };
/// assert_eq!(name.as_str(), "x-gzip");
/// assert_eq!(name.to_string(), "x-gzip");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodingName {
    bytes: [u8; NAME_CAPACITY],
    len: u8,
    truncated: bool,
}

impl CodingName {
    fn new(coding: &[u8]) -> CodingName {
        let mut bytes = [0; NAME_CAPACITY];
        for (slot, &byte) in bytes.iter_mut().zip(coding) {
            *slot = if is_token_byte(byte) {
                byte.to_ascii_lowercase()
            } else {
                b'?'
            };
        }
        let len = coding.len().min(NAME_CAPACITY);
        CodingName {
            bytes,
            len: u8::try_from(len).unwrap_or(u8::MAX),
            truncated: coding.len() > NAME_CAPACITY,
        }
    }

    /// The name (its first 16 bytes if it was longer).
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{ContentCoding, Rejection};
    /// let Err(Rejection::UnsupportedContentEncoding(name)) = ContentCoding::IdentityOnly.check(["br"])
    /// else {
    ///     unreachable!()
    /// };
    /// assert_eq!(name.as_str(), "br");
    /// ```
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Only ASCII is ever stored, so this cannot fail.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// Whether the name was longer than the 16 bytes kept.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{ContentCoding, Rejection};
    /// let Err(Rejection::UnsupportedContentEncoding(name)) =
    ///     ContentCoding::IdentityOnly.check(["a-very-long-made-up-coding"])
    /// else {
    ///     unreachable!()
    /// };
    /// assert!(name.is_truncated());
    /// assert_eq!(name.to_string(), "a-very-long-made...");
    /// ```
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Display for CodingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.truncated {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CodingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CodingName")
            .field(&format_args!("{self}"))
            .finish()
    }
}

/// Whether `byte` may appear in an HTTP token (RFC 9110, section 5.6.2), as a coding name is.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// `bytes` without the spaces and tabs around it.
fn trim_blanks(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(values: &[&[u8]]) -> CodingName {
        match ContentCoding::IdentityOnly.check(values) {
            Err(Rejection::UnsupportedContentEncoding(name)) => name,
            other => panic!("{values:?}: {other:?}"),
        }
    }

    #[test]
    fn identity_and_no_coding_pass() {
        for values in [
            &[][..],
            &[&b""[..]],
            &[b"identity"],
            &[b"IDENTITY"],
            &[b" identity ,\tidentity"],
            &[b"identity", b""],
            &[b","],
        ] {
            assert_eq!(
                ContentCoding::IdentityOnly.check(values),
                Ok(()),
                "{values:?}"
            );
        }
    }

    #[test]
    fn every_other_coding_is_refused_by_name() {
        for (values, name) in [
            (&[&b"gzip"[..]][..], "gzip"),
            (&[b"GZIP"], "gzip"),
            (&[b"x-gzip"], "x-gzip"),
            (&[b"br"], "br"),
            (&[b"deflate"], "deflate"),
            (&[b"zstd"], "zstd"),
            (&[b"identity, br"], "br"),
            (&[b"identity", b"compress"], "compress"),
            (&[b"gzip, identity"], "gzip"),
        ] {
            let coding = refused(values);
            assert_eq!(coding.as_str(), name);
            assert!(!coding.is_truncated());
            assert_eq!(
                Rejection::UnsupportedContentEncoding(coding).status(),
                415,
                "{values:?}"
            );
        }
    }

    #[test]
    fn names_are_bounded_and_cannot_forge_log_lines() {
        let long = refused(&[b"abcdefghijklmnopqrstuvwxyz"]);
        assert_eq!(long.as_str(), "abcdefghijklmnop");
        assert!(long.is_truncated());
        assert_eq!(long.to_string(), "abcdefghijklmnop...");

        let hostile = refused(&[b"gz\"ip\x1b[31m\xff"]);
        assert_eq!(hostile.as_str(), "gz?ip??31m?");
        assert_eq!(format!("{hostile:?}"), "CodingName(gz?ip??31m?)");
    }

    #[test]
    fn signed_as_sent_accepts_any_coding() {
        for values in [&[&b"gzip"[..]][..], &[b"br, zstd"], &[b"\xff"], &[]] {
            assert_eq!(ContentCoding::SignedAsSent.check(values), Ok(()));
        }
    }
}
