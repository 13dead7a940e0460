//! [`VerifySignature`]: the service that checks the signature header and the body before
//! calling the inner service.

use std::fmt;
use std::task::{Context, Poll};

use bytes::Bytes;
use hookguard_core::{BodyCollector, Rejection, Verifier};
use http::request::Parts;
use http::{header, Request, Response};
use http_body::Body;
use http_body_util::Full;
use tower_service::Service;

use crate::future::{Pending, ResponseFuture};
use crate::layer::{Config, VerifySignatureLayer};
use crate::response::{DefaultRejection, RejectionResponse, ResponseBody};

/// Verifies each request's webhook signature, then calls the inner service with the
/// body's exact bytes and a [`hookguard_core::Verified`] in the request's extensions.
///
/// Usually built by [`VerifySignatureLayer`]; see there for the behaviour and settings.
/// Cloning is cheap (the verifier's keys sit behind an `Arc`).
///
/// # Example
/// ```
/// use std::convert::Infallible;
/// use bytes::Bytes;
/// use hookguard_core::{Provider, Secret, Signer, Verifier};
/// use hookguard_tower::VerifySignature;
/// use http::Request;
/// use http_body_util::Full;
/// use tower::{service_fn, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handler = service_fn(|request: Request<Full<Bytes>>| async move {
///     Ok::<_, Infallible>(http::Response::new(request.into_body()))
/// });
/// let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
/// let service = VerifySignature::new(handler, verifier);
///
/// let header = Signer::new(Provider::Bindbee, Secret::new("key")?)?.sign(b"{}");
/// let request = Request::post("/")
///     .header("X-Bindbee-Webhook-Signature", header)
///     .body(Full::new(Bytes::from_static(b"{}")))?;
/// assert_eq!(service.oneshot(request).await?.status(), 200);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct VerifySignature<S, R = DefaultRejection> {
    inner: S,
    config: Config,
    rejection: R,
}

impl<S> VerifySignature<S> {
    /// Wraps `inner` with the default settings of [`VerifySignatureLayer::new`].
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_tower::VerifySignature;
    ///
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// type Request = http::Request<http_body_util::Full<bytes::Bytes>>;
    ///
    /// let handler = tower::service_fn(|_: Request| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(String::from("ok")))
    /// });
    /// let service = VerifySignature::new(handler, verifier);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn new(inner: S, verifier: Verifier) -> Self {
        tower_layer::Layer::layer(&VerifySignatureLayer::new(verifier), inner)
    }
}

impl<S, R> VerifySignature<S, R> {
    pub(crate) fn from_parts(inner: S, config: Config, rejection: R) -> Self {
        VerifySignature {
            inner,
            config,
            rejection,
        }
    }

    /// The wrapped service.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_tower::VerifySignature;
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let service = VerifySignature::new(7_u8, verifier);
    /// assert_eq!(*service.get_ref(), 7);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_tower::VerifySignature;
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let mut service = VerifySignature::new(7_u8, verifier);
    /// *service.get_mut() += 1;
    /// assert_eq!(*service.get_ref(), 8);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Verifier};
    /// # use hookguard_tower::VerifySignature;
    /// # let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// assert_eq!(VerifySignature::new(7_u8, verifier).into_inner(), 7);
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, R, B, ResB> Service<Request<B>> for VerifySignature<S, R>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResB>> + Clone,
    B: Body,
    R: RejectionResponse + Clone,
{
    type Response = Response<ResponseBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B, R>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The ready service is the one in `self`: take it, leave a fresh clone behind.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let rejection_response = self.rejection.clone();
        let Config {
            verifier,
            headers,
            max_body_size,
            read_timeout,
            content_coding,
        } = &self.config;

        let (parts, body) = request.into_parts();
        let signature = verifier.read_headers(|name| {
            headers
                .get_all(&parts.headers, name)
                .iter()
                .map(http::HeaderValue::as_bytes)
        });
        let signature = match signature {
            Ok(signature) => signature,
            Err(rejection) => return reject(verifier, &parts, rejection, rejection_response),
        };

        let encodings = parts.headers.get_all(header::CONTENT_ENCODING).iter();
        if let Err(rejection) = content_coding.check(encodings.map(http::HeaderValue::as_bytes)) {
            return reject(verifier, &parts, rejection, rejection_response);
        }

        // A body whose own size hint already passes the limit is refused like an oversize
        // `Content-Length`: before any byte is read.
        let limit = *max_body_size;
        let hinted = Some(body.size_hint().lower()).filter(|&lower| lower > 0);
        let content_length = parts.headers.get_all(header::CONTENT_LENGTH).iter();
        let declared = BodyCollector::declared_length(content_length).max(hinted);
        let collector = match BodyCollector::new(verifier, signature, limit, declared) {
            Ok(collector) => collector,
            Err(rejection) => return reject(verifier, &parts, rejection, rejection_response),
        };
        let pending = Pending {
            parts,
            inner,
            verifier: verifier.clone(),
            body: collector,
        };
        ResponseFuture::buffering(body, pending, *read_timeout, rejection_response)
    }
}

/// Answers `rejection` at once, logged.
fn reject<S, B, R>(
    verifier: &Verifier,
    parts: &Parts,
    rejection: Rejection,
    responder: R,
) -> ResponseFuture<S, B, R>
where
    S: Service<Request<Full<Bytes>>>,
    R: RejectionResponse,
{
    let response = refuse(&responder, verifier, parts, rejection);
    ResponseFuture::rejected(response, responder)
}

/// `responder`'s response to `rejection`, and the `tracing` event every refused request
/// emits, with the same fields as the actix adapter's: provider, the status answered,
/// reason, method and path, never a secret.
pub(crate) fn refuse<R: RejectionResponse>(
    responder: &R,
    verifier: &Verifier,
    parts: &Parts,
    rejection: Rejection,
) -> Response<Full<Bytes>> {
    let response = responder.respond(rejection);
    tracing::warn!(
        provider = %verifier.provider(),
        status = response.status().as_u16(),
        reason = %rejection,
        method = %parts.method,
        path = parts.uri.path(),
        "webhook request refused"
    );
    response
}

impl<S, R> fmt::Debug for VerifySignature<S, R>
where
    S: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifySignature")
            .field("inner", &self.inner)
            .field("config", &self.config)
            .field("rejection", &std::any::type_name::<R>())
            .finish()
    }
}
