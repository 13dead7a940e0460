//! [`VerifySignatureLayer`]: the settings, and the [`Layer`] that wraps a service in
//! [`VerifySignature`].

use std::fmt;
use std::time::Duration;

use hookguard_core::{ContentCoding, Verifier, DEFAULT_MAX_BODY_SIZE};
use tower_layer::Layer;

use crate::headers::SchemeHeaders;
use crate::response::{DefaultRejection, RejectionResponse};
use crate::service::VerifySignature;

/// Settings shared by the layer and every service it builds.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) verifier: Verifier,
    /// The scheme's headers in `http`'s form, parsed once: every request reads them.
    pub(crate) headers: SchemeHeaders,
    pub(crate) max_body_size: usize,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) content_coding: ContentCoding,
}

/// A [`Layer`] that verifies each request's webhook signature before the inner service
/// runs.
///
/// The request's signature header is read first (a missing or malformed one is refused
/// with `403` before any body is read), then the body is buffered up to a limit while it
/// is hashed, and the inner service is called only if the signature matches. The inner
/// service receives the exact bytes as an [`http_body_util::Full`] body, and a
/// [`hookguard_core::Verified`] in the request's extensions.
///
/// | request | response |
/// |---|---|
/// | signature header missing, repeated or malformed | `403` |
/// | `Content-Encoding` other than `identity` (unless [`ContentCoding::SignedAsSent`]) | `415` |
/// | `Content-Length` or streamed body over the limit | `413` |
/// | body stream fails | `400` |
/// | body not complete within the read timeout | `408` |
/// | signature does not match, or body not UTF-8 (when required) | `403` |
///
/// # Example
/// ```
/// use axum::{routing::post, Router};
/// use hookguard_core::{Provider, Secret, Verifier};
/// use hookguard_tower::VerifySignatureLayer;
///
/// async fn on_event(body: String) -> &'static str {
///     # let _ = body;
///     "ok"
/// }
///
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
/// let app: Router = Router::new()
///     .route("/webhooks/peopleforce", post(on_event))
///     .layer(VerifySignatureLayer::new(verifier));
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct VerifySignatureLayer<R = DefaultRejection> {
    config: Config,
    rejection: R,
}

impl VerifySignatureLayer {
    /// A layer that verifies with `verifier`, buffers at most
    /// [`DEFAULT_MAX_BODY_SIZE`] (1 MiB), has no read timeout, accepts unencoded bodies only
    /// ([`ContentCoding::IdentityOnly`]) and answers refused requests with
    /// [`DefaultRejection`].
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_tower::VerifySignatureLayer;
    ///
    /// let layer = VerifySignatureLayer::new(Verifier::new(Provider::Bindbee, Secret::new("key")?)?);
    /// assert_eq!(layer.max_body_size(), 1024 * 1024);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn new(verifier: Verifier) -> Self {
        VerifySignatureLayer {
            config: Config {
                headers: SchemeHeaders::new(verifier.provider()),
                verifier,
                max_body_size: DEFAULT_MAX_BODY_SIZE,
                read_timeout: None,
                content_coding: ContentCoding::default(),
            },
            rejection: DefaultRejection,
        }
    }
}

