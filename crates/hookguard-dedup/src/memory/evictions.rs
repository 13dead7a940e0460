//! [`Evictions`]: how often a full memory store says so.

use std::time::{Duration, Instant};

use crate::key::Key;

/// The least time between two warnings of a full store, in seconds.
pub(super) const WARNING_INTERVAL: Duration = Duration::from_secs(60);

/// Counts the keys evicted before their lease or window ended, and warns of them at most
/// once per [`WARNING_INTERVAL`]: a store too small for its traffic evicts on every new
/// delivery, and one line per delivery would flood the log.
#[derive(Default)]
pub(super) struct Evictions {
    /// Keys evicted since the last warning.
    unreported: u64,
    /// Before this instant, evictions are only counted.
    quiet_until: Option<Instant>,
}

impl Evictions {
    /// Counts the eviction of `key`, and logs a `WARN` event with the count when the last
    /// one is at least [`WARNING_INTERVAL`] old. Returns the count logged, if any.
    pub(super) fn record(&mut self, key: &Key, capacity: usize, now: Instant) -> Option<u64> {
        self.unreported += 1;
        if self.quiet_until.is_some_and(|until| now < until) {
            return None;
        }
        let evicted = std::mem::take(&mut self.unreported);
        self.quiet_until = Some(now + WARNING_INTERVAL);
        tracing::warn!(
            evicted,
            last = %key,
            capacity,
            "deduplication memory store full: keys evicted before their window ended \
             (a retry of theirs would run again); raise the capacity"
        );
        Some(evicted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_at_once_then_at_most_once_per_interval_with_the_count() {
        let (mut evictions, key, t0) = (Evictions::default(), Key::new("k"), Instant::now());
        assert_eq!(evictions.record(&key, 10, t0), Some(1));
        for n in 1..1000 {
            let now = t0 + WARNING_INTERVAL * n / 1000;
            assert_eq!(evictions.record(&key, 10, now), None, "eviction {n}");
        }
        assert_eq!(
            evictions.record(&key, 10, t0 + WARNING_INTERVAL),
            Some(1000)
        );
        assert_eq!(evictions.record(&key, 10, t0 + WARNING_INTERVAL), None);
    }
}
