//! [`VerifiedWebhook`]: the axum extractor for what the layer verified.

use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use hookguard_core::Verified;

/// Which provider and which key signed the request, as an axum extractor.
///
/// Reads the [`Verified`] that [`VerifySignatureLayer`](crate::VerifySignatureLayer) puts in
/// the request's extensions. If the layer is not in front of the handler, the request is
/// refused with `500 Internal Server Error` (a configuration mistake, logged with how to
/// fix it). Use `Option<VerifiedWebhook>` on a handler that also serves unsigned requests.
///
/// # Example
/// ```
/// use axum::{routing::post, Router};
/// use hookguard_core::{Provider, Secret, Verifier};
/// use hookguard_tower::{VerifiedWebhook, VerifySignatureLayer};
///
/// async fn on_event(VerifiedWebhook(verified): VerifiedWebhook, body: String) -> String {
///     format!("{} event signed with key {}: {} bytes", verified.provider(), verified.key(), body.len())
/// }
///
/// let verifier = Verifier::builder(Provider::Bindbee)
///     .secret_with_id("current", Secret::new("new-key")?)
///     .secret_with_id("previous", Secret::new("old-key")?)
///     .build()?;
/// let app: Router = Router::new()
///     .route("/webhooks/bindbee", post(on_event))
///     .layer(VerifySignatureLayer::new(verifier));
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedWebhook(pub Verified);

impl VerifiedWebhook {
    /// The [`Verified`] value inside.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// use hookguard_tower::VerifiedWebhook;
    ///
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

/// The message a handler gets when the layer is missing.
const MISSING_LAYER: &str = "VerifiedWebhook used without hookguard_tower::VerifySignatureLayer \
                             in front of the handler: add the layer to the route or router";

impl<S> FromRequestParts<S> for VerifiedWebhook
where
    S: Send + Sync,
{
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(verified) = parts.extensions.get::<Verified>() else {
            tracing::error!("{MISSING_LAYER}");
            return Err((StatusCode::INTERNAL_SERVER_ERROR, MISSING_LAYER));
        };
        Ok(VerifiedWebhook(verified.clone()))
    }
}

impl<S> OptionalFromRequestParts<S> for VerifiedWebhook
where
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Verified>()
            .cloned()
            .map(VerifiedWebhook))
    }
}

impl Deref for VerifiedWebhook {
    type Target = Verified;

    fn deref(&self) -> &Verified {
        &self.0
    }
}
