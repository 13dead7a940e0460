//! Shared by the CLI's test binaries.

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;

/// The binary, with no secret and no proxy inherited from the environment running the tests.
pub(crate) fn hookguard() -> Command {
    let mut cmd = cargo_bin_cmd!("hookguard");
    for name in [
        "WEBHOOK_SECRET",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(name);
    }
    cmd
}
