//! Full verification with an arbitrary header and body: never panics; anything accepted
//! carries the signature one of the accepted keys makes; a correctly signed body is always
//! accepted (with the right key id) unless it must be UTF-8 and is not; a tampered body or
//! a doubled header is always refused.
#![no_main]

use hookguard_core::Rejection;
use hookguard_fuzz::{canonical, is_canonical_form, key_set, provider, signer, take, verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let head = take(&mut data, 4);
    let [config, keys, len_lo, len_hi] = *head else {
        return;
    };
    let header = take(&mut data, usize::from(u16::from_le_bytes([len_lo, len_hi])));
    let body = data;

    let provider = provider(config);
    let require_utf8 = config & 0x80 == 0;
    let keys = key_set(keys);
    let verifier = verifier(&provider, &keys, require_utf8);
    let utf8_ok = !require_utf8 || std::str::from_utf8(body).is_ok();

    // The arbitrary header: whatever happens, an acceptance must be genuine.
    if let Ok(verified) = verifier.verify(Some(header), body) {
        let index = verified.key().index();
        let expected = signer(&provider, &keys[index]).sign(body);
        assert!(
            is_canonical_form(&provider, header, &expected),
            "accepted {header:?}, key {index} signs {expected:?}"
        );
        assert!(utf8_ok, "accepted a non-UTF-8 body");
    }

    // Correct signatures under each key.
    for (index, key) in keys.iter().enumerate() {
        let signature = signer(&provider, key).sign(body);
        let tag: [u8; 32] = verifier
            .parse_signature(Some(&signature))
            .expect("own signature parses")
            .as_bytes()
            .try_into()
            .expect("a body-only tag is 32 bytes");
        assert_eq!(canonical(&provider, &tag), signature);
        match verifier.verify(Some(&signature), body) {
            Ok(verified) => {
                assert!(utf8_ok, "accepted a non-UTF-8 body");
                assert_eq!(verified.key().index(), index, "wrong key reported");
            }
            Err(Rejection::BodyNotUtf8) => assert!(!utf8_ok),
            Err(other) => panic!("correct signature refused: {other:?}"),
        }
        assert_eq!(
            verifier.verify([&signature, &signature], body).unwrap_err(),
            Rejection::MultipleSignatures
        );
        // One flipped bit anywhere in the body is refused.
        if !body.is_empty() {
            let mut tampered = body.to_vec();
            let at = usize::from(len_lo) % tampered.len();
            tampered[at] ^= 1 << (len_hi % 8);
            assert_eq!(
                verifier.verify(Some(&signature), &tampered).unwrap_err(),
                Rejection::Mismatch
            );
        }
    }
});
