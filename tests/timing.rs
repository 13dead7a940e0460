//! Timing safety in the spirit of dudect (Reparaz, Balasch, Verbauwhede 2017): verify a
//! body against tags that differ from the correct one in the FIRST byte (class A) or in
//! the LAST byte (class B), the two classes interleaved at random, each call timed with
//! `Instant`. An early-exit comparison is faster for class A; a constant-time one is not.
//! Welch's t-test on the two timing sets (raw, and cropped at the pooled 99th and 90th
//! percentiles to shed preemption outliers) must stay under |t| < 4.5, dudect's threshold.
//!
//! As dudect does, the inputs are prepared a batch at a time before any of them is
//! measured, the classes in random order, so preparing an input leaves no trace in the
//! call that is timed with it and memory placement cannot tell the classes apart.
//!
//! Both runs prove the harness can see a leak (the same measurement with an early-exit
//! byte comparison added must give |t| far above 4.5); the full run also reports an A/A run
//! (both classes identical) as the harness's noise floor, and the mean difference in ns
//! next to each |t|, as dudect's t only says how significant an effect is, not how large.
//!
//! * `cargo test --test timing`: a quick check (10 000 samples per class, plus the leaky
//!   control). A check over the threshold is measured again with a fresh class sequence, up
//!   to 3 times, and fails only if every attempt is over: a leak is steady, while a burst
//!   of load on a shared CI machine is not.
//! * `HOOKGUARD_TIMING=1 cargo test --release --test timing -- --nocapture`: the full run
//!   (2 000 000 samples per class and provider, plus the leaky control), where both the
//!   tag path and the header path must pass; figures in `docs/security.md`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

use std::hint::black_box;
use std::time::Instant;

use hookguard::{Provider, Secret, Signer, Verifier};

const THRESHOLD: f64 = 4.5;
/// The URL-safe base64 alphabet (Bindbee).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// splitmix64: a fixed-seed generator for the class sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Welch's t statistic of two samples.
#[allow(clippy::cast_precision_loss, reason = "sample counts far below 2^52")]
fn welch_t(a: &[f64], b: &[f64]) -> f64 {
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
fn max_abs_t(a: &[f64], b: &[f64]) -> f64 {
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
fn mean_difference(a: &[f64], b: &[f64]) -> f64 {
    let pooled = pooled(a, b);
    mean(&crop(b, &pooled, 0.9)) - mean(&crop(a, &pooled, 0.9))
}

/// Runs `measure(attempt)` (which returns a |t|) up to `attempts` times, stopping at the
/// first |t| that is `settled`; the last |t|.
fn until_settled(
    attempts: u64,
    settled: impl Fn(f64) -> bool,
    mut measure: impl FnMut(u64) -> f64,
) -> f64 {
    let mut t = 0.0;
    for attempt in 0..attempts {
        t = measure(attempt);
        if settled(t) {
            break;
        }
    }
    t
}

/// An early-exit comparison: what a naive `==` on the decoded tag would do.
fn leaky_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if black_box(*x) != black_box(*y) {
            return false;
        }
    }
    true
}

/// One measurement setup: a verifier, a body, the correct header text and the one-character
/// edits that make it wrong in the first tag byte (class A) or the last (class B).
struct Setup {
    verifier: Verifier,
    body: Vec<u8>,
    correct: [u8; 32],
    text: Vec<u8>,
    /// (position, replacement character) for class A and class B.
    edits: [(usize, u8); 2],
}

/// What is timed.
#[derive(Clone, Copy, Debug)]
enum Path {
    /// `Verifier::verify` from the header text: parsing (of text the client chose and
    /// knows) included.
    Header,
    /// From the parsed tag: MAC of the body and comparison, the part that involves the
    /// secret. This is the part that must not leak.
    Tag,
}

