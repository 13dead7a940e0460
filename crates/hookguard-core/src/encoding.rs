//! Signature encodings: how a provider writes the 32-byte HMAC-SHA256 tag (or the 64-byte
//! Ed25519 signature) in its header.
//!
//! Decoding never allocates: the header text is length-checked first and then decoded into
//! a stack array (hex by the `hex` crate, base64 by the `base64` crate's strict engines: the
//! padding must be as the encoding says, and the spare bits of the last digit must be zero,
//! so one tag has one spelling), so a huge or hostile header costs nothing beyond one length
//! comparison.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::engine::GeneralPurpose;
use base64::Engine as _;

use crate::error::Malformed;

/// Length in bytes of an HMAC-SHA256 tag.
pub const TAG_LEN: usize = 32;

/// Length in bytes of an Ed25519 signature (RFC 8032, section 5.1.6).
pub(crate) const ED25519_SIGNATURE_LEN: usize = 64;

/// The longest value [`Encoding::decode`] reads.
const MAX_DECODED: usize = ED25519_SIGNATURE_LEN;

/// How the tag bytes are written as text in the signature header.
///
/// # Example
/// ```
/// use hookguard_core::Encoding;
///
/// // Bindbee writes Python's `base64.urlsafe_b64encode`: URL-safe alphabet, padded.
/// let bindbee = Encoding::Base64Url { padded: true };
/// assert_eq!(bindbee.encoded_len(), 44);
/// assert_eq!(Encoding::Hex.encoded_len(), 64);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// Hexadecimal, 64 characters. Written lowercase; either case is accepted.
    Hex,
    /// Standard base64 alphabet (`+`, `/`), 44 characters padded or 43 unpadded.
    Base64 {
        /// Whether the text ends in `=` padding (required when `true`, refused when `false`).
        padded: bool,
    },
    /// URL-safe base64 alphabet (`-`, `_`), 44 characters padded or 43 unpadded.
    Base64Url {
        /// Whether the text ends in `=` padding (required when `true`, refused when `false`).
        padded: bool,
    },
}

impl Encoding {
    /// Number of characters a 32-byte tag takes in this encoding.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::Encoding;
    /// assert_eq!(Encoding::Base64 { padded: false }.encoded_len(), 43);
    /// ```
    pub const fn encoded_len(self) -> usize {
        self.encoded_len_of(TAG_LEN)
    }

    /// Number of characters `bytes` bytes take in this encoding (64 for an Ed25519
    /// signature: 128 in hex, 88 in padded base64).
    pub(crate) const fn encoded_len_of(self, bytes: usize) -> usize {
        match self {
            Encoding::Hex => bytes * 2,
            Encoding::Base64 { padded: true } | Encoding::Base64Url { padded: true } => {
                bytes.div_ceil(3) * 4
            }
            Encoding::Base64 { padded: false } | Encoding::Base64Url { padded: false } => {
                (bytes * 4).div_ceil(3)
            }
        }
    }

    /// Writes `bytes` as text in this encoding.
    pub(crate) fn encode(self, bytes: &[u8]) -> String {
        match self.base64_engine() {
            None => hex::encode(bytes),
            Some(engine) => engine.encode(bytes),
        }
    }

    /// Reads `N` bytes back from `text`, which must be exactly
    /// [`Self::encoded_len_of`]`(N)` long.
    pub(crate) fn decode<const N: usize>(self, text: &[u8]) -> Result<[u8; N], Malformed> {
        let expected = self.encoded_len_of(N);
        if text.len() != expected {
            return Err(Malformed::WrongLength {
                expected,
                actual: text.len(),
            });
        }
        let mut decoded = [0_u8; N];
        match self.base64_engine() {
            None => {
                hex::decode_to_slice(text, &mut decoded)
                    .map_err(|_| Malformed::InvalidCharacters)?;
            }
            Some(engine) => {
                // The engine asks for room for its estimate of the decoded length (up to
                // two bytes more than `N` for a text of this length); a text that decodes to
                // more than `N` bytes is refused by the length check below.
                let mut scratch = [0_u8; MAX_DECODED + 2];
                let len = engine
                    .decode_slice(text, &mut scratch)
                    .map_err(|_| Malformed::InvalidCharacters)?;
                let bytes = scratch
                    .get(..len)
                    .filter(|bytes| bytes.len() == N)
                    .ok_or(Malformed::InvalidCharacters)?;
                decoded.copy_from_slice(bytes);
            }
        }
        Ok(decoded)
    }

    fn base64_engine(self) -> Option<&'static GeneralPurpose> {
        match self {
            Encoding::Hex => None,
            Encoding::Base64 { padded: true } => Some(&STANDARD),
            Encoding::Base64 { padded: false } => Some(&STANDARD_NO_PAD),
            Encoding::Base64Url { padded: true } => Some(&URL_SAFE),
            Encoding::Base64Url { padded: false } => Some(&URL_SAFE_NO_PAD),
        }
    }
}

impl std::str::FromStr for Encoding {
    type Err = String;

