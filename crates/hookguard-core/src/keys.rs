//! The key a [`Verifier`](crate::Verifier) checks with and a [`Signer`](crate::Signer)
//! signs with, read from a [`Secret`] in the form its scheme gives it: an HMAC-SHA256 key
//! (keyed once, cloned per message), or an Ed25519 key (`ed25519-dalek`).
//!
//! # Security
//! An Ed25519 public key of small order (a "weak" key, for which one signature fits many
//! messages) is refused when the verifier is built. The private key seed and the keyed MAC
//! states are wiped on drop.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::KeyInit as _;
use zeroize::Zeroizing;

use crate::error::ConfigError;
use crate::provider::Provider;
use crate::scheme::SecretForm;
use crate::secret::Secret;
use crate::verifier::HmacSha256;

/// The length in bytes of an Ed25519 public key or private key seed (RFC 8032, 5.1.5).
const ED25519_KEY_LEN: usize = 32;

/// A key that checks signatures.
pub(crate) enum VerifyingKey {
    Hmac(HmacSha256),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A key that makes signatures.
pub(crate) enum SigningKey {
    Hmac(HmacSha256),
    Ed25519(ed25519_dalek::SigningKey),
}

impl SigningKey {
    /// The public key that checks this key's signatures, written as a verifier of `form`
    /// reads it (`whpk_` and standard base64, or Discord's hex); `None` for an HMAC key,
    /// which both sides share.
    pub(crate) fn public_key(&self, form: SecretForm) -> Option<String> {
        let SigningKey::Ed25519(key) = self else {
            return None;
        };
        let public = key.verifying_key();
        Some(match form {
            SecretForm::Ed25519Hex => hex::encode(public.as_bytes()),
            SecretForm::Raw | SecretForm::Whsec => {
                format!("whpk_{}", STANDARD.encode(public.as_bytes()))
            }
        })
    }
}

/// What a secret is, in a scheme's secret form.
enum Material {
    Hmac(Zeroizing<Vec<u8>>),
    Ed25519Public(Zeroizing<Vec<u8>>),
    Ed25519Private(Zeroizing<Vec<u8>>),
}

/// The verifying key `secret` gives under `provider`'s scheme.
///
/// # Errors
/// [`ConfigError::InvalidWhsecSecret`] for a `whsec_` secret (or one without the prefix) that is not base64;
/// [`ConfigError::InvalidEd25519Key`] for a public key that is not 32 bytes, not a point
/// of the curve or of small order, and for a private key (a receiver needs the public one).
pub(crate) fn verifying_key(
    provider: &Provider,
    secret: &Secret,
) -> Result<VerifyingKey, ConfigError> {
    match material(provider.spec().secret, secret.expose(), true)? {
        Material::Hmac(key) => hmac(&key).map(VerifyingKey::Hmac),
        Material::Ed25519Public(bytes) => {
            let key =
                ed25519_dalek::VerifyingKey::from_bytes(&*key_bytes(&bytes)?).map_err(|_| {
                    ConfigError::InvalidEd25519Key {
                        reason: "the public key is not a point of the curve: copy it exactly as \
                             the sender shows it",
                    }
                })?;
            if key.is_weak() {
                return Err(ConfigError::InvalidEd25519Key {
                    reason: "the public key has small order, so one signature would fit \
                             many messages: it cannot be the sender's key",
                });
            }
            Ok(VerifyingKey::Ed25519(key))
        }
        Material::Ed25519Private(_) => Err(ConfigError::InvalidEd25519Key {
            reason: "this is a private key: configure the sender's public key \
                     (`whpk_...`) instead",
        }),
    }
}

/// The signing key `secret` gives under `provider`'s scheme.
///
/// # Errors
/// As [`verifying_key`], and [`ConfigError::InvalidEd25519Key`] for a public key (it
/// cannot sign).
pub(crate) fn signing_key(provider: &Provider, secret: &Secret) -> Result<SigningKey, ConfigError> {
    match material(provider.spec().secret, secret.expose(), false)? {
        Material::Hmac(key) => hmac(&key).map(SigningKey::Hmac),
        Material::Ed25519Private(seed) => Ok(SigningKey::Ed25519(
            ed25519_dalek::SigningKey::from_bytes(&*key_bytes(&seed)?),
        )),
        Material::Ed25519Public(_) => Err(ConfigError::InvalidEd25519Key {
            reason: "a public key cannot sign: give the private key (`whsk_...`, or the \
                     32-byte seed in hex)",
        }),
    }
}

/// Reads `text` in `form`. Discord's hex key is a public key to a verifier (`public`) and
/// a private key seed to a signer.
fn material(form: SecretForm, text: &[u8], public: bool) -> Result<Material, ConfigError> {
    let base64 = |encoded: &[u8], invalid: ConfigError| {
        STANDARD
            .decode(encoded)
            .map(Zeroizing::new)
            .map_err(|_| invalid)
    };
    let ed25519 = || ConfigError::InvalidEd25519Key {
        reason: "the key is not standard base64: copy it exactly as the sender shows it",
    };
    Ok(match form {
        SecretForm::Raw => Material::Hmac(Zeroizing::new(text.to_vec())),
        SecretForm::Whsec => {
            if let Some(encoded) = text.strip_prefix(b"whpk_") {
                Material::Ed25519Public(base64(encoded, ed25519())?)
            } else if let Some(encoded) = text.strip_prefix(b"whsk_") {
                Material::Ed25519Private(base64(encoded, ed25519())?)
            } else {
                let encoded = text.strip_prefix(b"whsec_").unwrap_or(text);
                let key = base64(encoded, ConfigError::InvalidWhsecSecret)?;
                // An empty key (a bare `whsec_`) would make every signature forgeable.
                if key.is_empty() {
                    return Err(ConfigError::InvalidWhsecSecret);
                }
                Material::Hmac(key)
            }
        }
        SecretForm::Ed25519Hex => {
            let bytes = hex::decode(text).map(Zeroizing::new).map_err(|_| {
                ConfigError::InvalidEd25519Key {
                    reason: "the key is not hex: copy the application's public key exactly \
                             as the sender shows it",
                }
            })?;
            if public {
                Material::Ed25519Public(bytes)
            } else {
                Material::Ed25519Private(bytes)
            }
        }
    })
}

/// The 32 bytes of an Ed25519 key.
fn key_bytes(bytes: &[u8]) -> Result<Zeroizing<[u8; ED25519_KEY_LEN]>, ConfigError> {
    <[u8; ED25519_KEY_LEN]>::try_from(bytes)
        .map(Zeroizing::new)
        .map_err(|_| ConfigError::InvalidEd25519Key {
            reason: "an Ed25519 key is 32 bytes (64 hex digits, 44 base64 characters)",
        })
}

/// HMAC-SHA256 keyed with `key`, ready to clone per message.
fn hmac(key: &[u8]) -> Result<HmacSha256, ConfigError> {
    HmacSha256::new_from_slice(key).map_err(|_| ConfigError::EmptySecret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Signer, Verifier};

    fn secret(text: &str) -> Secret {
        Secret::new(text).unwrap()
    }

    fn refusal(provider: &Provider, key: &str) -> ConfigError {
        Verifier::new(provider.clone(), secret(key)).unwrap_err()
    }

    #[test]
    fn unusable_public_keys_are_refused_at_build_time() {
        let identity = format!("01{}", "00".repeat(31));
        for (provider, key, says) in [
            (Provider::Discord, identity.clone(), "small order"),
            (Provider::Discord, "zz".repeat(32), "not hex"),
            (Provider::Discord, "ab".repeat(31), "32 bytes"),
            (
                Provider::StandardWebhooks,
                "whpk_AQ==".to_owned(),
                "32 bytes",
            ),
            (
                Provider::StandardWebhooks,
                "whpk_!!".to_owned(),
                "not standard base64",
            ),
            (
                Provider::StandardWebhooks,
                format!("whsk_{}", "A".repeat(43) + "="),
                "private key",
            ),
        ] {
            let err = refusal(&provider, &key);
            assert!(
                matches!(err, ConfigError::InvalidEd25519Key { .. }),
                "{provider} {key}: {err:?}"
            );
            assert!(err.to_string().contains(says), "{provider} {key}: {err}");
        }
    }

    #[test]
    fn a_whsec_secret_without_a_key_is_refused() {
        for provider in [Provider::StandardWebhooks, Provider::Svix] {
            for bare in ["whsec_", "whsec_=="] {
                assert!(
                    matches!(refusal(&provider, bare), ConfigError::InvalidWhsecSecret),
                    "{provider} {bare}"
                );
                assert!(matches!(
                    Signer::new(provider.clone(), secret(bare)),
                    Err(ConfigError::InvalidWhsecSecret)
                ));
            }
        }
    }

    #[test]
    fn a_signer_gives_the_public_key_its_verifier_reads() {
        // RFC 8032, section 7.1, test 1.
        let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        let public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let discord = Signer::new(Provider::Discord, secret(seed)).unwrap();
        assert_eq!(discord.public_key().as_deref(), Some(public));
        let whsk = format!("whsk_{}", STANDARD.encode(hex::decode(seed).unwrap()));
        let whpk = format!("whpk_{}", STANDARD.encode(hex::decode(public).unwrap()));
        let standard = Signer::new(Provider::StandardWebhooks, secret(&whsk)).unwrap();
        assert_eq!(standard.public_key(), Some(whpk));
        let hmac = Signer::new(Provider::StandardWebhooks, secret("whsec_AAAA")).unwrap();
        assert_eq!(hmac.public_key(), None);
        assert_eq!(
            Signer::new(Provider::GitHub, secret("s"))
                .unwrap()
                .public_key(),
            None
        );
    }

    #[test]
    fn a_public_key_cannot_sign() {
        let seed = [7_u8; 32];
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        let whpk = format!("whpk_{}", STANDARD.encode(public.as_bytes()));
        let err = Signer::new(Provider::StandardWebhooks, secret(&whpk));
        assert!(matches!(
            err,
            Err(ConfigError::InvalidEd25519Key { reason }) if reason.contains("cannot sign")
        ));
    }

    #[test]
    fn hmac_and_ed25519_keys_mix_in_one_verifier_and_report_their_index() {
        let seed = [9_u8; 32];
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        let whpk = format!("whpk_{}", STANDARD.encode(public.as_bytes()));
        let whsk = format!("whsk_{}", STANDARD.encode(seed));
        let whsec = format!("whsec_{}", STANDARD.encode([3_u8; 24]));
        let verifier = Verifier::builder(Provider::StandardWebhooks)
            .secret(secret(&whsec))
            .secret(secret(&whpk))
            .clock(|| 1_700_000_000)
            .build()
            .unwrap();
        for (signing, index) in [(whsec, 0), (whsk, 1)] {
            let headers = Signer::new(Provider::StandardWebhooks, secret(&signing))
                .unwrap()
                .sign_headers("msg_1", 1_700_000_000, b"{}");
            let header = |name: &str| crate::test_headers::values_of(&headers, name);
            let verified = verifier.verify_request(header, b"{}").unwrap();
            assert_eq!(verified.key().index(), index);
            let forged = verifier.verify_request(header, b"{ }");
            assert_eq!(forged.unwrap_err(), crate::Rejection::Mismatch);
        }
    }
}
