//! Shared by the proxy's end-to-end tests: the Python upstream (`upstream.py`), a proxy on
//! its own runtime, every preset's route with two keys, and a raw HTTP/1.1 client.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of the support code"
)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use hookguard_core::{Provider, Secret, Verifier};
use hookguard_proxy::{Proxy, ProxyConfig, Route};
pub(crate) use hookguard_test_support::http;

#[path = "../../../../tests/support/scheme_routes.rs"]
pub(crate) mod scheme_routes;

/// The Python receiver, killed on drop.
pub(crate) struct Upstream {
    child: Child,
    pub(crate) addr: SocketAddr,
}

/// One request the upstream recorded.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Record {
    /// Every value of header `name` (case-insensitive), in order.
    pub(crate) fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl Upstream {
    /// An upstream answering at once.
    pub(crate) fn start() -> Upstream {
        Upstream::with_delay(0.0)
    }

    /// An upstream that waits `delay` seconds after recording before it answers.
    pub(crate) fn with_delay(delay: f64) -> Upstream {
        Upstream::with_args(&["--delay", &delay.to_string()])
    }

    /// An upstream started with these command-line options of `upstream.py`.
    pub(crate) fn with_args(args: &[&str]) -> Upstream {
        // Through the crates directory: this module also serves the CLI's tests.
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../hookguard-proxy/tests/upstream.py"
        );
        let mut child = Command::new("python3")
            .arg(script)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs tests/upstream.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().strip_prefix("port ").unwrap().parse().unwrap();
        Upstream {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request recorded so far, read straight from the upstream.
    pub(crate) fn records(&self) -> Vec<Record> {
        let (status, body) = get(self.addr, "/_record");
        assert_eq!(status, 200);
        let list: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
        list.into_iter()
            .map(|record| Record {
                method: record["method"].as_str().unwrap().to_owned(),
                path: record["path"].as_str().unwrap().to_owned(),
                headers: record["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|pair| {
                        (
                            pair[0].as_str().unwrap().to_owned(),
                            pair[1].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect(),
                body: hex::decode(record["body"].as_str().unwrap()).unwrap(),
            })
            .collect()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A proxy serving on its own runtime, in its own thread, stopped on drop.
pub(crate) struct RunningProxy {
    pub(crate) addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningProxy {
    /// Serves `config` on a free loopback port.
    pub(crate) fn start(config: ProxyConfig) -> RunningProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        // Within the runtime: a Redis store is set up on it.
        let proxy = {
            let _entered = runtime.enter();
            Proxy::new(config).unwrap()
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let shutdown = async move {
                    let _ = stopped.await;
                };
                proxy.serve(listener, shutdown).await;
            });
        });
        RunningProxy {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Signals shutdown and waits for `serve` to return.
    pub(crate) fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for RunningProxy {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// `GET path` on a fresh connection: status and body.
pub(crate) fn get(addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
    let mut connection = http::Connection::open(addr).unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    connection.write_raw(head.as_bytes()).unwrap();
    let response = connection.read_response().unwrap();
    (response.status, response.body)
}

/// `POST path` with `headers` and `body` on a fresh connection.
pub(crate) fn post(
    addr: SocketAddr,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> http::Response {
    let request = http::Request {
        path: path.to_owned(),
        headers: headers.to_vec(),
        body: http::Body::Fixed(body.to_vec()),
    };
    http::send(addr, &request).unwrap()
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A loopback address nothing listens on.
pub(crate) fn closed_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A preset's route for the tests: path, provider, the keys it verifies with and the keys
/// a sender signs with (ids `current` and `previous`).
#[derive(Clone)]
pub(crate) struct TestRoute {
    pub(crate) path: &'static str,
    pub(crate) provider: Provider,
    pub(crate) verifying: [&'static str; 2],
    pub(crate) signing: [&'static str; 2],
    pub(crate) forged: &'static str,
}

/// One route per preset: PeopleForce, Bindbee, and the scheme routes of the workspace tests.
pub(crate) fn preset_routes() -> Vec<TestRoute> {
    let mut routes = vec![
        TestRoute {
            path: "/webhooks/peopleforce",
            provider: Provider::PeopleForce,
            verifying: ["pf_current", "pf_previous"],
            signing: ["pf_current", "pf_previous"],
            forged: "pf_forged",
        },
        TestRoute {
            path: "/webhooks/bindbee",
            provider: Provider::Bindbee,
            verifying: ["bb_current", "bb_previous"],
            signing: ["bb_current", "bb_previous"],
            forged: "bb_forged",
        },
    ];
    routes.extend(scheme_routes::SCHEME_ROUTES.iter().map(|route| TestRoute {
        path: route.path,
        provider: route.provider.clone(),
        verifying: route.verifying(),
        signing: route.signing(),
        forged: route.forged(),
    }));
    routes
}

impl TestRoute {
    /// The proxy route forwarding to `upstream`.
    pub(crate) fn route(&self, upstream: &str) -> Route {
        let verifier = Verifier::builder(self.provider.clone())
            .secret_with_id("current", Secret::new(self.verifying[0]).unwrap())
            .secret_with_id("previous", Secret::new(self.verifying[1]).unwrap())
            .build()
            .unwrap();
        Route::new(self.path, verifier, upstream).unwrap()
    }

    /// The headers a sender signing with `key` sends for `body`.
    pub(crate) fn sign(
        &self,
        key: &str,
        id: &str,
        timestamp: u64,
        body: &[u8],
    ) -> Vec<(String, String)> {
        hookguard_core::Signer::new(self.provider.clone(), Secret::new(key).unwrap())
            .unwrap()
            .sign_headers(id, timestamp, body)
    }
}

/// A proxy config on a placeholder address with `routes`.
pub(crate) fn config(routes: impl IntoIterator<Item = Route>) -> ProxyConfig {
    routes.into_iter().fold(
        ProxyConfig::new("127.0.0.1:0".parse().unwrap()),
        |config, route| config.with_route(route).unwrap(),
    )
}
