//! [`ResponseFuture`]: buffers and hashes the body, then calls the inner service or
//! answers with the rejection.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use hookguard_core::{BodyCollector, Rejection, Verifier};
use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tower_service::Service;

use crate::response::{RejectionResponse, ResponseBody};
use crate::service::refuse;

pin_project! {
    /// The future returned by [`VerifySignature`](crate::VerifySignature): reads the body
    /// (bounded, hashing as it goes), then runs the inner service or answers with the
    /// rejection response.
    pub struct ResponseFuture<S, B, R>
    where
        S: Service<Request<Full<Bytes>>>,
    {
        #[pin]
        kind: Kind<S, B>,
        rejection_response: R,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<S, B>
    where
        S: Service<Request<Full<Bytes>>>,
    {
        Buffering {
            #[pin]
            body: B,
            timer: ReadTimer,
            pending: Option<Pending<S>>,
        },
        Inner {
            #[pin]
            future: S::Future,
        },
        Rejected {
            response: Option<Response<Full<Bytes>>>,
        },
    }
}

/// The read timeout of one request's body: one deadline for the whole body, fixed when
/// reading starts (the future's first poll).
enum ReadTimer {
    /// No read timeout is configured (or the deadline is past the end of time).
    Off,
    /// Configured; reading has not started yet.
    NotStarted(Duration),
    /// The deadline, with no timer yet: a body that never makes the request wait (as a
    /// small delivery usually does not) never creates one.
    Unarmed(Instant),
    /// Running. Boxed: a `Sleep` is large, and only a body that waits needs one.
    Armed(Pin<Box<Sleep>>),
}

impl ReadTimer {
    /// Fixes the deadline when reading starts; later calls change nothing.
    fn start(&mut self) {
        if let ReadTimer::NotStarted(timeout) = *self {
            *self = Instant::now()
                .checked_add(timeout)
                .map_or(ReadTimer::Off, ReadTimer::Unarmed);
        }
    }
}

/// Everything the buffering state owns besides the body and the timer.
pub(crate) struct Pending<S> {
    pub(crate) parts: Parts,
    pub(crate) inner: S,
    pub(crate) verifier: Verifier,
    pub(crate) body: BodyCollector,
}

impl<S, B, R> ResponseFuture<S, B, R>
where
    S: Service<Request<Full<Bytes>>>,
{
    /// A future that reads `body` before calling the inner service held by `pending`.
    pub(crate) fn buffering(
        body: B,
        pending: Pending<S>,
        read_timeout: Option<Duration>,
        rejection_response: R,
    ) -> Self {
        ResponseFuture {
            kind: Kind::Buffering {
                body,
                timer: read_timeout.map_or(ReadTimer::Off, ReadTimer::NotStarted),
                pending: Some(pending),
            },
            rejection_response,
        }
    }

    /// A future that answers with `response` (already logged).
    pub(crate) fn rejected(response: Response<Full<Bytes>>, rejection_response: R) -> Self {
        ResponseFuture {
            kind: Kind::Rejected {
                response: Some(response),
            },
            rejection_response,
        }
    }
}

impl<S, B, R, ResB> Future for ResponseFuture<S, B, R>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResB>>,
    B: Body,
    R: RejectionResponse,
{
    type Output = Result<Response<ResponseBody<ResB>>, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let this = self.as_mut().project();
            let next = match this.kind.project() {
                KindProj::Buffering {
                    body,
                    timer,
                    pending,
                } => {
                    let Some(state) = pending.as_mut() else {
                        return Poll::Ready(Ok(crate::response::rejected(
                            this.rejection_response,
                            Rejection::BodyUnreadable,
                        )));
                    };
                    let outcome = ready!(poll_body(body, timer, state, cx));
                    let responder = &*this.rejection_response;
                    match (outcome, pending.take()) {
                        (Ok(()), Some(state)) => match state.finish(responder) {
                            Finished::Call(mut inner, request) => Kind::Inner {
                                future: inner.call(request),
                            },
                            Finished::Refused(response) => Kind::Rejected {
                                response: Some(response),
                            },
                        },
                        (Err(rejection), Some(state)) => Kind::Rejected {
                            response: Some(refuse(
                                responder,
                                &state.verifier,
                                &state.parts,
                                rejection,
                            )),
                        },
                        (_, None) => Kind::Rejected {
                            response: Some(responder.respond(Rejection::BodyUnreadable)),
                        },
                    }
                }
                KindProj::Inner { future } => {
                    let response = ready!(future.poll(cx))?;
                    return Poll::Ready(Ok(response.map(ResponseBody::inner)));
                }
                KindProj::Rejected { response } => {
                    // Taken once: a future is not polled again after it is ready.
                    return Poll::Ready(Ok(response.take().map_or_else(
                        || {
                            crate::response::rejected(
                                this.rejection_response,
                                Rejection::BodyUnreadable,
                            )
                        },
                        |response| response.map(ResponseBody::rejected),
                    )));
                }
            };
            self.as_mut().project().kind.set(next);
        }
    }
}

