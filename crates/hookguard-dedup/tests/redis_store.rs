//! `RedisStore` against a real `redis-server` (one per test, on a free port): each state
//! transition, the keys and expiries it writes, its round trips, two receivers sharing it,
//! and a Redis restart.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::time::Duration;

use hookguard_dedup::{Claim, Key, RedisStore, Store, Token};
use hookguard_test_support::redis::RedisServer;

const LEASE: Duration = Duration::from_secs(30);
const WINDOW: Duration = Duration::from_secs(3600);

async fn store(test: &str) -> Option<(RedisServer, RedisStore)> {
    let server = RedisServer::start(test).unwrap()?;
    let store = RedisStore::connect(&server.url()).await.unwrap();
    Some((server, store))
}

fn claimed(claim: Claim) -> Token {
    match claim {
        Claim::Claimed(token) => token,
        other => panic!("expected a claim, got {other:?}"),
    }
}

/// The reply to an inline command, without its framing.
fn reply(server: &RedisServer, command: &str) -> String {
    let raw = server.command(command).unwrap();
    raw.lines()
        .last()
        .unwrap()
        .trim_start_matches([':', '+'])
        .to_owned()
}

#[tokio::test]
async fn claim_in_flight_done_with_the_keys_and_expiries_written() {
    let Some((server, store)) = store("claim_in_flight_done").await else {
        return;
    };
    let key = Key::new("bindbee:sig:ab");
    let token = claimed(store.claim(key.clone(), LEASE).await.unwrap());
    let redis_key = "hookguard:dedup:{bindbee:sig:ab}";
    assert_eq!(
        reply(&server, &format!("GET {redis_key}")),
        format!("c:{:032x}", token.as_u128())
    );
    let lease_left: u64 = reply(&server, &format!("PTTL {redis_key}"))
        .parse()
        .unwrap();
    assert!(lease_left > 29_000 && lease_left <= 30_000, "{lease_left}");
    assert_eq!(
        store.claim(key.clone(), LEASE).await.unwrap(),
        Claim::InFlight
    );

    store.complete(key.clone(), WINDOW).await.unwrap();
    assert_eq!(reply(&server, &format!("GET {redis_key}")), "d");
    let window_left: u64 = reply(&server, &format!("PTTL {redis_key}"))
        .parse()
        .unwrap();
    assert!(
        window_left > 3_599_000 && window_left <= 3_600_000,
        "{window_left}"
    );
    assert_eq!(store.claim(key.clone(), LEASE).await.unwrap(), Claim::Done);
    // A late release of the completed claim leaves the done mark.
    store.release(key.clone(), token).await.unwrap();
    assert_eq!(store.claim(key, LEASE).await.unwrap(), Claim::Done);
}

#[tokio::test]
async fn release_frees_only_its_own_claim() {
    let Some((_server, store)) = store("release_frees_only_its_own_claim").await else {
        return;
    };
    let key = Key::new("peopleforce:sig:01");
    let token = claimed(store.claim(key.clone(), LEASE).await.unwrap());
    store
        .release(key.clone(), Token::from_u128(token.as_u128() ^ 1))
        .await
        .unwrap();
    assert_eq!(
        store.claim(key.clone(), LEASE).await.unwrap(),
        Claim::InFlight
    );
    store.release(key.clone(), token).await.unwrap();
    claimed(store.claim(key, LEASE).await.unwrap());
}

#[tokio::test]
async fn lease_and_window_lapse() {
    let Some((_server, store)) = store("lease_and_window_lapse").await else {
        return;
    };
    let short = Duration::from_millis(100);
    let key = Key::new("svix:id:msg_1");
    let first = claimed(store.claim(key.clone(), short).await.unwrap());
    tokio::time::sleep(Duration::from_millis(150)).await;
    let second = claimed(store.claim(key.clone(), LEASE).await.unwrap());
    assert_ne!(first, second);
    // The first claimant's late release does not free the second claim.
    store.release(key.clone(), first).await.unwrap();
    assert_eq!(
        store.claim(key.clone(), LEASE).await.unwrap(),
        Claim::InFlight
    );
    store.complete(key.clone(), short).await.unwrap();
    assert_eq!(store.claim(key.clone(), LEASE).await.unwrap(), Claim::Done);
    tokio::time::sleep(Duration::from_millis(150)).await;
    claimed(store.claim(key, LEASE).await.unwrap());
}

