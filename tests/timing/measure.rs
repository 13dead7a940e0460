//! What is timed: a verifier and the header texts that are wrong in the first tag byte
//! (class A) or the last (class B), prepared a batch at a time, and the timed calls.

use std::hint::black_box;
use std::time::Instant;

use hookguard::{Provider, Secret, Signer, Verifier};

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
pub(crate) struct Setup {
    verifier: Verifier,
    body: Vec<u8>,
    correct: [u8; 32],
    text: Vec<u8>,
    /// (position, replacement character) for class A and class B.
    edits: [(usize, u8); 2],
}

/// What is timed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path {
    /// `Verifier::verify` from the header text: parsing (of text the client chose and
    /// knows) included.
    Header,
    /// From the parsed tag: MAC of the body and comparison, the part that involves the
    /// secret. This is the part that must not leak.
    Tag,
}

impl Setup {
    pub(crate) fn new(provider: &Provider, secrets: &[&str]) -> Setup {
        let mut builder = Verifier::builder(provider.clone());
        for secret in secrets {
            builder = builder.secret(Secret::new(*secret).unwrap());
        }
        let verifier = builder.build().unwrap();
        // A short body, so the comparison is as large a share of each call as it can be.
        let body = br#"{"action":"employee_create","id":130333}"#.to_vec();
        let signer = Signer::new(provider.clone(), Secret::new(secrets[0]).unwrap()).unwrap();
        let text = signer.sign(&body).into_bytes();
        let correct = tag_of(&verifier.parse_signature(Some(&text)).unwrap());
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
            let tag = tag_of(&verifier.parse_signature(Some(&wrong)).unwrap());
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
    pub(crate) fn measure(
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
            for ((class, text), presented) in classes.iter().zip(&texts).zip(tags.drain(..)) {
                let tag = tag_of(&presented);
                let start = Instant::now();
                let result = match path {
                    Path::Header => self
                        .verifier
                        .verify(Some(black_box(text)), black_box(&self.body)),
                    Path::Tag => {
                        let mut verification = self.verifier.start(black_box(presented));
                        verification.update(black_box(&self.body));
                        verification.finish()
                    }
                };
                if leak {
                    black_box(leaky_eq(&self.correct, black_box(&tag)));
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

/// The 32-byte HMAC tag a body-only signature carries.
fn tag_of(signature: &hookguard::Signature) -> [u8; 32] {
    signature.as_bytes().try_into().unwrap()
}
