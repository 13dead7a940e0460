//! [`Key`]: what identifies a delivery in the store, and how it is derived.
//!
//! # Security
//! A key is built from what the verified request already carries: the provider's name and
//! the delivery id, or the first half of the signature that matched. It never holds a
//! secret, it cannot be used to resend a delivery (a signature is only accepted whole), and
//! it is only derived after the signature was verified, so a forged request never claims
//! one.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use hookguard_core::{Verified, FINGERPRINT_LEN};

/// Room for a fingerprint key: the longest preset's name, `:sig:` and the hex.
const KEY_CAPACITY: usize = 24 + 2 * FINGERPRINT_LEN;

/// The store key of one delivery: `<provider>:id:<delivery id>` when the scheme signs a
/// delivery id (Standard Webhooks, Svix), otherwise `<provider>:sig:<the first 16 bytes of
/// the matching signature, hex>` (GitHub's and Shopify's ids are not signed, so they are
/// not keys: a captured delivery resent under a new id would run again).
///
/// For body-only schemes (PeopleForce, Bindbee, GitHub, Shopify) the signature is a keyed
/// digest of the verified body, so two deliveries of the same body signed with the same
/// secret get the same key without hashing the body again, however the copy's signature
/// header is written (spacing, other signatures beside the matching one). Two distinct
/// deliveries with byte-identical bodies share it too (see [`Key::derive`]).
///
/// A sender that re-signs a retry with a rotated secret, or signs a timestamp that changes
/// on each attempt, produces a different key for the retry. Stripe and Slack do the latter
/// and carry their event id in the JSON body, which a key function does not see: their
/// retries are not recognised as copies, and their handlers should record the event ids
/// they processed and skip those already seen (Stripe's documentation advises logging
/// processed event ids). A sender that puts a stable event id in a header can be keyed on
/// it with a key function ([`Dedup::with_key_fn`](crate::Dedup::with_key_fn)).
///
/// # Example
/// ```
/// use hookguard_dedup::Key;
///
/// let key = Key::new("bindbee:order-42");
/// assert_eq!(key.as_str(), "bindbee:order-42");
/// assert_eq!(key.to_string(), "bindbee:order-42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(Arc<str>);

impl Key {
    /// A key with exactly this text (what a key function returns).
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::Key;
    /// assert_eq!(Key::new(String::from("k")).as_str(), "k");
    /// ```
    pub fn new(key: impl Into<Arc<str>>) -> Key {
        Key(key.into())
    }

    /// The key's text.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::Key;
    /// assert_eq!(Key::new("a:b").as_str(), "a:b");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The default key of a verified request: the delivery id when the scheme signs one,
    /// otherwise the fingerprint of the signature that matched
    /// ([`Verified::signature_fingerprint`]). `None` only if the key's text could not be
    /// written, which does not happen.
    ///
    /// For body-only schemes (PeopleForce, Bindbee, GitHub, Shopify) the key depends on the
    /// body alone, so two distinct deliveries with byte-identical bodies are one delivery:
    /// Shopify's `orders/create` and `orders/paid` carrying the same JSON, under different
    /// `X-Shopify-Webhook-Id`s, share a key, and the second is answered `200` with
    /// `Hookguard-Duplicate: true` without running the handler. The topic and the id are
    /// left out on purpose: the signature does not cover them, so whoever resends a
    /// captured delivery could change them to run it again. A receiver that gets such
    /// deliveries can add the topic header with a key function, accepting that a replayer
    /// can change an unsigned header:
    ///
    /// ```
    /// use hookguard_dedup::{Dedup, Key, KeyContext};
    ///
    /// let dedup = Dedup::in_memory().with_key_fn(|request: &KeyContext<'_>| {
    ///     let key = Key::derive(request.verified())?;
    ///     let topic = request.headers().value("X-Shopify-Topic").unwrap_or_default();
    ///     Some(Key::new(format!("{key}:{}", String::from_utf8_lossy(topic))))
    /// });
    /// ```
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// use hookguard_dedup::Key;
    ///
    /// let secret = || Secret::new("key");
    /// let header = Signer::new(Provider::PeopleForce, secret()?)?.sign(b"{}");
    /// let verified = Verifier::new(Provider::PeopleForce, secret()?)?.verify(Some(&header), b"{}")?;
    /// // `sha256=` and the tag in hex: the key holds the tag's first 16 bytes.
    /// let key = Key::derive(&verified).unwrap();
    /// assert_eq!(key.as_str(), format!("peopleforce:sig:{}", &header[7..39]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn derive(verified: &Verified) -> Option<Key> {
        let provider = verified.provider();
        // An id the signature does not cover (GitHub's, Shopify's) could be changed by
        // whoever resends a captured delivery: only a signed id is a key.
        if let Some(id) = verified.signed_delivery_id() {
            return Some(Key(format!("{provider}:id:{id}").into()));
        }
        // The fingerprint's hex on the stack, then one string at its final size.
        let mut hex = [0_u8; 2 * FINGERPRINT_LEN];
        hex::encode_to_slice(verified.signature_fingerprint(), &mut hex).ok()?;
        let mut key = String::with_capacity(KEY_CAPACITY);
        write!(key, "{provider}:sig:").ok()?;
        key.push_str(std::str::from_utf8(&hex).ok()?);
        Some(Key(key.into()))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Read access to a request's headers, whatever the framework's header map.
///
/// Implemented for [`http::HeaderMap`], actix-web's header map (with the `actix` feature)
/// and slices of `(name, value)` pairs. Names compare without regard to ASCII case.
///
/// # Example
/// ```
/// use hookguard_dedup::Headers;
///
/// let headers: &[(&str, &str)] = &[("X-Event-Id", "e-1")];
/// assert_eq!(headers.value("x-event-id"), Some(&b"e-1"[..]));
/// assert_eq!(headers.value("x-other"), None);
/// ```
pub trait Headers {
    /// The first value of the header `name`.
    fn value(&self, name: &str) -> Option<&[u8]>;
}

impl Headers for http::HeaderMap {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(http::HeaderValue::as_bytes)
    }
}

