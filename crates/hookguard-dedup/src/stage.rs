//! What a deduplicating stage does with a request, whatever the framework: derive its key,
//! claim it, and either run the handler (holding a [`ClaimGuard`]) or answer for it.

use std::sync::Arc;
use std::time::Duration;

use hookguard_core::Verified;
use http::StatusCode;

use crate::dedup::Dedup;
use crate::guard::ClaimGuard;
use crate::key::{Headers, Key, KeyContext};
use crate::store::{Claim, StoreError, StoreFuture};

impl Dedup {
    /// The key of a request and the store's answer for it, decided at once when the store
    /// answers without waiting (the memory store) or the request can have no key.
    pub(crate) fn start(&self, verified: Option<&Verified>, headers: &dyn Headers) -> Start {
        let Some(verified) = verified else {
            tracing::error!("{MISORDERED}");
            return Start::Decided(Decision::Reply(Reply::misordered()));
        };
        let key = match &self.key_fn {
            Some(key_fn) => key_fn(&KeyContext::new(verified, headers)),
            None => Key::derive(verified),
        };
        let Some(key) = key else {
            return Start::Decided(Decision::Run(None));
        };
        match self.store.claim(key.clone(), self.lease).now_or_later() {
            Ok(claim) => Start::Decided(self.decide(key, claim)),
            Err(claim) => Start::Claiming(key, claim),
        }
    }

    /// What to do once the store answered the claim of `key`.
    pub(crate) fn decide(&self, key: Key, claim: Result<Claim, StoreError>) -> Decision {
        match claim {
            Ok(Claim::Claimed(token)) => Decision::Run(Some(ClaimGuard::new(
                Arc::clone(&self.store),
                key,
                token,
                self.window,
            ))),
            Ok(Claim::InFlight) => {
                tracing::info!(%key, "duplicate webhook delivery while the first is in flight");
                Decision::Reply(Reply::in_flight(self.retry_after))
            }
            Ok(Claim::Done) => {
                tracing::info!(%key, "duplicate webhook delivery of a completed one");
                Decision::Reply(Reply::duplicate(self.duplicate_status))
            }
            Err(error) if self.fail_open => {
                tracing::warn!(%key, %error, "deduplication store unreachable: handler runs unchecked");
                Decision::Run(None)
            }
            Err(error) => {
                tracing::error!(%key, %error, "deduplication store unreachable: request refused");
                Decision::Reply(Reply::unavailable(self.retry_after))
            }
        }
    }
}

/// The first step for a request.
pub(crate) enum Start {
    /// The store is being asked for the key.
    Claiming(Key, StoreFuture<Claim>),
    /// Decided without waiting.
    Decided(Decision),
}

/// What happens to a request once its claim is answered.
pub(crate) enum Decision {
    /// Run the handler; the guard (absent when failing open) records its outcome.
    Run(Option<ClaimGuard>),
    /// Answer without running the handler.
    Reply(Reply),
}

/// What a request without a [`Verified`] is answered (a `text/plain` body) and logged: the
/// deduplicating stage runs outside the verifying one. Both orders are spelled out because
/// the frameworks read them differently: a `tower::ServiceBuilder` runs its layers in the
/// order written, separate axum `layer`/`route_layer` calls and actix-web `wrap` calls run
/// the one added last first.
pub(crate) const MISORDERED: &str = "hookguard: the deduplication stage received a request \
    that was not verified (no hookguard_core::Verified in its extensions). Deduplication must \
    run after signature verification, that is inside it. axum/tower: in one \
    tower::ServiceBuilder, list VerifySignatureLayer before DeduplicateLayer; with separate \
    .layer or .route_layer calls, add DeduplicateLayer first (the layer added last runs \
    first). actix-web: call .wrap(Deduplicate::new(..)) before .wrap(VerifySignature::new(..)) \
    (the wrap added last runs first).";

/// An answer given instead of the handler's: status, `Retry-After` seconds, whether it
/// carries `Hookguard-Duplicate: true`, and its `text/plain` body (empty: no body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<u64>,
    pub(crate) duplicate: bool,
    pub(crate) body: &'static str,
}

impl Reply {
    fn in_flight(retry_after: Duration) -> Reply {
        Reply {
            status: StatusCode::CONFLICT,
            retry_after: Some(retry_after.as_secs()),
            duplicate: true,
            body: "",
        }
    }

    fn duplicate(status: StatusCode) -> Reply {
        Reply {
            status,
            retry_after: None,
            duplicate: true,
            body: "",
        }
    }

    fn unavailable(retry_after: Duration) -> Reply {
        Reply {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: Some(retry_after.as_secs()),
            duplicate: false,
            body: "",
        }
    }

    fn misordered() -> Reply {
        Reply {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            retry_after: None,
            duplicate: false,
            body: MISORDERED,
        }
    }
}
