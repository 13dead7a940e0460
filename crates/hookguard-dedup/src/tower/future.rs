//! [`ResponseFuture`]: claim, run the handler, record its outcome.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::dedup::Dedup;
use crate::guard::{not_updated, ClaimGuard};
use crate::key::Key;
use crate::stage::Decision;
use crate::store::{Claim, StoreFuture};

pin_project! {
    /// The future [`Deduplicate`](super::Deduplicate) returns.
    ///
    /// A store that answers at once (the memory store) is decided in `call`; a later
    /// answer is the store's boxed future. The handler's future is held inline.
    ///
    /// # Example
    /// ```
    /// use std::convert::Infallible;
    /// use hookguard_dedup::{Dedup, Deduplicate, ResponseFuture};
    /// use tower::Service;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = tower::service_fn(|_: http::Request<String>| async {
    ///     Ok::<_, Infallible>(http::Response::new(String::new()))
    /// });
    /// let mut service = Deduplicate::new(handler, Dedup::in_memory());
    /// // No `Verified` in the extensions: the verifying layer is missing, so 500.
    /// let future: ResponseFuture<_, String> = service.call(http::Request::new(String::new()));
    /// let response = future.await.unwrap();
    /// assert_eq!(response.status(), 500);
    /// assert!(response.body().contains("must run after signature verification"));
    /// # }
    /// ```
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        kind: Kind<S, B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<S, B>
    where
        S: Service<Request<B>>,
    {
        Claiming {
            claim: StoreFuture<Claim>,
            parked: Option<Parked<S, B>>,
        },
        Running {
            #[pin]
            future: S::Future,
            guard: Option<ClaimGuard>,
        },
        Finishing {
            key: Key,
            update: StoreFuture<()>,
            outcome: Option<Result<S::Response, S::Error>>,
        },
        Replied {
            response: Option<S::Response>,
        },
    }
}

/// What waits while the store answers the claim.
struct Parked<S, B> {
    key: Key,
    request: Request<B>,
    inner: S,
    dedup: Arc<Dedup>,
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<B>>,
{
    pub(super) fn claiming(
        claim: StoreFuture<Claim>,
        key: Key,
        request: Request<B>,
        inner: S,
        dedup: Arc<Dedup>,
    ) -> Self {
        let parked = Parked {
            key,
            request,
            inner,
            dedup,
        };
        ResponseFuture {
            kind: Kind::Claiming {
                claim,
                parked: Some(parked),
            },
        }
    }

    pub(super) fn running(future: S::Future, guard: Option<ClaimGuard>) -> Self {
        ResponseFuture {
            kind: Kind::Running { future, guard },
        }
    }

    pub(super) fn replied(response: S::Response) -> Self {
        ResponseFuture {
            kind: Kind::Replied {
                response: Some(response),
            },
        }
    }
}

impl<S, B, ResB> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<ResB>>,
    ResB: From<&'static str>,
{
    type Output = Result<Response<ResB>, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let next = match self.as_mut().project().kind.project() {
                KindProj::Claiming { claim, parked } => {
                    let claimed = ready!(Pin::new(claim).poll(cx));
                    let Some(mut parked) = parked.take() else {
                        return Poll::Pending;
                    };
                    match parked.dedup.decide(parked.key, claimed) {
                        Decision::Run(guard) => Kind::Running {
                            future: parked.inner.call(parked.request),
                            guard,
                        },
                        Decision::Reply(reply) => Kind::Replied {
                            response: Some(super::reply(reply)),
                        },
                    }
                }
                KindProj::Running { future, guard } => {
                    let outcome = ready!(future.poll(cx));
                    let succeeded =
                        matches!(&outcome, Ok(response) if response.status().is_success());
                    let Some((key, update)) =
                        guard.take().and_then(|guard| guard.finish(succeeded))
                    else {
                        return Poll::Ready(outcome);
                    };
                    // A store that answers at once (the memory store) is done with here.
                    match update.now_or_later() {
                        Ok(updated) => {
                            not_updated(&key, updated);
                            return Poll::Ready(outcome);
                        }
                        Err(update) => Kind::Finishing {
                            key,
                            update,
                            outcome: Some(outcome),
                        },
                    }
                }
                KindProj::Finishing {
                    key,
                    update,
                    outcome,
                } => {
                    not_updated(key, ready!(Pin::new(update).poll(cx)));
                    return match outcome.take() {
                        Some(outcome) => Poll::Ready(outcome),
                        None => Poll::Pending,
                    };
                }
                KindProj::Replied { response } => {
                    return match response.take() {
                        Some(response) => Poll::Ready(Ok(response)),
                        None => Poll::Pending,
                    };
                }
            };
            self.as_mut().project().kind.set(next);
        }
    }
}

impl<S, B> fmt::Debug for ResponseFuture<S, B>
where
    S: Service<Request<B>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.kind {
            Kind::Claiming { .. } => "Claiming",
            Kind::Running { .. } => "Running",
            Kind::Finishing { .. } => "Finishing",
            Kind::Replied { .. } => "Replied",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}
