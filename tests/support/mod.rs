//! Shared by the workspace-level tests: the same receiver app on both adapters and signing
//! helpers for its secrets (`servers`), and the raw HTTP/1.1 client that controls every
//! byte on the wire (`http`, from `hookguard-test-support`).

#![allow(
    dead_code,
    reason = "each test binary uses its own part of the support code"
)]

pub(crate) use hookguard_test_support::http;
pub(crate) mod scheme_routes;
pub(crate) mod servers;
