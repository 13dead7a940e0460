//! `hookguard send`: sign a body and POST it to a URL with the provider's headers, as the
//! provider would.

use std::time::Duration;

use clap::Args;
use ureq::http::Uri;

use crate::delivery::DeliveryArgs;
use crate::{write_stdout, Failure};

/// Options of `hookguard send`.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The scheme, the secret, the body, the delivery id and timestamp.
    #[command(flatten)]
    delivery: DeliveryArgs,

    /// Where to POST the delivery (`http://` or `https://`).
    #[arg(long, value_name = "URL")]
    url: String,

    /// The `Content-Type` of the delivery.
    #[arg(long, value_name = "TYPE", default_value = "application/json")]
    content_type: String,

    /// Give up after this many seconds (connecting, sending and reading the answer), 1 to 86400.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
}

/// `url` parsed, if it is an absolute `http://` or `https://` URL whose port (if any) is
/// 1 to 65535.
///
/// # Errors
/// A usage failure saying what to give instead.
fn target(url: &str) -> Result<Uri, Failure> {
    let absolute = || {
        Failure::usage(format_args!(
            "invalid --url {url:?}: give an absolute http:// or https:// URL"
        ))
    };
    let uri: Uri = url.parse().map_err(|_| absolute())?;
    let Some(authority) = uri.authority() else {
        return Err(absolute());
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(absolute());
    }
    // `Uri` takes any digits after the host's colon, and a port it cannot read as a
    // `u16` would reach a different port or none; an IPv6 host ends in `]`, not digits.
    if let Some((_, port)) = authority.as_str().rsplit_once(':') {
        let valid = port.parse::<u16>().is_ok_and(|port| port != 0);
        if !port.is_empty() && port.bytes().all(|byte| byte.is_ascii_digit()) && !valid {
            return Err(Failure::usage(format_args!(
                "invalid --url {url:?}: the port must be 1 to 65535"
            )));
        }
    }
    Ok(uri)
}

/// Signs the body, POSTs it with every header the scheme adds, prints the status line, the
/// response's `Hookguard-*` and `Retry-After` headers, and the response body; for Ed25519
/// schemes, the public key matching the private key on stderr.
///
/// Redirects are not followed: a provider delivers to the configured URL only, so a `3xx`
/// answer is reported like any other non-`2xx` one.
///
/// # Errors
/// Exit code 1 when the answer is not `2xx` or the delivery fails (connection refused,
/// timeout, TLS error), exit code 2 for configuration errors, unreadable bodies and bad URLs.
pub(crate) fn run(args: &SendArgs) -> Result<(), Failure> {
    let uri = target(&args.url)?;
    if ureq::http::HeaderValue::from_str(&args.content_type).is_err() {
        return Err(Failure::usage(format_args!(
            "invalid --content-type {:?}: use printable ASCII, e.g. application/json",
            args.content_type
        )));
    }
    let delivery = args.delivery.sign()?;
    delivery.tell_public_key();

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(args.timeout)))
        .build()
        .into();
    let request = delivery.headers.iter().fold(
        agent.post(uri).header("Content-Type", &args.content_type),
        |request, (name, value)| request.header(name, value),
    );
    let mut response = request
        .send(&delivery.body[..])
        .map_err(|error| match error {
            ureq::Error::Timeout(_) => Failure::failed(format_args!(
                "delivery to {} timed out after {} s: raise --timeout for a slow receiver",
                args.url, args.timeout
            )),
            error => Failure::failed(format_args!("delivery to {} failed: {error}", args.url)),
        })?;

    let status = response.status();
    write_stdout(
        format!(
            "{} {}\n",
            status.as_str(),
            status.canonical_reason().unwrap_or_default()
        )
        .as_bytes(),
    )?;
    // What a guard in front of the receiver said about the delivery (a duplicate, when to
    // retry), under the status line.
    for (name, value) in response.headers() {
        let name = name.as_str();
        if name.starts_with("hookguard-") || name == "retry-after" {
            let value = String::from_utf8_lossy(value.as_bytes());
            write_stdout(format!("{name}: {value}\n").as_bytes())?;
        }
    }
    let answer = response
        .body_mut()
        .read_to_vec()
        .map_err(|error| Failure::failed(format_args!("cannot read the response body: {error}")))?;
    write_stdout(&answer)?;
    if !answer.is_empty() && !answer.ends_with(b"\n") {
        write_stdout(b"\n")?;
    }
    if status.is_success() {
        Ok(())
    } else {
        Err(Failure::failed(format_args!(
            "the receiver answered {status} (not 2xx)"
        )))
    }
}
