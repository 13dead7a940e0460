//! The configuration file: its shape, as `serde` reads it, and the routes its
//! `[[routes]]` tables describe, checked field by field.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hookguard_core::{CustomScheme, Provider, Secret, Verifier};
use serde::Deserialize;

use crate::{ConfigError, Deduplication, LogFormat, Route, TlsFiles};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    #[serde(default = "default_listen")]
    pub(crate) listen: String,
    pub(crate) log_format: Option<LogFormat>,
    pub(crate) shutdown_timeout_seconds: Option<f64>,
    pub(crate) workers: Option<usize>,
    pub(crate) tls: Option<TlsFiles>,
    #[serde(default)]
    pub(crate) routes: Vec<RouteFile>,
}

fn default_listen() -> String {
    crate::DEFAULT_LISTEN.to_owned()
}

/// One `[[routes]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RouteFile {
    pub(crate) path: String,
    pub(crate) provider: Option<String>,
    pub(crate) scheme: Option<CustomScheme>,
    #[serde(default)]
    pub(crate) secrets: Vec<SecretFile>,
    pub(crate) upstream: String,
    pub(crate) max_body_size: Option<usize>,
    pub(crate) read_timeout_seconds: Option<f64>,
    pub(crate) upstream_timeout_seconds: Option<f64>,
    pub(crate) tolerance_seconds: Option<u64>,
    pub(crate) dedup: Option<DedupFile>,
}

/// `dedup = "off" | "memory"`, or
/// `dedup = { redis = "redis://...", prefix = "...", fail_open = false }`.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "dedup: write \"off\", \"memory\" or { redis = \"redis://HOST:PORT/\" }"
)]
pub(crate) enum DedupFile {
    Name(String),
    Redis(RedisFile),
}

/// The Redis form of `dedup`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RedisFile {
    pub(crate) redis: String,
    pub(crate) prefix: Option<String>,
    #[serde(default)]
    pub(crate) fail_open: bool,
}

/// One secret: from an environment variable or a file, with an optional id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SecretFile {
    pub(crate) id: Option<String>,
    pub(crate) env: Option<String>,
    pub(crate) file: Option<PathBuf>,
}

/// A positive, finite number of seconds.
pub(crate) fn duration(field: &str, seconds: f64) -> Result<Duration, ConfigError> {
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| {
            ConfigError::new(
                field,
                format_args!("{seconds} is not a number of seconds above 0; write e.g. 10 or 2.5"),
            )
        })
}

/// Checks one `[[routes]]` table and builds its route.
pub(crate) fn route_from_file(field: &str, file: RouteFile) -> Result<Route, ConfigError> {
    let provider = scheme(field, file.provider, file.scheme)?;
    if file.tolerance_seconds.is_some() && !provider.signs_timestamp() {
        return Err(ConfigError::new(
            format!("{field}.tolerance_seconds"),
            format_args!("{provider} signs no timestamp; remove tolerance_seconds"),
        ));
    }
    if file.max_body_size == Some(0) {
        return Err(ConfigError::new(
            format!("{field}.max_body_size"),
            "0 bytes would refuse every delivery; write a limit in bytes, e.g. 1048576",
        ));
    }
    if file.secrets.is_empty() {
        return Err(ConfigError::new(
            format!("{field}.secrets"),
            "no secret is given; write secrets = [{ env = \"VARIABLE\" }] or [{ file = \"PATH\" }]",
        ));
    }
    let mut builder = Verifier::builder(provider);
    let mut ids: Vec<String> = Vec::new();
    for (index, secret) in file.secrets.into_iter().enumerate() {
        let field = format!("{field}.secrets[{index}]");
        let (secret, id) = load_secret(&field, secret)?;
        builder = match id {
            Some(id) if ids.contains(&id) => {
                return Err(ConfigError::new(
                    format!("{field}.id"),
                    format_args!("{id:?} is used twice; give each secret its own id"),
                ));
            }
            Some(id) => {
                ids.push(id.clone());
                builder.secret_with_id(id, secret)
            }
            None => builder.secret(secret),
        };
    }
    if let Some(seconds) = file.tolerance_seconds {
        builder = builder.tolerance(Duration::from_secs(seconds));
    }
    let verifier = builder
        .build()
        .map_err(|error| ConfigError::new(format!("{field}.secrets"), error))?;
    let mut route =
        Route::new(file.path, verifier, &file.upstream).map_err(|error| error.within(field))?;
    if let Some(limit) = file.max_body_size {
        route = route.with_max_body_size(limit);
    }
    if let Some(seconds) = file.read_timeout_seconds {
        route =
            route.with_read_timeout(duration(&format!("{field}.read_timeout_seconds"), seconds)?);
    }
    if let Some(seconds) = file.upstream_timeout_seconds {
        route = route.with_upstream_timeout(duration(
            &format!("{field}.upstream_timeout_seconds"),
            seconds,
        )?);
    }
    if let Some(dedup) = file.dedup {
        route = route.with_dedup(dedup_from_file(&format!("{field}.dedup"), dedup)?);
    }
    Ok(route)
}

