//! [`DeduplicateLayer`] and the service it builds, [`Deduplicate`].

use std::sync::Arc;
use std::task::{Context, Poll};

use hookguard_core::Verified;
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use super::future::ResponseFuture;
use crate::dedup::Dedup;
use crate::stage::{Decision, Start};

/// Runs each verified delivery's handler at most once per window (see [`Dedup`] for the
/// answers), as a tower layer.
///
/// Put it inside `hookguard_tower::VerifySignatureLayer`: it reads the
/// [`Verified`] that layer puts in the request's extensions, so only verified requests
/// claim keys. Without it in front, every request is answered `500` with a `text/plain`
/// body saying how to order the two (the same text is logged at `ERROR`), and the handler
/// does not run. A `tower::ServiceBuilder` runs its layers in the order written (with
/// separate axum `layer` or `route_layer` calls, the one added last is the outer one).
///
/// # Example
/// ```
/// use axum::{routing::post, Router};
/// use hookguard_core::{Provider, Secret, Verifier};
/// use hookguard_dedup::{Dedup, DeduplicateLayer};
/// use hookguard_tower::VerifySignatureLayer;
/// use tower::ServiceBuilder;
///
/// let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
/// let app: Router = Router::new().route(
///     "/webhooks/bindbee",
///     post(|body: String| async move { body }).route_layer(
///         ServiceBuilder::new()
///             .layer(VerifySignatureLayer::new(verifier))
///             .layer(DeduplicateLayer::new(Dedup::in_memory())),
///     ),
/// );
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct DeduplicateLayer {
    dedup: Arc<Dedup>,
}

impl DeduplicateLayer {
    /// A layer deduplicating with these settings.
    ///
    /// # Example
    /// ```
    /// use hookguard_dedup::{Dedup, DeduplicateLayer};
    /// let layer = DeduplicateLayer::new(Dedup::in_memory());
    /// ```
    pub fn new(dedup: Dedup) -> Self {
        DeduplicateLayer {
            dedup: Arc::new(dedup),
        }
    }
}

impl<S> Layer<S> for DeduplicateLayer {
    type Service = Deduplicate<S>;

    fn layer(&self, inner: S) -> Deduplicate<S> {
        Deduplicate {
            inner,
            dedup: Arc::clone(&self.dedup),
        }
    }
}

/// The service [`DeduplicateLayer`] builds: claims the request's key, then runs `inner`
/// or answers for it. Its answers' bodies are made from `&'static str`, as axum's `Body`,
/// `http_body_util::Full<Bytes>` and `String` are.
///
/// # Example
/// ```
/// use std::convert::Infallible;
/// use hookguard_dedup::{Dedup, Deduplicate};
///
/// let handler = tower::service_fn(|_: http::Request<String>| async {
///     Ok::<_, Infallible>(http::Response::new(String::from("ok")))
/// });
/// let service = Deduplicate::new(handler, Dedup::in_memory());
/// ```
#[derive(Clone, Debug)]
pub struct Deduplicate<S> {
    inner: S,
    /// Behind one `Arc`: axum clones a route's service for every request.
    dedup: Arc<Dedup>,
}

impl<S> Deduplicate<S> {
    /// Wraps `inner`.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::{Dedup, Deduplicate};
    /// let service = Deduplicate::new(7_u8, Dedup::in_memory());
    /// assert_eq!(*service.get_ref(), 7);
    /// ```
    pub fn new(inner: S, dedup: Dedup) -> Self {
        Deduplicate {
            inner,
            dedup: Arc::new(dedup),
        }
    }

    /// The wrapped service.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::{Dedup, Deduplicate};
    /// assert_eq!(*Deduplicate::new("svc", Dedup::in_memory()).get_ref(), "svc");
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the inner service.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::{Dedup, Deduplicate};
    /// assert_eq!(Deduplicate::new(3_u8, Dedup::in_memory()).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B, ResB> Service<Request<B>> for Deduplicate<S>
where
    S: Service<Request<B>, Response = Response<ResB>> + Clone,
    ResB: From<&'static str>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let verified = request.extensions().get::<Verified>();
        match self.dedup.start(verified, request.headers()) {
            Start::Decided(Decision::Run(guard)) => {
                ResponseFuture::running(self.inner.call(request), guard)
            }
            Start::Decided(Decision::Reply(reply)) => ResponseFuture::replied(super::reply(reply)),
            Start::Claiming(key, claim) => {
                // The ready service is the one in `self`: take it, leave a fresh clone behind.
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                ResponseFuture::claiming(claim, key, request, inner, Arc::clone(&self.dedup))
            }
        }
    }
}
