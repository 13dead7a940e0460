//! The checks of a [`CustomScheme`] beyond its signature header and prefix (which
//! `Provider::validate` checks for every custom provider).

use super::{template, CustomScheme, SchemeError, SignatureSyntax};
use crate::error::ConfigError;
use crate::scheme::{is_header_name_byte, Part};

impl CustomScheme {
    /// Checks the headers, the syntax, the signed content and how they fit together.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        self.check().map_err(ConfigError::InvalidScheme)
    }

    fn check(&self) -> Result<(), SchemeError> {
        for (field, name) in [
            ("id_header", &self.id_header),
            ("timestamp_header", &self.timestamp_header),
        ] {
            match name {
                Some(name) if name.is_empty() || !name.bytes().all(is_header_name_byte) => {
                    return Err(SchemeError::InvalidHeaderName {
                        field,
                        name: name.clone(),
                    });
                }
                _ => {}
            }
        }
        let carries_timestamp = match &self.syntax {
            SignatureSyntax::Single => false,
            SignatureSyntax::VersionedList { version } => {
                token("syntax.version", version, b",")?;
                false
            }
            SignatureSyntax::KeyValue {
                timestamp_key,
                signature_key,
            } => {
                token("syntax.timestamp_key", timestamp_key, b",=")?;
                token("syntax.signature_key", signature_key, b",=")?;
                if timestamp_key == signature_key {
                    return Err(SchemeError::InvalidSyntaxToken {
                        field: "syntax.signature_key",
                        value: signature_key.clone(),
                    });
                }
                true
            }
        };
        if !self.prefix.is_empty() && self.syntax != SignatureSyntax::Single {
            return Err(SchemeError::PrefixWithList);
        }
        let parts = template::parse(&self.signed_content)?;
        if parts.contains(&Part::Id) {
            match (&self.id_header, self.id_required) {
                (None, _) => return Err(SchemeError::MissingIdHeader),
                (Some(_), Some(false)) => return Err(SchemeError::SignedIdOptional),
                _ => {}
            }
        }
        if self.id_header.is_none() && self.id_required.is_some() {
            return Err(SchemeError::IdRequiredWithoutHeader);
        }
        if carries_timestamp && self.timestamp_header.is_some() {
            return Err(SchemeError::TimestampTwice);
        }
        let has_timestamp = carries_timestamp || self.timestamp_header.is_some();
        match (parts.contains(&Part::Timestamp), has_timestamp) {
            (true, false) => Err(SchemeError::MissingTimestamp),
            (false, true) => Err(SchemeError::UnsignedTimestamp),
            (false, false) if self.tolerance_seconds.is_some() => {
                Err(SchemeError::ToleranceWithoutTimestamp)
            }
            _ => Ok(()),
        }
    }
}

/// A version or key of a list syntax: printable ASCII, without blanks or `separators`.
fn token(field: &'static str, value: &str, separators: &[u8]) -> Result<(), SchemeError> {
    let valid = !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && !separators.contains(&byte));
    if valid {
        Ok(())
    } else {
        Err(SchemeError::InvalidSyntaxToken {
            field,
            value: value.to_owned(),
        })
    }
}
