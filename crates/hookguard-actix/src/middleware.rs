//! [`VerifySignature`]: the middleware and its settings.
//!
//! # Order of checks
//! The same as the tower adapter's:
//! 1. the signature header is parsed before any body is read (missing, empty, malformed or
//!    repeated: `403`, the payload is never touched);
//! 2. a `Content-Encoding` other than `identity` is refused (`415`) unless
//!    [`ContentCoding::SignedAsSent`] is set;
//! 3. a `Content-Length` over the limit is refused at once (`413`);
//! 4. the payload is read chunk by chunk (from the second chunk on, each is hashed as it
//!    arrives; a one-chunk body is hashed when it ends); `413` as soon as the total passes
//!    the limit (nothing is buffered past it), `400` if the stream fails, `408` if the
//!    whole body has not arrived within the optional read timeout;
//! 5. the tag is checked (`403` on mismatch or, by default, a body that is not UTF-8).
//!
//! On success the exact bytes become the request's payload again, [`Verified`] is put in
//! the request extensions, and the inner service runs.
//!
//! # Example
//! ```
//! use actix_web::{web, App, HttpResponse};
//! use hookguard_actix::VerifySignature;
//! use hookguard_core::{Provider, Secret, Verifier};
//!
//! let verifier = Verifier::new(Provider::Bindbee, Secret::new("signature key")?)?;
//! let app = App::new().service(
//!     web::resource("/webhooks/bindbee").route(
//!         web::post()
//!             .to(|body: web::Bytes| async move { HttpResponse::Ok().body(body) })
//!             .wrap(VerifySignature::new(verifier)),
//!     ),
//! );
//! # drop(app);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//! Refused requests are answered by the [`RejectionResponse`] (by default
//! [`DefaultRejection`]); the middleware itself never returns an `Err` of its own.
//!
//! [`Verified`]: hookguard_core::Verified

use std::fmt;
use std::time::Duration;

use hookguard_core::{ContentCoding, Verifier};

use crate::response::{DefaultRejection, RejectionResponse};
use crate::settings::Settings;

/// Middleware that verifies a webhook's signature before the wrapped service runs.
///
/// Cloning is cheap.
///
/// # Placement
/// Wrap the webhook's `POST` route inside its resource,
/// `web::resource(path).route(web::post().to(handler).wrap(guard))`: then a request with
/// another method gets actix-web's `405 Method Not Allowed` with `Allow: POST`, as it would
/// without the guard. `Resource::wrap`, `Scope::wrap` and `App::wrap` work too, but their
/// middleware runs before actix-web picks a route, so a `GET` or `PUT` to the webhook is
/// then answered `403` by the guard instead of `405`. (`App::route(path, web::post()...)`
/// makes `POST` a guard of the whole resource, so other methods get `404`.)
///
/// # Example
/// ```
/// use std::time::Duration;
///
/// use actix_web::{web, App, HttpResponse};
/// use hookguard_actix::{VerifiedWebhook, VerifySignature};
/// use hookguard_core::{Provider, Secret, Verifier};
///
/// async fn on_event(webhook: VerifiedWebhook, body: String) -> HttpResponse {
///     HttpResponse::Ok().body(format!("{} sent {} bytes", webhook.provider(), body.len()))
/// }
///
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
/// let guard = VerifySignature::new(verifier)
///     .with_max_body_size(256 * 1024)
///     .with_read_timeout(Duration::from_secs(10));
/// let app = App::new().service(
///     web::resource("/webhooks/peopleforce").route(web::post().to(on_event).wrap(guard)),
/// );
/// # drop(app);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct VerifySignature<R = DefaultRejection> {
    settings: Settings<R>,
}

impl VerifySignature {
    /// Verifies requests with `verifier`: a 1 MiB body limit
    /// ([`DEFAULT_MAX_BODY_SIZE`](hookguard_core::DEFAULT_MAX_BODY_SIZE)), no read timeout,
    /// unencoded bodies only ([`ContentCoding::IdentityOnly`]) and [`DefaultRejection`]
    /// responses.
    ///
    /// # Example
    /// ```
    /// use hookguard_actix::VerifySignature;
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let guard = VerifySignature::new(Verifier::new(Provider::Bindbee, Secret::new("k")?)?);
    /// assert_eq!(guard.max_body_size(), 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(verifier: Verifier) -> VerifySignature {
        VerifySignature {
            settings: Settings::new(verifier),
        }
    }
}

