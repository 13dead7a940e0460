#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Configuration (`file` as read, `config` as checked, `route`, `dedup`, `error`); serving
// (`server`); one request's path through it (`verify`, `forward`, `exchange`, `response`); operations
// (`ops`, `metrics`, `tls`).
mod config;
mod dedup;
mod error;
mod exchange;
mod file;
mod forward;
mod metrics;
mod ops;
mod response;
mod route;
mod server;
mod tls;
mod verify;

pub use config::{LogFormat, ProxyConfig, TlsFiles, DEFAULT_LISTEN, MAX_WORKERS};
pub use dedup::Deduplication;
pub use error::ConfigError;
pub use route::Route;
pub use server::Proxy;
