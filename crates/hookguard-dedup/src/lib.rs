#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// `key` (what identifies a delivery), `store` (the trait and its answers), `memory` and
// `redis_store` (the two stores; `redis_url` checks and shows the latter's URL), `dedup`
// (settings), `stage` (the decision both adapters take), `guard` (a held claim, finished
// once), `admit` (the decision as values, for other servers), then one module per framework.

#[cfg(feature = "actix")]
pub mod actix;
mod admit;
mod dedup;
mod guard;
mod key;
mod memory;
#[cfg(feature = "redis")]
mod redis_store;
#[cfg(feature = "redis")]
mod redis_url;
mod stage;
mod store;
#[cfg(feature = "tower")]
mod tower;

pub use admit::{Admission, Answer, Ticket};
pub use dedup::{Dedup, DEFAULT_CAPACITY, DUPLICATE_HEADER};
pub use key::{Headers, Key, KeyContext};
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use store::{Claim, Store, StoreError, StoreFuture, Token};
#[cfg(feature = "tower")]
pub use tower::{Deduplicate, DeduplicateLayer, ResponseFuture};
