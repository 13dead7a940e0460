//! A one-shot HTTP server on 127.0.0.1 for the `send` tests.

use std::io::{BufReader, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hookguard_test_support::http::{read_request, ReceivedRequest};

/// Serves one request on 127.0.0.1 with `status` and `reply`, recording what arrived. The
/// thread panics (so `join` fails the test instead of hanging it) if no request arrives or
/// completes within 30 s.
pub(crate) fn one_shot_server(
    status: &'static str,
    reply: &'static str,
) -> (String, JoinHandle<ReceivedRequest>) {
    const PATIENCE: Duration = Duration::from_secs(30);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/webhooks/test", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + PATIENCE;
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "no request within {PATIENCE:?}");
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut reader = BufReader::new(stream);
        let received = read_request(&mut reader).unwrap();
        let mut stream = reader.into_inner();
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
            reply.len()
        )
        .unwrap();
        stream.flush().unwrap();
        received
    });
    (url, handle)
}