impl Headers for &[(&str, &str)] {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_bytes())
    }
}

/// What a key function sees: the verification's result and the request's headers, not the
/// body (an event id that only the body carries, as Stripe's and Slack's, is for the
/// handler to record).
///
/// # Example
/// ```
/// use hookguard_dedup::{Dedup, Key, KeyContext};
///
/// // A sender that signs a fresh timestamp on every attempt and sends a stable event id
/// // in an `X-Event-Id` header: key on the header.
/// let dedup = Dedup::in_memory().with_key_fn(|request: &KeyContext<'_>| {
///     let id = std::str::from_utf8(request.headers().value("X-Event-Id")?).ok()?;
///     Some(Key::new(format!("{}:event:{id}", request.verified().provider())))
/// });
/// ```
#[derive(Clone, Copy)]
pub struct KeyContext<'a> {
    verified: &'a Verified,
    headers: &'a dyn Headers,
}

impl<'a> KeyContext<'a> {
    /// The context of one request.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// use hookguard_dedup::KeyContext;
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// let headers: &[(&str, &str)] = &[];
    /// let context = KeyContext::new(&verified, &headers);
    /// assert_eq!(context.verified(), &verified);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(verified: &'a Verified, headers: &'a dyn Headers) -> Self {
        KeyContext { verified, headers }
    }

    /// What the signature check reported: provider, key, delivery id, timestamp.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # use hookguard_dedup::KeyContext;
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// # let headers: &[(&str, &str)] = &[];
    /// let context = KeyContext::new(&verified, &headers);
    /// assert_eq!(context.verified().provider(), &Provider::Bindbee);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verified(&self) -> &'a Verified {
        self.verified
    }

    /// The request's headers.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # use hookguard_dedup::KeyContext;
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// let headers: &[(&str, &str)] = &[("X-Event-Id", "7")];
    /// let context = KeyContext::new(&verified, &headers);
    /// assert_eq!(context.headers().value("x-event-id"), Some(&b"7"[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn headers(&self) -> &'a dyn Headers {
        self.headers
    }
}

impl fmt::Debug for KeyContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyContext")
            .field("verified", self.verified)
            .finish_non_exhaustive()
    }
}

