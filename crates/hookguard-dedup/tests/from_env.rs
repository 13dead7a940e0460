//! `Dedup::from_env` and `RedisStore::connect` with the mistakes a user makes in
//! `REDIS_URL`: each message says once what is wrong and how to fix it, and never shows a
//! password. Each test sets its own variable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

use hookguard_dedup::{Dedup, RedisStore, StoreError};
use hookguard_test_support::redis::RedisServer;

const PREFIX: &str = "deduplication store error";

/// The error `from_env` gives with `name` set to `value`; the message has the prefix once.
async fn refused(name: &str, value: &str) -> String {
    std::env::set_var(name, value);
    let Err(error) = Dedup::from_env(name).await else {
        panic!("{name}={value:?} was accepted");
    };
    message(&error)
}

fn message(error: &StoreError) -> String {
    let message = error.to_string();
    assert_eq!(message.matches(PREFIX).count(), 1, "{message}");
    assert!(message.starts_with(PREFIX), "{message}");
    message
}

#[tokio::test]
async fn an_empty_url_is_refused_with_both_ways_out() {
    // Not read as unset: a fleet given `REDIS_URL=` by mistake would deduplicate each
    // receiver on its own.
    let message = refused("HOOKGUARD_TEST_REDIS_URL_EMPTY", "").await;
    assert!(
        message.contains("HOOKGUARD_TEST_REDIS_URL_EMPTY is set but empty"),
        "{message}"
    );
    assert!(message.contains("unset it"), "{message}");
    assert!(message.contains("redis://host:port/"), "{message}");
    let blank = refused("HOOKGUARD_TEST_REDIS_URL_BLANK", " ").await;
    assert!(blank.contains("is set but empty"), "{blank}");
}

#[tokio::test]
async fn a_url_without_scheme_is_told_how_to_write_it() {
    let message = refused("HOOKGUARD_TEST_REDIS_URL_NO_SCHEME", "127.0.0.1:6379").await;
    assert!(
        message.contains("HOOKGUARD_TEST_REDIS_URL_NO_SCHEME: the Redis URL has no scheme"),
        "{message}"
    );
    assert!(
        message.contains("write redis://127.0.0.1:6379/"),
        "{message}"
    );
    // A value that may hold a password is not repeated.
    let secret = refused("HOOKGUARD_TEST_REDIS_URL_NO_SCHEME_PW", ":hunter2@db:6379").await;
    assert!(!secret.contains("hunter2"), "{secret}");
    assert!(secret.contains("redis://127.0.0.1:6379/"), "{secret}");
}

#[tokio::test]
async fn another_scheme_is_named() {
    let message = refused("HOOKGUARD_TEST_REDIS_URL_HTTP", "http://127.0.0.1:6379/").await;
    assert!(
        message.contains("http:// is not a Redis URL's scheme"),
        "{message}"
    );
    assert!(message.contains("redis://host:port/"), "{message}");
}

#[tokio::test]
async fn tls_is_said_to_be_not_built_in_with_a_tunnel_instead() {
    let message = refused("HOOKGUARD_TEST_REDIS_URL_TLS", "rediss://127.0.0.1:1/").await;
    assert!(
        message.contains("not built into hookguard-dedup"),
        "{message}"
    );
    assert!(message.contains("TLS tunnel"), "{message}");
    assert!(!message.contains("InvalidClientConfig"), "{message}");
}

#[tokio::test]
async fn unreachable_redis_is_named_with_its_url_without_the_password() {
    let name = "HOOKGUARD_TEST_REDIS_URL_DOWN";
    let message = refused(name, "redis://reader:hunter2@127.0.0.1:1/3").await;
    assert!(
        message.contains(&format!(
            "{name}: cannot reach Redis at redis://reader:***@127.0.0.1:1/3: "
        )),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    assert!(message.contains("refused"), "{message}");
    assert!(
        message.contains(&format!("or unset {name} to deduplicate")),
        "{message}"
    );
}

#[tokio::test]
async fn connect_alone_says_the_same_without_a_variable() {
    let error = RedisStore::connect("redis://:hunter2@127.0.0.1:1/")
        .await
        .unwrap_err();
    let text = message(&error);
    assert!(
        text.contains("cannot reach Redis at redis://:***@127.0.0.1:1/: "),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    let error = RedisStore::lazy("localhost:6379").unwrap_err();
    assert!(
        message(&error).contains("write redis://localhost:6379/"),
        "{error}"
    );
}

#[tokio::test]
async fn a_reachable_redis_with_a_password_is_used() {
    let Some(server) = RedisServer::start("from_env_with_password").unwrap() else {
        return;
    };
    assert_eq!(
        server.command("CONFIG SET requirepass hunter2").unwrap(),
        "+OK\r\n"
    );
    let url = server.url().replace("redis://", "redis://:hunter2@");
    let name = "HOOKGUARD_TEST_REDIS_URL_UP";
    std::env::set_var(name, &url);
    let dedup = Dedup::from_env(name).await.unwrap();
    assert!(format!("{dedup:?}").contains("RedisStore"), "{dedup:?}");
    let none = refused(name, &server.url()).await;
    assert!(
        none.contains("wants a password: give it in the URL, redis://:PASSWORD@host:port/"),
        "{none}"
    );
    assert!(
        none.contains(&format!("correct {name}, or unset it")),
        "{none}"
    );
    let wrong = server.url().replace("redis://", "redis://:wrong@");
    let message = refused(name, &wrong).await;
    assert!(!message.contains(":wrong@"), "{message}");
    assert!(
        message.contains("Redis at redis://:***@127.0.0.1:"),
        "{message}"
    );
    assert!(
        message.contains("did not accept the connection"),
        "{message}"
    );
    assert!(
        message.contains(&format!("correct {name}, or unset it")),
        "{message}"
    );
}
