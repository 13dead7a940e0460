//! Shared input decoding for the hookguard fuzz targets.
//!
//! Inputs are plain byte layouts (not `arbitrary`) so `seeds.py` can write seed corpora
//! straight from `tests/vectors/vectors.tsv`:
//!
//! | target | layout |
//! |---|---|
//! | `parse_header` | `[config] ++ header value` |
//! | `verify` | `[config, keys, len_lo, len_hi] ++ header[..len] ++ body` |
//! | `incremental_verify` | `[config, keys, mode, cuts] ++ cuts * u16le ++ body` |
//! | `scheme_headers` | `[config] ++ signature ++ b"\n" ++ delivery id ++ b"\n" ++ timestamp` |
//!
//! `config`: low 7 bits pick a provider from [`providers`] (modulo its length); the high
//! bit means "send the value twice" for `parse_header` and `require_utf8(false)` otherwise.
//! `keys`: start index into [`secrets`] and how many (1..=3) the verifier accepts.
//!
//! `scheme_headers` reads its `config` byte as [`SchemeInput`] describes.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hookguard_core::{Encoding, Provider, Secret, Signer, Verifier};

/// The vectors file the secrets are read from, so seeds and targets agree on their order.
const VECTORS: &str = include_str!("../../tests/vectors/vectors.tsv");

/// Every encoding a custom provider can use.
pub const ENCODINGS: [Encoding; 5] = [
    Encoding::Hex,
    Encoding::Base64 { padded: true },
    Encoding::Base64 { padded: false },
    Encoding::Base64Url { padded: true },
    Encoding::Base64Url { padded: false },
];

/// Prefixes tried with every encoding.
pub const PREFIXES: [&str; 4] = ["", "sha256=", "v1=", "t=1,v1="];

/// The presets, then every encoding x prefix as a custom provider (22 in all).
pub fn providers() -> Vec<Provider> {
    let mut all = vec![Provider::PeopleForce, Provider::Bindbee];
    for encoding in ENCODINGS {
        for prefix in PREFIXES {
            all.push(Provider::custom("X-Fuzz-Signature", encoding).with_prefix(prefix));
        }
    }
    all
}

/// The provider a config byte selects.
pub fn provider(config: u8) -> Provider {
    let all = providers();
    let index = usize::from(config & 0x7f) % all.len();
    all[index].clone()
}

/// The distinct secrets of `vectors.tsv`, in order of first appearance.
pub fn secrets() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for line in VECTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let secret = hex::decode(line.split('\t').nth(2).expect("secret column")).expect("hex");
        if !out.contains(&secret) {
            out.push(secret);
        }
    }
    out
}

/// The secrets a key byte selects (1 to 3, rotating through [`secrets`]).
pub fn key_set(keys: u8) -> Vec<Vec<u8>> {
    let all = secrets();
    let start = usize::from(keys) % all.len();
    let count = 1 + (usize::from(keys) / all.len()) % 3;
    (0..count)
        .map(|i| all[(start + i) % all.len()].clone())
        .collect()
}

/// A verifier for `provider` accepting `keys` in order.
pub fn verifier(provider: &Provider, keys: &[Vec<u8>], require_utf8: bool) -> Verifier {
    let mut builder = Verifier::builder(provider.clone()).require_utf8(require_utf8);
    for key in keys {
        builder = builder.secret(Secret::new(key.clone()).expect("non-empty secret"));
    }
    builder.build().expect("valid provider")
}

/// A signer for `provider` with `key`.
pub fn signer(provider: &Provider, key: &[u8]) -> Signer {
    Signer::new(
        provider.clone(),
        Secret::new(key.to_vec()).expect("non-empty"),
    )
    .expect("valid")
}

/// The canonical header text for `tag`, written with the `hex`/`base64` crates directly
/// (independently of hookguard's own encoder).
pub fn canonical(provider: &Provider, tag: &[u8; 32]) -> String {
    let encoded = match provider.encoding() {
        Encoding::Hex => hex::encode(tag),
        Encoding::Base64 { padded: true } => STANDARD.encode(tag),
        Encoding::Base64 { padded: false } => STANDARD_NO_PAD.encode(tag),
        Encoding::Base64Url { padded: true } => URL_SAFE.encode(tag),
        Encoding::Base64Url { padded: false } => URL_SAFE_NO_PAD.encode(tag),
        other => panic!("fuzz table misses encoding {other:?}"),
    };
    format!("{}{encoded}", provider.prefix())
}

/// Whether `value` (as sent) is the canonical text: surrounding blanks aside, exactly the
/// canonical text, except that hex digits may be in either case.
pub fn is_canonical_form(provider: &Provider, value: &[u8], canonical: &str) -> bool {
    let value = value.trim_ascii();
    match provider.encoding() {
        Encoding::Hex => {
            let prefix = provider.prefix().as_bytes();
            value.len() == canonical.len()
                && value.starts_with(prefix)
                && value[prefix.len()..].eq_ignore_ascii_case(&canonical.as_bytes()[prefix.len()..])
        }
        _ => value == canonical.as_bytes(),
    }
}

