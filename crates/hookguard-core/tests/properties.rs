//! Property tests: signing then verifying holds for any body and secret; any single-bit
//! change to body, tag or secret is rejected; no header value makes verification panic.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use bytes::Bytes;
use hookguard_core::{BodyCollector, Encoding, Provider, Rejection, Secret, Signer, Verifier};
use proptest::prelude::*;

#[path = "../src/test_support.rs"]
mod test_support;

use test_support::split_at_cuts;

fn providers() -> impl Strategy<Value = Provider> {
    prop_oneof![
        Just(Provider::PeopleForce),
        Just(Provider::Bindbee),
        Just(Provider::custom("X-Hub-Signature-256", Encoding::Hex).with_prefix("sha256=")),
        Just(Provider::custom(
            "X-Sig",
            Encoding::Base64 { padded: false }
        )),
    ]
}

fn lenient(provider: &Provider, secret: &[u8]) -> Verifier {
    Verifier::builder(provider.clone())
        .secret(Secret::new(secret.to_vec()).unwrap())
        .require_utf8(false)
        .build()
        .unwrap()
}

fn sign(provider: &Provider, secret: &[u8], body: &[u8]) -> String {
    Signer::new(provider.clone(), Secret::new(secret.to_vec()).unwrap())
        .unwrap()
        .sign(body)
}

fn flip(bytes: &mut [u8], bit: usize) {
    let bit = bit % (bytes.len() * 8);
    bytes[bit / 8] ^= 1 << (bit % 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify_holds(
        provider in providers(),
        secret in prop::collection::vec(any::<u8>(), 1..100),
        body in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let value = sign(&provider, &secret, &body);
        prop_assert!(lenient(&provider, &secret).verify(Some(&value), &body).is_ok());
    }

    #[test]
    fn utf8_bodies_verify_with_the_default_settings(
        provider in providers(),
        secret in "\\PC{1,40}",
        body in "\\PC{0,300}",
    ) {
        let value = sign(&provider, secret.as_bytes(), body.as_bytes());
        let verifier = Verifier::new(provider, Secret::new(secret).unwrap()).unwrap();
        prop_assert!(verifier.verify(Some(&value), body.as_bytes()).is_ok());
    }

    #[test]
    fn one_flipped_body_bit_is_rejected(
        provider in providers(),
        secret in prop::collection::vec(any::<u8>(), 1..64),
        mut body in prop::collection::vec(any::<u8>(), 1..1024),
        bit in any::<usize>(),
    ) {
        let value = sign(&provider, &secret, &body);
        flip(&mut body, bit);
        prop_assert_eq!(lenient(&provider, &secret).verify(Some(&value), &body), Err(Rejection::Mismatch));
    }

    #[test]
    fn one_flipped_secret_bit_is_rejected(
        provider in providers(),
        mut secret in prop::collection::vec(any::<u8>(), 1..64),
        body in prop::collection::vec(any::<u8>(), 0..1024),
        bit in any::<usize>(),
    ) {
        let value = sign(&provider, &secret, &body);
        flip(&mut secret, bit);
        prop_assert_eq!(lenient(&provider, &secret).verify(Some(&value), &body), Err(Rejection::Mismatch));
    }

    #[test]
    fn one_flipped_tag_bit_is_rejected(
        provider in providers(),
        secret in prop::collection::vec(any::<u8>(), 1..64),
        body in prop::collection::vec(any::<u8>(), 0..512),
        bit in 0_usize..256,
    ) {
        // Flip a bit of the decoded tag and re-encode it as the provider would.
        let verifier = lenient(&provider, &secret);
        let good = verifier.parse_signature(Some(sign(&provider, &secret, &body))).unwrap();
        let mut tag: [u8; 32] = good.as_bytes().try_into().unwrap();
        flip(&mut tag, bit);
        let forged_value = sign_tag(&provider, &tag);
        prop_assert_eq!(verifier.verify(Some(&forged_value), &body), Err(Rejection::Mismatch));
    }

    #[test]
    fn incremental_agrees_with_one_shot_for_any_chunking_and_keys(
        provider in providers(),
        secrets in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..64), 1..=3),
        signed_with in any::<prop::sample::Index>(),
        body in prop::collection::vec(any::<u8>(), 0..2048),
        mut cuts in prop::collection::vec(0_usize..2048, 0..8),
        tamper in any::<bool>(),
    ) {
        // One, two or three accepted secrets (the inline and the heap-held key sets); the
        // body is signed with one of them, or with a foreign one when `tamper` is set.
        let mut builder = Verifier::builder(provider.clone());
        for secret in &secrets {
            builder = builder.secret(Secret::new(secret.clone()).unwrap());
        }
        let verifier = builder.build().unwrap();
        let secret = if tamper { &b"other"[..] } else { &secrets[signed_with.index(secrets.len())] };
        let value = sign(&provider, secret, &body);
        let one_shot = verifier.verify(Some(&value), &body);
        let signature = verifier.parse_signature(Some(&value)).unwrap();
        let mut verification = verifier.start(signature.clone());
        // The adapters' collector too: one chunk is verified at the end, more are hashed
        // as they arrive; both must agree with the one-shot call and keep the bytes.
        let mut collector = BodyCollector::new(&verifier, signature, body.len(), None).unwrap();
        cuts.sort_unstable();
        for piece in split_at_cuts(&body, &cuts) {
            verification.update(piece);
            collector.push(Bytes::copy_from_slice(piece)).unwrap();
        }
        let collected = collector.finish();
        prop_assert_eq!(verification.finish(), one_shot.clone());
        prop_assert_eq!(collected.as_ref().err(), one_shot.as_ref().err());
        if let Ok((bytes, verified)) = collected {
            prop_assert_eq!(&bytes[..], &body[..]);
            prop_assert_eq!(Ok(verified), one_shot);
        }
    }

    #[test]
    fn no_header_value_panics(
        provider in providers(),
        value in prop::collection::vec(any::<u8>(), 0..200),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        // A random value is the right tag with probability 2^-256: every one is refused.
        let outcome = lenient(&provider, b"k").verify(Some(&value), &body);
        prop_assert!(outcome.is_err(), "{:?} accepted", String::from_utf8_lossy(&value));
    }

    #[test]
    fn no_text_header_value_panics(provider in providers(), value in "\\PC{0,120}") {
        let outcome = lenient(&provider, b"k").verify(Some(&value), b"{}");
        prop_assert!(outcome.is_err(), "{value:?} accepted");
    }
}

