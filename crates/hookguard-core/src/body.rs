//! [`BodyCollector`]: reads a request body for verification, the same way in every adapter.
//!
//! It refuses a declared `Content-Length` over the limit before any byte is read, counts
//! the bytes as they arrive and refuses the body as soon as it passes the limit (never
//! holding more), hashes each byte once (no second pass), and keeps the bytes for the
//! handler: a body that arrives in one chunk is handed on as that very [`Bytes`], without
//! a copy.
//!
//! A body of one chunk (the usual webhook) is hashed when it ends, in one call, and the
//! collector holds no MAC state until then; from a second chunk on, each chunk is hashed as
//! it arrives by a boxed MAC state. So the collector, and every request future that holds
//! one and is moved between calls, stays small.
//!
//! # Example
//! ```
//! use bytes::Bytes;
//! use hookguard_core::{BodyCollector, Provider, Secret, Signer, Verifier};
//!
//! let verifier = Verifier::new(Provider::Bindbee, Secret::new("k")?)?;
//! let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"{\"event\":1}");
//! let signature = verifier.parse_signature(Some(&header))?;
//!
//! let mut body = BodyCollector::new(&verifier, signature, 1024, Some(11))?;
//! body.push(Bytes::from_static(b"{\"event\""))?;
//! body.push(Bytes::from_static(b":1}"))?;
//! let (bytes, verified) = body.finish()?;
//! assert_eq!(bytes, "{\"event\":1}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use bytes::Bytes;

use crate::buffer::Buffer;
use crate::error::Rejection;
use crate::outcome::Verified;
use crate::signature::Signature;
use crate::verifier::Verifier;
use crate::DEFAULT_MAX_BODY_SIZE;

/// The most the buffer reserves on the strength of `Content-Length` alone: a declared length
/// is only a claim, and under a huge configured limit an absurd claim would otherwise make
/// the allocator abort the process. Past this, the buffer grows with the bytes that arrive.
const MAX_UP_FRONT: usize = DEFAULT_MAX_BODY_SIZE;

/// A body being read for verification: bounded, hashed once, kept for the handler.
///
/// # Example
/// ```
/// use bytes::Bytes;
/// use hookguard_core::{BodyCollector, Provider, Rejection, Secret, Verifier};
///
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
/// let signature = || verifier.parse_signature(Some(format!("sha256={}", "00".repeat(32))));
/// // A declared length over the limit is refused before any byte is read...
/// assert_eq!(
///     BodyCollector::new(&verifier, signature()?, 16, Some(17)).unwrap_err(),
///     Rejection::BodyTooLarge { limit: 16 },
/// );
/// // ...and so is a body that passes the limit while it streams in.
/// let mut body = BodyCollector::new(&verifier, signature()?, 16, None)?;
/// body.push(Bytes::from_static(b"0123456789"))?;
/// assert!(body.push(Bytes::from_static(b"0123456789")).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct BodyCollector {
    verifier: Verifier,
    buffer: Buffer,
    limit: usize,
    capacity: usize,
    /// Set once a chunk passed the limit: the body is refused for good, whatever follows.
    refused: bool,
}

