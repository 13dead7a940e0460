//! Run with: cargo run -p hookguard-proxy --example proxy_demo
//!
//! The proxy in front of a receiver written in Python (the standard library's
//! `http.server`, `tests/upstream.py`), with nothing to set up. The demo starts the
//! receiver, puts a proxy with PeopleForce, GitHub and Stripe routes in front of it, then
//! sends genuine deliveries and the requests an attacker or a broken sender would make. It
//! prints one row per request, then what the receiver got, and exits 0 only if every
//! genuine delivery arrived byte for byte and nothing else did.

// The first doc line is the exact command, kept free of Markdown so it can be copied.
#![allow(clippy::doc_markdown)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, ExitCode, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_proxy::{Proxy, ProxyConfig, Route};
use hookguard_test_support::http::{self, Body, Request};

type Failure = Box<dyn std::error::Error>;

const EMPLOYEE_CREATE: &[u8] =
    "{\"action\":\"employee_create\",\"employee\":{\"id\":42,\"name\":\"Zoë Ковалёва\"}}"
        .as_bytes();
const PUSH: &[u8] = br#"{"ref":"refs/heads/main","commits":[]}"#;
const INVOICE: &[u8] = br#"{"type":"invoice.paid","amount":1250}"#;

/// One request of the demo: what is sent, the status expected, and whether the receiver
/// should get it.
struct Case {
    what: &'static str,
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    expected: u16,
    reaches_receiver: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("proxy_demo: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, Failure> {
    let receiver = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/upstream.py");
    let mut python = Command::new("python3")
        .arg(receiver)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(python.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let port: u16 = line.trim().trim_start_matches("port ").parse()?;
    let upstream = format!("http://127.0.0.1:{port}");
    println!("Python receiver on {upstream}");

    let outcome = demo(&upstream, SocketAddr::from(([127, 0, 0, 1], port)));
    let _ = python.kill();
    let _ = python.wait();
    outcome
}

/// The demo's routes: provider, path and secret.
const ROUTES: [(Provider, &str, &str); 3] = [
    (
        Provider::PeopleForce,
        "/webhooks/peopleforce",
        "pf-demo-secret",
    ),
    (Provider::GitHub, "/webhooks/github", "gh-demo-secret"),
    (Provider::Stripe, "/webhooks/stripe", "whsec_demo_stripe"),
];

fn demo(upstream: &str, receiver: SocketAddr) -> Result<bool, Failure> {
    let mut config = ProxyConfig::new("127.0.0.1:0".parse()?);
    for (provider, path, secret) in ROUTES {
        let verifier = Verifier::builder(provider)
            .secret_with_id("2026-11", Secret::new(secret)?)
            .build()?;
        let route = Route::new(path, verifier, upstream)?.with_max_body_size(64 * 1024);
        config = config.with_route(route)?;
    }
    let proxy = Proxy::new(config)?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let shutdown = async {
            let _ = stopped.await;
        };
        proxy.serve(listener, shutdown).await;
        Ok::<(), std::io::Error>(())
    });
    println!("hookguard proxy on http://{addr}\n");

    let cases = cases()?;
    let mut ok = true;
    println!("{:<45} {:>6} {:>9}", "request", "status", "expected");
    for case in &cases {
        let request = Request {
            path: case.path.to_owned(),
            headers: case.headers.clone(),
            body: Body::Fixed(case.body.clone()),
        };
        let status = http::send(addr, &request)?.status;
        let mark = if status == case.expected {
            "ok"
        } else {
            "UNEXPECTED"
        };
        ok &= status == case.expected;
        println!("{:<45} {status:>6} {:>9}  {mark}", case.what, case.expected);
    }

    let received = receiver_record(receiver)?;
    let expected: Vec<&Case> = cases.iter().filter(|case| case.reaches_receiver).collect();
    println!("\nThe Python receiver got {} requests:", received.len());
    for (path, key, body) in &received {
        println!("  {path}  Hookguard-Key-Id: {key}  {} bytes", body.len());
    }
    ok &= received.len() == expected.len()
        && received
            .iter()
            .zip(&expected)
            .all(|((path, key, body), case)| {
                path == case.path && key == "2026-11" && *body == case.body
            });
    println!(
        "\n{}",
        if ok {
            "every genuine delivery arrived byte for byte, nothing else did"
        } else {
            "UNEXPECTED: see above"
        }
    );

