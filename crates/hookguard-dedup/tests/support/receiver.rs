//! A receiver over a real socket (axum or actix-web), verifying then deduplicating, with a
//! handler that records every run and behaves as its body says:
//!
//! - `ok:<n>`: answers `200` with the body;
//! - `fail:<n>`: answers `500`;
//! - `panic:<n>`: panics on its first run, answers `200` after;
//! - `gate:<n>`: waits for a permit from [`Receiver::open_gate`], then answers `200`.
//!
//! Each run records `start <body>`; a run whose future is dropped records `dropped <body>`.

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_dedup::{Dedup, RedisStore};
use hookguard_test_support::http::{self, Body, Request, Response};
use tokio::sync::Semaphore;

pub(crate) const SECRET: &str = "s3cret-for-dedup-tests";

#[derive(Clone, Copy, Debug)]
pub(crate) enum Adapter {
    Axum,
    Actix,
}

/// Where the receiver's store lives.
#[derive(Clone, Debug)]
pub(crate) enum StoreSpec {
    Memory,
    Redis(String),
}

/// Settings applied to the receiver's [`Dedup`].
pub(crate) type Configure = Box<dyn FnOnce(Dedup) -> Dedup + Send>;

/// What a receiver's thread is given.
struct Setup {
    store: StoreSpec,
    configure: Configure,
    verifier: Verifier,
    verified: bool,
    /// Told once the `Dedup` is built, before the first request is accepted.
    ready: std::sync::mpsc::Sender<()>,
}

impl Setup {
    /// The receiver's `Dedup`, built on its own runtime (a Redis connection's tasks live
    /// there), then the starting test is told.
    async fn build(self) -> (Dedup, Verifier, bool) {
        let dedup = match self.store {
            StoreSpec::Memory => Dedup::in_memory(),
            StoreSpec::Redis(url) => Dedup::new(RedisStore::connect(&url).await.unwrap()),
        };
        self.ready.send(()).unwrap();
        ((self.configure)(dedup), self.verifier, self.verified)
    }
}

/// What the handler did, shared with the test.
pub(crate) struct Log {
    events: Mutex<Vec<String>>,
    gate: Semaphore,
}

impl Default for Log {
    fn default() -> Log {
        Log {
            events: Mutex::default(),
            gate: Semaphore::new(0),
        }
    }
}

impl Log {
    fn push(&self, event: String) {
        self.events.lock().unwrap().push(event);
    }

    pub(crate) fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    /// How many times the handler started for `body`.
    pub(crate) fn runs(&self, body: &str) -> usize {
        let wanted = format!("start {body}");
        self.events()
            .iter()
            .filter(|event| **event == wanted)
            .count()
    }

    /// Waits until `event` was recorded `times` times (5 s at most).
    pub(crate) fn wait_for(&self, event: &str, times: usize) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.events().iter().filter(|e| *e == event).count() < times {
            assert!(
                Instant::now() < deadline,
                "no {times}x {event:?} in {:?}",
                self.events()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Records `dropped <body>` unless the run finished.
struct DropWatch<'a> {
    log: &'a Log,
    body: String,
    finished: bool,
}

impl Drop for DropWatch<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.log.push(format!("dropped {}", self.body));
        }
    }
}

/// The handler both adapters run: `(status, body)`.
async fn handle(log: &Log, body: Bytes) -> (u16, Bytes) {
    let text = String::from_utf8(body.to_vec()).unwrap();
    log.push(format!("start {text}"));
    let mut watch = DropWatch {
        log,
        body: text.clone(),
        finished: false,
    };
    let status = match text.split(':').next().unwrap() {
        "fail" => 500,
        "panic" if log.runs(&text) == 1 => panic!("the handler panics for {text}"),
        "gate" => {
            log.gate.acquire().await.unwrap().forget();
            200
        }
        _ => 200,
    };
    watch.finished = true;
    (status, body)
}

pub(crate) struct Receiver {
    pub(crate) addr: SocketAddr,
    pub(crate) log: Arc<Log>,
    pub(crate) provider: Provider,
    adapter: Adapter,
}

impl Receiver {
    /// Serves `POST /hook` on a free port from a thread of its own.
    pub(crate) fn start(adapter: Adapter, store: StoreSpec, configure: Configure) -> Receiver {
        Receiver::start_with(adapter, store, configure, true)
    }

