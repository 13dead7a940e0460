//! Run with: cargo run --example demo
//!
//! hookguard end to end, with nothing to set up. The demo generates a secret, starts the
//! same webhook receiver twice in this process — once on axum with
//! `hookguard_tower::VerifySignatureLayer`, once on actix-web with
//! `hookguard_actix::VerifySignature` — on ephemeral 127.0.0.1 ports, then plays
//! PeopleForce and Bindbee with a real HTTP client: genuine deliveries, and the requests an
//! attacker or a broken sender would make. It prints one row per request and adapter and
//! exits 0 only if every row is as expected.
//!
//! The receivers' handler echoes the body it received, so a `200` row also proves the
//! handler saw the exact bytes that were sent.

// The first doc line is the exact command, kept free of Markdown so it can be copied.
#![allow(clippy::doc_markdown)]

use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hookguard::{Provider, Secret, Signer, Verifier};

/// The seed document's `employee_create` delivery, byte for byte.
const EMPLOYEE_CREATE: &[u8] = include_bytes!("../tests/vectors/employee_create.json");
const SYNC_COMPLETED: &[u8] =
    br#"{"event":"sync_completed","connector":"bamboohr","records":1284}"#;

/// A running receiver: where it listens and how many times its handler ran.
struct Receiver {
    adapter: &'static str,
    base_url: String,
    handler_runs: Arc<AtomicUsize>,
}

/// One request the demo sends to both receivers, and what must come back.
struct Delivery {
    case: &'static str,
    method: &'static str,
    path: &'static str,
    body: Vec<u8>,
    signature: Option<(String, String)>,
    /// A `Content-Encoding` header, if the request has one.
    coding: Option<&'static str>,
    expected: u16,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("demo failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let secret = generated_secret()?;
    let receivers = [start_axum(&secret)?, start_actix(&secret)?];
    for receiver in &receivers {
        println!(
            "{:<5} receiver listening on {}",
            receiver.adapter, receiver.base_url
        );
    }
    println!("shared secret: generated for this run (not shown)\n");

    let deliveries = deliveries(&secret)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    println!(
        "{:<38} {:<7} {:>8} {:>5}  {:<12} result",
        "case", "adapter", "expected", "got", "handler ran"
    );
    println!("{}", "-".repeat(84));
    let mut all_ok = true;
    for delivery in &deliveries {
        for receiver in &receivers {
            let runs_before = receiver.handler_runs.load(Ordering::SeqCst);
            let (status, echoed) = send(&agent, receiver, delivery)?;
            let ran = receiver.handler_runs.load(Ordering::SeqCst) > runs_before;
            let body_intact = !ran || echoed == delivery.body;
            let ok =
                status == delivery.expected && ran == (delivery.expected == 200) && body_intact;
            all_ok &= ok;
            println!(
                "{:<38} {:<7} {:>8} {:>5}  {:<12} {}",
                delivery.case,
                receiver.adapter,
                delivery.expected,
                status,
                if ran { "yes" } else { "no" },
                if ok { "ok" } else { "MISMATCH" }
            );
        }
    }
    println!(
        "\n{}",
        if all_ok {
            "every row as expected: forged, unsigned, tampered, non-UTF-8, oversize, gzip and GET requests never reached a handler"
        } else {
            "SOME ROWS DID NOT MATCH"
        }
    );
    Ok(all_ok)
}

/// 32 random bytes, hex-encoded: the kind of secret a provider's settings page shows.
fn generated_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

fn verifier(provider: Provider, secret: &str) -> Result<Verifier, hookguard::ConfigError> {
    Verifier::new(provider, Secret::new(secret)?)
}

fn signature(
    provider: Provider,
    secret: &str,
    body: &[u8],
) -> Result<(String, String), hookguard::ConfigError> {
    let signer = Signer::new(provider, Secret::new(secret)?)?;
    Ok((signer.header_name().to_owned(), signer.sign(body)))
}

fn deliveries(secret: &str) -> Result<Vec<Delivery>, hookguard::ConfigError> {
    let pf = |body: &[u8]| signature(Provider::PeopleForce, secret, body);
    let tampered = String::from_utf8_lossy(EMPLOYEE_CREATE)
        .replace("Senior Developer", "Chief Executive")
        .into_bytes();
    let not_utf8 = b"{\"action\":\"employee_update\",\"first_name\":\"\xff\xfe\"}".to_vec();
    let oversize = vec![b' '; 2 * hookguard::DEFAULT_MAX_BODY_SIZE];
    // `{"action":"employee_create","id":1}` compressed with gzip, signed over the JSON.
    let json = br#"{"action":"employee_create","id":1}"#;
    let gzipped = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x4a\x4c\x2e\xc9\
        \xcc\xcf\x53\xb2\x52\x4a\xcd\x2d\xc8\xc9\xaf\x4c\x4d\x8d\x4f\x2e\
        \x4a\x4d\x2c\x49\x55\xd2\x51\xca\x4c\x51\xb2\x32\xac\x05\x00\x09\
        \x9a\x10\xab\x23\x00\x00\x00";
    Ok(vec![
        Delivery {
            case: "PeopleForce employee_create (signed)",
            method: "POST",
            path: "/webhooks/peopleforce",
            body: EMPLOYEE_CREATE.to_vec(),
            signature: Some(pf(EMPLOYEE_CREATE)?),
            coding: None,
            expected: 200,
        },
        Delivery {
            case: "Bindbee sync_completed (signed)",
            method: "POST",
            path: "/webhooks/bindbee",
            body: SYNC_COMPLETED.to_vec(),
            signature: Some(signature(Provider::Bindbee, secret, SYNC_COMPLETED)?),
            coding: None,
            expected: 200,
        },
        Delivery {
            case: "forged signature (wrong secret)",
            method: "POST",
            path: "/webhooks/peopleforce",
            body: EMPLOYEE_CREATE.to_vec(),
            signature: Some(signature(
                Provider::PeopleForce,
                "guessed-secret",
                EMPLOYEE_CREATE,
            )?),
            coding: None,
            expected: 403,
        },
        Delivery {
            case: "unsigned request",
            method: "POST",
            path: "/webhooks/bindbee",
            body: SYNC_COMPLETED.to_vec(),
            signature: None,
            coding: None,
            expected: 403,
        },
        Delivery {
            case: "tampered body (signature of original)",
            method: "POST",
            path: "/webhooks/peopleforce",
            body: tampered,
            signature: Some(pf(EMPLOYEE_CREATE)?),
            coding: None,
            expected: 403,
        },
        Delivery {
            case: "non-UTF-8 body (validly signed)",
            method: "POST",
            path: "/webhooks/peopleforce",
            signature: Some(pf(&not_utf8)?),
            body: not_utf8,
            coding: None,
            expected: 403,
        },
        Delivery {
            case: "oversize body, 2 MiB (limit 1 MiB)",
            method: "POST",
            path: "/webhooks/peopleforce",
            signature: Some(pf(&oversize)?),
            body: oversize,
            coding: None,
            expected: 413,
        },
        Delivery {
            case: "gzip body (signature of the JSON)",
            method: "POST",
            path: "/webhooks/peopleforce",
            body: gzipped.to_vec(),
            signature: Some(pf(json)?),
            coding: Some("gzip"),
            expected: 415,
        },
        Delivery {
            case: "GET on the webhook route",
            method: "GET",
            path: "/webhooks/bindbee",
            body: Vec::new(),
            signature: None,
            coding: None,
            expected: 405,
        },
    ])
}

fn send(
    agent: &ureq::Agent,
    receiver: &Receiver,
    delivery: &Delivery,
) -> Result<(u16, Vec<u8>), ureq::Error> {
    let url = format!("{}{}", receiver.base_url, delivery.path);
    if delivery.method == "GET" {
        let mut response = agent.get(url).call()?;
        return Ok((
            response.status().as_u16(),
            response.body_mut().read_to_vec()?,
        ));
    }
    let mut request = agent.post(url).header("Content-Type", "application/json");
    if let Some((name, value)) = &delivery.signature {
        request = request.header(name.as_str(), value.as_str());
    }
    if let Some(coding) = delivery.coding {
        request = request.header("Content-Encoding", coding);
    }
    if delivery.body.len() > 64 * 1024 {
        // Ask before uploading a large body, so a receiver can refuse it from the headers.
        request = request.header("Expect", "100-continue");
    }
    let mut response = request.send(delivery.body.as_slice())?;
    let status = response.status().as_u16();
    let echoed = response
        .body_mut()
        .with_config()
        .limit(4 << 20)
        .read_to_vec()?;
    Ok((status, echoed))
}

/// The receiver on axum: each webhook route gains one `route_layer`, the handler is plain.
fn start_axum(secret: &str) -> Result<Receiver, Box<dyn std::error::Error>> {
    use axum::{body::Bytes, routing::post, Router};
    use hookguard_tower::VerifySignatureLayer;

    let handler_runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&handler_runs);
    let on_event = move |body: Bytes| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move { body }
    };
    let app = Router::new()
        .route(
            "/webhooks/peopleforce",
            post(on_event.clone()).route_layer(VerifySignatureLayer::new(verifier(
                Provider::PeopleForce,
                secret,
            )?)),
        )
        .route(
            "/webhooks/bindbee",
            post(on_event).route_layer(VerifySignatureLayer::new(verifier(
                Provider::Bindbee,
                secret,
            )?)),
        );

    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            match tokio::net::TcpListener::from_std(listener) {
                Ok(listener) => {
                    if let Err(error) = axum::serve(listener, app).await {
                        eprintln!("axum receiver stopped: {error}");
                    }
                }
                Err(error) => eprintln!("axum receiver could not start: {error}"),
            }
        });
    });
    Ok(Receiver {
        adapter: "axum",
        base_url,
        handler_runs,
    })
}

