//! The clients: concurrent keep-alive connections firing a range of planned requests.

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::mix::Kind;
use crate::plan::{plan, Signers};
use crate::support::http::{write_request, Body, Connection, Request};
use crate::support::servers::Server;
use crate::tally::Tally;

/// Client threads per adapter, each with its own keep-alive connection.
pub(crate) const CONCURRENCY: usize = 64;

/// Sends the head and part of the body, then hangs up without reading the response.
fn hang_up_mid_body(addr: SocketAddr, request: &Request) -> std::io::Result<()> {
    debug_assert!(
        matches!(request.body, Body::Stalled { .. }),
        "disconnects are planned as stalled bodies"
    );
    let mut stream = TcpStream::connect(addr)?;
    write_request(&mut stream, request)?;
    stream.shutdown(std::net::Shutdown::Both)
}

/// Fires the requests in `range` from `CONCURRENCY` threads, each on its own keep-alive
/// connection (reopened after a rejection or error), and checks each one as it completes:
/// the handler has run (or not) by the time the response is read, so its record for the
/// request is taken right then. Returns the tally and the most requests seen in flight.
pub(crate) fn fire(
    server: &Server,
    range: std::ops::Range<usize>,
    signers: &Signers,
) -> (Tally, usize) {
    let in_flight = AtomicUsize::new(0);
    let max_in_flight = AtomicUsize::new(0);
    let mut tally = Tally::new();
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..CONCURRENCY)
            .map(|thread| {
                let (range, in_flight, max_in_flight) = (range.clone(), &in_flight, &max_in_flight);
                scope.spawn(move || {
                    let mut tally = Tally::new();
                    let mut connection: Option<Connection> = None;
                    for i in range.filter(|i| i % CONCURRENCY == thread) {
                        let (request, planned) = plan(server.name, i, signers);
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        max_in_flight.fetch_max(now, Ordering::SeqCst);
                        let result = if planned.kind == Kind::Disconnect {
                            hang_up_mid_body(server.addr, &request)
                                .map(|()| 0)
                                .map_err(|e| e.to_string())
                        } else {
                            let sent = match connection.take() {
                                Some(mut open) => open.send(&request).map(|r| (r, open)),
                                None => Connection::open(server.addr)
                                    .and_then(|mut fresh| fresh.send(&request).map(|r| (r, fresh))),
                            };
                            match sent {
                                Ok((response, open)) => {
                                    if response.status == 200 && response.body == b"ok" {
                                        connection = Some(open);
                                    }
                                    Ok(response.status)
                                }
                                Err(e) => Err(e.to_string()),
                            }
                        };
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        let seen = server.recorder.take(&planned.id);
                        tally.check(&planned, &result, &seen);
                    }
                    tally
                })
            })
            .collect();
        for thread in threads {
            tally.merge(thread.join().unwrap());
        }
    });
    (tally, max_in_flight.into_inner())
}