impl Setup {
    fn new(provider: &Provider, secrets: &[&str]) -> Setup {
        let mut builder = Verifier::builder(provider.clone());
        for secret in secrets {
            builder = builder.secret(Secret::new(*secret).unwrap());
        }
        let verifier = builder.build().unwrap();
        // A short body, so the comparison is as large a share of each call as it can be.
        let body = br#"{"action":"employee_create","id":130333}"#.to_vec();
        let signer = Signer::new(provider.clone(), Secret::new(secrets[0]).unwrap()).unwrap();
        let text = signer.sign(&body).into_bytes();
        let correct = *verifier.parse_signature(Some(&text)).unwrap().as_bytes();
        // Hex: one digit is one nibble, edited within its kind (a decimal digit to another,
        // a letter to another), so the `hex` crate's decoder, which branches on the kind of
        // each digit, takes the same path for either class: how the client's text is
        // decoded depends on that text, not on the secret, and is not what this test looks
        // for.
        // URL-safe base64 (44 characters, one `=`): the first character is 6 bits of byte
        // 0; the 43rd carries byte 31's low 4 bits and 2 zero bits, so its value changes by
        // 4 to stay canonical.
        let base64 =
            |c: u8, flip: usize| ALPHABET[ALPHABET.iter().position(|a| *a == c).unwrap() ^ flip];
        let hex = |c: u8| match c {
            b'2' => b'3',
            b'0'..=b'9' => b'2',
            b'a' => b'b',
            _ => b'a',
        };
        let prefix = provider.prefix().len();
        let edits = if *provider == Provider::PeopleForce {
            [
                (prefix, hex(text[prefix])),
                (text.len() - 1, hex(text[text.len() - 1])),
            ]
        } else {
            [
                (prefix, base64(text[prefix], 1)),
                (text.len() - 2, base64(text[text.len() - 2], 4)),
            ]
        };
        for (class, (pos, byte)) in edits.iter().enumerate() {
            let mut wrong = text.clone();
            wrong[*pos] = *byte;
            let tag = *verifier.parse_signature(Some(&wrong)).unwrap().as_bytes();
            let differing: Vec<usize> = (0..32).filter(|i| tag[*i] != correct[*i]).collect();
            assert_eq!(differing, [[0], [31]][class], "class {class} edit");
            assert!(verifier.verify(Some(&wrong), &body).is_err());
        }
        assert!(verifier.verify(Some(&text), &body).is_ok());
        Setup {
            verifier,
            body,
            correct,
            text,
            edits,
        }
    }

    /// Times `samples` calls per class, classes interleaved at random. With `leak`, an
    /// early-exit comparison of the presented tag is added to each call (the control). With
    /// `same`, both classes get class A's input (an A/A run: any |t| is the harness's).
    ///
    /// As in dudect, the inputs are prepared before they are measured, a batch at a time:
    /// the classes drawn, each header text edited and parsed into its own slot. A call's
    /// input was built a whole batch earlier, so what preparing it left in the caches, the
    /// store buffer and the branch history is gone, and where a class's input sits in the
    /// batch is random: parsing each input right before its call would leave a residue
    /// that tracks the edited byte in the timed call.
    #[allow(clippy::cast_precision_loss, reason = "nanoseconds of one call")]
    fn measure(
        &self,
        path: Path,
        samples: usize,
        (leak, same): (bool, bool),
        seed: u64,
    ) -> (Vec<f64>, Vec<f64>) {
        let mut rng = Rng(seed);
        let mut times = [
            Vec::with_capacity(samples + BATCH),
            Vec::with_capacity(samples + BATCH),
        ];
        let warm_up = samples / 10;
        let mut classes = [0_usize; BATCH];
        let mut texts = vec![self.text.clone(); BATCH];
        let mut tags = Vec::with_capacity(BATCH);
        let mut done = 0;
        while times[0].len().min(times[1].len()) < samples {
            tags.clear();
            for (class, text) in classes.iter_mut().zip(&mut texts) {
                *class = usize::from(rng.next() & 1 == 1);
                let (pos, byte) = self.edits[if same { 0 } else { *class }];
                text.copy_from_slice(&self.text);
                text[pos] = byte;
                tags.push(self.verifier.parse_signature(Some(&*text)).unwrap());
            }
            for ((class, text), presented) in classes.iter().zip(&texts).zip(&tags) {
                let start = Instant::now();
                let result = match path {
                    Path::Header => self
                        .verifier
                        .verify(Some(black_box(text)), black_box(&self.body)),
                    Path::Tag => {
                        let mut verification = self.verifier.start();
                        verification.update(black_box(&self.body));
                        verification.finish(black_box(presented))
                    }
                };
                if leak {
                    black_box(leaky_eq(&self.correct, black_box(presented.as_bytes())));
                }
                let elapsed = start.elapsed();
                black_box(result.is_ok());
                done += 1;
                if done > warm_up {
                    times[*class].push(elapsed.as_nanos() as f64);
                }
            }
        }
        let [a, b] = times;
        (a, b)
    }
}

