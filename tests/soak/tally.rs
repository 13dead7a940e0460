//! The run's tally: each request checked against its plan.

use crate::mix::MIX;
use crate::plan::{digest, Planned};
use crate::support::servers::Seen;

/// The run's tally: counters and the first failures. It is all the run keeps, so its
/// size does not depend on the request count and the memory figures are the servers'.
pub(crate) struct Tally {
    pub(crate) requests: usize,
    pub(crate) valid: usize,
    pub(crate) false_accepts: usize,
    pub(crate) lost: usize,
    pub(crate) wrong_status: usize,
    pub(crate) per_kind: [usize; MIX.len()],
    pub(crate) failures: Vec<String>,
}

impl Tally {
    pub(crate) fn new() -> Tally {
        Tally {
            requests: 0,
            valid: 0,
            false_accepts: 0,
            lost: 0,
            wrong_status: 0,
            per_kind: [0; MIX.len()],
            failures: Vec::new(),
        }
    }

    pub(crate) fn fail(&mut self, message: String) {
        if self.failures.len() < 20 {
            self.failures.push(message);
        }
    }

    pub(crate) fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.valid += other.valid;
        self.false_accepts += other.false_accepts;
        self.lost += other.lost;
        self.wrong_status += other.wrong_status;
        for (mine, theirs) in self.per_kind.iter_mut().zip(other.per_kind) {
            *mine += theirs;
        }
        for failure in other.failures {
            self.fail(failure);
        }
    }

    /// Checks one request against its plan, given the status the client read and what
    /// the handler saw for its id.
    pub(crate) fn check(&mut self, planned: &Planned, result: &Result<u16, String>, seen: &[Seen]) {
        self.requests += 1;
        self.per_kind[planned.kind as usize] += 1;
        let id = &planned.id;
        if let Some((sent, key)) = &planned.delivery {
            self.valid += 1;
            let intact = matches!(seen, [one] if digest(&one.body) == *sent && one.key == *key);
            if !intact || *result != Ok(200) {
                self.lost += 1;
                self.fail(format!(
                    "{id}: lost or altered: {result:?}, handler saw {seen:?}"
                ));
            }
            return;
        }
        if !seen.is_empty() || *result == Ok(200) {
            self.false_accepts += 1;
            self.fail(format!(
                "{id}: false accept: {result:?}, handler saw {seen:?}"
            ));
        }
        let status_ok = match (planned.status, result) {
            (None, Ok(_)) => true,
            (Some(expected), Ok(got)) => expected == *got,
            (_, Err(_)) => false,
        };
        if !status_ok {
            self.wrong_status += 1;
            self.fail(format!(
                "{id}: expected {:?}, got {result:?}",
                planned.status
            ));
        }
    }
}
