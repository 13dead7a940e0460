//! The middleware: [`VerifySignature`] (the `Transform`) and [`VerifySignatureMiddleware`].
//!
//! # Order of checks
//! The same as the tower adapter's:
//! 1. the signature header is parsed before any body is read (missing, empty, malformed or
//!    repeated: `403`, the payload is never touched);
//! 2. a `Content-Length` over the limit is refused at once (`413`);
//! 3. the payload is read chunk by chunk (from the second chunk on, each is hashed as it
//!    arrives; a one-chunk body is hashed when it ends); `413` as soon as the total passes
//!    the limit (nothing is buffered past it), `400` if the stream fails, `408` if the
//!    optional read timeout elapses;
//! 4. the tag is checked (`403` on mismatch or, by default, a body that is not UTF-8).
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
//!     web::resource("/webhooks/bindbee")
//!         .wrap(VerifySignature::new(verifier))
//!         .route(web::post().to(|body: web::Bytes| async move {
//!             HttpResponse::Ok().body(body)
//!         })),
//! );
//! # drop(app);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//! Refused requests are answered by the [`RejectionResponse`] (by default
//! [`DefaultRejection`]); the middleware itself never returns an `Err` of its own.

use std::fmt;
use std::future::{ready, Ready};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::EitherBody;
use actix_web::dev::Extensions;
use actix_web::dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use actix_web::web::{self, PayloadConfig};
use actix_web::{Error, HttpMessage};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt as _;
use hookguard_core::{BodyCollector, Rejection, Verified, Verifier, DEFAULT_MAX_BODY_SIZE};

use crate::response::{DefaultRejection, RejectionResponse};

/// Middleware that verifies a webhook's signature before the wrapped service runs.
///
/// Use it with `App::wrap`, `Scope::wrap` or `Resource::wrap`. Cloning is cheap.
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
/// let app = App::new().service(
///     web::scope("/webhooks")
///         .wrap(
///             VerifySignature::new(verifier)
///                 .with_max_body_size(256 * 1024)
///                 .with_read_timeout(Duration::from_secs(10)),
///         )
///         .route("/peopleforce", web::post().to(on_event)),
/// );
/// # drop(app);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct VerifySignature<R = DefaultRejection> {
    settings: Settings<R>,
}

struct Settings<R> {
    verifier: Verifier,
    header: Option<HeaderName>,
    max_body_size: usize,
    read_timeout: Option<Duration>,
    rejection: Arc<R>,
}

impl<R> Settings<R> {
    /// The `Debug` output of the middleware holding these settings, under `name`: the
    /// verifier (whose own `Debug` shows no secret), the limit and the read timeout.
    fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("verifier", &self.verifier)
            .field("max_body_size", &self.max_body_size)
            .field("read_timeout", &self.read_timeout)
            .finish_non_exhaustive()
    }
}

impl<R> Clone for Settings<R> {
    fn clone(&self) -> Self {
        Settings {
            verifier: self.verifier.clone(),
            header: self.header.clone(),
            max_body_size: self.max_body_size,
            read_timeout: self.read_timeout,
            rejection: Arc::clone(&self.rejection),
        }
    }
}

impl VerifySignature {
    /// Verifies requests with `verifier`: a 1 MiB body limit
    /// ([`DEFAULT_MAX_BODY_SIZE`]), no read timeout, and [`DefaultRejection`] responses.
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
        // The core validates header names when a provider is built, so this parse only
        // fails for a name HTTP cannot carry; such a verifier then refuses every request.
        let header = HeaderName::try_from(verifier.provider().header_name()).ok();
        VerifySignature {
            settings: Settings {
                verifier,
                header,
                max_body_size: DEFAULT_MAX_BODY_SIZE,
                read_timeout: None,
                rejection: Arc::new(DefaultRejection),
            },
        }
    }
}

impl<R> VerifySignature<R> {
    /// Refuses bodies larger than `limit` bytes with `413 Payload Too Large`, by
    /// `Content-Length` at once, otherwise as soon as the streamed total passes it.
    ///
    /// There is no "unlimited" setting: `0` admits only empty bodies (it never means "no
    /// limit"), and any other value is taken literally. Whatever the limit, at most
    /// [`DEFAULT_MAX_BODY_SIZE`] is reserved before the bytes actually arrive.
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