/// Pulls frames until the body ends (`Ok`), fails, stalls past the deadline or passes the
/// limit (`Err`).
fn poll_body<S, B>(
    mut body: Pin<&mut B>,
    timer: &mut ReadTimer,
    state: &mut Pending<S>,
    cx: &mut Context<'_>,
) -> Poll<Result<(), Rejection>>
where
    B: Body,
{
    timer.start();
    loop {
        match body.as_mut().poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let Ok(mut data) = frame.into_data() else {
                    // Trailers carry no body bytes and are not signed.
                    continue;
                };
                let chunk = data.copy_to_bytes(data.remaining());
                if let Err(rejection) = state.body.push(chunk) {
                    return Poll::Ready(Err(rejection));
                }
            }
            Poll::Ready(Some(Err(_))) => return Poll::Ready(Err(Rejection::BodyUnreadable)),
            Poll::Ready(None) => return Poll::Ready(Ok(())),
            Poll::Pending => {
                if let ReadTimer::Unarmed(deadline) = *timer {
                    *timer = ReadTimer::Armed(Box::pin(tokio::time::sleep_until(deadline)));
                }
                if let ReadTimer::Armed(sleep) = timer {
                    if sleep.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Err(Rejection::BodyTimeout));
                    }
                }
                return Poll::Pending;
            }
        }
    }
}

/// What a buffered request comes to: the inner service and the request to call it with,
/// or the answer to its refusal.
enum Finished<S> {
    Call(S, Request<Full<Bytes>>),
    Refused(Response<Full<Bytes>>),
}

impl<S> Pending<S> {
    /// Checks the signature over the collected body; on success, the request for the
    /// inner service, else `responder`'s response. Logs the outcome.
    fn finish<R: RejectionResponse>(self, responder: &R) -> Finished<S> {
        let Pending {
            mut parts,
            inner,
            verifier,
            body,
        } = self;
        match body.finish() {
            Ok((bytes, verified)) => {
                tracing::debug!(
                    provider = %verified.provider(),
                    key = %verified.key(),
                    "webhook signature verified"
                );
                parts.extensions.insert(verified);
                #[cfg_attr(not(feature = "axum"), allow(unused_mut))]
                let mut request = Request::from_parts(parts, Full::new(bytes));
                // axum's body extractors apply their own limit (2 MB by default) after this
                // layer; the body is already bounded by this layer's limit, so that second,
                // smaller limit would refuse verified deliveries: it is lifted.
                #[cfg(feature = "axum")]
                axum::extract::DefaultBodyLimit::disable().apply(&mut request);
                Finished::Call(inner, request)
            }
            Err(rejection) => Finished::Refused(refuse(responder, &verifier, &parts, rejection)),
        }
    }
}

impl<S, B, R> fmt::Debug for ResponseFuture<S, B, R>
where
    S: Service<Request<Full<Bytes>>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.kind {
            Kind::Buffering { .. } => "Buffering",
            Kind::Inner { .. } => "Inner",
            Kind::Rejected { .. } => "Rejected",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<S> fmt::Debug for Pending<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}
