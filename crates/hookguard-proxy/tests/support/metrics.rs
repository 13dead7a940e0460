//! Reading `/metrics` in the tests that check the proxy's counters.

use prometheus_parse::{Sample, Scrape, Value};

/// The value of the counter `name` whose labels include every pair of `labels`.
pub(crate) fn counter(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let matching: Vec<&Sample> = scrape
        .samples
        .iter()
        .filter(|sample| sample.metric == name)
        .filter(|sample| labels.iter().all(|(k, v)| sample.labels.get(k) == Some(*v)))
        .collect();
    match matching.as_slice() {
        [] => 0.0,
        [sample] => match sample.value {
            Value::Counter(value) | Value::Untyped(value) => value,
            ref other => panic!("{name} is not a counter: {other:?}"),
        },
        more => panic!("{name} {labels:?} matches {} samples", more.len()),
    }
}