/// Checks a route's `dedup`.
fn dedup_from_file(field: &str, file: DedupFile) -> Result<Deduplication, ConfigError> {
    match file {
        DedupFile::Name(name) if name == "off" => Ok(Deduplication::off()),
        DedupFile::Name(name) if name == "memory" => Ok(Deduplication::memory()),
        DedupFile::Name(name) => Err(ConfigError::new(
            field,
            format_args!(
                "{name:?} is not a deduplication; write \"off\", \"memory\" or {{ redis = \"redis://HOST:PORT/\" }}"
            ),
        )),
        DedupFile::Redis(redis) => {
            let dedup = Deduplication::redis(&redis.redis).map_err(|error| error.within(field))?;
            let dedup = match redis.prefix {
                Some(prefix) => dedup.with_prefix(&prefix),
                None => dedup,
            };
            Ok(if redis.fail_open {
                dedup.with_fail_open()
            } else {
                dedup
            })
        }
    }
}

/// The route's scheme: a preset by name, or a custom one described in place.
fn scheme(
    field: &str,
    provider: Option<String>,
    scheme: Option<CustomScheme>,
) -> Result<Provider, ConfigError> {
    match (provider, scheme) {
        (Some(name), None) => name.parse().map_err(|message: String| ConfigError::new(format!("{field}.provider"), message)),
        (None, Some(scheme)) => Provider::from_scheme(scheme).map_err(|error| ConfigError::new(format!("{field}.scheme"), error)),
        (Some(_), Some(_)) => Err(ConfigError::new(field, "give either provider or scheme, not both")),
        (None, None) => Err(ConfigError::new(
            field,
            "no scheme: add provider = \"peopleforce\" (or another preset), or a [routes.scheme] table",
        )),
    }
}

/// Reads one secret from its variable or file; its id, if it has one.
fn load_secret(field: &str, file: SecretFile) -> Result<(Secret, Option<String>), ConfigError> {
    if let Some(id) = &file.id {
        let valid = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"._-".contains(&byte));
        if !valid {
            return Err(ConfigError::new(
                format!("{field}.id"),
                format_args!("{id:?} is not an id; use 1 to 64 letters, digits, '.', '_' or '-'"),
            ));
        }
    }
    let secret = match (file.env, file.file) {
        (Some(name), None) => Secret::from_env(&name)
            .map_err(|error| ConfigError::new(format!("{field}.env"), error))?,
        (None, Some(path)) => Secret::from_file(&path).map_err(|error| {
            ConfigError::new(
                format!("{field}.file"),
                format_args!("{error}{}", where_relative(&path)),
            )
        })?,
        _ => {
            return Err(ConfigError::new(
                field,
                "give exactly one of env = \"VARIABLE\" or file = \"PATH\"",
            ));
        }
    };
    Ok((secret, file.id))
}

/// For a relative `path` that could not be read, where it was looked for: `" (a relative
/// path is read from the working directory, DIR: give an absolute path)"`; empty otherwise.
pub(crate) fn where_relative(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(dir) if path.is_relative() => format!(
            " (a relative path is read from the working directory, {}: give an absolute path)",
            dir.display()
        ),
        _ => String::new(),
    }
}
