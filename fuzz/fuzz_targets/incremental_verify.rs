//! The incremental verifier fed arbitrary chunkings (including empty chunks and UTF-8
//! characters cut anywhere) agrees with one-shot `verify` on every outcome; so does the
//! adapters' `BodyCollector` (same chunks, with or without a declared length, under a limit
//! that the body may exceed), which also hands back exactly the bytes it was fed.
#![no_main]

#[path = "../../crates/hookguard-core/src/test_support.rs"]
mod test_support;

use bytes::Bytes;
use hookguard_core::{BodyCollector, Rejection};
use hookguard_fuzz::{key_set, provider, signer, take, verifier};
use libfuzzer_sys::fuzz_target;
use test_support::split_at_cuts;

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let head = take(&mut data, 4);
    let [config, keys, mode, cuts] = *head else {
        return;
    };
    let mut cut_points: Vec<usize> = take(&mut data, usize::from(cuts) * 2)
        .chunks_exact(2)
        .map(|pair| usize::from(u16::from_le_bytes([pair[0], pair[1]])))
        .collect();
    let body = data;
    for cut in &mut cut_points {
        *cut %= body.len() + 1;
    }
    cut_points.sort_unstable();
    let pieces = split_at_cuts(body, &cut_points);

    let provider = provider(config);
    let keys = key_set(keys);
    let verifier = verifier(&provider, &keys, config & 0x80 == 0);
    let key = &keys[usize::from(mode / 4) % keys.len()];
    let header: Option<String> = match mode % 4 {
        0 => Some(signer(&provider, key).sign(body)),
        1 => {
            // The right signature for the body with its last bit flipped.
            let mut other = body.to_vec();
            match other.last_mut() {
                Some(byte) => *byte ^= 1,
                None => other.push(0),
            }
            Some(signer(&provider, key).sign(&other))
        }
        2 => Some(signer(&provider, b"not one of the keys").sign(body)),
        _ => None,
    };

    let one_shot = verifier.verify(header.as_ref(), body);
    let incremental = verifier
        .parse_signature(header.as_ref())
        .and_then(|signature| {
            let mut verification = verifier.start(signature);
            for piece in &pieces {
                verification.update(piece);
            }
            verification.finish()
        });
    assert_eq!(one_shot, incremental, "cuts {cut_points:?}");

    // The adapters' path: limit below, at or above the body's length; declared or not.
    let limit = match (usize::from(cuts) + usize::from(mode)) % 3 {
        0 => body.len().saturating_sub(1 + usize::from(mode) % 3),
        1 => body.len(),
        _ => body.len() + usize::from(cuts),
    };
    let declared = (config & 0x40 != 0).then_some(body.len() as u64);
    if let Ok(signature) = verifier.parse_signature(header.as_ref()) {
        let collected =
            BodyCollector::new(&verifier, signature, limit, declared).and_then(|mut collector| {
                for piece in &pieces {
                    collector.push(Bytes::copy_from_slice(piece))?;
                }
                collector.finish()
            });
        if body.len() > limit {
            assert_eq!(collected.unwrap_err(), Rejection::BodyTooLarge { limit });
        } else {
            match (collected, &one_shot) {
                (Ok((bytes, verified)), Ok(expected)) => {
                    assert_eq!(&bytes[..], body);
                    assert_eq!(&verified, expected);
                }
                (Err(got), Err(expected)) => assert_eq!(&got, expected),
                (got, expected) => panic!("collector {got:?}, one-shot {expected:?}"),
            }
        }
    }
    // A signed body is accepted whole or refused only for UTF-8.
    if mode % 4 == 0 {
        assert!(one_shot.is_ok() || config & 0x80 == 0 && std::str::from_utf8(body).is_err());
    }
});