impl BodyCollector {
    /// Starts reading the body of a request whose headers gave `signature`: at most
    /// `limit` bytes, its declared length (the request's `Content-Length`, if it has
    /// exactly one valid value) `declared`.
    ///
    /// # Errors
    /// [`Rejection::BodyTooLarge`] when `declared` is over `limit`.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{BodyCollector, Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
    /// # let signature = verifier.parse_signature(Some(format!("sha256={}", "00".repeat(32))))?;
    /// let body = BodyCollector::new(&verifier, signature, hookguard_core::DEFAULT_MAX_BODY_SIZE, Some(1259))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        verifier: &Verifier,
        signature: Signature,
        limit: usize,
        declared: Option<u64>,
    ) -> Result<Self, Rejection> {
        let declared = declared.map(|length| usize::try_from(length).unwrap_or(usize::MAX));
        if declared.is_some_and(|length| length > limit) {
            return Err(Rejection::BodyTooLarge { limit });
        }
        Ok(BodyCollector {
            verifier: verifier.clone(),
            buffer: Buffer::Empty(signature),
            limit,
            capacity: declared.map_or(0, |length| length.min(MAX_UP_FRONT)),
            refused: false,
        })
    }

    /// The length a request declares with its `Content-Length` header `values`, for
    /// [`BodyCollector::new`]: the value if there is exactly one and it is a number (spaces
    /// and tabs around it allowed), otherwise `None`: then nothing is claimed, and the
    /// body is bounded only as it streams in.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::BodyCollector;
    ///
    /// assert_eq!(BodyCollector::declared_length(["1259"]), Some(1259));
    /// assert_eq!(BodyCollector::declared_length(["12", "12"]), None);
    /// assert_eq!(BodyCollector::declared_length(["-1"]), None);
    /// ```
    pub fn declared_length<I>(values: I) -> Option<u64>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut values = values.into_iter();
        let value = values.next()?;
        if values.next().is_some() {
            return None;
        }
        content_length(value.as_ref())
    }

    /// Adds the next chunk of the body.
    ///
    /// # Errors
    /// [`Rejection::BodyTooLarge`] as soon as the body passes the limit; the chunk that
    /// passes it is not kept, and the body stays refused: every later `push` and
    /// [`finish`](BodyCollector::finish) fail the same way.
    ///
    /// # Example
    /// ```
    /// # use bytes::Bytes;
    /// # use hookguard_core::{BodyCollector, Provider, Secret, Verifier};
    /// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
    /// # let signature = verifier.parse_signature(Some(format!("sha256={}", "00".repeat(32))))?;
    /// let mut body = BodyCollector::new(&verifier, signature, 1024, None)?;
    /// body.push(Bytes::from_static(b"{}"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push(&mut self, chunk: Bytes) -> Result<(), Rejection> {
        if self.refused || self.buffer.len().saturating_add(chunk.len()) > self.limit {
            self.refused = true;
            return Err(Rejection::BodyTooLarge { limit: self.limit });
        }
        self.buffer
            .push(chunk, &self.verifier, self.capacity, self.limit);
        Ok(())
    }

    /// Checks the signature over the whole body; on success, the exact bytes received and
    /// what matched.
    ///
    /// # Errors
    /// [`Rejection::BodyTooLarge`] if a [`push`](BodyCollector::push) was refused, then
    /// [`Rejection::Mismatch`] or [`Rejection::BodyNotUtf8`], as [`Verification::finish`](crate::Verification::finish).
    ///
    /// # Example
    /// ```
    /// # use bytes::Bytes;
    /// # use hookguard_core::{BodyCollector, Provider, Secret, Signer, Verifier};
    /// # let verifier = Verifier::new(Provider::PeopleForce, Secret::new("k")?)?;
    /// # let header = Signer::new(Provider::PeopleForce, Secret::new("k")?)?.sign(b"{}");
    /// let signature = verifier.parse_signature(Some(&header))?;
    /// let mut body = BodyCollector::new(&verifier, signature, 1024, Some(2))?;
    /// body.push(Bytes::from_static(b"{}"))?;
    /// let (bytes, verified) = body.finish()?;
    /// assert_eq!((bytes.as_ref(), verified.key().index()), (&b"{}"[..], 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(self) -> Result<(Bytes, Verified), Rejection> {
        if self.refused {
            return Err(Rejection::BodyTooLarge { limit: self.limit });
        }
        match self.buffer {
            Buffer::Empty(signature) => {
                Ok((Bytes::new(), self.verifier.verify_parsed(signature, &[])?))
            }
            Buffer::One(bytes, signature) => {
                let verified = self.verifier.verify_parsed(signature, &bytes)?;
                Ok((bytes, verified))
            }
            Buffer::Many {
                joined,
                verification,
            } => Ok((Bytes::from(joined), verification.finish()?)),
            Buffer::Moving => Err(Rejection::Mismatch),
        }
    }
}

