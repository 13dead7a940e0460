//! [`VerifySignatureMiddleware`]: the service [`VerifySignature`] builds around the wrapped
//! one. It runs the checks, then calls the wrapped service or answers with the rejection.

use std::fmt;
use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{
    forward_ready, Extensions, Service, ServiceRequest, ServiceResponse, Transform,
};
use actix_web::web::{self, PayloadConfig};
use actix_web::{Error, HttpMessage};
use futures_util::future::LocalBoxFuture;

use crate::check::check;
use crate::middleware::VerifySignature;
use crate::response::{DefaultRejection, RejectionResponse};
use crate::settings::Settings;
use crate::unread::hold_until_sent;

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
        let settings = self.settings();
        let mut payload_limit = Extensions::new();
        payload_limit.insert(PayloadConfig::new(settings.max_body_size));
        ready(Ok(VerifySignatureMiddleware {
            service: Rc::new(service),
            settings: Rc::new(settings.clone()),
            payload_limit: Rc::new(payload_limit),
        }))
    }
}

/// The service [`VerifySignature`] wraps around the inner service; built by actix-web.
///
/// # Example
/// ```
/// use actix_web::{test, web, App, HttpResponse};
/// use hookguard_actix::{Verifier, VerifySignature};
/// use hookguard_core::{Provider, Secret};
///
/// # actix_web::rt::System::new().block_on(async {
/// let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
/// // `init_service` builds the `VerifySignatureMiddleware` around the route's handler.
/// let app = test::init_service(App::new().service(web::resource("/hook").route(
///     web::post().to(|| async { HttpResponse::Ok() }).wrap(VerifySignature::new(verifier)),
/// )))
/// .await;
/// let unsigned = test::TestRequest::post().uri("/hook").to_request();
/// assert_eq!(test::call_service(&app, unsigned).await.status(), 403);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
                    let response = settings.rejection.respond(rejection);
                    tracing::warn!(
                        provider = %settings.verifier.provider(),
                        status = response.status().as_u16(),
                        reason = %rejection,
                        method = %req.method(),
                        path = req.path(),
                        "webhook request refused",
                    );
                    let payload = req.take_payload();
                    let response = hold_until_sent(response, payload);
                    Ok(req.into_response(response).map_into_right_body())
                }
            }
        })
    }
}
