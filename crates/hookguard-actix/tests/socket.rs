//! `VerifySignature` behind a real `HttpServer` on 127.0.0.1, driven by a hand-written
//! HTTP/1.1 client so the tests control `Content-Length` and chunking exactly.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup should fail the test loudly

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpResponse, HttpServer};
use hookguard_actix::VerifySignature;
use hookguard_core::{Provider, Secret, Signer, Verifier};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const SECRET: &str = "socket-test-secret";
const BODY: &[u8] = br#"{"action":"employee_create","data":{"id":7}}"#;

#[derive(Default)]
struct Recorder(Mutex<Vec<Bytes>>);

async fn echo(recorder: web::Data<Recorder>, body: Bytes) -> HttpResponse {
    recorder.0.lock().unwrap().push(body.clone());
    HttpResponse::Ok().body(body)
}

struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    recorder: Arc<Recorder>,
}

impl Server {
    fn start(provider: Provider) -> Server {
        let recorder = Arc::new(Recorder::default());
        let data = web::Data::from(Arc::clone(&recorder));
        let verifier = Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap();
        let server = HttpServer::new(move || {
            App::new().app_data(data.clone()).service(
                web::resource("/hook")
                    .wrap(VerifySignature::new(verifier.clone()))
                    .route(web::post().to(echo)),
            )
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Server {
            addr,
            handle,
            recorder,
        }
    }

    fn runs(&self) -> Vec<Bytes> {
        self.recorder.0.lock().unwrap().clone()
    }

    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

fn sign(provider: Provider, body: &[u8]) -> String {
    Signer::new(provider, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body)
}

/// Writes `head` then `body` (concurrently with reading, so a server that answers early and
/// closes does not deadlock the test); returns the status and the response body.
async fn exchange(addr: SocketAddr, head: String, body: Vec<Vec<u8>>) -> (u16, Vec<u8>) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let writing = actix_web::rt::spawn(async move {
        if writer.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for part in body {
            if writer.write_all(&part).await.is_err() {
                return;
            }
        }
        let _ = writer.flush().await;
    });
    let response = tokio::time::timeout(Duration::from_secs(20), async move {
        let mut received = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            if let Some(parsed) = parse_response(&received) {
                return parsed;
            }
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
        parse_response(&received).expect("connection ended before a full response")
    })
    .await
    .expect("no response within 20 s");
    writing.abort();
    response
}

/// The status and body once `received` holds a full response with a `Content-Length`.
fn parse_response(received: &[u8]) -> Option<(u16, Vec<u8>)> {
    let end = received
        .windows(4)
        .position(|window| window == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&received[..end]).unwrap();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let body = received.get(end + 4..end + 4 + length)?;
    Some((status, body.to_vec()))
}

fn head(addr: SocketAddr, headers: &[(&str, String)]) -> String {
    let mut head = format!("POST /hook HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    head
}

fn chunked(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut encoded: Vec<Vec<u8>> = parts
        .iter()
        .filter(|part| !part.is_empty())
        .map(|part| [format!("{:x}\r\n", part.len()).as_bytes(), part, b"\r\n"].concat())
        .collect();
    encoded.push(b"0\r\n\r\n".to_vec());
    encoded
}

#[actix_web::test]
async fn valid_deliveries_reach_the_handler_with_the_exact_bytes() {
    for provider in [Provider::PeopleForce, Provider::Bindbee] {
        let server = Server::start(provider.clone());
        let header = (provider.header_name(), sign(provider.clone(), BODY));
        let length = ("Content-Length", BODY.len().to_string());
        let (status, body) = exchange(
            server.addr,
            head(server.addr, &[header, length]),
            vec![BODY.to_vec()],
        )
        .await;
        assert_eq!(status, 200, "{provider}");
        assert_eq!(body, BODY, "{provider}");
        assert_eq!(server.runs(), vec![Bytes::from_static(BODY)], "{provider}");
        server.stop().await;
    }
}

#[actix_web::test]
async fn a_valid_chunked_delivery_is_reassembled_exactly() {
    let server = Server::start(Provider::Bindbee);
    let headers = [
        (
            Provider::Bindbee.header_name(),
            sign(Provider::Bindbee, BODY),
        ),
        ("Transfer-Encoding", "chunked".to_owned()),
    ];
    let parts: Vec<&[u8]> = BODY.chunks(7).collect();
    let (status, body) = exchange(server.addr, head(server.addr, &headers), chunked(&parts)).await;
    assert_eq!(status, 200);
    assert_eq!(body, BODY);
    assert_eq!(server.runs(), vec![Bytes::from_static(BODY)]);
    server.stop().await;
}

#[actix_web::test]
async fn forged_and_missing_signatures_are_refused() {
    let server = Server::start(Provider::PeopleForce);
    let length = || ("Content-Length", BODY.len().to_string());
    let forged = (
        Provider::PeopleForce.header_name(),
        sign(Provider::PeopleForce, b"{}"),
    );
    let (status, body) = exchange(
        server.addr,
        head(server.addr, &[forged, length()]),
        vec![BODY.to_vec()],
    )
    .await;
    assert_eq!((status, body.as_slice()), (403, b"Forbidden".as_slice()));

    let (status, _) = exchange(
        server.addr,
        head(server.addr, &[length()]),
        vec![BODY.to_vec()],
    )
    .await;
    assert_eq!(status, 403);
    assert!(server.runs().is_empty(), "handler ran");
    server.stop().await;
}

#[actix_web::test]
async fn content_length_over_the_limit_is_refused_without_sending_the_body() {
    let server = Server::start(Provider::PeopleForce);
    let headers = [
        (
            Provider::PeopleForce.header_name(),
            sign(Provider::PeopleForce, BODY),
        ),
        ("Content-Length", (2 * 1024 * 1024).to_string()),
    ];
    // Only the head is sent: the answer must not wait for the announced 2 MiB.
    let (status, _) = exchange(server.addr, head(server.addr, &headers), Vec::new()).await;
    assert_eq!(status, 413);
    assert!(server.runs().is_empty(), "handler ran");
    server.stop().await;
}

#[actix_web::test]
async fn an_oversize_chunked_body_is_refused() {
    let server = Server::start(Provider::PeopleForce);
    let headers = [
        (
            Provider::PeopleForce.header_name(),
            sign(Provider::PeopleForce, BODY),
        ),
        ("Transfer-Encoding", "chunked".to_owned()),
    ];
    let chunk = vec![b'a'; 64 * 1024];
    let parts: Vec<&[u8]> = std::iter::repeat_n(chunk.as_slice(), 64).collect(); // 4 MiB
    let (status, _) = exchange(server.addr, head(server.addr, &headers), chunked(&parts)).await;
    assert_eq!(status, 413);
    assert!(server.runs().is_empty(), "handler ran");
    server.stop().await;
}
