//! The layer behind a real axum/hyper server on 127.0.0.1, driven by a raw HTTP/1.1
//! client so the tests control header spelling, framing and stalls.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use hookguard_core::{Provider, Secret, Signer, Verifier};
use hookguard_tower::VerifySignatureLayer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "server-test-secret";
const BODY: &str = r#"{"action":"employee_create","employee":{"id":1,"name":"Zoë"}}"#;
const LIMIT: usize = 64 * 1024;

type Seen = Arc<Mutex<Vec<Bytes>>>;

struct Server {
    addr: SocketAddr,
    seen: Seen,
}

impl Server {
    async fn start() -> Server {
        let seen = Seen::default();
        let verifier = |provider| Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap();
        let guard = |provider| {
            VerifySignatureLayer::new(verifier(provider))
                .with_max_body_size(LIMIT)
                .with_read_timeout(Duration::from_millis(300))
        };
        let app = Router::new()
            .route("/webhooks/peopleforce", post(record))
            .route_layer(guard(Provider::PeopleForce))
            .route(
                "/webhooks/bindbee",
                post(record).route_layer(guard(Provider::Bindbee)),
            )
            .route("/health", get(|| async { "ok" }))
            .with_state(seen.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { addr, seen }
    }

    fn ran(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Writes `request` (then, if `close_write`, shuts the write half) while reading the
    /// response; returns the status and the response body text.
    async fn exchange(&self, request: Vec<u8>, close_write: bool) -> (u16, String) {
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        let writer = tokio::spawn(async move {
            // The server may answer and close before reading everything: ignore errors.
            let _ = write.write_all(&request).await;
            if close_write {
                let _ = write.shutdown().await;
            } else {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });
        let mut response = Vec::new();
        let mut buffer = [0_u8; 4096];
        let read_all = async {
            loop {
                match read.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => response.extend_from_slice(&buffer[..n]),
                }
                if complete(&response) {
                    break;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read_all)
            .await
            .unwrap();
        writer.abort();
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default();
        (status, body)
    }
}

/// Whether `response` holds the head and the whole `Content-Length` body.
fn complete(response: &[u8]) -> bool {
    let text = String::from_utf8_lossy(response);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .is_some_and(|length| body.len() >= length)
}

async fn record(State(seen): State<Seen>, body: Bytes) -> Bytes {
    seen.lock().unwrap().push(body.clone());
    body
}

fn sign(provider: Provider, body: &[u8]) -> String {
    Signer::new(provider, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body)
}

fn head(path: &str, headers: &[(&str, &str)]) -> String {
    let mut text = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        write!(text, "{name}: {value}\r\n").unwrap();
    }
    text
}

/// A request with `Content-Length` framing.
fn with_length(path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut request = head(path, headers);
    write!(request, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
    let mut request = request.into_bytes();
    request.extend_from_slice(body);
    request
}

/// A request with chunked framing, one chunk per element, and the final empty chunk.
fn chunked(path: &str, headers: &[(&str, &str)], chunks: &[&[u8]]) -> Vec<u8> {
    let mut request = head(path, headers);
    request.push_str("Transfer-Encoding: chunked\r\n\r\n");
    let mut request = request.into_bytes();
    for chunk in chunks {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    request
}

const PF: &str = "/webhooks/peopleforce";
const BB: &str = "/webhooks/bindbee";

#[tokio::test]
async fn valid_deliveries_reach_the_handler_with_exact_bytes() {
    let server = Server::start().await;
    let pf = sign(Provider::PeopleForce, BODY.as_bytes());
    let request = with_length(PF, &[("X-PeopleForce-Signature", &pf)], BODY.as_bytes());
    assert_eq!(server.exchange(request, true).await, (200, BODY.to_owned()));

    // Header names in any case; a chunked body split mid-character.
    let bb = sign(Provider::Bindbee, BODY.as_bytes());
    let bytes = BODY.as_bytes();
    let split = BODY.find('ë').unwrap() + 1;
    let request = chunked(
        BB,
        &[("x-BINDBEE-webhook-SIGNATURE", &bb)],
        &[&bytes[..split], &bytes[split..]],
    );
    assert_eq!(server.exchange(request, true).await, (200, BODY.to_owned()));
    assert_eq!(*server.seen.lock().unwrap(), [BODY, BODY]);
}

#[tokio::test]
async fn forged_missing_malformed_and_duplicated_signatures_are_403() {
    let server = Server::start().await;
    let valid = sign(Provider::PeopleForce, BODY.as_bytes());
    let forged = sign(Provider::PeopleForce, b"{\"action\":\"employee_delete\"}");
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("X-PeopleForce-Signature", &forged)],
        vec![],
        vec![("X-PeopleForce-Signature", "")],
        vec![("X-PeopleForce-Signature", "sha1=abc")],
        vec![
            ("X-PeopleForce-Signature", &valid),
            ("X-PeopleForce-Signature", &valid),
        ],
    ];
    for headers in &cases {
        let request = with_length(PF, headers, BODY.as_bytes());
        assert_eq!(
            server.exchange(request, true).await,
            (403, "Forbidden".to_owned()),
            "{headers:?}"
        );
    }
    assert_eq!(server.ran(), 0);
}

#[tokio::test]
async fn non_utf8_body_is_403() {
    let server = Server::start().await;
    let body = b"{\"action\":\"\xc3\x28\"}";
    let signature = sign(Provider::Bindbee, body);
    let request = with_length(BB, &[("X-Bindbee-Webhook-Signature", &signature)], body);
    assert_eq!(server.exchange(request, true).await.0, 403);
    assert_eq!(server.ran(), 0);
}

#[tokio::test]
async fn oversize_by_content_length_is_413_before_the_body_is_sent() {
    let server = Server::start().await;
    let signature = sign(Provider::PeopleForce, b"");
    let mut request = head(PF, &[("X-PeopleForce-Signature", &signature)]);
    write!(request, "Content-Length: {}\r\n\r\n", 100 * 1024 * 1024).unwrap();
    // Only the head is sent, and the write half stays open: the answer cannot wait for it.
    let (status, body) = server.exchange(request.into_bytes(), false).await;
    assert_eq!((status, body.as_str()), (413, "Payload Too Large"));
    assert_eq!(server.ran(), 0);
}

#[tokio::test]
async fn oversize_chunked_is_413() {
    let server = Server::start().await;
    let chunk = vec![b'a'; 16 * 1024];
    let chunks: Vec<&[u8]> = std::iter::repeat_n(chunk.as_slice(), 8).collect();
    let all = chunks.concat();
    let signature = sign(Provider::PeopleForce, &all);
    let request = chunked(PF, &[("X-PeopleForce-Signature", &signature)], &chunks);
    assert_eq!(server.exchange(request, true).await.0, 413);
    assert_eq!(server.ran(), 0);
}

/// A signed delivery whose `Content-Length` promises 10 bytes more than are sent.
fn signed_but_10_bytes_short() -> Vec<u8> {
    let signature = sign(Provider::PeopleForce, BODY.as_bytes());
    let mut request = with_length(
        PF,
        &[("X-PeopleForce-Signature", &signature)],
        BODY.as_bytes(),
    );
    request.truncate(request.len() - 10);
    request
}

#[tokio::test]
async fn truncated_body_is_400() {
    let server = Server::start().await;
    let request = signed_but_10_bytes_short();
    // The client closes its side mid-body: the body stream fails.
    assert_eq!(server.exchange(request, true).await.0, 400);
    assert_eq!(server.ran(), 0);
}

#[tokio::test]
async fn stalled_body_is_408() {
    let server = Server::start().await;
    let request = signed_but_10_bytes_short();
    // The client keeps the connection open but sends nothing more.
    let (status, body) = server.exchange(request, false).await;
    assert_eq!((status, body.as_str()), (408, "Request Timeout"));
    assert_eq!(server.ran(), 0);
}

#[tokio::test]
async fn health_is_not_protected() {
    let server = Server::start().await;
    let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    assert_eq!(
        server.exchange(request.as_bytes().to_vec(), true).await,
        (200, "ok".to_owned())
    );
}
