//! `hookguard verify`: check a request's headers and body against a scheme and its secrets.

use std::fmt::Write as _;
use std::time::Duration;

use clap::Args;
use hookguard_core::{
    ConfigError, Malformed, Provider, Rejection, Verified, Verifier, VerifierBuilder,
};

use crate::headers::{self, RequestHeader};
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

    /// A header of the request, as `Name: value` (repeat for each; names ignore case). Give
    /// every header the scheme reads: the signature, and the timestamp and delivery id
    /// where the scheme has them.
    #[arg(
        short = 'H',
        long = "request-header",
        value_name = "NAME: VALUE",
        value_parser = RequestHeader::parse
    )]
    headers: Vec<RequestHeader>,

    /// The signature header's value: the same as `-H '<signature header>: VALUE'`.
    #[arg(long, value_name = "VALUE")]
    signature: Option<String>,

    /// Check the timestamp against this time (Unix seconds) instead of the system clock,
    /// to verify a delivery captured earlier (schemes that sign a timestamp).
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<u64>,

    /// How far the timestamp may be from the clock, either way, for schemes that sign one
    /// (default: the scheme file's `tolerance_seconds`, else 5 minutes).
    #[arg(long, value_name = "SECONDS")]
    tolerance: Option<u64>,

    /// Accept bodies that are not valid UTF-8 (rejected by default).
    #[arg(long)]
    allow_non_utf8: bool,
}

/// Verifies the request and prints `valid (key N)`, N being the index of the secret that
/// matched, with the delivery id and the timestamp when the scheme has them.
///
/// # Errors
/// Exit code 1 with the rejection reason when the request does not verify, exit code 2 for
/// configuration errors, unreadable bodies, a `--signature` given alongside a `-H` for
/// the same header, and `--now` or `--tolerance` for a scheme without a timestamp.
pub(crate) fn run(args: &VerifyArgs) -> Result<(), Failure> {
    let provider = args.provider.provider()?;
    if !provider.signs_timestamp() {
        // Nothing would be checked against them: say so rather than ignore them.
        for (given, flag) in [
            (args.now.is_some(), "--now"),
            (args.tolerance.is_some(), "--tolerance"),
        ] {
            if given {
                return Err(Failure::usage(format_args!(
                    "{provider} signs no timestamp: drop {flag}"
                )));
            }
        }
    }
    let mut request = args.headers.clone();
    if let Some(signature) = &args.signature {
        if request
            .iter()
            .any(|header| provider.matches_header(&header.name))
        {
            return Err(Failure::usage(format_args!(
                "--signature and -H '{}: ...' give the same header: keep one",
                provider.header_name()
            )));
        }
        request.push(RequestHeader {
            name: provider.header_name().to_owned(),
            value: signature.clone(),
        });
    }

    let mut builder = args
        .secrets
        .secrets()?
        .into_iter()
        .fold(Verifier::builder(provider), VerifierBuilder::secret)
        .require_utf8(!args.allow_non_utf8);
    if let Some(seconds) = args.tolerance {
        builder = builder.tolerance(Duration::from_secs(seconds));
    }
    if let Some(now) = args.now {
        builder = builder.clock(move || now);
    }
    let verifier = builder.build().map_err(|error| match error {
        ConfigError::InvalidEd25519Key { .. } => Failure::usage(format_args!(
            "{error} (verify takes the sender's public key; `hookguard sign` prints the one \
             matching a private key on stderr)"
        )),
        error => Failure::from(error),
    })?;
    let body = args.body.read()?;

    match verifier.verify_request(|name| headers::values(&request, name), &body) {
        Ok(verified) => write_stdout(outcome(&verified).as_bytes()),
        Err(rejection) => Err(Failure::failed(format_args!(
            "invalid: {}",
            reason(&rejection, verifier.provider(), &body, args.now.is_some())
        ))),
    }
}

/// `valid (key N[, delivery ID][, timestamp T])` and a line break.
fn outcome(verified: &Verified) -> String {
    let mut line = format!("valid (key {}", verified.key().index());
    if let Some(id) = verified.delivery_id() {
        let _ = write!(line, ", delivery {id}");
    }
    if let Some(timestamp) = verified.timestamp() {
        let _ = write!(line, ", timestamp {timestamp}");
    }
    line.push_str(")\n");
    line
}

/// The rejection, naming the header to add when one is missing, the prefix a value lacks,
/// the usual cause of a mismatch when `body` ends with a line break, and `--now` for a
/// timestamp outside the tolerance of the system clock (`clock_given` false).
fn reason(rejection: &Rejection, provider: &Provider, body: &[u8], clock_given: bool) -> String {
    let header = match rejection {
        Rejection::MissingSignature => Some(provider.header_name()),
        Rejection::MissingDeliveryId => provider.delivery_id_header(),
        Rejection::MissingTimestamp => provider.timestamp_header(),
        _ => None,
    };
    match (header, rejection) {
        (Some(name), _) => format!("{rejection} (give -H '{name}: ...')"),
        (None, Rejection::BodyNotUtf8) => format!("{rejection} (--allow-non-utf8 accepts it)"),
        (None, Rejection::MalformedSignature(Malformed::MissingPrefix)) => format!(
            "{rejection} (the value starts with `{}`)",
            provider.prefix()
        ),
        (None, Rejection::TimestampOutsideTolerance { .. }) if !clock_given => format!(
            "{rejection} (to replay a captured delivery, --now UNIX_SECONDS sets the time to \
             check against)"
        ),
        (None, Rejection::Mismatch) if body.ends_with(b"\n") => format!(
            "{rejection} (the body ends with a line break, which is signed too: `echo` adds \
             one, `printf '%s'` does not)"
        ),
        (None, _) => rejection.to_string(),
    }
}
