//! What a refused request gets back: the [`RejectionResponse`] trait, its default
//! [`DefaultRejection`], and the [`ResponseBody`] every response of the layer carries.
//!
//! # Security
//! The default response is generic (`403 Forbidden`, `413 Payload Too Large`, ...): it
//! never says which check failed. The reason goes to a `tracing` event instead.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hookguard_core::Rejection;
use http::{header, HeaderValue, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::Full;
use pin_project_lite::pin_project;

/// Builds the response sent instead of calling the inner service when a request is
/// refused.
///
/// Implemented by [`DefaultRejection`] and by every closure
/// `Fn(Rejection) -> http::Response<T>` whose body `T` converts into [`Full<Bytes>`]
/// (`&'static str`, `String`, `Vec<u8>`, `Bytes`, ...).
///
/// # Example
/// ```
/// use hookguard_core::Rejection;
/// use hookguard_tower::RejectionResponse;
/// use http::{Response, StatusCode};
///
/// let unauthorized = |_rejection: Rejection| {
///     let mut response = Response::new("Unauthorized");
///     *response.status_mut() = StatusCode::UNAUTHORIZED;
///     response
/// };
/// let response = unauthorized.respond(Rejection::Mismatch);
/// assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
/// ```
pub trait RejectionResponse {
    /// The response for `rejection`.
    fn respond(&self, rejection: Rejection) -> Response<Full<Bytes>>;
}

impl<F, T> RejectionResponse for F
where
    F: Fn(Rejection) -> Response<T>,
    T: Into<Full<Bytes>>,
{
    fn respond(&self, rejection: Rejection) -> Response<Full<Bytes>> {
        self(rejection).map(Into::into)
    }
}

/// The default rejection: the status from [`Rejection::status`] with its canonical reason
/// phrase as a `text/plain` body (`Forbidden`, `Payload Too Large`, `Bad Request`,
/// `Request Timeout`, `Unsupported Media Type`), and nothing that tells which check failed.
///
/// # Example
/// ```
/// use hookguard_core::Rejection;
/// use hookguard_tower::{DefaultRejection, RejectionResponse};
///
/// let response = DefaultRejection.respond(Rejection::BodyTooLarge { limit: 10 });
/// assert_eq!(response.status(), 413);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefaultRejection;

impl RejectionResponse for DefaultRejection {
    fn respond(&self, rejection: Rejection) -> Response<Full<Bytes>> {
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::FORBIDDEN);
        let text = status.canonical_reason().unwrap_or("Forbidden");
        let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

pin_project! {
    /// The body of every response that passes through the layer: the inner service's own
    /// body, or the short body of a rejection.
    ///
    /// # Example
    /// ```
    /// use std::convert::Infallible;
    /// use bytes::Bytes;
    /// use hookguard_core::{Provider, Secret, Verifier};
    /// use hookguard_tower::{ResponseBody, VerifySignature};
    /// use http::{Request, Response};
    /// use http_body_util::{BodyExt, Full};
    /// use tower::{service_fn, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let handler = service_fn(|_: Request<Full<Bytes>>| async {
    ///     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("ok"))))
    /// });
    /// let verifier = Verifier::new(Provider::Bindbee, Secret::new("key")?)?;
    /// let service = VerifySignature::new(handler, verifier);
    ///
    /// let unsigned = Request::new(Full::new(Bytes::from("{}")));
    /// let response: Response<ResponseBody<Full<Bytes>>> = service.oneshot(unsigned).await?;
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(response.into_body().collect().await?.to_bytes(), "Forbidden");
    /// # Ok(())
    /// # }
    /// ```
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        kind: BodyKind<B>,
    }
}

pin_project! {
    #[project = BodyKindProj]
    #[derive(Debug)]
    enum BodyKind<B> {
        Inner { #[pin] body: B },
        // Boxed: a refusal's body is rare, and kept inline it would make every response
        // of the layer larger than the inner service's (measured: 144 instead of 128 bytes
        // for axum's, and each move of the response past 128 bytes a `memmove` call).
        Rejected { #[pin] body: Box<Full<Bytes>> },
    }
}

impl<B> ResponseBody<B> {
    pub(crate) fn inner(body: B) -> Self {
        ResponseBody {
            kind: BodyKind::Inner { body },
        }
    }

    pub(crate) fn rejected(body: Full<Bytes>) -> Self {
        ResponseBody {
            kind: BodyKind::Rejected {
                body: Box::new(body),
            },
        }
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        match self.project().kind.project() {
            BodyKindProj::Inner { body } => body.poll_frame(cx),
            BodyKindProj::Rejected { body } => body.poll_frame(cx).map_err(|never| match never {}),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            BodyKind::Inner { body } => body.is_end_stream(),
            BodyKind::Rejected { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            BodyKind::Inner { body } => body.size_hint(),
            BodyKind::Rejected { body } => body.size_hint(),
        }
    }
}

/// The response for `rejection` under `rejection_response`, with the body wrapped.
pub(crate) fn rejected<R, B>(
    rejection_response: &R,
    rejection: Rejection,
) -> Response<ResponseBody<B>>
where
    R: RejectionResponse,
{
    rejection_response
        .respond(rejection)
        .map(ResponseBody::rejected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn default_bodies_are_generic() {
        for (rejection, status, text) in [
            (Rejection::Mismatch, 403, "Forbidden"),
            (Rejection::MissingSignature, 403, "Forbidden"),
            (
                Rejection::BodyTooLarge { limit: 1 },
                413,
                "Payload Too Large",
            ),
            (Rejection::BodyUnreadable, 400, "Bad Request"),
            (Rejection::BodyTimeout, 408, "Request Timeout"),
            (
                hookguard_core::ContentCoding::IdentityOnly
                    .check(["gzip"])
                    .unwrap_err(),
                415,
                "Unsupported Media Type",
            ),
        ] {
            let response = DefaultRejection.respond(rejection);
            assert_eq!(response.status(), status);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, text);
        }
    }

    #[tokio::test]
    async fn rejected_body_streams_its_bytes() {
        let response = rejected::<_, Full<Bytes>>(&DefaultRejection, Rejection::Mismatch);
        let body = response.into_body();
        assert_eq!(body.size_hint().exact(), Some(9));
        assert_eq!(body.collect().await.unwrap().to_bytes(), "Forbidden");
    }
}
