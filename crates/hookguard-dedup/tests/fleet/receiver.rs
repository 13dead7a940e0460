//! One receiver of the fleet, as its own process (so a `SIGKILL` can stop it): the test binary
//! started again with `HOOKGUARD_FLEET_*` variables.
//!
//! Its handler takes effect by appending `<event>\n` to the effects file (one `write` on an
//! append-only file, so a line is whole or absent when the process is killed). About 8 % of
//! runs fail with `500` and no effect; about 5 % are slow (50 to 300 ms) before the effect
//! and 5 % after it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hookguard_core::{Provider, Secret, Verifier};
use hookguard_dedup::{Dedup, RedisStore};

pub(crate) const SECRET: &str = "fleet-secret";
const ADAPTER: &str = "HOOKGUARD_FLEET_RECEIVER";
const READY: &str = "HOOKGUARD_FLEET_READY";

/// What a receiver process is told.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) adapter: &'static str,
    pub(crate) addr: SocketAddr,
    pub(crate) redis: String,
    pub(crate) effects: PathBuf,
    pub(crate) lease: Duration,
}

impl Config {
    fn from_env() -> Option<Config> {
        let adapter = match std::env::var(ADAPTER).ok()?.as_str() {
            "axum" => "axum",
            _ => "actix",
        };
        let var = |name: &str| std::env::var(format!("HOOKGUARD_FLEET_{name}")).unwrap();
        Some(Config {
            adapter,
            addr: var("ADDR").parse().unwrap(),
            redis: var("REDIS"),
            effects: var("EFFECTS").into(),
            lease: Duration::from_millis(var("LEASE_MS").parse().unwrap()),
        })
    }

    /// Starts this receiver as a child process and waits until it serves.
    pub(crate) fn spawn(&self) -> Process {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(ADAPTER, self.adapter)
            .env("HOOKGUARD_FLEET_ADDR", self.addr.to_string())
            .env("HOOKGUARD_FLEET_REDIS", &self.redis)
            .env("HOOKGUARD_FLEET_EFFECTS", &self.effects)
            .env(
                "HOOKGUARD_FLEET_LEASE_MS",
                self.lease.as_millis().to_string(),
            )
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let ready = std::io::BufRead::lines(stdout).any(|line| line.unwrap() == READY);
        assert!(
            ready,
            "{} receiver on {} did not start",
            self.adapter, self.addr
        );
        Process(child)
    }
}

/// A receiver process, killed (SIGKILL) on drop.
pub(crate) struct Process(Child);

impl Process {
    pub(crate) fn kill(&mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The receiver process's body: serves until killed (nothing when not one).
/// Serves as a receiver when the variables say this process is one; `false` otherwise.
pub(crate) fn run_if_receiver() -> bool {
    let Some(config) = Config::from_env() else {
        return false;
    };
    let effects = Arc::new(
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&config.effects)
            .unwrap(),
    );
    let listener = TcpListener::bind(config.addr).unwrap();
    listener.set_nonblocking(true).unwrap();
    let verifier = Verifier::new(Provider::Bindbee, Secret::new(SECRET).unwrap()).unwrap();
    if config.adapter == "axum" {
        serve_axum(&config, listener, verifier, effects);
    } else {
        serve_actix(&config, listener, verifier, effects);
    }
    true
}

async fn dedup(config: &Config) -> Dedup {
    let store = RedisStore::connect(&config.redis).await.unwrap();
    Dedup::new(store).with_lease(config.lease)
}

fn announce_ready() {
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{READY}").unwrap();
    stdout.flush().unwrap();
}

/// A pseudo-random number per run (splitmix64 of a counter).
fn roll() -> u64 {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let mut z = RUNS
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_add(u64::from(std::process::id()) << 32)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The handler: `200` after the effect, or `500` without it.
async fn handle(effects: &File, body: &[u8]) -> u16 {
    let event = std::str::from_utf8(body)
        .unwrap()
        .strip_prefix("event=")
        .unwrap();
    let roll = roll();
    let pause = Duration::from_millis(50 + roll / 100 % 250);
    match roll % 100 {
        0..=7 => return 500,
        8..=12 => tokio::time::sleep(pause).await,
        _ => {}
    }
    let mut effects = effects;
    effects.write_all(format!("{event}\n").as_bytes()).unwrap();
    // Work after the effect: a kill then leaves an effect whose delivery is not done.
    if (13..=17).contains(&(roll % 100)) {
        tokio::time::sleep(pause).await;
    }
    200
}

fn serve_axum(config: &Config, listener: TcpListener, verifier: Verifier, effects: Arc<File>) {
    use axum::extract::State;
    use axum::routing::post;

    async fn on_event(
        State(effects): State<Arc<File>>,
        body: bytes::Bytes,
    ) -> axum::http::StatusCode {
        axum::http::StatusCode::from_u16(handle(&effects, &body).await).unwrap()
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let route = post(on_event)
            .route_layer(hookguard_dedup::DeduplicateLayer::new(dedup(config).await))
            .route_layer(hookguard_tower::VerifySignatureLayer::new(verifier));
        let app = axum::Router::new()
            .route("/hook", route)
            .with_state(effects);
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        announce_ready();
        axum::serve(listener, app).await.unwrap();
    });
}

fn serve_actix(config: &Config, listener: TcpListener, verifier: Verifier, effects: Arc<File>) {
    use actix_web::{web, App, HttpResponse, HttpServer};

    async fn on_event(effects: web::Data<File>, body: web::Bytes) -> HttpResponse {
        let status = handle(&effects, &body).await;
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
    }

    let effects = web::Data::from(effects);
    actix_web::rt::System::new().block_on(async move {
        let dedup = dedup(config).await;
        let server = HttpServer::new(move || {
            App::new().app_data(effects.clone()).service(
                web::resource("/hook")
                    .wrap(hookguard_dedup::actix::Deduplicate::new(dedup.clone()))
                    .wrap(hookguard_actix::VerifySignature::new(verifier.clone()))
                    .route(web::post().to(on_event)),
            )
        })
        .workers(2)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        announce_ready();
        server.await.unwrap();
    });
}
