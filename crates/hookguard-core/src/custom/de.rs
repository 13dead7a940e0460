//! The `serde` forms of a custom scheme's fields that are not plain data: the encoding by
//! name, and the syntax as a table whose `kind` says which other keys it takes.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::Deserialize;

use super::SignatureSyntax;
use crate::encoding::Encoding;

/// An [`Encoding`] by the name its `FromStr` takes (`hex`, `base64`, ...).
pub(super) fn encoding_by_name<'de, D: serde::Deserializer<'de>>(
    input: D,
) -> Result<Encoding, D::Error> {
    let name = String::deserialize(input)?;
    name.parse().map_err(serde::de::Error::custom)
}

/// The kinds of [`SignatureSyntax`], as written.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Single,
    VersionedList,
    KeyValue,
}

/// A `syntax` table as written: its kind and every key any kind takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    kind: Kind,
    version: Option<String>,
    timestamp_key: Option<String>,
    signature_key: Option<String>,
}

/// A `syntax` table; a bare name instead of a table is refused with the table to write.
#[derive(Debug)]
pub(super) struct SyntaxFields(Table);

impl<'de> Deserialize<'de> for SyntaxFields {
    fn deserialize<D: serde::Deserializer<'de>>(input: D) -> Result<Self, D::Error> {
        struct TableVisitor;
        impl<'de> Visitor<'de> for TableVisitor {
            type Value = SyntaxFields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a table such as { kind = "single" }"#)
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<SyntaxFields, E> {
                Err(E::custom(format!(
                    r#"syntax is a table: write syntax = {{ kind = "{name}" }} with the keys its kind takes"#
                )))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SyntaxFields, A::Error> {
                Table::deserialize(de::value::MapAccessDeserializer::new(map)).map(SyntaxFields)
            }
        }
        input.deserialize_any(TableVisitor)
    }
}

impl TryFrom<SyntaxFields> for SignatureSyntax {
    type Error = String;

    /// The syntax, when the table holds exactly the keys its kind takes.
    fn try_from(SyntaxFields(fields): SyntaxFields) -> Result<Self, Self::Error> {
        match fields {
            Table {
                kind: Kind::Single,
                version: None,
                timestamp_key: None,
                signature_key: None,
            } => Ok(SignatureSyntax::Single),
            Table {
                kind: Kind::VersionedList,
                version: Some(version),
                timestamp_key: None,
                signature_key: None,
            } => Ok(SignatureSyntax::VersionedList { version }),
            Table {
                kind: Kind::KeyValue,
                version: None,
                timestamp_key: Some(timestamp_key),
                signature_key: Some(signature_key),
            } => Ok(SignatureSyntax::KeyValue {
                timestamp_key,
                signature_key,
            }),
            Table { kind, .. } => Err(format!(
                "syntax: kind {:?} takes {}",
                match kind {
                    Kind::Single => "single",
                    Kind::VersionedList => "versioned-list",
                    Kind::KeyValue => "key-value",
                },
                match kind {
                    Kind::Single => "no other key",
                    Kind::VersionedList => "`version` and no other key",
                    Kind::KeyValue => "`timestamp_key` and `signature_key` and no other key",
                }
            )),
        }
    }
}