/// A user-supplied key function: `None` means "do not deduplicate this request".
pub(crate) type KeyFn = dyn Fn(&KeyContext<'_>) -> Option<Key> + Send + Sync;

#[cfg(test)]
mod tests {
    use hookguard_core::{Provider, Secret, Signer, Verifier};

    use super::*;

    fn bindbee(body: &[u8], secret: &str) -> (Verified, String) {
        let header = Signer::new(Provider::Bindbee, Secret::new(secret).unwrap())
            .unwrap()
            .sign(body);
        let verifier = Verifier::builder(Provider::Bindbee)
            .secret(Secret::new("one").unwrap())
            .secret(Secret::new("two").unwrap())
            .build()
            .unwrap();
        (verifier.verify(Some(&header), body).unwrap(), header)
    }

    #[test]
    fn same_body_same_key_other_body_or_secret_other_key() {
        let (first, header) = bindbee(b"{\"id\":1}", "one");
        let (again, _) = bindbee(b"{\"id\":1}", "one");
        let (other, _) = bindbee(b"{\"id\":2}", "one");
        let (rotated, _) = bindbee(b"{\"id\":1}", "two");
        let key = Key::derive(&first).unwrap();
        assert_eq!(key, Key::derive(&again).unwrap());
        assert_ne!(key, Key::derive(&other).unwrap());
        assert_ne!(key, Key::derive(&rotated).unwrap());
        assert_eq!(key.as_str().len(), "bindbee:sig:".len() + 32);
        assert!(!key.as_str().contains("one"));
        assert!(!key.as_str().contains(&header));
    }

    #[test]
    fn an_unsigned_delivery_id_is_not_the_key() {
        // GitHub signs the body alone: the same signed body resent under other ids, or
        // none, is one delivery.
        let secret = || Secret::new("gh").unwrap();
        let signature = Signer::new(Provider::GitHub, secret()).unwrap().sign(b"{}");
        let verifier = Verifier::new(Provider::GitHub, secret()).unwrap();
        let keys: Vec<Key> = [Some("d-1"), Some("d-2"), None]
            .into_iter()
            .map(|id| {
                let verified = verifier
                    .verify_request(
                        |name: &str| match (name, id) {
                            ("X-Hub-Signature-256", _) => vec![signature.clone()],
                            ("X-GitHub-Delivery", Some(id)) => vec![id.to_owned()],
                            _ => vec![],
                        },
                        b"{}",
                    )
                    .unwrap();
                assert_eq!(verified.delivery_id(), id);
                Key::derive(&verified).unwrap()
            })
            .collect();
        assert!(keys[0].as_str().starts_with("github:sig:"), "{keys:?}");
        assert!(keys.iter().all(|key| *key == keys[0]), "{keys:?}");
    }

    #[test]
    fn delivery_id_is_the_key_when_present() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let signer = Signer::new(Provider::Svix, Secret::new(secret).unwrap()).unwrap();
        let now = 1_764_460_800;
        let verifier = Verifier::builder(Provider::Svix)
            .secret(Secret::new(secret).unwrap())
            .clock(move || now)
            .build()
            .unwrap();
        let headers = signer.sign_headers("msg_1", now, b"{}");
        let verified = verifier
            .verify_request(
                |name: &str| -> Vec<String> {
                    let named = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
                    named.map(|(_, v)| v.clone()).collect()
                },
                b"{}",
            )
            .unwrap();
        assert_eq!(Key::derive(&verified).unwrap().as_str(), "svix:id:msg_1");
    }

    #[test]
    fn a_copy_keeps_its_key_however_its_signature_header_is_written() {
        // Stripe signs no delivery id; a resent copy may add signatures or blanks.
        let secret = || Secret::new("whsec_stripe").unwrap();
        let now = 1_764_460_800;
        let signer = Signer::new(Provider::Stripe, secret()).unwrap();
        let verifier = Verifier::builder(Provider::Stripe)
            .secret(secret())
            .clock(move || now)
            .build()
            .unwrap();
        let header = signer.sign_headers("", now, b"{}").remove(0).1;
        let v1 = header.split_once(",v1=").unwrap().1;
        let other = "0".repeat(64);
        let copies = [
            header.clone(),
            format!(" t={now}, v1={other},v1={v1} "),
            format!("t={now},v0={other},v1={v1},v1={other}"),
        ];
        let keys: Vec<Key> = copies
            .iter()
            .map(|copy| Key::derive(&verifier.verify(Some(copy), b"{}").unwrap()).unwrap())
            .collect();
        assert!(keys.iter().all(|key| *key == keys[0]), "{keys:?}");
        assert_eq!(keys[0].as_str(), format!("stripe:sig:{}", &v1[..32]));
    }
}
