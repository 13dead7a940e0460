//! The body limit cannot become "unbounded" by accident, on either adapter:
//!
//! * `with_max_body_size(0)` means "only empty bodies" (it never means "no limit"),
//! * `with_max_body_size(usize::MAX)` is taken literally, and a client that then declares
//!   an absurd `Content-Length` cannot make the server reserve that much memory up front
//!   (the server keeps answering; the stalled body ends in `408`).

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use hookguard::Provider;
use support::http::{send, write_request, Body, Request};
use support::servers::{self, signed, PF_SECRET};

fn pf(id: &str, body: &[u8]) -> Vec<(String, String)> {
    vec![
        signed(Provider::PeopleForce, PF_SECRET, body),
        ("X-Request-Id".to_owned(), id.to_owned()),
    ]
}

#[test]
fn a_zero_limit_admits_only_empty_bodies() {
    for server in [servers::start_axum(), servers::start_actix()] {
        let name = server.name;
        let post = |id: &str, body: Body| {
            let bytes = body.bytes();
            let request = Request {
                path: "/empty-only".into(),
                headers: pf(id, &bytes),
                body,
            };
            send(server.addr, &request).unwrap().status
        };
        assert_eq!(post("empty", Body::Fixed(vec![])), 200, "{name}");
        assert_eq!(post("one-byte", Body::Fixed(b"{".to_vec())), 413, "{name}");
        assert_eq!(
            post("chunked", Body::Chunked(vec![b"{".to_vec(), b"}".to_vec()])),
            413,
            "{name}"
        );
        let seen = server.recorder.bodies("empty");
        assert_eq!(seen, [Vec::<u8>::new()], "{name}");
        assert_eq!(
            server.recorder.runs(),
            1,
            "{name}: a refused body ran the handler"
        );
    }
}

#[test]
fn a_huge_declared_length_reserves_nothing_up_front() {
    for server in [servers::start_axum(), servers::start_actix()] {
        let name = server.name;
        // Declare 10^18 bytes under a usize::MAX limit, send two pieces, then stall.
        let mut stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let head = Request {
            path: "/huge-limit".into(),
            headers: pf("huge", b"{}"),
            body: Body::DeclaredOnly(1_000_000_000_000_000_000),
        };
        write_request(&mut stream, &head).unwrap();
        for piece in [&b"{\"a\":"[..], b"1}"] {
            stream.write_all(piece).unwrap();
            stream.flush().unwrap();
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut response = [0_u8; 12];
        stream.read_exact(&mut response).unwrap();
        assert_eq!(&response, b"HTTP/1.1 408", "{name}");
        assert_eq!(server.recorder.runs(), 0, "{name}");

        // Still alive, and the large limit still lets ordinary deliveries through.
        let body = br#"{"action":"employee_create"}"#.to_vec();
        let request = Request {
            path: "/huge-limit".into(),
            headers: pf("after", &body),
            body: Body::Fixed(body.clone()),
        };
        assert_eq!(send(server.addr, &request).unwrap().status, 200, "{name}");
        let seen = server.recorder.bodies("after");
        assert_eq!(seen, [body], "{name}");
    }
}