    /// Parses `hex`, `base64`, `base64-nopad`, `base64url` or `base64url-nopad`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "hex" => Ok(Encoding::Hex),
            "base64" => Ok(Encoding::Base64 { padded: true }),
            "base64-nopad" => Ok(Encoding::Base64 { padded: false }),
            "base64url" => Ok(Encoding::Base64Url { padded: true }),
            "base64url-nopad" => Ok(Encoding::Base64Url { padded: false }),
            other => Err(format!(
                "unknown encoding {other:?}: use hex, base64, base64-nopad, base64url or base64url-nopad"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Encoding; 5] = [
        Encoding::Hex,
        Encoding::Base64 { padded: true },
        Encoding::Base64 { padded: false },
        Encoding::Base64Url { padded: true },
        Encoding::Base64Url { padded: false },
    ];

    #[test]
    fn every_encoding_round_trips_and_has_its_advertised_length() {
        let tag: [u8; TAG_LEN] = core::array::from_fn(|i| [0x3e, 0xfb, 0xff, 0x01][i % 4]);
        for encoding in ALL {
            let text = encoding.encode(&tag);
            assert_eq!(text.len(), encoding.encoded_len(), "{encoding:?}");
            assert_eq!(
                encoding.decode::<TAG_LEN>(text.as_bytes()),
                Ok(tag),
                "{encoding:?}"
            );
        }
    }

    #[test]
    fn hex_accepts_uppercase() {
        let tag = [0xab_u8; TAG_LEN];
        let upper = Encoding::Hex.encode(&tag).to_ascii_uppercase();
        assert_eq!(Encoding::Hex.decode::<TAG_LEN>(upper.as_bytes()), Ok(tag));
    }

    #[test]
    fn wrong_length_is_reported_with_both_lengths() {
        assert_eq!(
            Encoding::Hex.decode::<TAG_LEN>(b"abcd"),
            Err(Malformed::WrongLength {
                expected: 64,
                actual: 4
            })
        );
    }

    #[test]
    fn padding_is_strict_in_both_directions() {
        let tag = [7_u8; TAG_LEN];
        let padded = Encoding::Base64Url { padded: true }.encode(&tag);
        let unpadded = padded.trim_end_matches('=');
        assert!(Encoding::Base64Url { padded: false }
            .decode::<TAG_LEN>(padded.as_bytes())
            .is_err());
        assert!(Encoding::Base64Url { padded: true }
            .decode::<TAG_LEN>(unpadded.as_bytes())
            .is_err());
    }

    #[test]
    fn alphabets_are_not_mixed() {
        // 0xfb 0xff ... encodes with `+`/`/` in standard and `-`/`_` in URL-safe base64.
        let tag = [0xfb_u8; TAG_LEN];
        let standard = Encoding::Base64 { padded: true }.encode(&tag);
        let url = Encoding::Base64Url { padded: true }.encode(&tag);
        assert_ne!(standard, url);
        assert_eq!(
            Encoding::Base64Url { padded: true }.decode::<TAG_LEN>(standard.as_bytes()),
            Err(Malformed::InvalidCharacters)
        );
        assert_eq!(
            Encoding::Base64 { padded: true }.decode::<TAG_LEN>(url.as_bytes()),
            Err(Malformed::InvalidCharacters)
        );
    }

    #[test]
    fn invalid_characters_of_the_right_length_are_rejected() {
        for encoding in ALL {
            let junk = vec![b'!'; encoding.encoded_len()];
            assert_eq!(
                encoding.decode::<TAG_LEN>(&junk),
                Err(Malformed::InvalidCharacters)
            );
        }
    }

    #[test]
    fn non_canonical_trailing_bits_are_rejected() {
        // The last character of a 43/44-char tag carries 2 spare bits; they must be zero,
        // otherwise two texts would decode to one tag.
        let tag = [0_u8; TAG_LEN];
        let mut text = Encoding::Base64Url { padded: false }
            .encode(&tag)
            .into_bytes();
        if let Some(last) = text.last_mut() {
            *last = b'B';
        }
        assert!(Encoding::Base64Url { padded: false }
            .decode::<TAG_LEN>(&text)
            .is_err());
    }

    proptest::proptest! {
        /// Valid tags with at most one digit replaced: alphabet mix-ups, misplaced `=`,
        /// non-zero spare bits (`B` as the last digit) and bytes outside ASCII are all
        /// exercised.
        #[test]
        fn base64_decoding_agrees_with_the_base64_crate(
            tag in proptest::prelude::any::<[u8; TAG_LEN]>(),
            position in 0_usize..44,
            replacement in proptest::sample::select(b"AQgwB+/-_= \x00\x80\xff".to_vec()),
        ) {
            for encoding in ALL {
                let Some(engine) = encoding.base64_engine() else { continue };
                let mut text = engine.encode(tag).into_bytes();
                if let Some(digit) = text.get_mut(position) {
                    *digit = replacement;
                }
                let theirs = engine
                    .decode(&text)
                    .ok()
                    .and_then(|bytes| <[u8; TAG_LEN]>::try_from(bytes).ok());
                proptest::prop_assert_eq!(encoding.decode::<TAG_LEN>(&text).ok(), theirs, "{:?}", encoding);
            }
        }
    }

    #[test]
    fn names_parse() {
        assert_eq!("HEX".parse(), Ok(Encoding::Hex));
        assert_eq!(
            "base64url".parse(),
            Ok(Encoding::Base64Url { padded: true })
        );
        assert!("rot13".parse::<Encoding>().is_err());
    }
}