/// The header value carrying `tag` in `provider`'s encoding, built without the crate's
/// encoder: hex by hand, base64 through a verifier-independent table.
fn sign_tag(provider: &Provider, tag: &[u8; 32]) -> String {
    let encoded = match provider.encoding() {
        Encoding::Hex => tag
            .iter()
            .fold(String::new(), |hex, b| hex + &format!("{b:02x}")),
        Encoding::Base64 { padded } => base64(tag, *b"+/", padded),
        Encoding::Base64Url { padded } => base64(tag, *b"-_", padded),
        other => panic!("encoding {other:?} not covered"),
    };
    format!("{}{encoded}", provider.prefix())
}

fn base64(bytes: &[u8], last_two: [u8; 2], padded: bool) -> String {
    let mut alphabet: Vec<u8> = (b'A'..=b'Z')
        .chain(b'a'..=b'z')
        .chain(b'0'..=b'9')
        .collect();
    alphabet.extend_from_slice(&last_two);
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0_u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=group.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        if padded {
            out.extend(std::iter::repeat_n('=', 3 - group.len()));
        }
    }
    out
}

#[test]
fn long_and_huge_header_values_are_rejected_quickly() {
    let verifier = lenient(&Provider::PeopleForce, b"k");
    let huge = "a".repeat(10 * 1024 * 1024);
    assert!(matches!(
        verifier.verify(Some(&huge), b"{}"),
        Err(Rejection::MalformedSignature(_))
    ));
    let huge_prefixed = format!("sha256={huge}");
    assert!(matches!(
        verifier.verify(Some(&huge_prefixed), b"{}"),
        Err(Rejection::MalformedSignature(_))
    ));
}
