//! `hookguard proxy`: a verifying reverse proxy in front of a receiver in any language,
//! from a configuration file or, for one route, from flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use hookguard_core::{Provider, Verifier};
use hookguard_proxy::{ConfigError, Deduplication, LogFormat, Proxy, ProxyConfig, Route};

use crate::options::{ProviderArgs, VerifyingSecretArgs};
use crate::{write_stdout, Failure};

/// Options of `hookguard proxy`. The scheme options are required only without `--config`.
#[derive(Debug, Args)]
#[command(mut_group("schemes", |group| group.required(false)))]
pub(crate) struct ProxyArgs {
    /// A configuration file (TOML): listen address, routes (path, scheme, secrets, upstream,
    /// limits), TLS, log format, workers. Replaces every other option but --log-format and --workers.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["listen", "upstream", "path", "schemes", "secret_env", "secret_file", "dedup"]
    )]
    config: Option<PathBuf>,

    /// One route from flags: the address to listen on.
    #[arg(long, value_name = "ADDR", default_value = hookguard_proxy::DEFAULT_LISTEN)]
    listen: SocketAddr,

    /// One route from flags: where verified deliveries go (`http://HOST:PORT[/PATH]`).
    #[arg(long, value_name = "URL", required_unless_present = "config")]
    upstream: Option<String>,

    /// One route from flags: the path it answers (default: `/webhooks/<provider>`).
    #[arg(long, value_name = "PATH")]
    path: Option<String>,

    /// The route's signature scheme.
    #[command(flatten)]
    provider: ProviderArgs,

    /// The route's secret(s); several mean rotation.
    #[command(flatten)]
    secrets: VerifyingSecretArgs,

    /// One route from flags: forward each delivery once, remembering deliveries in
    /// `memory` or in the Redis at a `redis://HOST:PORT/` URL (shared by several proxies);
    /// copies are answered by the proxy.
    #[arg(long, value_name = "off|memory|REDIS_URL", default_value = "off")]
    dedup: String,

    /// Log lines as human-readable text or JSON (default: the file's `log_format`, else text).
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<LogArg>,

    /// Threads serving requests (default: the file's `workers`, else one per CPU). With 1,
    /// one thread runs everything, for the least CPU per request.
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
}

/// `--log-format` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogArg {
    /// Text lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Checks the configuration, listens, prints `listening on http(s)://ADDR`, and serves
/// until SIGTERM or SIGINT, then lets requests in flight finish.
///
/// # Errors
/// A usage failure for any configuration error (naming the field or variable) or an
/// address that cannot be listened on.
pub(crate) fn run(args: &ProxyArgs) -> Result<(), Failure> {
    // An error about a setting of the file (read now, or its TLS files when serving) names
    // the file first.
    let in_file = |error: ConfigError| match &args.config {
        Some(path) => {
            let file = path.display().to_string();
            if error.field() == file {
                Failure::usage(error)
            } else {
                Failure::usage(format_args!("{file}: {error}"))
            }
        }
        None => Failure::usage(error),
    };
    let config = match &args.config {
        Some(path) => ProxyConfig::load(path).map_err(in_file)?,
        None => one_route(args)?,
    };
    let config = match args.workers {
        Some(workers) => config
            .with_workers(workers)
            .map_err(|error| Failure::usage(format_args!("--{error}")))?,
        None => config,
    };
    let format = match args.log_format {
        Some(LogArg::Json) => LogFormat::Json,
        Some(LogArg::Text) => LogFormat::Text,
        None => config.log_format(),
    };
    install_logs(format);
    // One worker: a single-threaded runtime, with no cross-thread hand-offs.
    let mut runtime = match config.workers().get() {
        1 => tokio::runtime::Builder::new_current_thread(),
        workers => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(workers);
            builder
        }
    };
    let runtime = runtime
        .enable_all()
        .build()
        .map_err(|error| Failure::failed(format_args!("cannot start the runtime: {error}")))?;
    runtime.block_on(serve(config, in_file))
}

/// The configuration of the single route the flags describe.
fn one_route(args: &ProxyArgs) -> Result<ProxyConfig, Failure> {
    let provider = args.provider.provider()?;
    let path = match (&args.path, &provider) {
        (Some(path), _) => path.clone(),
        (None, Provider::Custom(_)) => {
            return Err(Failure::usage("give --path for a custom scheme"));
        }
        (None, preset) => format!("/webhooks/{preset}"),
    };
    let upstream = args
        .upstream
        .as_deref()
        .ok_or_else(|| Failure::usage("give --upstream URL, or --config FILE"))?;
    let mut builder = Verifier::builder(provider);
    for secret in args.secrets.secrets()? {
        builder = builder.secret(secret);
    }
    let dedup = match args.dedup.as_str() {
        "off" => Deduplication::off(),
        "memory" => Deduplication::memory(),
        // The value is not repeated: a Redis URL may hold a password.
        url => Deduplication::redis(url).map_err(|_| {
            Failure::usage("--dedup: write off, memory or a Redis URL (redis://HOST:PORT/)")
        })?,
    };
    let route = Route::new(path, builder.build()?, upstream)
        .map_err(|error| Failure::usage(format_args!("--{error}")))?
        .with_dedup(dedup);
    ProxyConfig::new(args.listen)
        .with_route(route)
        .map_err(Failure::usage)
}

/// Serves `config` until a shutdown signal; `refused` words an error of its settings.
async fn serve(
    config: ProxyConfig,
    refused: impl FnOnce(ConfigError) -> Failure,
) -> Result<(), Failure> {
    let scheme = if config.uses_tls() { "https" } else { "http" };
    let listen = config.listen();
    let proxy = Proxy::new(config).map_err(refused)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| Failure::usage(format_args!("cannot listen on {listen}: {error}")))?;
    let addr = listener.local_addr().map_err(|error| {
        Failure::failed(format_args!("cannot read the listening address: {error}"))
    })?;
    write_stdout(format!("listening on {scheme}://{addr}\n").as_bytes())?;
    proxy.serve(listener, shutdown_signal()).await;
    Ok(())
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Sends `tracing` events at INFO and above to stderr, as text or JSON lines.
fn install_logs(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a log file or journald gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // A subscriber already installed (none is, in the binary) keeps its place.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
