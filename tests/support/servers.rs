//! One receiver app, built on both adapters, with the same routes and the same handler:
//! the handler records, per request id (`X-Request-Id`), the exact bytes it saw and which
//! key matched, so tests can prove whether it ran.
//!
//! | route | provider | settings |
//! |---|---|---|
//! | `POST /peopleforce` | PeopleForce, [`PF_SECRET`] | defaults (1 MiB limit, UTF-8 required) |
//! | `POST /bindbee` | Bindbee, [`BB_CURRENT`] (id `current`) and [`BB_PREVIOUS`] (id `previous`) | rotation |
//! | `POST /custom` | `X-Hub-Signature-256`, `sha256=` + hex, [`GH_SECRET`] | custom provider |
//! | `POST /lenient` | PeopleForce, [`PF_SECRET`] | `require_utf8(false)` |
//! | `POST /small` | PeopleForce, [`PF_SECRET`] | 1 KiB limit |
//! | `POST /empty-only` | PeopleForce, [`PF_SECRET`] | limit `0`: only empty bodies |
//! | `POST /huge-limit` | PeopleForce, [`PF_SECRET`] | limit `usize::MAX` |
//! | `POST /encoded` | PeopleForce, [`PF_SECRET`] | `ContentCoding::SignedAsSent`, `require_utf8(false)` |
//! | `POST /github`, `/shopify`, `/stripe`, `/slack`, `/standard-webhooks`, `/svix`, `/standard-webhooks-v1a`, `/discord` | each preset of [`SCHEME_ROUTES`] (the last two Ed25519), two keys | rotation, system clock, 5-minute tolerance |
//! | `GET /health` | none | unprotected |
//!
//! Every protected route has a [`READ_TIMEOUT`], and accepts only `POST` (other methods get
//! `405` with `Allow: POST`).

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookguard::{ContentCoding, Encoding, Provider, Secret, Signer, Verified, Verifier};

use super::scheme_routes::SCHEME_ROUTES;

pub(crate) const PF_SECRET: &str = "pf_whsec_conformance";
pub(crate) const BB_CURRENT: &str = "bb_sigkey_current";
pub(crate) const BB_PREVIOUS: &str = "bb_sigkey_previous";
pub(crate) const GH_SECRET: &str = "It's a Secret to Everybody";
pub(crate) const SMALL_LIMIT: usize = 1024;
pub(crate) const READ_TIMEOUT: Duration = Duration::from_millis(400);

/// GitHub's header and encoding as a custom provider.
pub(crate) fn custom_github() -> Provider {
    Provider::custom("X-Hub-Signature-256", Encoding::Hex).with_prefix("sha256=")
}

/// A signer for `provider` with `secret` (for senders that sign many bodies).
pub(crate) fn signer(provider: Provider, secret: &str) -> Signer {
    Signer::new(provider, Secret::new(secret).unwrap()).unwrap()
}

/// The signature header for `body`, signed for `provider` with `secret`: (name, value).
pub(crate) fn signed(provider: Provider, secret: &str, body: &[u8]) -> (String, String) {
    let signer = signer(provider, secret);
    (signer.header_name().to_owned(), signer.sign(body))
}

/// What the handler saw for one request: the body, and the provider and key the
/// adapter's extractor reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) body: Vec<u8>,
    /// The key's label, or `#index` when it has none.
    pub(crate) key: String,
    pub(crate) key_index: usize,
    pub(crate) provider: String,
    pub(crate) delivery_id: Option<String>,
}

/// The handler's record, keyed by the request's `X-Request-Id`.
#[derive(Clone, Default)]
pub(crate) struct Recorder {
    seen: Arc<Mutex<HashMap<String, Vec<Seen>>>>,
}

impl Recorder {
    fn record(&self, request_id: &str, body: &[u8], verified: &Verified) {
        self.seen
            .lock()
            .unwrap()
            .entry(request_id.to_owned())
            .or_default()
            .push(Seen {
                body: body.to_vec(),
                key: verified.key().to_string(),
                key_index: verified.key().index(),
                provider: verified.provider().to_string(),
                delivery_id: verified.delivery_id().map(str::to_owned),
            });
    }

