//! The actix-web stage: [`Deduplicate`] (the `Transform`) builds [`DeduplicateMiddleware`]
//! around a service that sits inside `hookguard_actix::VerifySignature`.

use std::fmt;
use std::future::{ready, Future, Ready};
use std::rc::Rc;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpMessage, HttpResponse};
use futures_util::future::LocalBoxFuture;
use hookguard_core::Verified;

use crate::dedup::{Dedup, DUPLICATE_HEADER};
use crate::guard::{not_updated, ClaimGuard};
use crate::key::Headers;
use crate::stage::{Decision, Reply, Start};

/// Runs each verified delivery's handler at most once per window (see [`Dedup`] for the
/// answers), as actix-web middleware.
///
/// Wrap it inside `hookguard_actix::VerifySignature` (actix-web runs the `wrap` added last
/// first): it reads the [`Verified`] that middleware puts in the request's extensions, so
/// only verified requests claim keys. Without it in front, every request is answered `500`
/// with a `text/plain` body saying how to order the two (the same text is logged at
/// `ERROR`), and the handler does not run.
///
/// # Example
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use hookguard_actix::VerifySignature;
/// use hookguard_core::{Provider, Secret, Verifier};
/// use hookguard_dedup::{actix::Deduplicate, Dedup};
///
/// let verifier = Verifier::new(Provider::PeopleForce, Secret::new("secret")?)?;
/// let dedup = Dedup::in_memory();
/// let app = move || {
///     App::new().service(
///         web::resource("/webhooks/peopleforce")
///             .wrap(Deduplicate::new(dedup.clone()))
///             .wrap(VerifySignature::new(verifier.clone()))
///             .route(web::post().to(|body: String| async move { HttpResponse::Ok().body(body) })),
///     )
/// };
/// # let _ = app;
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Deduplicate {
    dedup: Dedup,
}

impl Deduplicate {
    /// Middleware deduplicating with these settings.
    ///
    /// # Example
    /// ```
    /// use hookguard_dedup::{actix::Deduplicate, Dedup};
    /// let middleware = Deduplicate::new(Dedup::in_memory());
    /// ```
    pub fn new(dedup: Dedup) -> Self {
        Deduplicate { dedup }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Deduplicate
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = DeduplicateMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(DeduplicateMiddleware {
            service: Rc::new(service),
            dedup: self.dedup.clone(),
        }))
    }
}

/// The service [`Deduplicate`] wraps around the inner one; built by actix-web.
///
/// # Example
/// ```
/// use actix_web::{test, web, App, HttpResponse};
/// use hookguard_dedup::{actix::Deduplicate, Dedup};
///
/// # actix_web::rt::System::new().block_on(async {
/// // Without the verifying middleware in front, every request is refused with 500.
/// let app = test::init_service(App::new().service(web::resource("/hook").route(
///     web::post().to(|| async { HttpResponse::Ok() }).wrap(Deduplicate::new(Dedup::in_memory())),
/// )))
/// .await;
/// let request = test::TestRequest::post().uri("/hook").to_request();
/// let response = test::call_service(&app, request).await;
/// assert_eq!(response.status(), 500);
/// let body = test::read_body(response).await;
/// assert!(body.starts_with(b"hookguard: the deduplication stage received a request that was not verified"));
/// # });
/// ```
pub struct DeduplicateMiddleware<S> {
    service: Rc<S>,
    dedup: Dedup,
}

impl<S> fmt::Debug for DeduplicateMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeduplicateMiddleware")
            .field("dedup", &self.dedup)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for DeduplicateMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let start = {
            let extensions = req.extensions();
            self.dedup
                .start(extensions.get::<Verified>(), req.headers())
        };
        match start {
            Start::Decided(Decision::Run(guard)) => Box::pin(run(self.service.call(req), guard)),
            Start::Decided(Decision::Reply(reply)) => Box::pin(ready(Ok(answer(req, reply)))),
            Start::Claiming(key, claim) => {
                let service = Rc::clone(&self.service);
                let dedup = self.dedup.clone();
                Box::pin(async move {
                    match dedup.decide(key, claim.await) {
                        Decision::Run(guard) => run(service.call(req), guard).await,
                        Decision::Reply(reply) => Ok(answer(req, reply)),
                    }
                })
            }
        }
    }
}

/// Awaits the handler, then records its outcome through `guard`.
async fn run<B, F>(
    handler: F,
    guard: Option<ClaimGuard>,
) -> Result<ServiceResponse<EitherBody<B>>, Error>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    let outcome = handler.await;
    let succeeded = matches!(&outcome, Ok(response) if response.status().is_success());
    if let Some((key, update)) = guard.and_then(|guard| guard.finish(succeeded)) {
        not_updated(&key, update.await);
    }
    outcome.map(ServiceResponse::map_into_left_body)
}

/// The response given instead of the handler's: empty, or the text saying why the stage
/// cannot run (no verifying middleware in front).
fn answer<B>(req: ServiceRequest, reply: Reply) -> ServiceResponse<EitherBody<B>> {
    let status =
        StatusCode::from_u16(reply.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::new(status);
    let headers = response.headers_mut();
    if let Some(seconds) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if reply.duplicate {
        headers.insert(DUPLICATE_NAME, DUPLICATE_VALUE);
    }
    if !reply.body.is_empty() {
        headers.insert(header::CONTENT_TYPE, TEXT_PLAIN);
    }
    let response = response.set_body(BoxBody::new(reply.body));
    req.into_response(response).map_into_right_body()
}

/// The copy's header, built at compile time rather than parsed from text per answer.
const DUPLICATE_NAME: HeaderName = HeaderName::from_static(DUPLICATE_HEADER);
const DUPLICATE_VALUE: HeaderValue = HeaderValue::from_static("true");
const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

impl Headers for HeaderMap {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(HeaderValue::as_bytes)
    }
}
