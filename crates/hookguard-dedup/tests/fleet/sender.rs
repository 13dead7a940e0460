//! The sender: every event delivered 1 to 4 times, each copy to another receiver, copies
//! of one event at the same time (adjacent in one queue that 32 workers drain), each copy
//! retried with backoff until it gets a 2xx, as webhook senders do.

use std::collections::{BTreeMap, BTreeSet};
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use hookguard_core::{Provider, Secret, Signer};
use hookguard_test_support::http::{self, Body, Request};

use super::receiver::SECRET;

const WORKERS: usize = 32;
/// Attempts per copy before the sender gives up (about 2 minutes of backoff).
const ATTEMPTS: u32 = 300;

/// Which copies go out: `(event, copy)` pairs, the copies of an event adjacent.
pub(crate) fn plan(events: u64) -> Vec<(u64, u64)> {
    (0..events)
        .flat_map(|event| {
            // 1 to 4 copies, spread by a multiplicative hash of the event.
            let copies = 1 + (event.wrapping_mul(0x9E37_79B9) >> 7) % 4;
            (0..copies).map(move |copy| (event, copy))
        })
        .collect()
}

/// What the sender saw.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Answers by status, over every attempt.
    pub(crate) statuses: BTreeMap<u16, u64>,
    /// Attempts that got no answer, by error kind.
    pub(crate) no_answer: BTreeMap<String, u64>,
    /// `(receiver, event)` of attempts that reached a receiver and got no answer (cut by
    /// a kill): the deliveries in flight on a killed receiver.
    pub(crate) cut: BTreeSet<(usize, u64)>,
    /// Copies that never got a 2xx.
    pub(crate) gave_up: Vec<(u64, u64)>,
}

/// Delivers `plan` to `receivers`; `done` counts copies finished, for the fault injector.
/// A receiver's address can be swapped while running (never is: restarts keep the port).
pub(crate) fn deliver(
    plan: &[(u64, u64)],
    receivers: &RwLock<Vec<SocketAddr>>,
    done: &AtomicUsize,
) -> Report {
    let signer = Signer::new(Provider::Bindbee, Secret::new(SECRET).unwrap()).unwrap();
    let next = AtomicUsize::new(0);
    let report = Mutex::new(Report::default());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while let Some(&(event, copy)) = plan.get(next.fetch_add(1, Ordering::Relaxed)) {
                    deliver_copy(&signer, receivers, event, copy, &report);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    report.into_inner().unwrap()
}

fn deliver_copy(
    signer: &Signer,
    receivers: &RwLock<Vec<SocketAddr>>,
    event: u64,
    copy: u64,
    report: &Mutex<Report>,
) {
    let body = format!("event={event}");
    let request = Request {
        path: "/hook".into(),
        headers: vec![(signer.header_name().into(), signer.sign(body.as_bytes()))],
        body: Body::Fixed(body.into_bytes()),
    };
    let count = receivers.read().unwrap().len();
    let target = usize::try_from((event + copy) % count as u64).unwrap();
    let mut pause = Duration::from_millis(10);
    for _ in 0..ATTEMPTS {
        let addr = receivers.read().unwrap()[target];
        let answer = http::send(addr, &request);
        let mut report = report.lock().unwrap();
        match answer {
            Ok(response) => {
                *report.statuses.entry(response.status).or_default() += 1;
                if (200..300).contains(&response.status) {
                    return;
                }
            }
            Err(error) => {
                *report
                    .no_answer
                    .entry(format!("{:?}", error.kind()))
                    .or_default() += 1;
                if error.kind() != ErrorKind::ConnectionRefused {
                    report.cut.insert((target, event));
                }
            }
        }
        drop(report);
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(500));
    }
    report.lock().unwrap().gave_up.push((event, copy));
}
