//! [`DeliveryId`]: a request's delivery id as a [`Signature`](crate::Signature) and then a
//! [`Verified`](crate::Verified) hold it: inline when of a usual length (a UUID, Svix's
//! `msg_` ids), so reading one costs no allocation; shared otherwise.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use arrayvec::ArrayString;

/// The longest id kept inline, in bytes: room for a UUID (36) and Svix's ids (31).
const INLINE: usize = 48;

/// A delivery id: inline up to [`INLINE`] bytes, shared beyond. It compares, hashes and
/// shows as its text, whichever the form.
#[derive(Clone)]
pub(crate) enum DeliveryId {
    Inline(ArrayString<INLINE>),
    Shared(Arc<str>),
}

impl From<&str> for DeliveryId {
    fn from(id: &str) -> DeliveryId {
        ArrayString::from(id).map_or_else(|_| DeliveryId::Shared(Arc::from(id)), DeliveryId::Inline)
    }
}

impl Deref for DeliveryId {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            DeliveryId::Inline(id) => id,
            DeliveryId::Shared(id) => id,
        }
    }
}

impl PartialEq for DeliveryId {
    fn eq(&self, other: &DeliveryId) -> bool {
        **self == **other
    }
}

impl Eq for DeliveryId {}

impl Hash for DeliveryId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl fmt::Debug for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_inline_long_ones_shared_and_both_read_back() {
        let uuid = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
        let long = "x".repeat(INLINE + 1);
        assert!(matches!(DeliveryId::from(uuid), DeliveryId::Inline(_)));
        assert!(matches!(
            DeliveryId::from(&*"y".repeat(INLINE)),
            DeliveryId::Inline(_)
        ));
        assert!(matches!(
            DeliveryId::from(long.as_str()),
            DeliveryId::Shared(_)
        ));
        assert_eq!(&*DeliveryId::from(uuid), uuid);
        assert_eq!(&*DeliveryId::from(long.as_str()), long);
        assert_eq!(format!("{:?}", DeliveryId::from(uuid)), format!("{uuid:?}"));
        assert_eq!(
            format!("{:?}", DeliveryId::from(long.as_str())),
            format!("{long:?}")
        );
    }
}
