//! `hookguard sign`: print the signature header a provider would send for a body.

use clap::Args;
use hookguard_core::Signer;

use crate::options::{BodyArgs, ProviderArgs, SigningSecretArgs};
use crate::{write_stdout, Failure};

/// Options of `hookguard sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The signature scheme.
    #[command(flatten)]
    provider: ProviderArgs,

    /// The secret.
    #[command(flatten)]
    secret: SigningSecretArgs,

    /// The body.
    #[command(flatten)]
    body: BodyArgs,

    /// Print `Header-Name: value` instead of the bare value.
    #[arg(long)]
    header_line: bool,
}

/// Signs the body and prints the header value (or the whole header line).
///
/// # Errors
/// Exit code 2 for configuration errors (missing secret, bad custom header) and unreadable bodies.
pub(crate) fn run(args: &SignArgs) -> Result<(), Failure> {
    let signer = Signer::new(args.provider.provider()?, args.secret.secret()?)?;
    let body = args.body.read()?;
    let value = signer.sign(&body);
    let line = if args.header_line {
        format!("{}: {value}\n", signer.header_name())
    } else {
        format!("{value}\n")
    };
    write_stdout(line.as_bytes())
}
