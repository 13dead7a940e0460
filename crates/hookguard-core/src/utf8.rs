//! UTF-8 validation of a body that arrives in chunks, where a character may be split
//! between two chunks.

/// Validates a byte stream chunk by chunk; agrees with `std::str::from_utf8` on the
/// concatenation of all chunks, whatever the chunking.
#[derive(Clone, Debug, Default)]
pub(crate) struct Utf8Stream {
    /// The start of a character the previous chunk cut off (at most 3 bytes).
    pending: [u8; 4],
    pending_len: usize,
    invalid: bool,
}

impl Utf8Stream {
    pub(crate) fn update(&mut self, mut chunk: &[u8]) {
        if self.invalid {
            return;
        }
        if self.pending_len > 0 {
            let Some(rest) = self.complete_pending(chunk) else {
                return;
            };
            chunk = rest;
        }
        // A character cut off at the end of the chunk is kept for the next one, so the SIMD
        // validator only ever sees whole characters (one pass, no re-scan to find the cut).
        let (whole, tail) = chunk.split_at(incomplete_tail_start(chunk));
        if simdutf8::basic::from_utf8(whole).is_err() {
            self.invalid = true;
            return;
        }
        if !tail.is_empty() {
            self.stash(tail);
        }
    }

    /// Whether everything fed so far is valid UTF-8 ending on a character boundary.
    pub(crate) fn is_valid(&self) -> bool {
        !self.invalid && self.pending_len == 0
    }

    /// Feeds the cut-off character the bytes it still needs. Returns the rest of `chunk`,
    /// or `None` when `chunk` ran out first (or the character proved invalid).
    fn complete_pending<'a>(&mut self, chunk: &'a [u8]) -> Option<&'a [u8]> {
        let width = char_width(self.pending[0]);
        let needed = width.saturating_sub(self.pending_len).min(chunk.len());
        let (head, rest) = chunk.split_at(needed);
        let start = self.pending_len;
        self.pending
            .get_mut(start..start + needed)?
            .copy_from_slice(head);
        self.pending_len += needed;
        if self.pending_len < width {
            return None;
        }
        self.pending_len = 0;
        if std::str::from_utf8(self.pending.get(..width)?).is_err() {
            self.invalid = true;
            return None;
        }
        Some(rest)
    }

    fn stash(&mut self, tail: &[u8]) {
        if let Some(slot) = self.pending.get_mut(..tail.len()) {
            slot.copy_from_slice(tail);
            self.pending_len = tail.len();
        } else {
            self.invalid = true;
        }
    }
}

/// Where the character the chunk ends in starts, if that character is cut off (its lead
/// byte announces more bytes than the chunk still holds); otherwise the chunk's length.
/// Looks at the last 3 bytes only; whatever it keeps back is validated once completed.
fn incomplete_tail_start(chunk: &[u8]) -> usize {
    let len = chunk.len();
    for back in 1..=len.min(3) {
        let byte = chunk.get(len - back).copied().unwrap_or(0);
        match byte {
            0x80..=0xbf => {}
            0xc0..=0xff if char_width(byte) > back => return len - back,
            _ => return len,
        }
    }
    len
}

/// Bytes in the character a lead byte starts (only called on a lead byte, 0xc0 and up).
fn char_width(lead: u8) -> usize {
    match lead {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
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
    fn incomplete_tail_is_found() {
        assert_eq!(incomplete_tail_start(b""), 0);
        assert_eq!(incomplete_tail_start(b"ab"), 2);
        assert_eq!(incomplete_tail_start("a€".as_bytes()), 4);
        assert_eq!(incomplete_tail_start(&"a€".as_bytes()[..3]), 1);
        assert_eq!(incomplete_tail_start(&"a𝄞".as_bytes()[..4]), 1);
        assert_eq!(incomplete_tail_start(&[0x80, 0x80, 0x80]), 3);
        assert_eq!(incomplete_tail_start(&[b'a', 0xff]), 1);
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