    /// Answers `408 Request Timeout` if the whole body has not arrived within `timeout`
    /// (counted from when the middleware starts reading it). Off by default.
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
        let Settings {
            verifier,
            header,
            max_body_size,
            read_timeout,
            rejection: _,
        } = self.settings;
        VerifySignature {
            settings: Settings {
                verifier,
                header,
                max_body_size,
                read_timeout,
                rejection: Arc::new(rejection),
            },
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

impl<S, B, R> Transform<S, ServiceRequest> for VerifySignature<R>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    R: RejectionResponse,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = VerifySignatureMiddleware<S, R>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let mut payload_limit = Extensions::new();
        payload_limit.insert(PayloadConfig::new(self.settings.max_body_size));
        ready(Ok(VerifySignatureMiddleware {
            service: Rc::new(service),
            settings: Rc::new(self.settings.clone()),
            payload_limit: Rc::new(payload_limit),
        }))
    }
}

/// The service [`VerifySignature`] wraps around the inner service; built by actix-web.
pub struct VerifySignatureMiddleware<S, R = DefaultRejection> {
    service: Rc<S>,
    settings: Rc<Settings<R>>,
    /// A `PayloadConfig` as large as this middleware's limit, offered to the handler's
    /// `web::Bytes`/`String` extractors when the app configures none (their own default
    /// of 256 KiB would otherwise refuse verified deliveries between 256 KiB and the limit).
    payload_limit: Rc<Extensions>,
}

impl<S, R> fmt::Debug for VerifySignatureMiddleware<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.settings.debug("VerifySignatureMiddleware", f)
    }
}

impl<S, B, R> Service<ServiceRequest> for VerifySignatureMiddleware<S, R>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    R: RejectionResponse,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let settings = Rc::clone(&self.settings);
        let payload_limit = Rc::clone(&self.payload_limit);
        Box::pin(async move {
            match check(&settings, &mut req).await {
                Ok(verified) => {
                    tracing::debug!(
                        provider = %verified.provider(),
                        key = %verified.key(),
                        "webhook signature verified",
                    );
                    req.extensions_mut().insert(verified);
                    if req.app_data::<PayloadConfig>().is_none()
                        && req.app_data::<web::Data<PayloadConfig>>().is_none()
                    {
                        req.add_data_container(payload_limit);
                    }
                    let response = service.call(req).await?;
                    Ok(response.map_into_left_body())
                }
                Err(rejection) => {
                    tracing::warn!(
                        provider = %settings.verifier.provider(),
                        status = rejection.status(),
                        reason = %rejection,
                        method = %req.method(),
                        path = req.path(),
                        "webhook request refused",
                    );
                    let response = settings.rejection.respond(rejection);
                    Ok(req.into_response(response).map_into_right_body())
                }
            }
        })
    }
}

/// Runs every check in order; on success the payload holds the exact bytes again.
async fn check<R>(settings: &Settings<R>, req: &mut ServiceRequest) -> Result<Verified, Rejection> {
    let signature = match &settings.header {
        Some(name) => settings
            .verifier
            .parse_signature(req.headers().get_all(name).map(HeaderValue::as_bytes))?,
        None => return Err(Rejection::MissingSignature),
    };

    let collector = BodyCollector::new(
        &settings.verifier,
        settings.max_body_size,
        BodyCollector::declared_length(req.headers().get_all(CONTENT_LENGTH)),
    )?;
    let mut payload = req.take_payload();
    let read = read_body(collector, &mut payload);
    let collector = match settings.read_timeout {
        Some(timeout) => actix_web::rt::time::timeout(timeout, read)
            .await
            .map_err(|_elapsed| Rejection::BodyTimeout)??,
        None => read.await?,
    };
    let (body, verified) = collector.finish(&signature)?;
    req.set_payload(Payload::from(body));
    Ok(verified)
}

/// Reads the payload to its end into `collector` (bounded, each byte hashed once).
async fn read_body(
    mut collector: BodyCollector,
    payload: &mut Payload,
) -> Result<BodyCollector, Rejection> {
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            tracing::debug!(%error, "webhook payload stream failed");
            Rejection::BodyUnreadable
        })?;
        collector.push(chunk)?;
    }
    Ok(collector)
}
