//! `hookguard verify`: check a signature header value against a body.

use clap::Args;
use hookguard_core::{Verifier, VerifierBuilder};

use crate::options::{BodyArgs, ProviderArgs, VerifyingSecretArgs};
use crate::{write_stdout, Failure};

/// Options of `hookguard verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The signature scheme.
    #[command(flatten)]
    provider: ProviderArgs,

    /// The secret(s); several mean rotation.
    #[command(flatten)]
    secrets: VerifyingSecretArgs,

    /// The body.
    #[command(flatten)]
    body: BodyArgs,

    /// The signature header's value, as the request carried it.
    #[arg(long, value_name = "VALUE")]
    signature: String,

    /// Accept bodies that are not valid UTF-8 (rejected by default).
    #[arg(long)]
    allow_non_utf8: bool,
}

/// Verifies the body and prints `valid (key N)`, N being the index of the secret that matched.
///
/// # Errors
/// Exit code 1 with the rejection reason when the signature does not verify, exit code 2 for
/// configuration errors and unreadable bodies.
pub(crate) fn run(args: &VerifyArgs) -> Result<(), Failure> {
    let verifier = args
        .secrets
        .secrets()?
        .into_iter()
        .fold(
            Verifier::builder(args.provider.provider()?),
            VerifierBuilder::secret,
        )
        .require_utf8(!args.allow_non_utf8)
        .build()?;
    let body = args.body.read()?;
    match verifier.verify(Some(&args.signature), &body) {
        Ok(verified) => {
            write_stdout(format!("valid (key {})\n", verified.key().index()).as_bytes())
        }
        Err(rejection) => Err(Failure::failed(format_args!("invalid: {rejection}"))),
    }
}