impl<R> VerifySignature<R> {
    /// Refuses bodies larger than `limit` bytes with `413 Payload Too Large`, by
    /// `Content-Length` at once, otherwise as soon as the streamed total passes it.
    ///
    /// There is no "unlimited" setting: `0` admits only empty bodies (it never means "no
    /// limit"), and any other value is taken literally. Whatever the limit, at most
    /// [`DEFAULT_MAX_BODY_SIZE`](hookguard_core::DEFAULT_MAX_BODY_SIZE) is reserved before
    /// the bytes actually arrive.
    ///
    /// # Example
    /// ```
    /// use hookguard_actix::VerifySignature;
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// let guard = VerifySignature::new(verifier).with_max_body_size(64 * 1024);
    /// assert_eq!(guard.max_body_size(), 65_536);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_max_body_size(mut self, limit: usize) -> Self {
        self.settings.max_body_size = limit;
        self
    }

    /// Answers `408 Request Timeout` if the whole body has not arrived within `timeout`,
    /// counted from when the middleware starts reading it (after the header checks). It is
    /// one deadline for the whole body, not a limit on each wait: a body that keeps
    /// trickling in is refused once the deadline passes. Off by default; set one on any
    /// receiver open to the internet, as actix-web's own timeouts cover only the request
    /// head.
    ///
    /// # Example
    /// ```
    /// use std::time::Duration;
    ///
    /// use hookguard_actix::VerifySignature;
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// let guard = VerifySignature::new(verifier).with_read_timeout(Duration::from_secs(5));
    /// assert_eq!(guard.read_timeout(), Some(Duration::from_secs(5)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.settings.read_timeout = Some(timeout);
        self
    }

    /// Which `Content-Encoding` a body may carry. By default
    /// ([`ContentCoding::IdentityOnly`]) any coding but `identity` is refused with
    /// `415 Unsupported Media Type` before the body is read, and the log names the coding.
    /// [`ContentCoding::SignedAsSent`] is for senders that sign the encoded bytes: those are
    /// verified as received and handed on unchanged. (actix-web's extractors decode them for
    /// the handler only if its `compress-*` features are on.)
    ///
    /// # Example
    /// ```
    /// use hookguard_actix::{ContentCoding, VerifySignature};
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// // Encoded bytes are seldom UTF-8: let the verifier accept any bytes.
    /// let verifier = Verifier::builder(Provider::PeopleForce)
    ///     .secret(Secret::new("s3cret")?)
    ///     .require_utf8(false)
    ///     .build()?;
    /// let guard = VerifySignature::new(verifier).with_content_coding(ContentCoding::SignedAsSent);
    /// assert_eq!(guard.content_coding(), ContentCoding::SignedAsSent);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_content_coding(mut self, coding: ContentCoding) -> Self {
        self.settings.content_coding = coding;
        self
    }

    /// Replaces the response sent on a rejection: any [`RejectionResponse`], including a
    /// closure `Fn(Rejection) -> HttpResponse`.
    ///
    /// # Example
    /// ```
    /// use actix_web::{http::StatusCode, HttpResponse};
    /// use hookguard_actix::{Rejection, VerifySignature};
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("s3cret")?)?;
    /// // 401 for signature problems, the usual status otherwise.
    /// let guard = VerifySignature::new(verifier).with_rejection(|rejection: Rejection| {
    ///     match rejection.status() {
    ///         403 => HttpResponse::Unauthorized().finish(),
    ///         other => HttpResponse::build(
    ///             StatusCode::from_u16(other).unwrap_or(StatusCode::BAD_REQUEST),
    ///         )
    ///         .finish(),
    ///     }
    /// });
    /// # drop(guard);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_rejection<R2>(self, rejection: R2) -> VerifySignature<R2>
    where
        R2: RejectionResponse,
    {
        VerifySignature {
            settings: self.settings.with_rejection(rejection),
        }
    }

    /// The verifier requests are checked with.
    ///
    /// # Example
    /// ```
    /// use hookguard_actix::VerifySignature;
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let guard = VerifySignature::new(Verifier::new(Provider::Bindbee, Secret::new("k")?)?);
    /// assert_eq!(guard.verifier().provider(), &Provider::Bindbee);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifier(&self) -> &Verifier {
        &self.settings.verifier
    }

    /// The body limit in bytes.
    ///
    /// # Example
    /// ```
    /// use hookguard_actix::VerifySignature;
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let guard = VerifySignature::new(Verifier::new(Provider::Bindbee, Secret::new("k")?)?);
    /// assert_eq!(guard.max_body_size(), hookguard_core::DEFAULT_MAX_BODY_SIZE);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_body_size(&self) -> usize {
        self.settings.max_body_size
    }

    /// The read timeout, if one is set.
    ///
    /// # Example
    /// ```
    /// use hookguard_actix::VerifySignature;
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let guard = VerifySignature::new(Verifier::new(Provider::Bindbee, Secret::new("k")?)?);
    /// assert_eq!(guard.read_timeout(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_timeout(&self) -> Option<Duration> {
        self.settings.read_timeout
    }

    /// Which content coding a body may carry.
    ///
    /// # Example
    /// ```
    /// use hookguard_actix::{ContentCoding, VerifySignature};
    /// use hookguard_core::{Provider, Secret, Verifier};
    ///
    /// let guard = VerifySignature::new(Verifier::new(Provider::Bindbee, Secret::new("k")?)?);
    /// assert_eq!(guard.content_coding(), ContentCoding::IdentityOnly);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn content_coding(&self) -> ContentCoding {
        self.settings.content_coding
    }

    /// The settings, for the services this middleware builds.
    pub(crate) fn settings(&self) -> &Settings<R> {
        &self.settings
    }
}

impl<R> Clone for VerifySignature<R> {
    fn clone(&self) -> Self {
        VerifySignature {
            settings: self.settings.clone(),
        }
    }
}

impl<R> fmt::Debug for VerifySignature<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.settings.debug("VerifySignature", f)
    }
}
