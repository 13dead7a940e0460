//! Welch's t-test on two timing samples, raw and cropped at pooled percentiles, and the
//! size of an effect in ns.

/// Welch's t statistic of two samples.
#[allow(clippy::cast_precision_loss, reason = "sample counts far below 2^52")]
pub(crate) fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (n, mean, var)
    };
    let (na, ma, va) = stats(a);
    let (nb, mb, vb) = stats(b);
    (ma - mb) / (va / na + vb / nb).sqrt()
}

/// Both samples together, sorted: where the crops are cut.
fn pooled(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    pooled.sort_by(f64::total_cmp);
    pooled
}

/// The samples of `x` at or below the `percentile` of the sorted `pooled` samples: the
/// crop that sheds preemption outliers from both classes alike.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "percentile index of a non-empty sample"
)]
fn crop(x: &[f64], pooled: &[f64], percentile: f64) -> Vec<f64> {
    let cut = pooled[((pooled.len() - 1) as f64 * percentile) as usize];
    x.iter().copied().filter(|v| *v <= cut).collect()
}

#[allow(clippy::cast_precision_loss, reason = "sample counts far below 2^52")]
fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The largest |t| over the raw samples and the 99th/90th percentile crops.
pub(crate) fn max_abs_t(a: &[f64], b: &[f64]) -> f64 {
    let pooled = pooled(a, b);
    let mut worst = welch_t(a, b).abs();
    for percentile in [0.99, 0.90] {
        let (a, b) = (crop(a, &pooled, percentile), crop(b, &pooled, percentile));
        let t = welch_t(&a, &b);
        if std::env::var_os("HOOKGUARD_TIMING_DEBUG").is_some() {
            eprintln!(
                "  crop {percentile}: t {t:.2}, means {:.3} / {:.3}",
                mean(&a),
                mean(&b)
            );
        }
        worst = worst.max(t.abs());
    }
    worst
}

/// The difference of the class means (B - A) in ns, both cropped at the pooled 90th
/// percentile: the size of an effect, where |t| is only its significance.
pub(crate) fn mean_difference(a: &[f64], b: &[f64]) -> f64 {
    let pooled = pooled(a, b);
    mean(&crop(b, &pooled, 0.9)) - mean(&crop(a, &pooled, 0.9))
}
