//! The incremental verifier fed arbitrary chunkings (including empty chunks and UTF-8
//! characters cut anywhere) agrees with one-shot `verify` on every outcome.
#![no_main]

use hookguard_fuzz::{key_set, provider, signer, take, verifier};
use libfuzzer_sys::fuzz_target;

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
            let mut verification = verifier.start();
            let mut from = 0;
            for &cut in &cut_points {
                verification.update(&body[from..cut]);
                from = cut;
            }
            verification.update(&body[from..]);
            verification.finish(&signature)
        });
    assert_eq!(one_shot, incremental, "cuts {cut_points:?}");
    // A signed body is accepted whole or refused only for UTF-8.
    if mode % 4 == 0 {
        assert!(one_shot.is_ok() || config & 0x80 == 0 && std::str::from_utf8(body).is_err());
    }
});
