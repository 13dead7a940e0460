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
            tracing::error!(
                "deduplication stage without signature verification in front of it: \
                 put the verifying layer or middleware outside the deduplicating one"
            );
            return Start::Decided(Decision::Reply(Reply::misconfigured()));
        };
        let key = match &self.key_fn {
            Some(key_fn) => key_fn(&KeyContext::new(verified, headers)),
            None => Some(Key::derive(verified)),
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

/// An answer given instead of the handler's: status, `Retry-After` seconds, and whether
/// it carries `Hookguard-Duplicate: true`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<u64>,
    pub(crate) duplicate: bool,
}

impl Reply {
    fn in_flight(retry_after: Duration) -> Reply {
        Reply {
            status: StatusCode::CONFLICT,
            retry_after: Some(retry_after.as_secs()),
            duplicate: true,
        }
    }

    fn duplicate(status: StatusCode) -> Reply {
        Reply {
            status,
            retry_after: None,
            duplicate: true,
        }
    }

    fn unavailable(retry_after: Duration) -> Reply {
        Reply {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: Some(retry_after.as_secs()),
            duplicate: false,
        }
    }

    fn misconfigured() -> Reply {
        Reply {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            retry_after: None,
            duplicate: false,
        }
    }
}