/// Inputs prepared per batch: small enough to stay in the first-level caches.
const BATCH: usize = 256;

/// Measurements per check in the quick run: a real leak is a steady effect and exceeds the
/// threshold on every attempt, while a burst of load on a shared CI machine disturbs one
/// measurement, not three with fresh class sequences. The full run measures once.
const QUICK_ATTEMPTS: u64 = 3;

fn run(samples: usize, full: bool) {
    let setups = [
        (
            "peopleforce, 1 key",
            Setup::new(&Provider::PeopleForce, &["pf_whsec_timing"]),
        ),
        (
            "bindbee, 3 keys (rotation)",
            Setup::new(&Provider::Bindbee, &["bb_new", "bb_old", "bb_older"]),
        ),
    ];
    let attempts = if full { 1 } else { QUICK_ATTEMPTS };
    let mut failures = Vec::new();
    let median = |x: &[f64]| {
        let mut x = x.to_vec();
        x.sort_by(f64::total_cmp);
        x[x.len() / 2]
    };
    for (seed, (name, setup)) in (1_u64..).zip(&setups) {
        for (offset, path) in [(0, Path::Tag), (10, Path::Header)] {
            let worst = until_settled(
                attempts,
                |t| t < THRESHOLD,
                |attempt| {
                    let (a, b) = setup.measure(
                        path,
                        samples,
                        (false, false),
                        seed + offset + 1000 * attempt,
                    );
                    let t = max_abs_t(&a, &b);
                    println!(
                    "timing {name}, {path:?} path: {samples} samples per class, median {:.0} ns \
                     (first byte wrong) vs {:.0} ns (last byte wrong), mean difference {:+.3} ns, \
                     max |t| = {t:.2}",
                    median(&a),
                    median(&b),
                    mean_difference(&a, &b)
                );
                    t
                },
            );
            // The tag path is where the secret is involved: it must not leak. The header
            // path adds decoding of text the client wrote and knows; it must not leak in
            // the release build (the full run), while in the quick run's debug build that
            // decoding alone differs by a few ns between the classes, so it is reported.
            if worst >= THRESHOLD && (full || matches!(path, Path::Tag)) {
                failures.push(format!(
                    "{name}, {path:?} path: |t| = {worst:.2} >= {THRESHOLD} \
                     on {attempts} attempt(s)"
                ));
            }
        }
        // The leaky control, in the quick run too: the harness must see an early exit at
        // this sample size, or a pass above would mean nothing.
        let control = until_settled(
            attempts,
            |t| t >= THRESHOLD,
            |attempt| {
                let (a, b) = setup.measure(
                    Path::Tag,
                    samples,
                    (true, false),
                    seed + 100 + 1000 * attempt,
                );
                let control = max_abs_t(&a, &b);
                println!(
                "timing {name}, leaky control: mean difference {:+.3} ns, max |t| = {control:.2} \
                 (must exceed {THRESHOLD})",
                mean_difference(&a, &b)
            );
                control
            },
        );
        if control < THRESHOLD {
            failures.push(format!(
                "{name}: the harness missed the early-exit control (|t| = {control:.2})"
            ));
        }
        if full {
            // A/A: both classes identical. Reported: it is the harness's own noise floor.
            let (a, b) = setup.measure(Path::Tag, samples, (false, true), seed + 200);
            println!(
                "timing {name}, A/A (no difference): mean difference {:+.3} ns, max |t| = {:.2}",
                mean_difference(&a, &b),
                max_abs_t(&a, &b)
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn verification_time_does_not_depend_on_where_the_tag_differs() {
    if std::env::var_os("HOOKGUARD_TIMING").is_some() {
        run(2_000_000, true);
    } else {
        run(10_000, false);
    }
}

#[test]
fn welch_t_sees_a_shift_and_not_noise() {
    let a: Vec<f64> = (0..1000).map(|i| f64::from(i % 10)).collect();
    let shifted: Vec<f64> = a.iter().map(|v| v + 1.0).collect();
    assert!(welch_t(&a, &a).abs() < 1e-9);
    assert!(max_abs_t(&a, &shifted) > 4.5);
}
