//! Options shared by the subcommands: which provider's scheme, which secret(s), which body.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};
use hookguard_core::{CustomScheme, Encoding, Provider, Secret};

use crate::Failure;

/// The environment variable read for the secret when no `--secret-env`/`--secret-file` is given.
pub(crate) const DEFAULT_SECRET_ENV: &str = "WEBHOOK_SECRET";

/// Which signature scheme: a preset (`--provider`), a custom one signing the body alone
/// (`--header` + `--encoding`), or any custom one described in a TOML file (`--scheme`).
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("schemes")
        .required(true)
        .args(["provider", "header", "scheme"])
))]
pub(crate) struct ProviderArgs {
    /// A preset: `peopleforce`, `bindbee`, `github`, `shopify`, `stripe`, `slack`,
    /// `standard-webhooks`, `svix` or `discord`.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["header", "encoding", "prefix"])]
    provider: Option<Provider>,

    /// A custom scheme described in a TOML file (`signature_header`, `encoding`,
    /// `signed_content`, ...; see the README).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["provider", "header", "encoding", "prefix"])]
    scheme: Option<PathBuf>,

    /// Custom provider: the signature header's name (e.g. `X-Hub-Signature-256`).
    #[arg(long, value_name = "NAME", requires = "encoding")]
    header: Option<String>,

    /// Custom provider: how the tag is written: hex, base64, base64-nopad, base64url or base64url-nopad.
    #[arg(long, value_name = "ENCODING", requires = "header")]
    encoding: Option<Encoding>,

    /// Custom provider: text before the encoded tag (e.g. `sha256=`).
    #[arg(long, value_name = "TEXT", requires = "header")]
    prefix: Option<String>,
}

impl ProviderArgs {
    /// The provider these options describe.
    ///
    /// # Errors
    /// A usage failure if neither a preset nor a full custom scheme was given (clap's
    /// argument rules already rule this out).
    pub(crate) fn provider(&self) -> Result<Provider, Failure> {
        if let Some(path) = &self.scheme {
            return scheme_file(path);
        }
        match (&self.provider, &self.header, self.encoding) {
            (Some(provider), _, _) => Ok(provider.clone()),
            (None, Some(header), Some(encoding)) => {
                let custom = Provider::custom(header.clone(), encoding);
                Ok(match &self.prefix {
                    Some(prefix) => custom.with_prefix(prefix.clone()),
                    None => custom,
                })
            }
            _ => Err(Failure::usage(
                "give --provider, --scheme, or --header with --encoding for a custom provider",
            )),
        }
    }
}

/// The custom scheme the TOML file at `path` describes, checked.
///
/// # Errors
/// A usage failure naming the file and what is wrong: the file unreadable, a key unknown,
/// missing or of the wrong type (TOML's message names it and its line), or a description
/// that does not hold together (the core's message names the field).
fn scheme_file(path: &Path) -> Result<Provider, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|error| {
        Failure::usage(format_args!("cannot read the scheme file {shown}: {error}"))
    })?;
    let scheme: CustomScheme = toml::from_str(&text)
        .map_err(|error| Failure::usage(format_args!("scheme file {shown}: {error}")))?;
    Provider::from_scheme(scheme)
        .map_err(|error| Failure::usage(format_args!("scheme file {shown}: {error}")))
}

/// One secret, for signing: from an environment variable or a file.
#[derive(Debug, Args)]
pub(crate) struct SigningSecretArgs {
    /// Read the secret from this environment variable (default: `WEBHOOK_SECRET`).
    #[arg(long, value_name = "NAME", conflicts_with = "secret_file")]
    secret_env: Option<String>,

    /// Read the secret from this file (one trailing line break is dropped).
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
}

impl SigningSecretArgs {
    /// Loads the secret.
    ///
    /// # Errors
    /// A usage failure carrying the core's message (it names the variable or file and says
    /// how to fix it).
    pub(crate) fn secret(&self) -> Result<Secret, Failure> {
        let secret = match (&self.secret_file, &self.secret_env) {
            (Some(path), _) => Secret::from_file(path)?,
            (None, Some(name)) => Secret::from_env(name)?,
            (None, None) => Secret::from_env(DEFAULT_SECRET_ENV)?,
        };
        Ok(secret)
    }
}

/// One or more secrets, for verifying: several mean rotation, the first is current and
/// key N is the N-th secret given (counting from 0).
#[derive(Debug, Args)]
pub(crate) struct VerifyingSecretArgs {
    /// Read a secret from this environment variable; repeat for rotation (default: `WEBHOOK_SECRET`).
    #[arg(long, value_name = "NAME", conflicts_with = "secret_file")]
    secret_env: Vec<String>,

    /// Read a secret from this file (one trailing line break is dropped); repeat for rotation.
    #[arg(long, value_name = "PATH")]
    secret_file: Vec<PathBuf>,
}

impl VerifyingSecretArgs {
    /// Loads the secrets in the order they were given.
    ///
    /// # Errors
    /// A usage failure carrying the core's message for the first secret that cannot be read.
    pub(crate) fn secrets(&self) -> Result<Vec<Secret>, Failure> {
        if !self.secret_file.is_empty() {
            return Ok(self
                .secret_file
                .iter()
                .map(Secret::from_file)
                .collect::<Result<_, _>>()?);
        }
        if !self.secret_env.is_empty() {
            return Ok(self
                .secret_env
                .iter()
                .map(|name| Secret::from_env(name))
                .collect::<Result<_, _>>()?);
        }
        Ok(vec![Secret::from_env(DEFAULT_SECRET_ENV)?])
    }
}

/// Where the body comes from: a file, or stdin.
#[derive(Debug, Args)]
pub(crate) struct BodyArgs {
    /// Read the body from this file instead of stdin (`-` also means stdin).
    ///
    /// The bytes are used exactly as they are: a trailing newline is part of the body.
    #[arg(long, value_name = "PATH")]
    body_file: Option<PathBuf>,
}

impl BodyArgs {
    /// Reads the whole body as raw bytes.
    ///
    /// # Errors
    /// A usage failure naming the file (or stdin) when it cannot be read.
    pub(crate) fn read(&self) -> Result<Vec<u8>, Failure> {
        match &self.body_file {
            Some(path) if path.as_os_str() != "-" => std::fs::read(path).map_err(|error| {
                Failure::usage(format_args!(
                    "cannot read the body file {}: {error}",
                    path.display()
                ))
            }),
            _ => {
                let mut body = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut body)
                    .map_err(|error| {
                        Failure::usage(format_args!("cannot read the body from stdin: {error}"))
                    })?;
                Ok(body)
            }
        }
    }
}
