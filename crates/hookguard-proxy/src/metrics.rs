//! The proxy's Prometheus metrics: recorded through the `metrics` facade into a recorder
//! each proxy owns (no process-wide state), rendered as text at `/metrics`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hookguard_core::Rejection;
use metrics::{Counter, Histogram, Key, Label, Level, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{
    BuildError, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Requests to a route, by outcome.
const DELIVERIES: &str = "hookguard_proxy_deliveries_total";
/// Refused requests, by route and reason.
const REFUSALS: &str = "hookguard_proxy_refusals_total";
/// Requests to a path no route names.
const UNROUTED: &str = "hookguard_proxy_unrouted_total";
/// Time from sending a verified request to the upstream's response head.
const UPSTREAM_SECONDS: &str = "hookguard_proxy_upstream_duration_seconds";
/// Histogram buckets for the upstream latency, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// What became of a request to a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Verified and answered by the upstream.
    Forwarded,
    /// Refused: never sent upstream.
    Refused,
    /// Verified; the upstream could not be reached (`502`).
    UpstreamUnreachable,
    /// Verified; the upstream did not answer in time (`504`).
    UpstreamTimeout,
    /// Verified; a copy of a delivery in flight (`409`) or done (`200`): not forwarded.
    Duplicate,
    /// Verified; the deduplication store was unreachable (`503`): not forwarded.
    DedupUnavailable,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Forwarded => "forwarded",
            Outcome::Refused => "refused",
            Outcome::UpstreamUnreachable => "upstream_unreachable",
            Outcome::UpstreamTimeout => "upstream_timeout",
            Outcome::Duplicate => "duplicate",
            Outcome::DedupUnavailable => "dedup_unavailable",
        }
    }
}

/// The proxy's recorder and the handle that renders it.
#[derive(Clone)]
pub(crate) struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl Metrics {
    /// A recorder with the proxy's metrics described and its latency buckets set.
    pub(crate) fn new() -> Result<Metrics, BuildError> {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)?
            .build_recorder();
        let handle = recorder.handle();
        let described = [
            (DELIVERIES, "Requests to a route, by outcome.", None),
            (REFUSALS, "Refused requests, by route and reason.", None),
            (UNROUTED, "Requests to a path no route names (404).", None),
        ];
        for (name, help, unit) in described {
            recorder.describe_counter(name.into(), unit, help.into());
        }
        recorder.describe_histogram(
            UPSTREAM_SECONDS.into(),
            Some(Unit::Seconds),
            "Time from sending a verified request upstream to its response head.".into(),
        );
        Ok(Metrics {
            recorder: Arc::new(recorder),
            handle,
        })
    }

    /// The handles of `route`'s metrics, registered once so that a delivery only
    /// increments them.
    pub(crate) fn for_route(&self, route: &str) -> RouteMetrics {
        let delivery = |outcome: Outcome| {
            let labels = vec![
                Label::new("route", route.to_owned()),
                Label::new("outcome", outcome.label()),
            ];
            self.recorder
                .register_counter(&Key::from_parts(DELIVERIES, labels), &METADATA)
        };
        let latency = Key::from_parts(
            UPSTREAM_SECONDS,
            vec![Label::new("route", route.to_owned())],
        );
        RouteMetrics {
            metrics: self.clone(),
            route: route.to_owned(),
            forwarded: delivery(Outcome::Forwarded),
            refused: delivery(Outcome::Refused),
            unreachable: delivery(Outcome::UpstreamUnreachable),
            timed_out: delivery(Outcome::UpstreamTimeout),
            duplicates: delivery(Outcome::Duplicate),
            dedup_unavailable: delivery(Outcome::DedupUnavailable),
            latency: self.recorder.register_histogram(&latency, &METADATA),
        }
    }

    /// Counts a request to an unknown path.
    pub(crate) fn unrouted(&self) {
        self.counter(UNROUTED, Vec::new());
    }

    /// The Prometheus text exposition of every metric.
    pub(crate) fn render(&self) -> String {
        self.handle.render()
    }

    /// Drains histogram samples into their buckets; run now and then.
    pub(crate) fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) {
        let key = Key::from_parts(name, labels);
        self.recorder.register_counter(&key, &METADATA).increment(1);
    }
}

/// One route's metric handles.
#[derive(Clone)]
pub(crate) struct RouteMetrics {
    metrics: Metrics,
    route: String,
    forwarded: Counter,
    refused: Counter,
    unreachable: Counter,
    timed_out: Counter,
    duplicates: Counter,
    dedup_unavailable: Counter,
    latency: Histogram,
}

impl RouteMetrics {
    /// Counts a request that ended as `outcome`.
    pub(crate) fn delivery(&self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Forwarded => &self.forwarded,
            Outcome::Refused => &self.refused,
            Outcome::UpstreamUnreachable => &self.unreachable,
            Outcome::UpstreamTimeout => &self.timed_out,
            Outcome::Duplicate => &self.duplicates,
            Outcome::DedupUnavailable => &self.dedup_unavailable,
        };
        counter.increment(1);
    }

    /// Counts a request refused for `rejection`, by reason and as a delivery outcome.
    pub(crate) fn refusal(&self, rejection: Rejection) {
        let labels = vec![
            Label::new("route", self.route.clone()),
            Label::new("reason", reason(rejection)),
        ];
        self.metrics.counter(REFUSALS, labels);
        self.delivery(Outcome::Refused);
    }

    /// Records how long the upstream took to answer.
    pub(crate) fn upstream_latency(&self, elapsed: Duration) {
        self.latency.record(elapsed.as_secs_f64());
    }
}

/// Where the proxy's metrics come from, for recorders that filter on it.
static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The `reason` label of a refusal.
fn reason(rejection: Rejection) -> &'static str {
    match rejection {
        Rejection::MissingSignature => "missing_signature",
        Rejection::MultipleSignatures => "multiple_signatures",
        Rejection::MalformedSignature(_) => "malformed_signature",
        Rejection::Mismatch => "mismatch",
        Rejection::BodyNotUtf8 => "body_not_utf8",
        Rejection::BodyTooLarge { .. } => "body_too_large",
        Rejection::BodyUnreadable => "body_unreadable",
        Rejection::BodyTimeout => "body_timeout",
        Rejection::UnsupportedContentEncoding(_) => "unsupported_content_encoding",
        Rejection::MissingDeliveryId => "missing_delivery_id",
        Rejection::MalformedDeliveryId => "malformed_delivery_id",
        Rejection::MissingTimestamp => "missing_timestamp",
        Rejection::MalformedTimestamp => "malformed_timestamp",
        Rejection::TimestampOutsideTolerance { .. } => "timestamp_outside_tolerance",
        _ => "other",
    }
}

impl fmt::Debug for RouteMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteMetrics")
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}
