//! `Expect: 100-continue` over real sockets, on both adapters: what a client that asks
//! before uploading receives when the request is refused from its headers alone.
//!
//! The adapters differ here, and these tests pin the difference down. hyper (under axum)
//! sends `100 Continue` only when the body is first read, and the tower layer refuses an
//! unsigned or oversize request before reading it: the client gets the refusal and no
//! `100 Continue`. actix-web's HTTP/1 dispatcher sends `100 Continue` as soon as the head
//! is parsed, before any middleware runs (`HttpServer` offers no hook to change that), and
//! the refusal follows at once, still without the body having been read.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test code fails loudly")]

mod support;

use hookguard::Provider;
use support::http::Connection;
use support::servers::{self, signed, Server, PF_SECRET};

const BODY: &[u8] = br#"{"action":"employee_create","id":1}"#;

/// The statuses of the responses to a head sent with `Expect: 100-continue`, read until
/// the first final one, without sending any body.
fn statuses_without_body(server: &Server, id: &str, headers: &str, length: usize) -> Vec<u16> {
    let mut connection = Connection::open(server.addr).unwrap();
    let head = format!(
        "POST /peopleforce HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: {id}\r\n{headers}\
         Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
    );
    connection.write_raw(head.as_bytes()).unwrap();
    let mut statuses = Vec::new();
    loop {
        let status = connection.read_response().unwrap().status;
        statuses.push(status);
        if status >= 200 {
            return statuses;
        }
    }
}

/// What each adapter answers before any body byte: `[final]` on axum, `[100, final]` on
/// actix-web.
fn expected(server: &Server, status: u16) -> Vec<u16> {
    match server.name {
        "axum" => vec![status],
        "actix" => vec![100, status],
        other => panic!("unknown adapter {other}"),
    }
}

#[test]
fn refusals_from_the_headers_need_no_body_and_differ_only_in_100_continue() {
    for server in [servers::start_axum(), servers::start_actix()] {
        let (name, value) = signed(Provider::PeopleForce, PF_SECRET, BODY);
        let signature = format!("{name}: {value}\r\n");

        let id = format!("{}:expect unsigned", server.name);
        let got = statuses_without_body(&server, &id, "", BODY.len());
        assert_eq!(got, expected(&server, 403), "{id}");
        assert!(server.recorder.seen(&id).is_empty(), "{id}: handler ran");

        let id = format!("{}:expect oversize", server.name);
        let got = statuses_without_body(&server, &id, &signature, 2 * 1024 * 1024);
        assert_eq!(got, expected(&server, 413), "{id}");
        assert!(server.recorder.seen(&id).is_empty(), "{id}: handler ran");
    }
}

#[test]
fn a_signed_delivery_gets_100_continue_then_its_answer_on_both() {
    for server in [servers::start_axum(), servers::start_actix()] {
        let id = format!("{}:expect signed", server.name);
        let (name, value) = signed(Provider::PeopleForce, PF_SECRET, BODY);
        let mut connection = Connection::open(server.addr).unwrap();
        let head = format!(
            "POST /peopleforce HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: {id}\r\n\
             {name}: {value}\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            BODY.len()
        );
        connection.write_raw(head.as_bytes()).unwrap();
        assert_eq!(connection.read_response().unwrap().status, 100, "{id}");
        connection.write_raw(BODY).unwrap();
        assert_eq!(connection.read_response().unwrap().status, 200, "{id}");
        assert_eq!(server.recorder.bodies(&id), [BODY.to_vec()], "{id}");
    }
}
