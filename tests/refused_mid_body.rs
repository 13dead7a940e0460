//! A request refused before its whole body was read, over real sockets, on both adapters:
//! the server answers and then closes the connection, even while the client keeps sending
//! a chunked body. Otherwise a client could hold a connection open for as long as it
//! trickles bytes, which is what a read timeout is set to prevent.

#![allow(clippy::unwrap_used, reason = "test code fails loudly")]

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::OnceLock;
use std::time::Duration;

use hookguard::Provider;
use support::http::Connection;
use support::servers::{self, signed, Server, PF_SECRET, SMALL_LIMIT};

fn servers() -> &'static [Server; 2] {
    static SERVERS: OnceLock<[Server; 2]> = OnceLock::new();
    SERVERS.get_or_init(|| [servers::start_axum(), servers::start_actix()])
}

/// One chunk of a chunked body.
fn chunk(data: &[u8]) -> Vec<u8> {
    let mut bytes = format!("{:x}\r\n", data.len()).into_bytes();
    bytes.extend_from_slice(data);
    bytes.extend_from_slice(b"\r\n");
    bytes
}

/// Sends a chunked request whose body starts with `first` and then goes on one byte every
/// 100 ms for 4 s, never ending. Returns the status of the answer and whether the server
/// closed the connection within 2 s of it.
fn trickled(
    server: &Server,
    path: &str,
    id: &str,
    signature: Option<&[u8]>,
    first: &[u8],
) -> (u16, bool) {
    let mut connection = Connection::open(server.addr).unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: {id}\r\n\
         Transfer-Encoding: chunked\r\n"
    );
    if let Some(body) = signature {
        let (name, value) = signed(Provider::PeopleForce, PF_SECRET, body);
        write!(head, "{name}: {value}\r\n").unwrap();
    }
    head.push_str("\r\n");
    let mut writer = connection.writer().unwrap();
    let first = chunk(first);
    let trickle = std::thread::spawn(move || {
        writer.write_all(head.as_bytes())?;
        writer.write_all(&first)?;
        for _ in 0..40 {
            std::thread::sleep(Duration::from_millis(100));
            writer.write_all(&chunk(b"x"))?;
        }
        Ok::<(), std::io::Error>(())
    });
    let status = connection.read_response().unwrap().status;
    let closed = connection.closed_within(Duration::from_secs(2)).unwrap();
    // The writer fails once the server has closed; that is the point.
    let _ = trickle.join().unwrap();
    (status, closed)
}

type Case<'a> = (&'a str, &'a str, Option<&'a [u8]>, &'a [u8], u16);

#[test]
fn the_connection_closes_after_a_refusal_that_left_the_body_unread() {
    let oversize = vec![b'{'; SMALL_LIMIT + 1];
    let mut failures = Vec::new();
    for server in servers() {
        // (case, path, body the signature is over, first chunk, expected status)
        let cases: [Case; 3] = [
            ("unsigned", "/peopleforce", None, b"{", 403),
            ("over the limit", "/small", Some(&oversize), &oversize, 413),
            (
                "slower than the read timeout",
                "/peopleforce",
                Some(b"{}"),
                b"{",
                408,
            ),
        ];
        for (name, path, signature, first, expected) in cases {
            let id = format!("{}:{name}", server.name);
            let (status, closed) = trickled(server, path, &id, signature, first);
            if status != expected {
                failures.push(format!("{id}: status {status}, expected {expected}"));
            }
            if !closed {
                failures.push(format!("{id}: the connection stayed open after the answer"));
            }
            if !server.recorder.seen(&id).is_empty() {
                failures.push(format!("{id}: handler ran but must not"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
