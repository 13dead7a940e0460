//! A custom scheme's `signed_content` template read into the parts signed before the body.

use std::borrow::Cow;

use super::SchemeError;
use crate::scheme::Part;

/// The parts of `template` before its final `{body}`: `{id}`, `{timestamp}` and the text
/// between them, as is.
///
/// # Errors
/// [`SchemeError::UnknownPlaceholder`] for a `{` that does not open `{id}`, `{timestamp}`
/// or `{body}`, [`SchemeError::MissingBody`] without `{body}`, and
/// [`SchemeError::BodyNotLast`] when anything follows the first `{body}`.
pub(super) fn parse(template: &str) -> Result<Vec<Part>, SchemeError> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some((text, placeholder)) = rest.split_once('{') {
        push_literal(&mut parts, text);
        let Some((name, after)) = placeholder.split_once('}') else {
            return Err(SchemeError::UnknownPlaceholder {
                placeholder: format!("{{{placeholder}"),
            });
        };
        match name {
            "id" => parts.push(Part::Id),
            "timestamp" => parts.push(Part::Timestamp),
            "body" if after.is_empty() => return Ok(parts),
            "body" => return Err(SchemeError::BodyNotLast),
            _ => {
                return Err(SchemeError::UnknownPlaceholder {
                    placeholder: format!("{{{name}}}"),
                })
            }
        }
        rest = after;
    }
    Err(SchemeError::MissingBody)
}

/// Adds `text` to the signed content, joined to the literal before it.
fn push_literal(parts: &mut Vec<Part>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Part::Literal(last)) = parts.last_mut() {
        last.to_mut().push_str(text);
    } else {
        parts.push(Part::Literal(Cow::Owned(text.to_owned())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> Part {
        Part::Literal(Cow::Owned(text.to_owned()))
    }

    #[test]
    fn placeholders_and_text_become_parts() {
        assert_eq!(parse("{body}"), Ok(vec![]));
        assert_eq!(
            parse("v0:{timestamp}:{body}"),
            Ok(vec![literal("v0:"), Part::Timestamp, literal(":")])
        );
        assert_eq!(
            parse("{id}.{timestamp}.{body}"),
            Ok(vec![Part::Id, literal("."), Part::Timestamp, literal(".")])
        );
        assert_eq!(parse("a}b{body}"), Ok(vec![literal("a}b")]));
    }

    #[test]
    fn every_malformed_template_is_named() {
        assert_eq!(parse(""), Err(SchemeError::MissingBody));
        assert_eq!(parse("{id}.{timestamp}"), Err(SchemeError::MissingBody));
        assert_eq!(parse("{body}."), Err(SchemeError::BodyNotLast));
        assert_eq!(parse("{body}{body}"), Err(SchemeError::BodyNotLast));
        assert_eq!(
            parse("{ts}.{body}"),
            Err(SchemeError::UnknownPlaceholder {
                placeholder: "{ts}".to_owned()
            })
        );
        assert_eq!(
            parse("{timestamp.{body}"),
            Err(SchemeError::UnknownPlaceholder {
                placeholder: "{timestamp.{body}".to_owned()
            })
        );
        assert_eq!(
            parse("{Body}"),
            Err(SchemeError::UnknownPlaceholder {
                placeholder: "{Body}".to_owned()
            })
        );
    }
}
