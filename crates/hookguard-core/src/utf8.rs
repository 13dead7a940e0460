//! UTF-8 validation of a body that arrives in chunks, where a character may be split
//! between two chunks.
//!
//! Each chunk goes through `std::str::from_utf8`; a character cut off at the end of a chunk
//! is recognised by the standard idiom (`Utf8Error::error_len` is `None` for an incomplete
//! sequence at the end, and `valid_up_to` says where it starts) and completed with the
//! first bytes of the next chunk.

use std::str::{from_utf8, Utf8Error};

/// The most bytes a cut-off character can have received: one less than the longest
/// character.
const MAX_PENDING: usize = 3;

/// Validates a byte stream chunk by chunk; agrees with `std::str::from_utf8` on the
/// concatenation of all chunks, whatever the chunking. Never allocates.
#[derive(Clone, Debug, Default)]
pub(crate) struct Utf8Stream {
    /// The start of a character the previous chunk cut off: its first `held` bytes.
    pending: [u8; MAX_PENDING + 1],
    held: usize,
    invalid: bool,
}

impl Utf8Stream {
    pub(crate) fn update(&mut self, mut chunk: &[u8]) {
        if self.invalid {
            return;
        }
        if self.held > 0 {
            match self.complete_pending(chunk) {
                Some(rest) => chunk = rest,
                None => return,
            }
        }
        if let Err(error) = from_utf8(chunk) {
            self.keep_incomplete_tail(chunk, error);
        }
    }

    /// Whether everything fed so far is valid UTF-8 ending on a character boundary.
    pub(crate) fn is_valid(&self) -> bool {
        !self.invalid && self.held == 0
    }

    /// Completes the cut-off character with the first bytes of `chunk`. Returns the rest of
    /// `chunk`, or `None` when `chunk` ran out first (or the character proved invalid).
    fn complete_pending<'a>(&mut self, chunk: &'a [u8]) -> Option<&'a [u8]> {
        let held = self.held;
        let mut joined = self.pending;
        let take = chunk.len().min(joined.len() - held);
        joined
            .get_mut(held..held + take)?
            .copy_from_slice(chunk.get(..take)?);
        let joined = joined.get(..held + take)?;
        let used = match from_utf8(joined) {
            Ok(_) => joined.len(),
            // The cut-off character is complete and valid; what follows it is checked
            // with the rest of the chunk.
            Err(error) if error.valid_up_to() > 0 => error.valid_up_to(),
            Err(error) => {
                if error.error_len().is_some() {
                    self.invalid = true;
                } else {
                    self.stash(joined);
                }
                return None;
            }
        };
        self.held = 0;
        chunk.get(used - held..)
    }

    /// Called when `chunk` is not valid UTF-8 by itself: its end may be a character cut
    /// off, kept for the next chunk; anything else is invalid.
    fn keep_incomplete_tail(&mut self, chunk: &[u8], error: Utf8Error) {
        match (error.error_len(), chunk.get(error.valid_up_to()..)) {
            (None, Some(tail)) if tail.len() <= MAX_PENDING => self.stash(tail),
            _ => self.invalid = true,
        }
    }

    fn stash(&mut self, start: &[u8]) {
        if let Some(slot) = self.pending.get_mut(..start.len()) {
            slot.copy_from_slice(start);
            self.held = start.len();
        } else {
            self.invalid = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::split_at_cuts;
    use proptest::prelude::*;

    fn chunked(bytes: &[u8], cuts: &[usize]) -> bool {
        let mut stream = Utf8Stream::default();
        for piece in split_at_cuts(bytes, cuts) {
            stream.update(piece);
        }
        stream.is_valid()
    }

    #[test]
    fn characters_split_at_every_position() {
        let text = "a€𝄞é✓z".as_bytes();
        for cut in 0..=text.len() {
            for cut2 in cut..=text.len() {
                assert!(chunked(text, &[cut, cut2]), "cuts {cut} {cut2}");
            }
        }
    }

    #[test]
    fn truncated_and_bad_sequences_are_invalid() {
        assert!(!chunked(&[0xe2, 0x82], &[1]));
        assert!(!chunked(&[0xe2, 0x28, 0xa1], &[1]));
        assert!(!chunked(&[0xff], &[]));
        assert!(!chunked(&[0xed, 0xa0, 0x80], &[2])); // surrogate
        assert!(!chunked(&[0xc0, 0x80], &[1])); // overlong
    }

    #[test]
    fn a_character_split_over_three_chunks_is_valid() {
        let text = "𝄞".as_bytes();
        assert!(chunked(text, &[1, 2]));
        assert!(chunked(text, &[1, 3]));
        assert!(!chunked(&text[..3], &[1, 2]));
    }

    proptest! {
        #[test]
        fn any_chunking_agrees_with_from_utf8(
            bytes in prop::collection::vec(prop_oneof![any::<u8>(), 0x80_u8..0xc0, 0xe0_u8..0xf5], 0..64),
            mut cuts in prop::collection::vec(0_usize..64, 0..6),
        ) {
            cuts.sort_unstable();
            prop_assert_eq!(chunked(&bytes, &cuts), std::str::from_utf8(&bytes).is_ok());
        }

        #[test]
        fn valid_text_is_valid_under_any_chunking(
            text in "\\PC{0,40}",
            mut cuts in prop::collection::vec(0_usize..160, 0..6),
        ) {
            cuts.sort_unstable();
            prop_assert!(chunked(text.as_bytes(), &cuts));
        }
    }
}
