//! [`ClaimGuard`]: a held claim, completed or released exactly once.

use std::sync::Arc;
use std::time::Duration;

use crate::key::Key;
use crate::store::{Store, StoreFuture, Token};

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
            held.store.complete(held.key.clone(), held.window)
        } else {
            tracing::debug!(key = %held.key, "handler failed: deduplication claim released");
            held.store.release(held.key.clone(), held.token)
        };
        Some((held.key, update))
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if let Some(held) = self.held.take() {
            tracing::debug!(key = %held.key, "handler dropped: deduplication claim released");
            held.store.release_detached(held.key, held.token);
        }
    }
}
