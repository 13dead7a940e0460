//! `hookguard sign`: print the signature header a provider would send for a body.

use clap::Args;

use crate::options::DeliveryArgs;
use crate::{write_stdout, Failure};

/// Options of `hookguard sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The scheme, the secret and the body.
    #[command(flatten)]
    delivery: DeliveryArgs,

    /// Print `Header-Name: value` instead of the bare value.
    #[arg(long)]
    header_line: bool,
}

/// Signs the body and prints the header value (or the whole header line).
///
/// # Errors
/// Exit code 2 for configuration errors (missing secret, bad custom header) and unreadable bodies.
pub(crate) fn run(args: &SignArgs) -> Result<(), Failure> {
    let delivery = args.delivery.sign()?;
    let line = if args.header_line {
        format!("{}: {}\n", delivery.header_name, delivery.signature)
    } else {
        format!("{}\n", delivery.signature)
    };
    write_stdout(line.as_bytes())
}
