//! Every state transition of a delivery, over real sockets, on both adapters (axum and
//! actix-web) and both stores (in memory and a real `redis-server`): first delivery,
//! copies while it runs and after it is done, failures, panics, clients that hang up,
//! lapsed leases, the end of the window, forged requests, a missing verifier, and Redis
//! down. Each case proves whether the handler ran and, when it did, what bytes it saw.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

mod support;

use std::time::Duration;

use hookguard_dedup::Dedup;
use hookguard_test_support::http::{write_request, Response};
use hookguard_test_support::redis::RedisServer;
use support::receiver::{Adapter, Configure, Receiver, StoreSpec};

/// A receiver and, with the Redis store, its own `redis-server`.
struct Case {
    receiver: Receiver,
    redis: Option<RedisServer>,
}

impl Case {
    /// `None` when the Redis store is wanted and `redis-server` is not installed.
    fn start(test: &str, adapter: Adapter, redis: bool, configure: Configure) -> Option<Case> {
        Case::start_with(test, adapter, redis, configure, true)
    }

    fn start_with(
        test: &str,
        adapter: Adapter,
        redis: bool,
        configure: Configure,
        verified: bool,
    ) -> Option<Case> {
        let redis = if redis {
            Some(RedisServer::start(test).unwrap()?)
        } else {
            None
        };
        let store = redis
            .as_ref()
            .map_or(StoreSpec::Memory, |server| StoreSpec::Redis(server.url()));
        let receiver = Receiver::start_with(adapter, store, configure, verified);
        Some(Case { receiver, redis })
    }
}

fn defaults() -> Configure {
    Box::new(|dedup| dedup)
}

fn duplicate_header(response: &Response) -> Vec<&str> {
    response.header("hookguard-duplicate")
}

