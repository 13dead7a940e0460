//! Header parsing for every provider, encoding and prefix: never panics; a value that
//! parses is (blanks and hex case aside) exactly the canonical text of the tag it decoded
//! to, so there is one accepted spelling per tag.
#![no_main]

use hookguard_core::{Rejection, Secret, Verifier};
use hookguard_fuzz::{canonical, is_canonical_form, provider, take};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let Some(&config) = take(&mut data, 1).first() else {
        return;
    };
    let provider = provider(config);
    let value = data;
    let verifier = Verifier::new(provider.clone(), Secret::new("k").expect("non-empty"))
        .expect("valid provider");

    if config & 0x80 != 0 {
        // Two values of the header: refused whatever they hold.
        assert_eq!(
            verifier.parse_signature([value, value]).unwrap_err(),
            Rejection::MultipleSignatures
        );
        return;
    }
    match verifier.parse_signature(Some(value)) {
        Ok(signature) => {
            let tag = signature.as_bytes().try_into().expect("a body-only tag is 32 bytes");
            let text = canonical(&provider, &tag);
            assert!(
                is_canonical_form(&provider, value, &text),
                "{provider:?} accepted {value:?}, canonical {text:?}"
            );
            // And the canonical text parses back to the same tag.
            assert_eq!(verifier.parse_signature(Some(&text)), Ok(signature));
        }
        Err(Rejection::MalformedSignature(_)) => {}
        Err(other) => panic!("unexpected rejection {other:?} for one value"),
    }
});