/// Splits off the first `n` bytes (fewer if the input is short).
pub fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (head, tail) = data.split_at(n.min(data.len()));
    *data = tail;
    head
}

/// The time the `scheme_headers` verifiers' clock reads (Unix seconds).
pub const NOW: u64 = 1_764_460_800;

/// Where a scheme carries its timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// It has none.
    None,
    /// A header of its own.
    Header,
    /// The `t=` item of the signature header.
    InSignature,
}

/// A preset with a delivery id or a timestamp, its keys, and what its sender's
/// documentation says of its headers (written out, not read from the provider).
#[derive(Clone, Debug)]
pub struct Scheme {
    pub provider: Provider,
    /// The key the receiver verifies with: the shared secret, or an Ed25519 public key.
    pub secret: String,
    /// The key the sender signs with: the shared secret, or an Ed25519 private key.
    pub signing: String,
    /// `Some(required)` when the scheme has a delivery id header.
    pub id: Option<bool>,
    pub stamp: Stamp,
}

/// GitHub, Shopify, Stripe, Slack, Standard Webhooks and Svix, the last two with a
/// `whsec_` secret (base64 of 32 bytes); Standard Webhooks with an Ed25519 key pair
/// (`v1a`), and Discord (the key pairs of `tests/vectors/schemes.tsv`).
pub fn schemes() -> Vec<Scheme> {
    let whsec = format!("whsec_{}", STANDARD.encode([0x5a; 32]));
    let pair = |provider, (secret, signing): (&str, &str), id, stamp| Scheme {
        provider,
        secret: secret.to_owned(),
        signing: signing.to_owned(),
        id,
        stamp,
    };
    let scheme = |provider, secret: &str, id, stamp| pair(provider, (secret, secret), id, stamp);
    vec![
        scheme(Provider::GitHub, "fuzz-secret", Some(false), Stamp::None),
        scheme(Provider::Shopify, "fuzz-secret", Some(false), Stamp::None),
        scheme(Provider::Stripe, "whsec_fuzz", None, Stamp::InSignature),
        scheme(Provider::Slack, "fuzz-secret", None, Stamp::Header),
        scheme(
            Provider::StandardWebhooks,
            &whsec,
            Some(true),
            Stamp::Header,
        ),
        scheme(Provider::Svix, &whsec, Some(true), Stamp::Header),
        pair(
            Provider::StandardWebhooks,
            (
                "whpk_9KBjAEBPTHm2jooFqLs4SEGwGiKTWoDjd76k/2clxvI=",
                "whsk_L2YyZJgfehl7nuG/tFAnyLLpDTgVKMahlC2raNhwF2g=",
            ),
            Some(true),
            Stamp::Header,
        ),
        pair(
            Provider::Discord,
            (
                "cc77844ad2b11eada8608f7e857ec6dd53cda26b332adecf9c6c497674675cdc",
                "3aa2504d707eb91a3ce867b22319e47bfe983b5ea6bbed6d288e949cdc97e33e",
            ),
            None,
            Stamp::Header,
        ),
    ]
}

impl Scheme {
    /// A verifier with this scheme's secret and a clock that reads [`NOW`].
    pub fn verifier(&self) -> Verifier {
        Verifier::builder(self.provider.clone())
            .secret(Secret::new(self.secret.clone()).expect("non-empty secret"))
            .clock(|| NOW)
            .build()
            .expect("valid preset")
    }

    /// A signer with this scheme's signing key.
    pub fn signer(&self) -> Signer {
        signer(&self.provider, self.signing.as_bytes())
    }
}

/// A `scheme_headers` input: the `config` byte's low three bits pick a scheme from
/// [`schemes`] (modulo its length); `0x08`, `0x10` and `0x20` leave out the delivery id, the
/// timestamp and the signature header; `0x40` replaces the signature with the one the sender
/// writes for the input's id and timestamp (the timestamp's digits, else [`NOW`]).
#[derive(Clone, Copy, Debug)]
pub struct SchemeInput<'a> {
    pub config: u8,
    pub signature: &'a [u8],
    pub id: &'a [u8],
    pub timestamp: &'a [u8],
}

impl<'a> SchemeInput<'a> {
    /// Splits `data` as the layout in the crate docs says; `None` when it is empty.
    pub fn parse(data: &'a [u8]) -> Option<SchemeInput<'a>> {
        let (&config, rest) = data.split_first()?;
        let mut parts = rest.splitn(3, |byte| *byte == b'\n');
        Some(SchemeInput {
            config,
            signature: parts.next().unwrap_or_default(),
            id: parts.next().unwrap_or_default(),
            timestamp: parts.next().unwrap_or_default(),
        })
    }

    /// The index into [`schemes`].
    pub fn scheme(&self, count: usize) -> usize {
        usize::from(self.config & 0x07) % count
    }

    pub fn id_absent(&self) -> bool {
        self.config & 0x08 != 0
    }

    pub fn timestamp_absent(&self) -> bool {
        self.config & 0x10 != 0
    }

    pub fn signature_absent(&self) -> bool {
        self.config & 0x20 != 0
    }

    pub fn signed_by_sender(&self) -> bool {
        self.config & 0x40 != 0
    }
}
