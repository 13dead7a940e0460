//! [`VerifiedWebhook`]: the extractor that hands a handler the [`Verified`] proof.
//!
//! # Errors
//! Extraction fails with `500 Internal Server Error` when the route is not wrapped in
//! [`VerifySignature`](crate::VerifySignature): that is a server misconfiguration, not a
//! client error. Use `Option<VerifiedWebhook>` to make it optional.

use std::future::{ready, Ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{error, Error, FromRequest, HttpMessage, HttpRequest};
use hookguard_core::Verified;

/// Extractor for the [`Verified`] value [`VerifySignature`](crate::VerifySignature) puts in
/// the request extensions: which provider's scheme and which key matched.
///
/// Dereferences to [`Verified`].
///
/// # Example
/// ```
/// use actix_web::{test, web, App, HttpResponse};
/// use hookguard_actix::{VerifiedWebhook, VerifySignature};
/// use hookguard_core::{Provider, Secret, Signer, Verifier};
///
/// async fn on_event(webhook: VerifiedWebhook) -> HttpResponse {
///     HttpResponse::Ok().body(webhook.key().to_string())
/// }
///
/// # actix_web::rt::System::new().block_on(async {
/// let verifier = Verifier::builder(Provider::Bindbee)
///     .secret_with_id("current", Secret::new("new key")?)
///     .secret_with_id("previous", Secret::new("old key")?)
///     .build()?;
/// let app = test::init_service(
///     App::new()
///         .wrap(VerifySignature::new(verifier))
///         .route("/hook", web::post().to(on_event)),
/// )
/// .await;
///
/// // A delivery still signed with the previous key is accepted, and says so.
/// let signer = Signer::new(Provider::Bindbee, Secret::new("old key")?)?;
/// let request = test::TestRequest::post()
///     .uri("/hook")
///     .insert_header((signer.header_name(), signer.sign(b"{}")))
///     .set_payload("{}")
///     .to_request();
/// let body = test::call_and_read_body(&app, request).await;
/// assert_eq!(body, "previous");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedWebhook(pub Verified);

impl VerifiedWebhook {
    /// The [`Verified`] value inside.
    ///
    /// # Example
    /// ```
    /// # use hookguard_actix::VerifiedWebhook;
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// # let header = Signer::new(Provider::Bindbee, Secret::new("k")?)?.sign(b"");
    /// # let verified = Verifier::new(Provider::Bindbee, Secret::new("k")?)?.verify(Some(&header), b"")?;
    /// let webhook = VerifiedWebhook(verified.clone());
    /// assert_eq!(webhook.into_inner(), verified);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_inner(self) -> Verified {
        self.0
    }
}

impl Deref for VerifiedWebhook {
    type Target = Verified;

    fn deref(&self) -> &Verified {
        &self.0
    }
}

impl FromRequest for VerifiedWebhook {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let verified = req.extensions().get::<Verified>().cloned();
        ready(verified.map(VerifiedWebhook).ok_or_else(|| {
            tracing::error!(
                path = req.path(),
                "VerifiedWebhook extracted on a route without the VerifySignature middleware",
            );
            error::ErrorInternalServerError(
                "VerifiedWebhook needs the hookguard_actix::VerifySignature middleware: \
                 add `.wrap(VerifySignature::new(verifier))` to this route's App, Scope or Resource",
            )
        }))
    }
}