/// The receiver on actix-web: each webhook's `POST` route gains one `wrap`, the handler is
/// plain.
fn start_actix(secret: &str) -> Result<Receiver, Box<dyn std::error::Error>> {
    use actix_web::{web, App, HttpServer};
    use hookguard_actix::VerifySignature;

    async fn on_event(body: web::Bytes, runs: web::Data<AtomicUsize>) -> web::Bytes {
        runs.fetch_add(1, Ordering::SeqCst);
        body
    }

    let runs = web::Data::new(AtomicUsize::new(0));
    let handler_runs = runs.clone().into_inner();
    let peopleforce = verifier(Provider::PeopleForce, secret)?;
    let bindbee = verifier(Provider::Bindbee, secret)?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let app = move || {
        App::new()
            .app_data(runs.clone())
            .service(
                web::resource("/webhooks/peopleforce").route(
                    web::post()
                        .to(on_event)
                        .wrap(VerifySignature::new(peopleforce.clone())),
                ),
            )
            .service(
                web::resource("/webhooks/bindbee").route(
                    web::post()
                        .to(on_event)
                        .wrap(VerifySignature::new(bindbee.clone())),
                ),
            )
    };
    std::thread::spawn(move || {
        let serve = async move {
            HttpServer::new(app)
                .workers(1)
                .disable_signals()
                .listen(listener)?
                .run()
                .await
        };
        if let Err(error) = actix_web::rt::System::new().block_on(serve) {
            eprintln!("actix receiver stopped: {error}");
        }
    });
    Ok(Receiver {
        adapter: "actix",
        base_url,
        handler_runs,
    })
}