impl<R> VerifySignatureLayer<R> {
    /// Refuses bodies larger than `limit` bytes with `413`, without buffering past it.
    ///
    /// A `Content-Length` over the limit is refused before any body is read; a streamed
    /// (chunked) body is refused as soon as the bytes received pass the limit.
    ///
    /// There is no "unlimited" setting: `0` admits only empty bodies (it never means "no
    /// limit"), and any other value is taken literally. Whatever the limit, at most
    /// [`DEFAULT_MAX_BODY_SIZE`] is reserved before the bytes actually arrive.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_tower::VerifySignatureLayer;
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let layer = VerifySignatureLayer::new(verifier).with_max_body_size(64 * 1024);
    /// assert_eq!(layer.max_body_size(), 65_536);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_max_body_size(mut self, limit: usize) -> Self {
        self.config.max_body_size = limit;
        self
    }

    /// Refuses with `408` a request whose whole body has not arrived within `timeout`,
    /// counted from when the layer starts reading it (the response future's first poll,
    /// after the header checks). It is one deadline for the whole body, not a limit on each wait: a
    /// body that keeps trickling in is refused once the deadline passes. Off by default.
    ///
    /// The timer is tokio's: the service must run inside a tokio runtime with timers
    /// enabled, as it does under axum and hyper-util. Only a body that makes the request
    /// wait creates a timer, and without timers that first wait panics (tokio's `sleep`
    /// does), so a missing timer shows up only under slow clients, not in small-body tests.
    /// Set one on any receiver open to the internet: neither hyper nor axum times out a
    /// request body that stalls.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use std::time::Duration;
    /// use hookguard_tower::VerifySignatureLayer;
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let layer = VerifySignatureLayer::new(verifier).with_read_timeout(Duration::from_secs(10));
    /// assert_eq!(layer.read_timeout(), Some(Duration::from_secs(10)));
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.read_timeout = Some(timeout);
        self
    }

    /// Which `Content-Encoding` a body may carry. By default
    /// ([`ContentCoding::IdentityOnly`]) any coding but `identity` is refused with
    /// `415 Unsupported Media Type` before the body is read, and the log names the coding.
    /// [`ContentCoding::SignedAsSent`] is for senders that sign the encoded bytes: those are
    /// verified as received and handed on unchanged (a decompression layer inside this one
    /// would decode them for the handler).
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_tower::{ContentCoding, VerifySignatureLayer};
    ///
    /// // Encoded bytes are seldom UTF-8: let the verifier accept any bytes.
    /// let verifier = Verifier::builder(Provider::PeopleForce)
    ///     .secret(Secret::new("s3cret")?)
    ///     .require_utf8(false)
    ///     .build()?;
    /// let layer = VerifySignatureLayer::new(verifier).with_content_coding(ContentCoding::SignedAsSent);
    /// assert_eq!(layer.content_coding(), ContentCoding::SignedAsSent);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_content_coding(mut self, coding: ContentCoding) -> Self {
        self.config.content_coding = coding;
        self
    }

    /// Replaces the response sent for refused requests: anything implementing
    /// [`RejectionResponse`], including a closure `Fn(Rejection) -> http::Response<T>`.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_core::Rejection;
    /// use hookguard_tower::VerifySignatureLayer;
    /// use http::{Response, StatusCode};
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// // Answer 401 instead of 403 for signature failures; keep the other statuses.
    /// let layer = VerifySignatureLayer::new(verifier).with_rejection(|rejection: Rejection| {
    ///     let status = match rejection.status() {
    ///         403 => StatusCode::UNAUTHORIZED,
    ///         other => StatusCode::from_u16(other).unwrap_or(StatusCode::BAD_REQUEST),
    ///     };
    ///     let mut response = Response::new("unauthorized");
    ///     *response.status_mut() = status;
    ///     response
    /// });
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn with_rejection<T>(self, rejection: T) -> VerifySignatureLayer<T>
    where
        T: RejectionResponse,
    {
        VerifySignatureLayer {
            config: self.config,
            rejection,
        }
    }

    /// The verifier requests are checked with.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_tower::VerifySignatureLayer;
    /// # let layer = VerifySignatureLayer::new(Verifier::new(Provider::Bindbee, Secret::new("key")?)?);
    /// assert_eq!(layer.verifier().provider(), &Provider::Bindbee);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn verifier(&self) -> &Verifier {
        &self.config.verifier
    }

    /// The body size limit in bytes.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_tower::VerifySignatureLayer;
    /// # let layer = VerifySignatureLayer::new(Verifier::new(Provider::Bindbee, Secret::new("key")?)?);
    /// assert_eq!(layer.max_body_size(), hookguard_core::DEFAULT_MAX_BODY_SIZE);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn max_body_size(&self) -> usize {
        self.config.max_body_size
    }

    /// The read timeout, if one is set.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_tower::VerifySignatureLayer;
    /// # let layer = VerifySignatureLayer::new(Verifier::new(Provider::Bindbee, Secret::new("key")?)?);
    /// assert_eq!(layer.read_timeout(), None);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn read_timeout(&self) -> Option<Duration> {
        self.config.read_timeout
    }

    /// Which content coding a body may carry.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_tower::{ContentCoding, VerifySignatureLayer};
    /// # let layer = VerifySignatureLayer::new(Verifier::new(Provider::Bindbee, Secret::new("key")?)?);
    /// assert_eq!(layer.content_coding(), ContentCoding::IdentityOnly);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn content_coding(&self) -> ContentCoding {
        self.config.content_coding
    }
}

impl<S, R> Layer<S> for VerifySignatureLayer<R>
where
    R: Clone,
{
    type Service = VerifySignature<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifySignature::from_parts(inner, self.config.clone(), self.rejection.clone())
    }
}

impl<R> fmt::Debug for VerifySignatureLayer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifySignatureLayer")
            .field("verifier", &self.config.verifier)
            .field("max_body_size", &self.config.max_body_size)
            .field("read_timeout", &self.config.read_timeout)
            .field("content_coding", &self.config.content_coding)
            .field("rejection", &std::any::type_name::<R>())
            .finish()
    }
}
