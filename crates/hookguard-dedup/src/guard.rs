//! [`ClaimGuard`]: a held claim, completed or released exactly once.

use std::sync::Arc;
use std::time::Duration;

use crate::key::Key;
use crate::store::{Store, StoreError, StoreFuture, Token};

/// A claim the running handler holds. [`ClaimGuard::finish`] completes or releases it;
/// dropped unfinished (the handler's future was dropped or panicked), it releases the
/// claim without waiting, so the sender's retry runs the handler.
pub(crate) struct ClaimGuard {
    held: Option<Held>,
}

struct Held {
    store: Arc<dyn Store>,
    key: Key,
    token: Token,
    window: Duration,
}

impl ClaimGuard {
    pub(crate) fn new(store: Arc<dyn Store>, key: Key, token: Token, window: Duration) -> Self {
        ClaimGuard {
            held: Some(Held {
                store,
                key,
                token,
                window,
            }),
        }
    }

    /// Marks the delivery done when the handler succeeded, frees it otherwise.
    pub(crate) fn finish(mut self, succeeded: bool) -> Option<(Key, StoreFuture<()>)> {
        let held = self.held.take()?;
        let update = if succeeded {
            complete(held.store, held.key.clone(), held.window)
        } else {
            tracing::debug!(key = %held.key, "handler failed: deduplication claim released");
            held.store.release(held.key.clone(), held.token)
        };
        Some((held.key, update))
    }
}

/// Logs, at `ERROR`, a store that could not record the outcome of `key`'s handler.
pub(crate) fn not_updated(key: &Key, updated: Result<(), StoreError>) {
    if let Err(error) = updated {
        tracing::error!(%key, %error, "deduplication store not updated after the handler");
    }
}

/// The pauses between attempts to mark a delivery done: about 3 s in all, within a
/// sender's attempt timeout (Bindbee: 10 s).
const COMPLETE_RETRIES: [Duration; 6] = [
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
    Duration::from_millis(1600),
];

/// Marks `key` done, retrying while the store is unreachable: the handler's effect
/// happened, and a claim left to lapse would let a retry run it again.
fn complete(store: Arc<dyn Store>, key: Key, window: Duration) -> StoreFuture<()> {
    let first = match store.complete(key.clone(), window).now_or_later() {
        Ok(Ok(())) => return StoreFuture::ready(Ok(())),
        Ok(Err(error)) => StoreFuture::ready(Err(error)),
        Err(later) => later,
    };
    StoreFuture::new(async move {
        let mut pauses = COMPLETE_RETRIES.iter();
        let mut attempt = first;
        loop {
            match attempt.await {
                Ok(()) => return Ok(()),
                Err(error) => match pauses.next() {
                    Some(pause) => {
                        tracing::warn!(%key, %error, "delivery not yet marked done: retrying");
                        tokio::time::sleep(*pause).await;
                        attempt = store.complete(key.clone(), window);
                    }
                    None => return Err(error),
                },
            }
        }
    })
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if let Some(held) = self.held.take() {
            tracing::debug!(key = %held.key, "handler dropped: deduplication claim released");
            held.store.release_detached(held.key, held.token);
        }
    }
}
