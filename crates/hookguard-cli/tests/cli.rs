//! End-to-end tests of the `hookguard` binary: sign/verify round trips for every scheme,
//! the Python-made vectors, exit codes, rotation, custom scheme files, and `send` against a
//! one-shot HTTP server.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod support;

#[path = "cli/ed25519_keys.rs"]
mod ed25519_keys;
#[path = "cli/exit_codes.rs"]
mod exit_codes;
#[path = "cli/one_shot.rs"]
mod one_shot;
#[path = "cli/round_trips.rs"]
mod round_trips;
#[path = "cli/scheme_files.rs"]
mod scheme_files;
#[path = "cli/scheme_vectors.rs"]
mod scheme_vectors;
#[path = "cli/schemes.rs"]
mod schemes;
#[path = "cli/send.rs"]
mod send;
#[path = "cli/send_errors.rs"]
mod send_errors;
#[path = "cli/timestamps.rs"]
mod timestamps;
#[path = "cli/vectors.rs"]
mod vectors;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use support::hookguard;

pub(crate) const SECRET: &str = "pf_whsec_test_secret";
pub(crate) const BODY: &[u8] =
    "{\"action\":\"employee_create\",\"name\":\"Zoë Ковалёва ✓\"}\n".as_bytes();
pub(crate) const GITHUB: [&str; 6] = [
    "--header",
    "X-Hub-Signature-256",
    "--encoding",
    "hex",
    "--prefix",
    "sha256=",
];

/// A fresh directory for one test's files.
pub(crate) fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "hookguard-cli-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub(crate) fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(output).unwrap()
}

/// The `Name: value` lines `hookguard sign` prints, as pairs.
pub(crate) fn header_lines(out: &str) -> Vec<(String, String)> {
    assert!(out.ends_with('\n'), "{out:?}");
    out.lines()
        .map(|line| {
            let (name, value) = line.split_once(": ").unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// `hookguard sign` with `secret` in `WEBHOOK_SECRET` and the body on stdin: the headers.
pub(crate) fn sign_headers(args: &[&str], secret: &str, body: &[u8]) -> Vec<(String, String)> {
    header_lines(&stdout_of(
        hookguard()
            .arg("sign")
            .args(args)
            .env("WEBHOOK_SECRET", secret)
            .write_stdin(body),
    ))
}

/// The signature header's value (the first line `hookguard sign` prints) with [`SECRET`].
pub(crate) fn sign(scheme: &[&str], body: &[u8]) -> String {
    sign_headers(scheme, SECRET, body).swap_remove(0).1
}

/// `-H 'Name: value'` arguments for `hookguard verify`.
pub(crate) fn header_args(headers: &[(String, String)]) -> Vec<String> {
    headers
        .iter()
        .flat_map(|(name, value)| ["-H".to_owned(), format!("{name}: {value}")])
        .collect()
}