/// The number a `Content-Length` value spells (RFC 9110 §8.6: `1*DIGIT`, with the spaces
/// and tabs HTTP allows around a field value), or `None` if it holds anything else (a sign
/// included, which `u64::from_str` would take) or overflows `u64`.
fn content_length(value: &[u8]) -> Option<u64> {
    let digits = std::str::from_utf8(value).ok()?.trim_matches([' ', '\t']);
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl fmt::Debug for BodyCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyCollector")
            .field("received", &self.buffer.len())
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Provider, Secret, Signer};

    fn verifier() -> Verifier {
        Verifier::new(Provider::PeopleForce, Secret::new("k").unwrap()).unwrap()
    }

    fn signature(body: &[u8]) -> Signature {
        let header = Signer::new(Provider::PeopleForce, Secret::new("k").unwrap())
            .unwrap()
            .sign(body);
        verifier().parse_signature(Some(header)).unwrap()
    }

    #[test]
    fn one_chunk_is_handed_on_without_copy() {
        let chunk = Bytes::from(vec![b'{', b'}']);
        let ptr = chunk.as_ptr();
        let mut body = BodyCollector::new(&verifier(), signature(b"{}"), 16, None).unwrap();
        body.push(Bytes::new()).unwrap();
        body.push(chunk).unwrap();
        let (bytes, _) = body.finish().unwrap();
        assert_eq!(bytes.as_ptr(), ptr);
    }

    #[test]
    fn chunks_are_joined_in_order_and_verified_as_one_body() {
        let mut body = BodyCollector::new(&verifier(), signature(b"abcde"), 16, Some(5)).unwrap();
        for chunk in ["ab", "", "cd", "e"] {
            body.push(Bytes::from(chunk)).unwrap();
        }
        let (bytes, verified) = body.finish().unwrap();
        assert_eq!((bytes, verified.key().index()), (Bytes::from("abcde"), 0));
    }

    #[test]
    fn an_empty_body_verifies_as_empty() {
        let body = BodyCollector::new(&verifier(), signature(b""), 0, Some(0)).unwrap();
        assert_eq!(body.finish().unwrap().0, "");
    }

    #[test]
    fn the_limit_is_exact() {
        let mut body = BodyCollector::new(&verifier(), signature(b""), 4, None).unwrap();
        body.push(Bytes::from("abcd")).unwrap();
        assert_eq!(
            body.push(Bytes::from("e")),
            Err(Rejection::BodyTooLarge { limit: 4 })
        );
        assert!(BodyCollector::new(&verifier(), signature(b""), 4, Some(4)).is_ok());
        assert_eq!(
            BodyCollector::new(&verifier(), signature(b""), 4, Some(u64::MAX)).unwrap_err(),
            Rejection::BodyTooLarge { limit: 4 }
        );
    }

    #[test]
    fn a_refused_body_stays_refused() {
        let mut body = BodyCollector::new(&verifier(), signature(b"abc"), 4, None).unwrap();
        body.push(Bytes::from("ab")).unwrap();
        let refused = Rejection::BodyTooLarge { limit: 4 };
        assert_eq!(body.push(Bytes::from("cde")), Err(refused));
        // What would fit after the refused chunk is refused too: no body with a hole.
        assert_eq!(body.push(Bytes::from("c")), Err(refused));
        assert_eq!(body.finish().err(), Some(refused));
    }

    #[test]
    fn a_declared_length_sizes_the_joined_buffer() {
        let mut body = BodyCollector::new(&verifier(), signature(b""), 1024, Some(100)).unwrap();
        body.push(Bytes::from("ab")).unwrap();
        body.push(Bytes::from("cd")).unwrap();
        let Buffer::Many { joined, .. } = &body.buffer else {
            panic!("two chunks are joined")
        };
        assert!(joined.capacity() >= 100, "capacity {}", joined.capacity());
    }

    #[test]
    fn a_tampered_chunk_is_a_mismatch() {
        let mut body = BodyCollector::new(&verifier(), signature(b"abcde"), 16, None).unwrap();
        body.push(Bytes::from("abcdX")).unwrap();
        assert_eq!(body.finish().unwrap_err(), Rejection::Mismatch);
    }

    #[test]
    fn declared_length_takes_exactly_one_number() {
        let declared = |values: &[&str]| BodyCollector::declared_length(values);
        assert_eq!(declared(&["1259"]), Some(1259));
        assert_eq!(declared(&[" \t42 "]), Some(42));
        assert_eq!(declared(&["0"]), Some(0));
        assert_eq!(declared(&["18446744073709551615"]), Some(u64::MAX));
        assert_eq!(declared(&[]), None);
        assert_eq!(declared(&["7", "7"]), None);
        for invalid in [
            "",
            "x",
            "-1",
            "1 2",
            "0x10",
            "+5",
            " ",
            "\u{c}5",
            "99999999999999999999",
            "18446744073709551616",
        ] {
            assert_eq!(declared(&[invalid]), None, "{invalid:?}");
        }
        assert_eq!(BodyCollector::declared_length([&b"\xff1"[..]]), None);
    }

    #[test]
    fn an_absurd_declared_length_under_a_huge_limit_reserves_little() {
        let mut body =
            BodyCollector::new(&verifier(), signature(b""), usize::MAX, Some(u64::MAX)).unwrap();
        body.push(Bytes::from("a")).unwrap();
        body.push(Bytes::from("b")).unwrap();
        let Buffer::Many { joined, .. } = &body.buffer else {
            panic!("two chunks are joined")
        };
        assert!(joined.capacity() <= MAX_UP_FRONT);
    }
}
