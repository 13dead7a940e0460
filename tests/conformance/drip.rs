//! A delivery dripped onto the socket one byte at a time, for the read deadline's test.

use std::io::Write as _;
use std::time::{Duration, Instant};

use crate::support::http::Connection;
use crate::support::servers::{signed, Server, PF_SECRET};

/// Sends a signed delivery of `pieces` one-byte pieces, `gap` apart, on one connection
/// (written from a second thread), and returns the status and how long it took to come.
pub(crate) fn dripped(server: &Server, id: &str, pieces: usize, gap: Duration) -> (u16, Duration) {
    let body = vec![b'x'; pieces];
    let (name, value) = signed(hookguard::Provider::PeopleForce, PF_SECRET, &body);
    let mut connection = Connection::open(server.addr).unwrap();
    let head = format!(
        "POST /peopleforce HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: {id}\r\n{name}: {value}\r\n\
         Content-Length: {pieces}\r\n\r\n"
    );
    let mut writer = connection.writer().unwrap();
    let started = Instant::now();
    let drip = std::thread::spawn(move || {
        writer.write_all(head.as_bytes())?;
        for byte in body {
            std::thread::sleep(gap);
            writer.write_all(&[byte])?;
        }
        Ok::<(), std::io::Error>(())
    });
    let status = connection.read_response().unwrap().status;
    let elapsed = started.elapsed();
    // The writer fails once the server has answered and closed; that is expected.
    let _ = drip.join().unwrap();
    (status, elapsed)
}