/// Delivers `body` until the answer is not `409` (a release runs after the handler's
/// failure is answered, so the sender's first retry can still find the claim): 3 s at most.
fn deliver_until_free(receiver: &Receiver, body: &str) -> Response {
    for _ in 0..300 {
        let response = receiver.deliver(body);
        if response.status != 409 {
            return response;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{body} stayed claimed");
}

mod scenarios {
    use super::*;

    pub(crate) fn first_runs_copies_are_duplicates(test: &str, adapter: Adapter, redis: bool) {
        let Some(case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        let receiver = &case.receiver;
        let first = receiver.deliver("ok:1");
        assert_eq!((first.status, first.body.as_slice()), (200, &b"ok:1"[..]));
        assert!(duplicate_header(&first).is_empty());
        for _ in 0..3 {
            let copy = receiver.deliver("ok:1");
            assert_eq!((copy.status, duplicate_header(&copy)), (200, vec!["true"]));
            assert!(copy.body.is_empty(), "the handler's answer is not replayed");
        }
        let other = receiver.deliver("ok:2");
        assert_eq!((other.status, other.body.as_slice()), (200, &b"ok:2"[..]));
        assert_eq!(receiver.log.events(), ["start ok:1", "start ok:2"]);
    }

    pub(crate) fn duplicate_status_is_configurable(test: &str, adapter: Adapter, redis: bool) {
        let configure: Configure =
            Box::new(|dedup: Dedup| dedup.with_duplicate_status(http::StatusCode::ACCEPTED));
        let Some(case) = Case::start(test, adapter, redis, configure) else {
            return;
        };
        assert_eq!(case.receiver.deliver("ok:1").status, 200);
        let copy = case.receiver.deliver("ok:1");
        assert_eq!((copy.status, duplicate_header(&copy)), (202, vec!["true"]));
        assert_eq!(case.receiver.log.runs("ok:1"), 1);
    }

    pub(crate) fn copy_in_flight_is_409(test: &str, adapter: Adapter, redis: bool) {
        let Some(case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        let receiver = &case.receiver;
        let first = receiver.deliver_in_background("gate:3");
        receiver.log.wait_for("start gate:3", 1);
        let copy = receiver.deliver("gate:3");
        assert_eq!((copy.status, copy.header("retry-after")), (409, vec!["5"]));
        receiver.open_gate();
        let first = first.join().unwrap().unwrap();
        assert_eq!((first.status, first.body.as_slice()), (200, &b"gate:3"[..]));
        let after = receiver.deliver("gate:3");
        assert_eq!(
            (after.status, duplicate_header(&after)),
            (200, vec!["true"])
        );
        assert_eq!(receiver.log.runs("gate:3"), 1);
    }

    pub(crate) fn failure_frees_the_delivery(test: &str, adapter: Adapter, redis: bool) {
        let Some(case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        assert_eq!(case.receiver.deliver("fail:4").status, 500);
        let retry = deliver_until_free(&case.receiver, "fail:4");
        assert_eq!((retry.status, duplicate_header(&retry)), (500, vec![]));
        assert_eq!(case.receiver.log.runs("fail:4"), 2);
    }

    pub(crate) fn panic_frees_the_delivery(test: &str, adapter: Adapter, redis: bool) {
        let Some(case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        // The connection is closed (hyper) or answered 500 (actix-web).
        let answer = case
            .receiver
            .deliver_in_background("panic:5")
            .join()
            .unwrap();
        assert!(answer.map_or(true, |response| response.status == 500));
        case.receiver.log.wait_for("dropped panic:5", 1);
        let retry = deliver_until_free(&case.receiver, "panic:5");
        assert_eq!(
            (retry.status, retry.body.as_slice()),
            (200, &b"panic:5"[..])
        );
        assert_eq!(case.receiver.log.runs("panic:5"), 2);
    }

    pub(crate) fn hang_up_frees_the_delivery(test: &str, adapter: Adapter, redis: bool) {
        let Some(case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        let receiver = &case.receiver;
        let mut stream = std::net::TcpStream::connect(receiver.addr).unwrap();
        write_request(&mut stream, &receiver.signed("gate:6")).unwrap();
        receiver.log.wait_for("start gate:6", 1);
        drop(stream);
        match adapter {
            // hyper drops the handler's future when its client hangs up: the claim is
            // freed, and the sender's retry runs the handler.
            Adapter::Axum => {
                receiver.log.wait_for("dropped gate:6", 1);
                receiver.open_gate();
                let retry = deliver_until_free(receiver, "gate:6");
                assert_eq!((retry.status, retry.body.as_slice()), (200, &b"gate:6"[..]));
                assert_eq!(receiver.log.runs("gate:6"), 2);
            }
            // actix-web runs the handler to its end: the delivery completes once, and
            // the retry is a duplicate.
            Adapter::Actix => {
                std::thread::sleep(Duration::from_millis(200));
                assert_eq!(receiver.deliver("gate:6").status, 409);
                receiver.open_gate();
                let retry = deliver_until_free(receiver, "gate:6");
                assert_eq!(
                    (retry.status, duplicate_header(&retry)),
                    (200, vec!["true"])
                );
                assert_eq!(receiver.log.events(), ["start gate:6"]);
            }
        }
    }

    pub(crate) fn lapsed_lease_lets_a_retry_run(test: &str, adapter: Adapter, redis: bool) {
        let configure: Configure =
            Box::new(|dedup: Dedup| dedup.with_lease(Duration::from_millis(300)));
        let Some(case) = Case::start(test, adapter, redis, configure) else {
            return;
        };
        let receiver = &case.receiver;
        let stuck = receiver.deliver_in_background("gate:7");
        receiver.log.wait_for("start gate:7", 1);
        assert_eq!(receiver.deliver("gate:7").status, 409);
        std::thread::sleep(Duration::from_millis(400));
        let retry = receiver.deliver_in_background("gate:7");
        receiver.log.wait_for("start gate:7", 2);
        receiver.open_gate();
        receiver.open_gate();
        assert_eq!(stuck.join().unwrap().unwrap().status, 200);
        assert_eq!(retry.join().unwrap().unwrap().status, 200);
        let copy = receiver.deliver("gate:7");
        assert_eq!((copy.status, duplicate_header(&copy)), (200, vec!["true"]));
        assert_eq!(receiver.log.runs("gate:7"), 2);
    }

    pub(crate) fn window_end_forgets_the_delivery(test: &str, adapter: Adapter, redis: bool) {
        let configure: Configure =
            Box::new(|dedup: Dedup| dedup.with_window(Duration::from_millis(300)));
        let Some(case) = Case::start(test, adapter, redis, configure) else {
            return;
        };
        assert_eq!(case.receiver.deliver("ok:8").status, 200);
        assert_eq!(duplicate_header(&case.receiver.deliver("ok:8")), ["true"]);
        std::thread::sleep(Duration::from_millis(400));
        let later = case.receiver.deliver("ok:8");
        assert_eq!((later.status, duplicate_header(&later)), (200, vec![]));
        assert_eq!(case.receiver.log.runs("ok:8"), 2);
    }

    pub(crate) fn forged_request_claims_nothing(test: &str, adapter: Adapter, redis: bool) {
        let Some(case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        let receiver = &case.receiver;
        assert_eq!(receiver.send(&receiver.forged("ok:9")).unwrap().status, 403);
        assert!(receiver.log.events().is_empty());
        let genuine = receiver.deliver("ok:9");
        assert_eq!((genuine.status, duplicate_header(&genuine)), (200, vec![]));
        assert_eq!(receiver.log.runs("ok:9"), 1);
    }

    pub(crate) fn no_verifier_no_handler(test: &str, adapter: Adapter, redis: bool) {
        let Some(case) = Case::start_with(test, adapter, redis, defaults(), false) else {
            return;
        };
        let refused = case.receiver.deliver("ok:10");
        assert_eq!(refused.status, 500);
        let text = String::from_utf8(refused.body).unwrap();
        assert!(
            text.contains("Deduplication must run after signature verification"),
            "{text}"
        );
        assert!(case.receiver.log.events().is_empty());
    }

    pub(crate) fn store_down_fails_closed(test: &str, adapter: Adapter, redis: bool) {
        let Some(mut case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        assert_eq!(case.receiver.deliver("ok:11").status, 200);
        case.redis.as_mut().unwrap().kill().unwrap();
        let refused = case.receiver.deliver("ok:12");
        assert_eq!(
            (refused.status, refused.header("retry-after")),
            (503, vec!["5"])
        );
        assert_eq!(case.receiver.log.runs("ok:12"), 0);
        case.redis.as_mut().unwrap().restart().unwrap();
        // The connection comes back; the restarted Redis remembers nothing.
        let after = deliver_until_up(&case.receiver, "ok:12");
        assert_eq!((after.status, after.body.as_slice()), (200, &b"ok:12"[..]));
        assert_eq!(duplicate_header(&case.receiver.deliver("ok:12")), ["true"]);
        assert_eq!(case.receiver.log.runs("ok:12"), 1);
    }

    pub(crate) fn store_down_fails_open(test: &str, adapter: Adapter, redis: bool) {
        let configure: Configure = Box::new(Dedup::with_fail_open);
        let Some(mut case) = Case::start(test, adapter, redis, configure) else {
            return;
        };
        case.redis.as_mut().unwrap().kill().unwrap();
        let through = case.receiver.deliver("ok:13");
        assert_eq!(
            (through.status, through.body.as_slice()),
            (200, &b"ok:13"[..])
        );
        assert_eq!(case.receiver.deliver("ok:13").status, 200);
        assert_eq!(
            case.receiver.log.runs("ok:13"),
            2,
            "unchecked while Redis is down"
        );
    }

    pub(crate) fn store_back_before_the_handler_ends(test: &str, adapter: Adapter, redis: bool) {
        let Some(mut case) = Case::start(test, adapter, redis, defaults()) else {
            return;
        };
        let receiver = &case.receiver;
        let first = receiver.deliver_in_background("gate:14");
        receiver.log.wait_for("start gate:14", 1);
        // Redis restarts empty while the handler runs: marking the delivery done is
        // retried on the new connection, so the copy after it is still a duplicate.
        case.redis.as_mut().unwrap().restart().unwrap();
        receiver.open_gate();
        assert_eq!(first.join().unwrap().unwrap().status, 200);
        let copy = receiver.deliver("gate:14");
        assert_eq!((copy.status, duplicate_header(&copy)), (200, vec!["true"]));
        assert_eq!(receiver.log.runs("gate:14"), 1);
    }

    /// Delivers until the store answers again (a reconnect takes a moment): 10 s at most.
    fn deliver_until_up(receiver: &Receiver, body: &str) -> Response {
        for _ in 0..100 {
            let response = receiver.deliver(body);
            if response.status != 503 {
                return response;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the store did not come back");
    }
}

macro_rules! states {
    ($module:ident, $adapter:expr, $redis:expr, [$($scenario:ident),* $(,)?]) => {
        mod $module {
            use super::*;
            $(
                #[test]
                fn $scenario() {
                    let test = concat!(stringify!($module), "::", stringify!($scenario));
                    scenarios::$scenario(test, $adapter, $redis);
                }
            )*
        }
    };
}

macro_rules! every_store {
    ($memory:ident, $redis:ident, $adapter:expr) => {
        states!(
            $memory,
            $adapter,
            false,
            [
                first_runs_copies_are_duplicates,
                duplicate_status_is_configurable,
                copy_in_flight_is_409,
                failure_frees_the_delivery,
                panic_frees_the_delivery,
                hang_up_frees_the_delivery,
                lapsed_lease_lets_a_retry_run,
                window_end_forgets_the_delivery,
                forged_request_claims_nothing,
                no_verifier_no_handler,
            ]
        );
        states!(
            $redis,
            $adapter,
            true,
            [
                first_runs_copies_are_duplicates,
                duplicate_status_is_configurable,
                copy_in_flight_is_409,
                failure_frees_the_delivery,
                panic_frees_the_delivery,
                hang_up_frees_the_delivery,
                lapsed_lease_lets_a_retry_run,
                window_end_forgets_the_delivery,
                forged_request_claims_nothing,
                no_verifier_no_handler,
                store_down_fails_closed,
                store_down_fails_open,
                store_back_before_the_handler_ends,
            ]
        );
    };
}

every_store!(axum_memory, axum_redis, Adapter::Axum);
every_store!(actix_memory, actix_redis, Adapter::Actix);