    /// Everything the handler saw for `request_id` (empty if it never ran).
    pub(crate) fn seen(&self, request_id: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .get(request_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The bodies the handler saw for `request_id`, one per run (empty if it never ran).
    pub(crate) fn bodies(&self, request_id: &str) -> Vec<Vec<u8>> {
        self.seen(request_id)
            .into_iter()
            .map(|seen| seen.body)
            .collect()
    }

    /// Total handler runs.
    pub(crate) fn runs(&self) -> usize {
        self.seen.lock().unwrap().values().map(Vec::len).sum()
    }

    /// Takes what the handler saw for `request_id` (empty if it never ran), removing it
    /// from the record.
    pub(crate) fn take(&self, request_id: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .remove(request_id)
            .unwrap_or_default()
    }

    /// Takes everything recorded so far, leaving the record empty (long runs drain it
    /// periodically so it does not grow with the request count).
    pub(crate) fn drain(&self) -> HashMap<String, Vec<Seen>> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// The route table as (path, verifier, max body size, content coding).
fn routes() -> Vec<(&'static str, Verifier, usize, ContentCoding)> {
    let secret = |s: &str| Secret::new(s).unwrap();
    let default = hookguard::DEFAULT_MAX_BODY_SIZE;
    let schemes = SCHEME_ROUTES.iter().map(|route| {
        let [current, previous] = route.verifying();
        let verifier = Verifier::builder(route.provider.clone())
            .secret(secret(current))
            .secret(secret(previous))
            .build()
            .unwrap();
        (route.path, verifier, default, ContentCoding::IdentityOnly)
    });
    let mut routes = vec![
        (
            "/peopleforce",
            Verifier::new(Provider::PeopleForce, secret(PF_SECRET)).unwrap(),
            default,
            ContentCoding::IdentityOnly,
        ),
        (
            "/bindbee",
            Verifier::builder(Provider::Bindbee)
                .secret_with_id("current", secret(BB_CURRENT))
                .secret_with_id("previous", secret(BB_PREVIOUS))
                .build()
                .unwrap(),
            default,
            ContentCoding::IdentityOnly,
        ),
        (
            "/custom",
            Verifier::new(custom_github(), secret(GH_SECRET)).unwrap(),
            default,
            ContentCoding::IdentityOnly,
        ),
        (
            "/lenient",
            Verifier::builder(Provider::PeopleForce)
                .secret(secret(PF_SECRET))
                .require_utf8(false)
                .build()
                .unwrap(),
            default,
            ContentCoding::IdentityOnly,
        ),
        (
            "/small",
            Verifier::new(Provider::PeopleForce, secret(PF_SECRET)).unwrap(),
            SMALL_LIMIT,
            ContentCoding::IdentityOnly,
        ),
        (
            "/empty-only",
            Verifier::new(Provider::PeopleForce, secret(PF_SECRET)).unwrap(),
            0,
            ContentCoding::IdentityOnly,
        ),
        (
            "/huge-limit",
            Verifier::new(Provider::PeopleForce, secret(PF_SECRET)).unwrap(),
            usize::MAX,
            ContentCoding::IdentityOnly,
        ),
        (
            "/encoded",
            Verifier::builder(Provider::PeopleForce)
                .secret(secret(PF_SECRET))
                .require_utf8(false)
                .build()
                .unwrap(),
            default,
            ContentCoding::SignedAsSent,
        ),
    ];
    routes.extend(schemes);
    routes
}

/// A running server and its handler's record.
#[derive(Clone)]
pub(crate) struct Server {
    pub(crate) name: &'static str,
    pub(crate) addr: SocketAddr,
    pub(crate) recorder: Recorder,
}

fn request_id(value: Option<&[u8]>) -> String {
    value
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default()
}

/// The receiver on axum + `hookguard_tower`, each webhook route behind `route_layer`.
pub(crate) fn start_axum() -> Server {
    use axum::{
        body::Bytes,
        http::HeaderMap,
        routing::{get, post},
        Router,
    };
    use hookguard_tower::{VerifiedWebhook, VerifySignatureLayer};

    let recorder = Recorder::default();
    let mut app = Router::new().route("/health", get(|| async { "ok" }));
    for (path, verifier, limit, coding) in routes() {
        let recorder = recorder.clone();
        let handler =
            move |VerifiedWebhook(verified): VerifiedWebhook, headers: HeaderMap, body: Bytes| {
                let recorder = recorder.clone();
                async move {
                    recorder.record(
                        &request_id(headers.get("x-request-id").map(AsRef::as_ref)),
                        &body,
                        &verified,
                    );
                    "ok"
                }
            };
        app = app.route(
            path,
            post(handler).route_layer(
                VerifySignatureLayer::new(verifier)
                    .with_max_body_size(limit)
                    .with_read_timeout(READ_TIMEOUT)
                    .with_content_coding(coding),
            ),
        );
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    Server {
        name: "axum",
        addr,
        recorder,
    }
}

/// The receiver on actix-web + `hookguard_actix`, each webhook's `POST` route behind
/// `Route::wrap`.
pub(crate) fn start_actix() -> Server {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    use hookguard_actix::{VerifiedWebhook, VerifySignature};

    async fn handler(
        request: HttpRequest,
        webhook: VerifiedWebhook,
        body: web::Bytes,
        recorder: web::Data<Recorder>,
    ) -> HttpResponse {
        let id = request_id(request.headers().get("x-request-id").map(AsRef::as_ref));
        recorder.record(&id, &body, &webhook.0);
        HttpResponse::Ok().body("ok")
    }

    let recorder = Recorder::default();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let data = web::Data::new(recorder.clone());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                let mut app = App::new().app_data(data.clone()).route(
                    "/health",
                    web::get().to(|| async { HttpResponse::Ok().body("ok") }),
                );
                for (path, verifier, limit, coding) in routes() {
                    let guard = VerifySignature::new(verifier)
                        .with_max_body_size(limit)
                        .with_read_timeout(READ_TIMEOUT)
                        .with_content_coding(coding);
                    // A resource, not `App::route`, which would make `POST` a guard of the
                    // resource and answer other methods 404 instead of 405.
                    app =
                        app.service(web::resource(path).route(web::post().to(handler).wrap(guard)));
                }
                app
            })
            .workers(2)
            .listen(listener)
            .unwrap()
            .run()
            .await
            .unwrap();
        });
    });
    Server {
        name: "actix",
        addr,
        recorder,
    }
}
