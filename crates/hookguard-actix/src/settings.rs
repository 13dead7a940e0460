//! What one [`VerifySignature`](crate::VerifySignature) is configured with, shared by the
//! `Transform` and every service it builds.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hookguard_core::{ContentCoding, Verifier, DEFAULT_MAX_BODY_SIZE};

use crate::headers::SchemeHeaders;
use crate::response::DefaultRejection;

/// The guard's settings; see the `with_*` methods of `VerifySignature` for each.
pub(crate) struct Settings<R> {
    pub(crate) verifier: Verifier,
    /// The scheme's headers in actix-web's form, parsed once: every request reads them.
    pub(crate) headers: SchemeHeaders,
    pub(crate) max_body_size: usize,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) content_coding: ContentCoding,
    pub(crate) rejection: Arc<R>,
}

impl Settings<DefaultRejection> {
    /// The defaults for `verifier`: 1 MiB limit, no read timeout, identity bodies only,
    /// [`DefaultRejection`].
    pub(crate) fn new(verifier: Verifier) -> Self {
        Settings {
            headers: SchemeHeaders::new(verifier.provider()),
            verifier,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            read_timeout: None,
            content_coding: ContentCoding::default(),
            rejection: Arc::new(DefaultRejection),
        }
    }
}

impl<R> Settings<R> {
    /// The same settings with another rejection response.
    pub(crate) fn with_rejection<R2>(self, rejection: R2) -> Settings<R2> {
        Settings {
            verifier: self.verifier,
            headers: self.headers,
            max_body_size: self.max_body_size,
            read_timeout: self.read_timeout,
            content_coding: self.content_coding,
            rejection: Arc::new(rejection),
        }
    }

    /// The `Debug` output of the middleware holding these settings, under `name`: the
    /// verifier (whose own `Debug` shows no secret), the limit, the read timeout and the
    /// accepted content coding.
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("verifier", &self.verifier)
            .field("max_body_size", &self.max_body_size)
            .field("read_timeout", &self.read_timeout)
            .field("content_coding", &self.content_coding)
            .finish_non_exhaustive()
    }
}

impl<R> Clone for Settings<R> {
    fn clone(&self) -> Self {
        Settings {
            verifier: self.verifier.clone(),
            headers: self.headers.clone(),
            max_body_size: self.max_body_size,
            read_timeout: self.read_timeout,
            content_coding: self.content_coding,
            rejection: Arc::clone(&self.rejection),
        }
    }
}
