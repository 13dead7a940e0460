//! RFC 4231 §4 test vectors for HMAC-SHA256, through the public signing and verifying path
//! (a custom provider writing the tag as bare hex).

use hookguard_core::{Encoding, Provider, Rejection, Secret, Signer, Verifier};

/// (key, message, tag) of test cases 1, 2, 3, 4, 6 and 7 (6 and 7 key with a 131-byte
/// key, which HMAC hashes first).
fn cases() -> Vec<(Vec<u8>, Vec<u8>, &'static str)> {
    vec![
        (
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            vec![0xaa; 20],
            vec![0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            (1..=25).collect(),
            vec![0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            vec![0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ]
}

fn provider() -> Provider {
    Provider::custom("X-Test-Signature", Encoding::Hex)
}

#[test]
fn signer_writes_the_rfc_tags() {
    for (key, message, tag) in cases() {
        let signer = Signer::new(provider(), Secret::new(key).unwrap()).unwrap();
        assert_eq!(signer.sign(&message), tag);
    }
}

#[test]
fn verifier_accepts_the_rfc_tags_one_shot_and_in_chunks_and_refuses_a_flipped_bit() {
    for (key, message, tag) in cases() {
        let verifier = Verifier::builder(provider())
            .secret(Secret::new(key).unwrap())
            .require_utf8(false)
            .build()
            .unwrap();
        assert!(verifier.verify(Some(tag), &message).is_ok());

        let signature = verifier.parse_signature(Some(tag)).unwrap();
        let mut verification = verifier.start(signature);
        for piece in message.chunks(7) {
            verification.update(piece);
        }
        assert!(verification.finish().is_ok());

        let mut flipped = message.clone();
        flipped[0] ^= 1;
        assert_eq!(
            verifier.verify(Some(tag), &flipped).unwrap_err(),
            Rejection::Mismatch
        );
    }
}
