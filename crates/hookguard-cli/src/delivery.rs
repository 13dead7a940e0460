//! What `sign` and `send` share: a scheme, one secret, a body, and the delivery's id and
//! timestamp, signed into the headers a sender adds.

use std::io::Write as _;
use std::time::SystemTime;

use clap::Args;
use hookguard_core::{Provider, Signer, MAX_DELIVERY_ID, MAX_TIMESTAMP_DIGITS};

use crate::options::{BodyArgs, ProviderArgs, SigningSecretArgs};
use crate::Failure;

/// The scheme, the secret, the body, and the id and timestamp of the delivery.
#[derive(Debug, Args)]
pub(crate) struct DeliveryArgs {
    /// The signature scheme.
    #[command(flatten)]
    provider: ProviderArgs,

    /// The secret.
    #[command(flatten)]
    secret: SigningSecretArgs,

    /// The body.
    #[command(flatten)]
    body: BodyArgs,

    /// The delivery id, for schemes that send one (github, shopify, standard-webhooks, svix);
    /// 1 to 256 visible ASCII characters. Default: a random one in the sender's style.
    #[arg(long, value_name = "ID")]
    id: Option<String>,

    /// The timestamp, for schemes that sign one (stripe, slack, standard-webhooks, svix,
    /// discord): 0 to 999999999999, as receivers accept. Default: now.
    #[arg(long, value_name = "UNIX_SECONDS", value_parser = unix_seconds)]
    timestamp: Option<u64>,
}

/// A `--timestamp` receivers accept: at most [`MAX_TIMESTAMP_DIGITS`] decimal digits (a
/// delivery signed with a longer one could never verify).
fn unix_seconds(text: &str) -> Result<u64, String> {
    text.parse::<u64>()
        .ok()
        .filter(|_| text.len() <= MAX_TIMESTAMP_DIGITS)
        .ok_or_else(|| {
            format!(
                "give Unix seconds from 0 to {} (at most {MAX_TIMESTAMP_DIGITS} decimal digits, \
                 as receivers accept)",
                "9".repeat(MAX_TIMESTAMP_DIGITS)
            )
        })
}

/// A body and the headers a sender adds to it.
#[derive(Debug)]
pub(crate) struct SignedDelivery {
    /// `(name, value)` pairs in the provider's documented spelling: the signature header
    /// first, then the timestamp and delivery id headers where the scheme has them.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, byte for byte as read.
    pub(crate) body: Vec<u8>,
    /// For Ed25519 schemes, the public key matching the private key that signed, as
    /// `verify` and the receiver take it.
    pub(crate) public_key: Option<String>,
}

impl SignedDelivery {
    /// Writes `public key for verify: KEY` to stderr for Ed25519 schemes (stdout keeps
    /// what the command prints).
    pub(crate) fn tell_public_key(&self) {
        if let Some(key) = &self.public_key {
            // Nothing sensible is left to do if stderr itself is gone.
            let _ = writeln!(std::io::stderr(), "public key for verify: {key}");
        }
    }
}

impl DeliveryArgs {
    /// Checks the id and timestamp against the scheme, loads the secret, reads the body and
    /// signs it.
    ///
    /// # Errors
    /// A usage failure for configuration errors (missing secret, bad custom header, an id
    /// or a timestamp the scheme does not use, an invalid id) and unreadable bodies.
    pub(crate) fn sign(&self) -> Result<SignedDelivery, Failure> {
        let provider = self.provider.provider()?;
        let id = self.delivery_id(&provider)?;
        let timestamp = self.timestamp(&provider)?;
        let signer = Signer::new(provider, self.secret.secret()?)?;
        let body = self.body.read()?;
        Ok(SignedDelivery {
            headers: signer.sign_headers(&id, timestamp, &body),
            body,
            public_key: signer.public_key(),
        })
    }

    /// The id given, a random one when the scheme sends one and none was given, or nothing.
    fn delivery_id(&self, provider: &Provider) -> Result<String, Failure> {
        match (&self.id, provider.delivery_id_header()) {
            (Some(id), Some(header)) => {
                // What a receiver accepts (hookguard refuses anything else).
                let valid = !id.is_empty()
                    && id.len() <= MAX_DELIVERY_ID
                    && id.bytes().all(|byte| byte.is_ascii_graphic());
                if valid {
                    Ok(id.clone())
                } else {
                    Err(Failure::usage(format_args!(
                        "invalid --id {id:?}: {header} holds 1 to {MAX_DELIVERY_ID} visible \
                         ASCII characters"
                    )))
                }
            }
            (Some(_), None) => Err(Failure::usage(format_args!(
                "{provider} sends no delivery id: drop --id"
            ))),
            (None, Some(_)) => random_id(provider),
            (None, None) => Ok(String::new()),
        }
    }

    /// The timestamp given, or now.
    fn timestamp(&self, provider: &Provider) -> Result<u64, Failure> {
        match self.timestamp {
            Some(_) if !provider.signs_timestamp() => Err(Failure::usage(format_args!(
                "{provider} signs no timestamp: drop --timestamp"
            ))),
            Some(timestamp) => Ok(timestamp),
            None => Ok(SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs())),
        }
    }
}

/// A fresh delivery id in the sender's style: `msg_` and 24 hex digits for Standard
/// Webhooks and Svix, a version 4 UUID for the others (GitHub, Shopify).
fn random_id(provider: &Provider) -> Result<String, Failure> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| {
        Failure::usage(format_args!(
            "cannot draw a random delivery id ({error}): give --id"
        ))
    })?;
    if matches!(provider, Provider::StandardWebhooks | Provider::Svix) {
        let (random, _) = bytes.split_at(12);
        return Ok(format!("msg_{}", hex::encode(random)));
    }
    // RFC 9562 version 4: the version nibble is 4, the variant bits are 10.
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let (time_low, rest) = bytes.split_at(4);
    let (time_mid, rest) = rest.split_at(2);
    let (time_high, rest) = rest.split_at(2);
    let (clock_seq, node) = rest.split_at(2);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        hex::encode(time_low),
        hex::encode(time_mid),
        hex::encode(time_high),
        hex::encode(clock_seq),
        hex::encode(node)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_take_each_senders_shape_and_differ() {
        let uuid = random_id(&Provider::GitHub).unwrap();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{uuid}");
        assert_eq!(uuid.as_bytes()[14], b'4', "version 4: {uuid}");
        assert!(
            matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "{uuid}"
        );
        let msg = random_id(&Provider::Svix).unwrap();
        assert!(msg.starts_with("msg_") && msg.len() == 28, "{msg}");
        assert!(msg[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{msg}");
        assert_ne!(random_id(&Provider::Svix).unwrap(), msg);
        assert_ne!(random_id(&Provider::Shopify).unwrap(), uuid);
    }
}
