//! What a row of the table is, and the bodies the rows send.

use crate::headers::Headers;
use crate::support::http::Body;

pub(crate) const SEED: &[u8] = include_bytes!("../vectors/employee_create.json");
pub(crate) const MIB: usize = 1024 * 1024;
/// `{"action":"employee_create","id":1}`, the JSON [`GZIPPED`] holds.
pub(crate) const JSON: &[u8] = br#"{"action":"employee_create","id":1}"#;
/// [`JSON`] compressed with gzip (Python's `gzip.compress(JSON, mtime=0)`).
pub(crate) const GZIPPED: &[u8] =
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x4a\x4c\x2e\xc9\
    \xcc\xcf\x53\xb2\x52\x4a\xcd\x2d\xc8\xc9\xaf\x4c\x4d\x8d\x4f\x2e\
    \x4a\x4d\x2c\x49\x55\xd2\x51\xca\x4c\x51\xb2\x32\xac\x05\x00\x09\
    \x9a\x10\xab\x23\x00\x00\x00";
/// A JSON body that is not UTF-8.
pub(crate) const NON_UTF8: &[u8] = b"{\"name\":\"\xff\xfe\"}";

/// One row: what is sent and what must happen.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) path: &'static str,
    pub(crate) body: Body,
    pub(crate) headers: fn(&[u8]) -> Headers,
    pub(crate) status: u16,
    /// `Some(key)` when the handler must run and report that key; `None` when it must not run.
    pub(crate) handler_key: Option<&'static str>,
}

/// A row ready to send: its headers made for its body, and what the handler must see.
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) path: &'static str,
    pub(crate) body: Body,
    pub(crate) headers: Headers,
    pub(crate) status: u16,
    /// As [`Case::handler_key`].
    pub(crate) handler_key: Option<&'static str>,
    /// The delivery id the handler must see when it runs.
    pub(crate) delivery_id: Option<String>,
}

impl From<Case> for Row {
    fn from(case: Case) -> Row {
        Row {
            name: case.name.to_owned(),
            path: case.path,
            headers: (case.headers)(&case.body.bytes()),
            body: case.body,
            status: case.status,
            handler_key: case.handler_key,
            delivery_id: None,
        }
    }
}

/// `bytes` sent with `Content-Length`.
pub(crate) fn fixed(bytes: &[u8]) -> Body {
    Body::Fixed(bytes.to_vec())
}
