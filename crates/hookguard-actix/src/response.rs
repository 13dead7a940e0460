//! What a refused request receives: [`DefaultRejection`], or your own [`RejectionResponse`].
//!
//! # Security
//! The default body is short and generic: it never says which check failed and never
//! carries a secret. The reason goes to a `tracing` event instead.
//!
//! # Example
//! ```
//! use actix_web::HttpResponse;
//! use hookguard_actix::{Rejection, RejectionResponse};
//!
//! // A closure is a `RejectionResponse`: answer 401 instead of 403.
//! let unauthorized = |_: Rejection| HttpResponse::Unauthorized().finish();
//! assert_eq!(unauthorized.respond(Rejection::Mismatch).status(), 401);
//! ```

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use hookguard_core::Rejection;

/// Builds the response sent when a request is refused.
///
/// Implemented by [`DefaultRejection`] and by every closure `Fn(Rejection) -> HttpResponse`.
/// Install one with [`VerifySignature::with_rejection`](crate::VerifySignature::with_rejection).
///
/// # Example
/// ```
/// use actix_web::HttpResponse;
/// use hookguard_actix::{Rejection, RejectionResponse};
///
/// #[derive(Debug)]
/// struct Teapot;
///
/// impl RejectionResponse for Teapot {
///     fn respond(&self, _rejection: Rejection) -> HttpResponse {
///         HttpResponse::ImATeapot().finish()
///     }
/// }
///
/// assert_eq!(Teapot.respond(Rejection::MissingSignature).status(), 418);
/// ```
pub trait RejectionResponse: 'static {
    /// The response for `rejection`. The handler does not run.
    fn respond(&self, rejection: Rejection) -> HttpResponse;
}

impl<F> RejectionResponse for F
where
    F: Fn(Rejection) -> HttpResponse + 'static,
{
    fn respond(&self, rejection: Rejection) -> HttpResponse {
        self(rejection)
    }
}

/// The default rejection: the status of [`Rejection::status`] (403, 413, 400, 408 or 415) with
/// its canonical reason phrase as a plain-text body, such as `Forbidden`.
///
/// # Example
/// ```
/// use hookguard_actix::{DefaultRejection, Rejection, RejectionResponse};
///
/// let response = DefaultRejection.respond(Rejection::BodyTooLarge { limit: 1024 });
/// assert_eq!(response.status(), 413);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultRejection;

impl RejectionResponse for DefaultRejection {
    fn respond(&self, rejection: Rejection) -> HttpResponse {
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::FORBIDDEN);
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body(status.canonical_reason().unwrap_or("Forbidden"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn unsupported_coding() -> Rejection {
        hookguard_core::ContentCoding::IdentityOnly
            .check(["gzip"])
            .unwrap_err()
    }

    fn body_text(response: HttpResponse) -> String {
        let bytes = response.into_body().try_into_bytes().unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn default_follows_the_status_table_with_generic_bodies() {
        let cases = [
            (Rejection::MissingSignature, 403, "Forbidden"),
            (Rejection::Mismatch, 403, "Forbidden"),
            (Rejection::BodyNotUtf8, 403, "Forbidden"),
            (
                Rejection::BodyTooLarge { limit: 10 },
                413,
                "Payload Too Large",
            ),
            (Rejection::BodyUnreadable, 400, "Bad Request"),
            (Rejection::BodyTimeout, 408, "Request Timeout"),
            (unsupported_coding(), 415, "Unsupported Media Type"),
        ];
        for (rejection, status, body) in cases {
            let response = DefaultRejection.respond(rejection);
            assert_eq!(response.status().as_u16(), status, "{rejection}");
            assert_eq!(body_text(response), body, "{rejection}");
        }
    }

    #[test]
    fn closures_are_rejection_responses() {
        let custom = |rejection: Rejection| {
            HttpResponse::Unauthorized().body(format!("{}", rejection.status()))
        };
        let response = custom.respond(Rejection::Mismatch);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(body_text(response), "403");
    }
}
