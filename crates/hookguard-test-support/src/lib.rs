//! Test-only helpers shared by every hookguard test suite (the workspace's `tests/`, each
//! crate's `tests/`, the examples' tests). Not published; a dev-dependency only.
//!
//! [`log`] keeps what a `tracing` subscriber writes in memory, for tests that read it.
//!
//! [`redis`] starts real `redis-server` processes (or skips a test, saying how to run it,
//! where there is none).
//!
//! [`http`] holds the one raw HTTP/1.1 client the suites use to put exact bytes on the wire
//! (duplicate headers, chunked bodies, lying or absent `Content-Length`, stalls, a sender
//! that hangs up mid-body), and the request reader a fake receiver uses to record what a
//! client sent.
//!
//! # Example
//! ```
//! use std::io::{BufReader, Write};
//! use std::net::TcpListener;
//!
//! use hookguard_test_support::http::{read_request, send, Body, Request};
//!
//! // A one-request receiver that answers 204 and hands back what it read.
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let receiver = std::thread::spawn(move || -> std::io::Result<_> {
//!     let (stream, _) = listener.accept()?;
//!     let received = read_request(&mut BufReader::new(&stream))?;
//!     (&stream).write_all(b"HTTP/1.1 204 No Content\r\n\r\n")?;
//!     Ok(received)
//! });
//!
//! let request = Request {
//!     path: "/hook".into(),
//!     headers: vec![("X-PeopleForce-Signature".into(), "sha256=00".into())],
//!     body: Body::Chunked(vec![b"{\"a\":".to_vec(), b"1}".to_vec()]),
//! };
//! let response = send(addr, &request)?;
//! assert_eq!((response.status, response.body.as_slice()), (204, &b""[..]));
//!
//! let received = receiver.join().unwrap()?;
//! assert_eq!(received.request_line, "POST /hook HTTP/1.1");
//! assert_eq!(received.header("x-peopleforce-signature"), Some("sha256=00"));
//! assert_eq!(received.body, b"{\"a\":1}");
//! # Ok::<(), std::io::Error>(())
//! ```

#![forbid(unsafe_code)]

pub mod http;
pub mod log;
pub mod redis;
