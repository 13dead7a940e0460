//! Shared by the deduplication test binaries: receivers (axum and actix-web) over real
//! sockets whose handler records every run, and a client.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of the support code"
)]

pub(crate) mod receiver;
