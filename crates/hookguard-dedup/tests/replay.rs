//! A captured delivery resent with its signature written differently: PeopleForce's hex
//! tag verifies in capitals too, so the copy must be known by the signature it carries,
//! not by the header's text. Over real sockets, on actix-web (which verifies PeopleForce
//! here), in memory and through a real `redis-server`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

mod support;

use hookguard_test_support::redis::RedisServer;
use support::receiver::{Adapter, Receiver, StoreSpec};

fn recased_copy_is_a_duplicate(store: StoreSpec) {
    let receiver = Receiver::start(Adapter::Actix, store, Box::new(|dedup| dedup));
    let mut request = receiver.signed("ok:1");
    let first = receiver.send(&request).unwrap();
    assert_eq!((first.status, first.body.as_slice()), (200, &b"ok:1"[..]));
    let (_, signature) = request.headers.first_mut().unwrap();
    let recased = signature.to_uppercase().replacen("SHA256=", "sha256=", 1);
    assert_ne!(*signature, recased);
    *signature = recased;
    let copy = receiver.send(&request).unwrap();
    assert_eq!(
        (copy.status, copy.header("hookguard-duplicate")),
        (200, vec!["true"])
    );
    assert_eq!(receiver.log.events(), ["start ok:1"]);
}

#[test]
fn in_memory() {
    recased_copy_is_a_duplicate(StoreSpec::Memory);
}

#[test]
fn through_redis() {
    let Some(redis) = RedisServer::start("replay::through_redis").unwrap() else {
        return;
    };
    recased_copy_is_a_duplicate(StoreSpec::Redis(redis.url()));
}
