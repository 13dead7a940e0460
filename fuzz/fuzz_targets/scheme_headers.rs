//! The headers of every preset with a delivery id or a timestamp (GitHub, Shopify, Stripe,
//! Slack, Standard Webhooks with HMAC and with Ed25519, Svix, Discord) read under a fixed
//! clock: never panics; a
//! refusal is one of the header-level reasons; an accepted timestamp is within the
//! tolerance of the clock; an accepted delivery id is the header's trimmed value, 1 to 256
//! visible ASCII characters, and a required one is never absent. `verify_request` with a
//! small body agrees: the same refusal, or the same id and timestamp (or a mismatch), and a
//! signature the sender wrote for the id and timestamp sent is accepted.
#![no_main]

use std::sync::OnceLock;

use hookguard_core::{Rejection, Signer, Verifier};
use hookguard_fuzz::{schemes, Scheme, SchemeInput, Stamp, NOW};
use libfuzzer_sys::fuzz_target;

const BODY: &[u8] = br#"{"type":"employee.created","data":{"id":42}}"#;
/// The verifiers' default tolerance, either way.
const TOLERANCE: u64 = 300;

fn prepared() -> &'static [(Scheme, Verifier, Signer)] {
    static PREPARED: OnceLock<Vec<(Scheme, Verifier, Signer)>> = OnceLock::new();
    PREPARED.get_or_init(|| {
        schemes()
            .into_iter()
            .map(|scheme| {
                let (verifier, signer) = (scheme.verifier(), scheme.signer());
                (scheme, verifier, signer)
            })
            .collect()
    })
}

/// The timestamp a request's text stands for, if it is plain decimal digits.
fn digits(text: &[u8]) -> Option<u64> {
    std::str::from_utf8(text.trim_ascii()).ok()?.parse().ok()
}

fn header_level(rejection: &Rejection) -> bool {
    match rejection {
        Rejection::TimestampOutsideTolerance { skew } => skew.unsigned_abs() > TOLERANCE,
        Rejection::MissingSignature
        | Rejection::MultipleSignatures
        | Rejection::MalformedSignature(_)
        | Rejection::MissingDeliveryId
        | Rejection::MalformedDeliveryId
        | Rejection::MissingTimestamp
        | Rejection::MalformedTimestamp => true,
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = SchemeInput::parse(data) else {
        return;
    };
    let prepared = prepared();
    let (scheme, verifier, signer) = &prepared[input.scheme(prepared.len())];
    let id_text = std::str::from_utf8(input.id.trim_ascii()).unwrap_or_default();
    let signed_at = digits(input.timestamp).unwrap_or(NOW);
    let sender_signature;
    let signature = if input.signed_by_sender() {
        sender_signature = signer.sign_headers(id_text, signed_at, BODY).remove(0).1;
        sender_signature.as_bytes()
    } else {
        input.signature
    };
    let signature_header = scheme.provider.header_name();
    let id_header = scheme.provider.delivery_id_header();
    let header = |name: &str| -> Option<&[u8]> {
        if name.eq_ignore_ascii_case(signature_header) {
            (!input.signature_absent()).then_some(signature)
        } else if id_header.is_some_and(|id| name.eq_ignore_ascii_case(id)) {
            (!input.id_absent()).then_some(input.id)
        } else {
            (!input.timestamp_absent()).then_some(input.timestamp)
        }
    };

    let read = verifier.read_headers(header);
    let whole = verifier.verify_request(header, BODY);
    match &read {
        Ok(signature) => {
            match signature.timestamp() {
                Some(timestamp) => assert!(
                    timestamp.abs_diff(NOW) <= TOLERANCE && scheme.stamp != Stamp::None,
                    "{scheme:?} accepted timestamp {timestamp}"
                ),
                None => assert_eq!(scheme.stamp, Stamp::None, "{scheme:?}: no timestamp"),
            }
            match signature.delivery_id() {
                Some(id) => {
                    assert!(
                        scheme.id.is_some() && !input.id_absent(),
                        "{scheme:?}: id {id:?}"
                    );
                    assert!(
                        (1..=256).contains(&id.len()),
                        "{scheme:?}: id of {}",
                        id.len()
                    );
                    assert!(id.bytes().all(|byte| byte.is_ascii_graphic()), "{id:?}");
                    assert_eq!(id.as_bytes(), input.id.trim_ascii());
                }
                None => assert!(
                    scheme.id.is_none() || scheme.id == Some(false) && input.id_absent(),
                    "{scheme:?}: no delivery id"
                ),
            }
            match &whole {
                Ok(verified) => {
                    assert_eq!(verified.delivery_id(), signature.delivery_id());
                    assert_eq!(verified.timestamp(), signature.timestamp());
                    assert_eq!(verified.key().index(), 0);
                }
                Err(rejection) => assert_eq!(rejection, &Rejection::Mismatch, "{scheme:?}"),
            }
            // The sender's own signature, sent with the very id and timestamp it signed.
            let sent_as_signed = match scheme.stamp {
                Stamp::Header => input.timestamp.trim_ascii() == signed_at.to_string().as_bytes(),
                Stamp::None | Stamp::InSignature => true,
            };
            if input.signed_by_sender() && sent_as_signed {
                assert!(
                    whole.is_ok(),
                    "{scheme:?}: the sender's signature refused: {whole:?}"
                );
            }
        }
        Err(rejection) => {
            assert!(
                header_level(rejection),
                "{scheme:?}: refused with {rejection:?}"
            );
            assert_eq!(whole.as_ref().err(), Some(rejection));
        }
    }
});