#[tokio::test]
async fn two_round_trips_for_a_first_delivery_one_for_a_duplicate() {
    let Some((server, store)) = store("round_trips").await else {
        return;
    };
    let key = Key::new("bindbee:sig:cd");
    let before = server.commands_processed().unwrap();
    claimed(store.claim(key.clone(), LEASE).await.unwrap());
    store.complete(key.clone(), WINDOW).await.unwrap();
    let first = server.commands_processed().unwrap();
    // Each reading of the counter is itself one command, counted by the next reading.
    assert_eq!(first - before - 1, 2);
    assert_eq!(store.claim(key.clone(), LEASE).await.unwrap(), Claim::Done);
    assert_eq!(server.commands_processed().unwrap() - first - 1, 1);
}

#[tokio::test]
async fn prefix_and_hash_tag() {
    let Some((server, store)) = store("prefix_and_hash_tag").await else {
        return;
    };
    let store = store.with_prefix("hr:");
    let key = Key::new("github:id:72d3162e");
    assert_eq!(store.redis_key(&key), "hr:{github:id:72d3162e}");
    claimed(store.claim(key, LEASE).await.unwrap());
    assert_eq!(reply(&server, "EXISTS hr:{github:id:72d3162e}"), "1");
    // The whole key is the hash tag: Redis Cluster puts it in the slot of what the braces hold.
    assert_eq!(
        reply(&server, "CLUSTER KEYSLOT hr:{github:id:72d3162e}"),
        reply(&server, "CLUSTER KEYSLOT github:id:72d3162e")
    );
}

#[tokio::test]
async fn receivers_sharing_redis_see_each_others_deliveries() {
    let Some((server, first)) = store("receivers_sharing_redis").await else {
        return;
    };
    let second = RedisStore::connect(&server.url()).await.unwrap();
    let key = Key::new("bindbee:sig:ef");
    claimed(first.claim(key.clone(), LEASE).await.unwrap());
    assert_eq!(
        second.claim(key.clone(), LEASE).await.unwrap(),
        Claim::InFlight
    );
    first.complete(key.clone(), WINDOW).await.unwrap();
    assert_eq!(second.claim(key, LEASE).await.unwrap(), Claim::Done);
}

#[tokio::test]
async fn a_value_it_did_not_write_is_an_error() {
    let Some((server, store)) = store("foreign_value").await else {
        return;
    };
    assert_eq!(reply(&server, "SET hookguard:dedup:{k} other"), "OK");
    let error = store.claim(Key::new("k"), LEASE).await.unwrap_err();
    assert!(error.to_string().contains("did not write"), "{error}");
}

#[tokio::test]
async fn unreachable_then_reconnected_after_a_restart() {
    let Some((mut server, store)) = store("restart").await else {
        return;
    };
    let key = Key::new("bindbee:sig:12");
    claimed(store.claim(key.clone(), LEASE).await.unwrap());
    server.kill().unwrap();
    let error = store.claim(key.clone(), LEASE).await.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("deduplication store error: redis:"),
        "{error}"
    );
    server.restart().unwrap();
    let mut answer = store.claim(key.clone(), LEASE).await;
    for _ in 0..50 {
        if answer.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = store.claim(key.clone(), LEASE).await;
    }
    // A restarted Redis without persistence remembers nothing.
    claimed(answer.unwrap());
}

#[tokio::test]
async fn a_lazy_store_made_while_redis_is_down_answers_errors_then_works_once_it_is_up() {
    let Some(mut server) = RedisServer::start("lazy_store_while_down").unwrap() else {
        return;
    };
    server.kill().unwrap();
    let store = RedisStore::lazy(&server.url()).unwrap();
    let key = Key::new("bindbee:sig:lazy");
    assert!(store.ping().await.is_err());
    assert!(store.claim(key.clone(), LEASE).await.is_err());

    server.restart().unwrap();
    let mut pinged = store.ping().await;
    for _ in 0..50 {
        if pinged.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        pinged = store.ping().await;
    }
    pinged.unwrap();
    claimed(store.claim(key.clone(), LEASE).await.unwrap());
    assert_eq!(
        store.claim(key, LEASE).await.unwrap(),
        Claim::InFlight,
        "the claim is in Redis"
    );
}