    let _ = stop.send(());
    runtime.block_on(server)??;
    Ok(ok)
}

/// The headers `provider`'s sender adds to `body` when signing with `secret` at `timestamp`.
fn sign(
    provider: &Provider,
    secret: &str,
    timestamp: u64,
    body: &[u8],
) -> Result<Vec<(String, String)>, Failure> {
    let signer = Signer::new(provider.clone(), Secret::new(secret)?)?;
    Ok(signer.sign_headers("demo-delivery-1", timestamp, body))
}

/// The requests the demo sends.
fn cases() -> Result<Vec<Case>, Failure> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let [(peopleforce, pf_path, pf_secret), (github, gh_path, gh_secret), (stripe, st_path, st_secret)] =
        ROUTES;
    let mut spoofing = sign(&github, gh_secret, now, PUSH)?;
    spoofing.push(("Hookguard-Key-Id".into(), "admin".into()));
    let tampered = String::from_utf8(EMPLOYEE_CREATE.to_vec())?
        .replace("42", "43")
        .into_bytes();
    let big = vec![b' '; 65 * 1024];
    let case = |what, path, headers, body: &[u8], expected, reaches_receiver| Case {
        what,
        path,
        headers,
        body: body.to_vec(),
        expected,
        reaches_receiver,
    };
    Ok(vec![
        case(
            "PeopleForce, genuine",
            pf_path,
            sign(&peopleforce, pf_secret, now, EMPLOYEE_CREATE)?,
            EMPLOYEE_CREATE,
            200,
            true,
        ),
        case(
            "PeopleForce, forged",
            pf_path,
            sign(&peopleforce, "guessed", now, EMPLOYEE_CREATE)?,
            EMPLOYEE_CREATE,
            403,
            false,
        ),
        case(
            "PeopleForce, unsigned",
            pf_path,
            Vec::new(),
            EMPLOYEE_CREATE,
            403,
            false,
        ),
        case(
            "PeopleForce, tampered body",
            pf_path,
            sign(&peopleforce, pf_secret, now, EMPLOYEE_CREATE)?,
            &tampered,
            403,
            false,
        ),
        case(
            "PeopleForce, 65 KiB body",
            pf_path,
            sign(&peopleforce, pf_secret, now, &big)?,
            &big,
            413,
            false,
        ),
        case(
            "GitHub, genuine + spoofed Hookguard-Key-Id",
            gh_path,
            spoofing,
            PUSH,
            200,
            true,
        ),
        case(
            "Stripe, genuine",
            st_path,
            sign(&stripe, st_secret, now, INVOICE)?,
            INVOICE,
            200,
            true,
        ),
        case(
            "Stripe, replayed an hour later",
            st_path,
            sign(&stripe, st_secret, now - 3600, INVOICE)?,
            INVOICE,
            403,
            false,
        ),
        case("unknown path", "/admin", Vec::new(), b"{}", 404, false),
    ])
}

/// What the receiver recorded: path, `Hookguard-Key-Id` and body of each request.
fn receiver_record(receiver: SocketAddr) -> Result<Vec<(String, String, Vec<u8>)>, Failure> {
    let mut connection = http::Connection::open(receiver)?;
    connection
        .write_raw(b"GET /_record HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let records: Vec<serde_json::Value> =
        serde_json::from_slice(&connection.read_response()?.body)?;
    records
        .iter()
        .map(|record| {
            let path = record["path"].as_str().ok_or("path")?.to_owned();
            let headers = record["headers"].as_array().ok_or("headers")?;
            let key = headers
                .iter()
                .filter(|pair| {
                    pair[0]
                        .as_str()
                        .is_some_and(|name| name.eq_ignore_ascii_case("hookguard-key-id"))
                })
                .filter_map(|pair| pair[1].as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let body = hex::decode(record["body"].as_str().ok_or("body")?)?;
            Ok((path, key, body))
        })
        .collect()
}
