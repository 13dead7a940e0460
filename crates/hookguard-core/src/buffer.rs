//! [`Buffer`]: the bytes of a body received so far, kept for the handler, and their hash
//! once there is more than one chunk.

use bytes::Bytes;

use crate::digest::Verification;
use crate::signature::Signature;
use crate::verifier::Verifier;

/// The bytes received so far, and their hash once there is more than one chunk. Until
/// then it holds the request's signature, which starts the hash.
pub(crate) enum Buffer {
    /// Nothing received yet.
    Empty(Signature),
    /// Exactly one non-empty chunk, kept as it came, not hashed yet.
    One(Bytes, Signature),
    /// Several chunks, joined, each hashed as it arrived. The MAC state is boxed so that a
    /// one-chunk body, the usual case, carries none.
    Many {
        joined: Vec<u8>,
        verification: Box<Verification>,
    },
    /// Only while [`Buffer::push`] moves the buffer from one state to the next.
    Moving,
}

impl Buffer {
    /// Appends `chunk`. A second chunk starts `verifier`'s MAC state (hashing the first
    /// chunk, then this one) and one buffer of at least `capacity` bytes (the declared
    /// length); growth doubles but never reserves past `limit`, so a chunked body without
    /// `Content-Length` cannot make the buffer larger than the limit either.
    pub(crate) fn push(
        &mut self,
        chunk: Bytes,
        verifier: &Verifier,
        capacity: usize,
        limit: usize,
    ) {
        if chunk.is_empty() {
            return;
        }
        *self = match std::mem::replace(self, Buffer::Moving) {
            Buffer::Empty(signature) => Buffer::One(chunk, signature),
            Buffer::One(first, signature) => {
                let mut verification = Box::new(verifier.start(signature));
                verification.update(&first);
                verification.update(&chunk);
                let needed = first.len().saturating_add(chunk.len());
                let mut joined = Vec::with_capacity(capacity.max(needed));
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&chunk);
                Buffer::Many {
                    joined,
                    verification,
                }
            }
            Buffer::Many {
                mut joined,
                mut verification,
            } => {
                verification.update(&chunk);
                let needed = joined.len().saturating_add(chunk.len());
                if needed > joined.capacity() {
                    let target = joined.capacity().saturating_mul(2).min(limit).max(needed);
                    joined.reserve_exact(target - joined.len());
                }
                joined.extend_from_slice(&chunk);
                Buffer::Many {
                    joined,
                    verification,
                }
            }
            Buffer::Moving => Buffer::Moving,
        };
    }

    /// How many bytes were received.
    pub(crate) fn len(&self) -> usize {
        match self {
            Buffer::Empty(_) | Buffer::Moving => 0,
            Buffer::One(bytes, _) => bytes.len(),
            Buffer::Many { joined, .. } => joined.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Provider, Secret};

    fn verifier() -> Verifier {
        Verifier::new(Provider::PeopleForce, Secret::new("k").unwrap()).unwrap()
    }

    #[test]
    fn growth_without_content_length_stops_at_the_limit() {
        // Not of the form 2000 * 2^k, so plain doubling from the first join would pass it.
        let limit = 1_500_000;
        let verifier = verifier();
        let signature = verifier
            .parse_signature(Some(format!("sha256={}", "00".repeat(32))))
            .unwrap();
        let mut buffer = Buffer::Empty(signature);
        let mut pushed = 0;
        while pushed + 1000 <= limit {
            buffer.push(Bytes::from(vec![7_u8; 1000]), &verifier, 0, limit);
            pushed += 1000;
            if let Buffer::Many { joined, .. } = &buffer {
                assert!(joined.capacity() <= limit, "capacity {}", joined.capacity());
            }
        }
        assert_eq!(buffer.len(), pushed);
    }
}
