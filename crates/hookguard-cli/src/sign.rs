//! `hookguard sign`: print the headers a provider would send with a body.

use std::fmt::Write as _;

use clap::Args;

use crate::delivery::DeliveryArgs;
use crate::{write_stdout, Failure};

/// Options of `hookguard sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The scheme, the secret, the body, the delivery id and timestamp.
    #[command(flatten)]
    delivery: DeliveryArgs,
}

/// Signs the body and prints each header as `Name: value`, the signature header first;
/// for Ed25519 schemes, the matching public key on stderr.
///
/// # Errors
/// Exit code 2 for configuration errors (missing secret, bad custom header, an id or a
/// timestamp the scheme does not use) and unreadable bodies.
pub(crate) fn run(args: &SignArgs) -> Result<(), Failure> {
    let delivery = args.delivery.sign()?;
    let mut lines = String::new();
    for (name, value) in &delivery.headers {
        // Writing to a `String` cannot fail.
        let _ = writeln!(lines, "{name}: {value}");
    }
    write_stdout(lines.as_bytes())?;
    delivery.tell_public_key();
    Ok(())
}