    /// With `verified == false` the deduplicating stage runs without a verifier in front.
    pub(crate) fn start_with(
        adapter: Adapter,
        store: StoreSpec,
        configure: Configure,
        verified: bool,
    ) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Log::default());
        let provider = match adapter {
            Adapter::Axum => Provider::Bindbee,
            Adapter::Actix => Provider::PeopleForce,
        };
        let verifier = Verifier::new(provider.clone(), Secret::new(SECRET).unwrap()).unwrap();
        let served = Arc::clone(&log);
        let (ready, started) = std::sync::mpsc::channel();
        let setup = Setup {
            store,
            configure,
            verifier,
            verified,
            ready,
        };
        std::thread::spawn(move || match adapter {
            Adapter::Axum => serve_axum(listener, served, setup),
            Adapter::Actix => serve_actix(listener, served, setup),
        });
        started.recv().expect("the receiver did not start");
        Receiver {
            addr,
            log,
            provider,
            adapter,
        }
    }

    /// A request for `body`, correctly signed.
    pub(crate) fn signed(&self, body: &str) -> Request {
        let signer = Signer::new(self.provider.clone(), Secret::new(SECRET).unwrap()).unwrap();
        self.request(body, signer.sign(body.as_bytes()))
    }

    /// A request for `body` with a signature header that does not match it.
    pub(crate) fn forged(&self, body: &str) -> Request {
        let signer = Signer::new(
            self.provider.clone(),
            Secret::new("not-the-secret").unwrap(),
        );
        self.request(body, signer.unwrap().sign(body.as_bytes()))
    }

    fn request(&self, body: &str, signature: String) -> Request {
        Request {
            path: "/hook".into(),
            headers: vec![(self.provider.header_name().into(), signature)],
            body: Body::Fixed(body.as_bytes().to_vec()),
        }
    }

    /// Sends `request` on a new connection.
    pub(crate) fn send(&self, request: &Request) -> std::io::Result<Response> {
        http::send(self.addr, request)
    }

    /// Sends a signed `body` and returns the response.
    pub(crate) fn deliver(&self, body: &str) -> Response {
        self.send(&self.signed(body)).unwrap()
    }

    /// Delivers `body` on a thread; the response comes back through the handle.
    pub(crate) fn deliver_in_background(
        &self,
        body: &str,
    ) -> std::thread::JoinHandle<std::io::Result<Response>> {
        let (addr, request) = (self.addr, self.signed(body));
        std::thread::spawn(move || http::send(addr, &request))
    }

    /// Lets one waiting (or the next) `gate:` run finish.
    pub(crate) fn open_gate(&self) {
        self.log.gate.add_permits(1);
    }

    pub(crate) fn adapter(&self) -> Adapter {
        self.adapter
    }
}

fn serve_axum(listener: TcpListener, log: Arc<Log>, setup: Setup) {
    use axum::extract::State;
    use axum::routing::post;
    use hookguard_dedup::DeduplicateLayer;
    use hookguard_tower::VerifySignatureLayer;

    async fn on_event(State(log): State<Arc<Log>>, body: Bytes) -> (axum::http::StatusCode, Bytes) {
        let (status, body) = handle(&log, body).await;
        (axum::http::StatusCode::from_u16(status).unwrap(), body)
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let (dedup, verifier, verified) = setup.build().await;
        let route = post(on_event).route_layer(DeduplicateLayer::new(dedup));
        let route = if verified {
            route.route_layer(VerifySignatureLayer::new(verifier))
        } else {
            route
        };
        let app = axum::Router::new().route("/hook", route).with_state(log);
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

fn serve_actix(listener: TcpListener, log: Arc<Log>, setup: Setup) {
    use actix_web::{web, App, HttpResponse, HttpServer};
    use hookguard_actix::VerifySignature;
    use hookguard_dedup::actix::Deduplicate;

    async fn on_event(log: web::Data<Log>, body: web::Bytes) -> HttpResponse {
        let (status, body) = handle(&log, body).await;
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).body(body)
    }

    let log = web::Data::from(log);
    actix_web::rt::System::new().block_on(async move {
        let (dedup, verifier, verified) = setup.build().await;
        HttpServer::new(move || {
            // actix-web runs the `wrap` added last first: verify, then deduplicate.
            let verify = VerifySignature::new(verifier.clone());
            App::new().service(
                web::resource("/hook")
                    .app_data(log.clone())
                    .wrap(Deduplicate::new(dedup.clone()))
                    .wrap(actix_web::middleware::Condition::new(verified, verify))
                    .route(web::post().to(on_event)),
            )
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run()
        .await
        .unwrap();
    });
}
