#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod delivery;
mod headers;
mod options;
mod proxy;
mod send;
mod sign;
mod verify;

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Sign, verify and send webhook deliveries the way PeopleForce, Bindbee, GitHub, Shopify,
/// Stripe, Slack, Standard Webhooks, Svix, Discord or any HMAC-SHA256 sender of the body
/// does.
///
/// A scheme is a preset (`--provider`), a custom one signing the body alone (`--header`,
/// `--encoding`, `--prefix`), or any other HMAC-SHA256 scheme described in a TOML file
/// (`--scheme FILE`: headers, signed content, syntax, encoding, secret form, tolerance).
///
/// The secret is read from the environment (`WEBHOOK_SECRET` unless `--secret-env` names
/// another variable) or from files (`--secret-file`), never from the command line.
/// Bodies are read as raw bytes from stdin or `--body-file`: nothing is re-encoded and a
/// trailing newline is part of the body (`echo` adds one, `printf` does not).
#[derive(Debug, Parser)]
#[command(name = "hookguard", version)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Print the headers a provider would send with a body, one `Name: value` per line
    /// (for Ed25519 schemes, the public key `verify` takes goes to stderr).
    Sign(sign::SignArgs),
    /// Check a request's headers (`-H`) and body (exit 0 valid, 1 invalid, 2 usage).
    Verify(verify::VerifyArgs),
    /// Sign a body and POST it to a URL with the provider's headers (exit 0 on 2xx, 1 otherwise).
    Send(send::SendArgs),
    /// Serve a verifying reverse proxy: only deliveries whose signature checks out reach the
    /// upstream, byte for byte (prints `listening on http://ADDR` when ready).
    Proxy(proxy::ProxyArgs),
}

/// Exit code for a request that does not verify, a non-2xx answer or a failed delivery.
const EXIT_FAILED: u8 = 1;
/// Exit code for usage and configuration errors (clap uses the same for its own).
const EXIT_USAGE: u8 = 2;

/// Why a subcommand did not succeed: the message for stderr and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The process exit code.
    code: u8,
    /// What went wrong and, where possible, how to fix it.
    message: String,
}

impl Failure {
    /// A usage or configuration error: exit code 2.
    pub(crate) fn usage(message: impl fmt::Display) -> Failure {
        Failure {
            code: EXIT_USAGE,
            message: message.to_string(),
        }
    }

    /// The operation ran but did not succeed (bad signature, refused delivery): exit code 1.
    pub(crate) fn failed(message: impl fmt::Display) -> Failure {
        Failure {
            code: EXIT_FAILED,
            message: message.to_string(),
        }
    }
}

impl From<hookguard_core::ConfigError> for Failure {
    fn from(error: hookguard_core::ConfigError) -> Failure {
        Failure::usage(error)
    }
}

/// Writes `bytes` to stdout, reporting a closed or failing stdout as a failure instead of
/// panicking as `println!` would.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::failed(format_args!("cannot write to stdout: {error}")))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sign(args) => sign::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Proxy(args) => proxy::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Nothing sensible is left to do if stderr itself is gone.
            let _ = writeln!(std::io::stderr(), "hookguard: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
