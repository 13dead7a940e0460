//! [`Dedup::admit`]: the stage's decision as plain values, for servers that are neither
//! tower nor actix-web (such as a reverse proxy).

use std::fmt;
use std::future::Future;

use hookguard_core::Verified;
use http::{header, HeaderName, HeaderValue, Response, StatusCode};

use crate::dedup::{Dedup, DUPLICATE_HEADER};
use crate::guard::{not_updated, ClaimGuard};
use crate::key::Headers;
use crate::stage::{Decision, Reply, Start};

/// What [`Dedup::admit`] decided for a verified request.
///
/// # Example
/// ```
/// use hookguard_dedup::Admission;
///
/// fn forwards(admission: &Admission) -> bool {
///     matches!(admission, Admission::Proceed(_))
/// }
/// ```
#[derive(Debug)]
pub enum Admission {
    /// Handle the request, then [`Ticket::finish`] with whether it succeeded.
    Proceed(Ticket),
    /// Answer with this instead of handling the request.
    Answer(Answer),
}

/// A request allowed through: holds its claim, if any. Dropped unfinished (the request was
/// abandoned), it frees the claim so the sender's retry gets through.
///
/// # Example
/// See [`Dedup::admit`].
pub struct Ticket {
    guard: Option<ClaimGuard>,
}

impl Ticket {
    /// Marks the delivery done when `succeeded` (a 2xx), frees it otherwise. A store that
    /// cannot be updated is logged at `ERROR`.
    ///
    /// # Example
    /// See [`Dedup::admit`].
    pub async fn finish(mut self, succeeded: bool) {
        let Some((key, update)) = self.guard.take().and_then(|guard| guard.finish(succeeded))
        else {
            return;
        };
        not_updated(&key, update.await);
    }
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("claimed", &self.guard.is_some())
            .finish()
    }
}

/// The answer to a request not handled: a copy (`409` in flight, `200` done) or the store
/// unreachable (`503`).
///
/// # Example
/// See [`Dedup::admit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer(pub(crate) Reply);

impl Answer {
    /// Its status.
    ///
    /// # Example
    /// See [`Dedup::admit`].
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// Whether the request was a copy of a delivery in flight or done.
    ///
    /// # Example
    /// See [`Dedup::admit`].
    pub fn is_duplicate(&self) -> bool {
        self.0.duplicate
    }

    /// The response: the status, `Retry-After` (409, 503), `Hookguard-Duplicate: true`
    /// (copies), an empty body.
    ///
    /// # Example
    /// See [`Dedup::admit`].
    pub fn into_response<B: Default>(self) -> Response<B> {
        respond(self.0, B::default())
    }
}

/// The response for `reply` with `body`: its status, `Retry-After`, `Hookguard-Duplicate`,
/// and `Content-Type: text/plain` when the reply has a body of its own.
pub(crate) fn respond<B>(reply: Reply, body: B) -> Response<B> {
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
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
    response
}

/// The copy's header, built at compile time rather than parsed from text per answer.
const DUPLICATE_NAME: HeaderName = HeaderName::from_static(DUPLICATE_HEADER);
const DUPLICATE_VALUE: HeaderValue = HeaderValue::from_static("true");
const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

impl Dedup {
    /// Derives the key of a verified request and claims it: [`Admission::Proceed`] for a
    /// first delivery (or no key, or the store down when failing open), otherwise the
    /// [`Answer`]. The headers are read before this returns; the future borrows nothing.
    ///
    /// # Example
    /// ```
    /// use hookguard_core::{Provider, Secret, Signer, Verifier};
    /// use hookguard_dedup::{Admission, Dedup};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let header = Signer::new(Provider::Bindbee, Secret::new("key")?)?.sign(b"{}");
    /// let verified = Verifier::new(Provider::Bindbee, Secret::new("key")?)?.verify(Some(&header), b"{}")?;
    /// let headers: &[(&str, &str)] = &[("X-Bindbee-Webhook-Signature", &header)];
    /// let dedup = Dedup::in_memory();
    ///
    /// let Admission::Proceed(ticket) = dedup.admit(&verified, &headers).await else { panic!() };
    /// let Admission::Answer(copy) = dedup.admit(&verified, &headers).await else { panic!() };
    /// assert_eq!(copy.status(), 409); // the first is in flight
    /// ticket.finish(true).await; // its handler answered 2xx
    /// let Admission::Answer(copy) = dedup.admit(&verified, &headers).await else { panic!() };
    /// assert!(copy.is_duplicate());
    /// let response: http::Response<String> = copy.into_response();
    /// assert_eq!(response.headers()["hookguard-duplicate"], "true");
    /// # Ok(())
    /// # }
    /// ```
    pub fn admit(
        &self,
        verified: &Verified,
        headers: &dyn Headers,
    ) -> impl Future<Output = Admission> + Send + 'static {
        let start = self.start(Some(verified), headers);
        let dedup = self.clone();
        async move {
            let decision = match start {
                Start::Claiming(key, claim) => dedup.decide(key, claim.await),
                Start::Decided(decision) => decision,
            };
            match decision {
                Decision::Run(guard) => Admission::Proceed(Ticket { guard }),
                Decision::Reply(reply) => Admission::Answer(Answer(reply)),
            }
        }
    }
}
