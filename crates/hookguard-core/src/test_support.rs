//! Helpers shared by the unit tests and `tests/properties.rs`.

#![allow(clippy::indexing_slicing, reason = "test code fails loudly")]

/// `bytes` split at `cuts` (ascending; each clamped into range): the chunks a body could
/// arrive in.
pub(crate) fn split_at_cuts<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        let end = cut.clamp(start, bytes.len());
        pieces.push(&bytes[start..end]);
        start = end;
    }
    pieces.push(&bytes[start..]);
    pieces
}
