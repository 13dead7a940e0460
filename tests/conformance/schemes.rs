//! The rows of each preset on its own route of `tests/support/servers.rs` (GitHub,
//! Shopify, Stripe, Slack, Standard Webhooks with HMAC and with Ed25519, Svix, Discord),
//! signed as the sender does with `Signer::sign_headers` and then edited: a valid delivery
//! under either key, a forged one, and each way the scheme's delivery id, timestamp or
//! signature list can be wrong. A scheme without one of these has no such row.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::case::{fixed, Row};
use crate::headers::Headers;
use crate::support::scheme_routes::{SchemeRoute, SCHEME_ROUTES};
use crate::support::servers::signer;

/// The body every row sends.
const BODY: &[u8] = br#"{"type":"employee.created","data":{"id":42}}"#;
/// The delivery id every row is signed with (ignored by schemes without one).
const ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
/// Twice the routes' 5-minute tolerance.
const SKEW: u64 = 600;

/// Whether and where a scheme carries a delivery id.
enum Id {
    None,
    /// This header, which a request may leave out.
    Optional(&'static str),
    /// This header, which every request must carry.
    Required(&'static str),
}

/// Where a scheme carries its timestamp.
enum Timestamp {
    None,
    Header(&'static str),
    /// The `t=` item of the signature header.
    InSignature,
}

/// How the signature header's value is written.
enum Syntax {
    /// `prefix` then the tag; `other` is another version's prefix, when the scheme has one.
    Single {
        prefix: &'static str,
        other: Option<&'static str>,
    },
    /// Space-separated `<version>,<base64>` items.
    List { version: &'static str },
    /// `t=<timestamp>,v1=<hex>`, further `v1=` items allowed.
    Pairs,
}

/// What the sender's documentation says of each route's scheme, written out here rather
/// than read from the provider, so that a preset drifting from it fails the table.
fn features(path: &str) -> Option<(Id, Timestamp, Syntax)> {
    let features = match path {
        "/github" => (
            Id::Optional("X-GitHub-Delivery"),
            Timestamp::None,
            Syntax::Single {
                prefix: "sha256=",
                other: Some("sha1="),
            },
        ),
        "/shopify" => (
            Id::Optional("X-Shopify-Webhook-Id"),
            Timestamp::None,
            Syntax::Single {
                prefix: "",
                other: None,
            },
        ),
        "/stripe" => (Id::None, Timestamp::InSignature, Syntax::Pairs),
        "/slack" => (
            Id::None,
            Timestamp::Header("X-Slack-Request-Timestamp"),
            Syntax::Single {
                prefix: "v0=",
                other: Some("v1="),
            },
        ),
        "/standard-webhooks" => (
            Id::Required("webhook-id"),
            Timestamp::Header("webhook-timestamp"),
            Syntax::List { version: "v1" },
        ),
        "/standard-webhooks-v1a" => (
            Id::Required("webhook-id"),
            Timestamp::Header("webhook-timestamp"),
            Syntax::List { version: "v1a" },
        ),
        "/svix" => (
            Id::Required("svix-id"),
            Timestamp::Header("svix-timestamp"),
            Syntax::List { version: "v1" },
        ),
        "/discord" => (
            Id::None,
            Timestamp::Header("X-Signature-Timestamp"),
            Syntax::Single {
                prefix: "",
                other: None,
            },
        ),
        _ => return None,
    };
    Some(features)
}

pub(crate) fn rows() -> Vec<Row> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    SCHEME_ROUTES
        .iter()
        .flat_map(|route| {
            let (id, timestamp, syntax) = features(route.path).unwrap();
            let sender = Sender {
                route,
                now,
                id,
                timestamp,
                syntax,
            };
            sender.rows()
        })
        .collect()
}

/// A sender for one route at the time `now`.
struct Sender<'a> {
    route: &'a SchemeRoute,
    now: u64,
    id: Id,
    timestamp: Timestamp,
    syntax: Syntax,
}

impl Sender<'_> {
    fn rows(&self) -> Vec<Row> {
        let mut rows = vec![
            self.accepted("valid", self.valid()),
            Row {
                handler_key: Some("#1"),
                ..self.accepted("rotated key", self.signed(self.route.signing()[1], ID))
            },
            self.refused("forged", self.signed(self.route.forged(), ID)),
        ];
        rows.extend(self.signature_rows());
        rows.extend(self.timestamp_rows());
        rows.extend(self.id_rows());
        rows
    }

    /// The headers the sender adds, signed with `secret` for `id` at `timestamp`: the
    /// signature header first.
    fn sign(&self, secret: &str, id: &str, timestamp: u64) -> Headers {
        signer(self.route.provider.clone(), secret).sign_headers(id, timestamp, BODY)
    }

    /// Signed with `secret` for `id`, now.
    fn signed(&self, secret: &str, id: &str) -> Headers {
        self.sign(secret, id, self.now)
    }

    /// A delivery signed with the current secret, now.
    fn valid(&self) -> Headers {
        self.signed(self.route.signing()[0], ID)
    }

    /// The signature header's value of [`Sender::valid`].
    fn valid_signature(&self) -> String {
        self.valid()[0].1.clone()
    }

    /// [`Sender::valid`] with the signature header's value replaced.
    fn with_signature(&self, value: String) -> Headers {
        let valid = self.valid();
        let name = valid[0].0.clone();
        with(valid, &name, Some(value))
    }

    /// A row the handler must receive under the current key, with [`ID`] when the scheme
    /// carries an id.
    fn accepted(&self, name: &str, headers: Headers) -> Row {
        let delivery_id = match self.id {
            Id::None => None,
            Id::Optional(_) | Id::Required(_) => Some(ID.to_owned()),
        };
        Row {
            status: 200,
            handler_key: Some("#0"),
            delivery_id,
            ..self.refused(name, headers)
        }
    }

    /// A row refused with 403, the handler never running.
    fn refused(&self, name: &str, headers: Headers) -> Row {
        Row {
            name: format!("{}: {name}", self.route.path.trim_start_matches('/')),
            path: self.route.path,
            body: fixed(BODY),
            headers,
            status: 403,
            handler_key: None,
            delivery_id: None,
        }
    }

    /// An empty signature only, another version only, and for lists several signatures
    /// with one valid.
    fn signature_rows(&self) -> Vec<Row> {
        let valid = self.valid_signature();
        let forged = self.signed(self.route.forged(), ID)[0].1.clone();
        let (several, empty, unknown) = match self.syntax {
            Syntax::Single { prefix, other } => (
                None,
                prefix.to_owned(),
                other.map(|other| valid.replacen(prefix, other, 1)),
            ),
            Syntax::List { version } => (
                Some(format!("{forged} v2,abc {valid}")),
                format!("{version},"),
                Some(valid.replacen(&format!("{version},"), "v2,", 1)),
            ),
            Syntax::Pairs => {
                let (t, tag) = valid.split_once(",v1=").unwrap();
                let (_, forged_tag) = forged.split_once(",v1=").unwrap();
                (
                    Some(format!("{t},v1={forged_tag},v1={tag}")),
                    format!("{t},v1="),
                    Some(format!("{t},v0={tag}")),
                )
            }
        };
        let mut rows = vec![self.refused("empty signature only", self.with_signature(empty))];
        rows.extend(
            unknown.map(|value| self.refused("unknown version only", self.with_signature(value))),
        );
        rows.extend(several.map(|value| {
            self.accepted("several signatures, one valid", self.with_signature(value))
        }));
        rows
    }

    /// Stale, from the future, missing, and another than the one signed.
    fn timestamp_rows(&self) -> Vec<Row> {
        let later = self.now + 1;
        let (missing, changed) = match self.timestamp {
            Timestamp::None => return vec![],
            Timestamp::Header(name) => (
                with(self.valid(), name, None),
                with(self.valid(), name, Some(later.to_string())),
            ),
            Timestamp::InSignature => {
                let valid = self.valid_signature();
                let (_, tag) = valid.split_once(",v1=").unwrap();
                (
                    self.with_signature(format!("v1={tag}")),
                    self.with_signature(format!("t={later},v1={tag}")),
                )
            }
        };
        let current = self.route.signing()[0];
        vec![
            self.refused("stale timestamp", self.sign(current, ID, self.now - SKEW)),
            self.refused(
                "timestamp from the future",
                self.sign(current, ID, self.now + SKEW),
            ),
            self.refused("missing timestamp", missing),
            self.refused("another timestamp than signed", changed),
        ]
    }

    /// Missing, malformed, at the length limit, and (where it is signed) changed.
    fn id_rows(&self) -> Vec<Row> {
        let (name, required) = match self.id {
            Id::None => return vec![],
            Id::Optional(name) => (name, false),
            Id::Required(name) => (name, true),
        };
        let current = self.route.signing()[0];
        let longest = "m".repeat(256);
        let missing = with(self.valid(), name, None);
        let mut rows = vec![
            if required {
                self.refused("missing delivery id", missing)
            } else {
                Row {
                    delivery_id: None,
                    ..self.accepted("missing delivery id", missing)
                }
            },
            self.refused("id with a space", self.signed(current, "msg 1")),
            self.refused(
                "id of 257 characters",
                self.signed(current, &"m".repeat(257)),
            ),
            Row {
                delivery_id: Some(longest.clone()),
                ..self.accepted("id of 256 characters", self.signed(current, &longest))
            },
        ];
        if required {
            let changed = with(self.valid(), name, Some("msg_other".into()));
            rows.push(self.refused("another id than signed", changed));
        }
        rows
    }
}

/// `headers` with the header `name` (any case) set to `value`, or removed when `None`.
fn with(mut headers: Headers, name: &str, value: Option<String>) -> Headers {
    headers.retain(|(header, _)| !header.eq_ignore_ascii_case(name));
    headers.extend(value.map(|value| (name.to_owned(), value)));
    headers
}
