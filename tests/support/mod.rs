//! Shared by the workspace-level tests: the same receiver app on both adapters, signing
//! helpers for its secrets, and a raw HTTP/1.1 client that controls every byte on the wire.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of the support code"
)]

pub(crate) mod http;
pub(crate) mod servers;
