//! A deliberately small HTTP/1.1 client over `std::net::TcpStream`: it writes requests byte
//! for byte (duplicate headers, chunked bodies, lying or absent `Content-Length`, stalls, a
//! sender that hangs up mid-body) and reads one response at a time, so several requests can
//! share a keep-alive connection. [`read_request`] is the other side: what a fake receiver
//! uses to record a request a client sent it.

use std::fmt::Write as _;
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

mod read;

use read::read_message;
pub use read::{read_request, ReceivedRequest};

/// How the body goes on the wire.
///
/// # Example
/// ```
/// use hookguard_test_support::http::Body;
///
/// let chunked = Body::Chunked(vec![b"{\"a\":".to_vec(), b"1}".to_vec()]);
/// assert_eq!(chunked.bytes(), b"{\"a\":1}");
/// assert_eq!(Body::DeclaredOnly(100).bytes(), b"");
/// ```
#[derive(Clone, Debug)]
pub enum Body {
    /// `Content-Length` and the bytes.
    Fixed(Vec<u8>),
    /// `Transfer-Encoding: chunked`, one chunk per element (empty elements are skipped:
    /// an empty chunk would end the body).
    Chunked(Vec<Vec<u8>>),
    /// `Content-Length: declared`, then nothing: the server must answer from the header.
    DeclaredOnly(usize),
    /// `Content-Length: declared`, then `sent` bytes, then silence (a stalled sender).
    Stalled {
        /// The `Content-Length` announced.
        declared: usize,
        /// The bytes sent before the silence.
        sent: Vec<u8>,
    },
    /// `Content-Length: declared`, then `sent` bytes, then the client closes its sending
    /// half (a sender that hangs up mid-body).
    Truncated {
        /// The `Content-Length` announced.
        declared: usize,
        /// The bytes sent before hanging up.
        sent: Vec<u8>,
    },
    /// `Transfer-Encoding: chunked` followed by bytes that are not valid chunked framing.
    BrokenChunked(Vec<u8>),
}

impl Body {
    /// The bytes a handler should see if the request is accepted (none for a body that
    /// never arrives whole).
    ///
    /// # Example
    /// ```
    /// use hookguard_test_support::http::Body;
    ///
    /// assert_eq!(Body::Fixed(b"{}".to_vec()).bytes(), b"{}");
    /// ```
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Body::Fixed(bytes) => bytes.clone(),
            Body::Chunked(chunks) => chunks.concat(),
            Body::DeclaredOnly(_)
            | Body::Stalled { .. }
            | Body::Truncated { .. }
            | Body::BrokenChunked(_) => Vec::new(),
        }
    }
}

/// One request: `POST path` (`GET` for paths under `/health`), the headers as given (in
/// order, duplicates kept, names spelled as given), then the framing [`Body`] says.
///
/// # Example
/// ```
/// use hookguard_test_support::http::{Body, Request};
///
/// let request = Request {
///     path: "/webhooks/peopleforce".into(),
///     headers: vec![("x-peopleforce-signature".into(), "sha256=00".into())],
///     body: Body::Fixed(b"{}".to_vec()),
/// };
/// assert_eq!(request.body.bytes(), b"{}");
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    /// The request target, e.g. `/webhooks/peopleforce`.
    pub path: String,
    /// Header lines, written in this order and spelling.
    pub headers: Vec<(String, String)>,
    /// The body and its framing.
    pub body: Body,
}

/// One response: status, headers (in order, names lowercased) and body.
///
/// # Example
/// ```
/// use hookguard_test_support::http::Response;
///
/// let response = Response {
///     status: 405,
///     headers: vec![("allow".into(), "POST".into())],
///     body: Vec::new(),
/// };
/// assert_eq!(response.header("allow"), ["POST"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header lines as received, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The values of header `name` (lowercase), in order.
    ///
    /// # Example
    /// ```
    /// # use hookguard_test_support::http::Response;
    /// let response = Response { status: 200, headers: vec![("vary".into(), "a".into()), ("vary".into(), "b".into())], body: vec![] };
    /// assert_eq!(response.header("vary"), ["a", "b"]);
    /// ```
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// A client connection; reuse it for keep-alive.
///
/// # Example
/// ```no_run
/// use hookguard_test_support::http::{Body, Connection, Request};
///
/// let mut connection = Connection::open("127.0.0.1:8080".parse().unwrap())?;
/// for n in 0..3 {
///     let request = Request {
///         path: "/hook".into(),
///         headers: vec![],
///         body: Body::Fixed(format!("{{\"n\":{n}}}").into_bytes()),
///     };
///     println!("{}", connection.send(&request)?.status);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    /// Connects to `addr`, with 10 s read and write timeouts so a server that never
    /// answers fails the test instead of hanging it.
    ///
    /// # Errors
    /// When the connection cannot be made or configured.
    pub fn open(addr: SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            reader: BufReader::new(stream),
        })
    }

    /// Writes the request (ignoring a write error once the server has started answering,
    /// as it may refuse a body early) and reads the response.
    ///
    /// # Errors
    /// When no whole response can be read (the write error, if writing failed too).
    pub fn send(&mut self, request: &Request) -> io::Result<Response> {
        let mut write_result = write_request(self.reader.get_mut(), request);
        if write_result.is_ok() && matches!(request.body, Body::Truncated { .. }) {
            write_result = self.reader.get_ref().shutdown(Shutdown::Write);
        }
        match self.read_response() {
            Ok(response) => Ok(response),
            Err(read_error) => Err(write_result.err().unwrap_or(read_error)),
        }
    }

    /// A second handle on the socket, for writing from another thread while this one reads.
    ///
    /// # Errors
    /// When the socket cannot be cloned.
    pub fn writer(&self) -> io::Result<TcpStream> {
        self.reader.get_ref().try_clone()
    }

    /// Writes `bytes` as they are (a hand-made request head, a piece of a body), reading
    /// nothing.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stream = self.reader.get_mut();
        stream.write_all(bytes)?;
        stream.flush()
    }

    /// Reads the next response, with its body (an interim `100 Continue` is a response of
    /// its own).
    ///
    /// # Errors
    /// When no whole response can be read.
    pub fn read_response(&mut self) -> io::Result<Response> {
        self.read_response_with(true)
    }

    /// Reads the next response to a `HEAD` request: status and headers, no body.
    ///
    /// # Errors
    /// When no whole response head can be read.
    pub fn read_head_response(&mut self) -> io::Result<Response> {
        self.read_response_with(false)
    }

    /// Whether the server closes the connection within `within`, reading and discarding
    /// anything it still sends.
    ///
    /// # Errors
    /// When reading fails other than by timing out or by the server resetting the
    /// connection (which counts as closed).
    pub fn closed_within(&mut self, within: Duration) -> io::Result<bool> {
        let deadline = std::time::Instant::now() + within;
        let mut scratch = [0_u8; 1024];
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            self.reader.get_ref().set_read_timeout(Some(left))?;
            match self.reader.read(&mut scratch) {
                Ok(0) => return Ok(true),
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::ConnectionReset => return Ok(true),
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(false)
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn read_response_with(&mut self, has_body: bool) -> io::Result<Response> {
        let message = read_message(&mut self.reader, has_body)?;
        let status = message
            .start_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, message.start_line.clone())
            })?;
        let headers = message
            .headers
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect();
        Ok(Response {
            status,
            headers,
            body: message.body,
        })
    }
}

/// Sends one request on a fresh connection.
///
/// # Errors
/// As [`Connection::open`] and [`Connection::send`].
pub fn send(addr: SocketAddr, request: &Request) -> io::Result<Response> {
    Connection::open(addr)?.send(request)
}

/// Writes `request` to `stream` exactly as [`Body`] says (head, then body bytes) and
/// flushes; reads nothing.
///
/// # Errors
/// When writing fails.
///
/// # Example
/// ```
/// use hookguard_test_support::http::{write_request, Body, Request};
///
/// let request = Request { path: "/hook".into(), headers: vec![], body: Body::DeclaredOnly(7) };
/// let mut wire = Vec::new();
/// write_request(&mut wire, &request)?;
/// assert_eq!(wire, b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_request(stream: &mut impl Write, request: &Request) -> io::Result<()> {
    let mut head = format!("POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", request.path);
    if request.path.starts_with("/health") {
        head = head.replacen("POST", "GET", 1);
    }
    for (name, value) in &request.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    match &request.body {
        Body::Fixed(bytes) => {
            let _ = write!(head, "Content-Length: {}\r\n\r\n", bytes.len());
        }
        Body::Chunked(_) | Body::BrokenChunked(_) => {
            head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        }
        Body::DeclaredOnly(declared)
        | Body::Stalled { declared, .. }
        | Body::Truncated { declared, .. } => {
            let _ = write!(head, "Content-Length: {declared}\r\n\r\n");
        }
    }
    stream.write_all(head.as_bytes())?;
    match &request.body {
        Body::Fixed(bytes) => stream.write_all(bytes)?,
        Body::Chunked(chunks) => {
            for chunk in chunks.iter().filter(|chunk| !chunk.is_empty()) {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")?;
        }
        Body::DeclaredOnly(_) => {}
        Body::Stalled { sent, .. } | Body::Truncated { sent, .. } | Body::BrokenChunked(sent) => {
            stream.write_all(sent)?;
        }
    }
    stream.flush()
}
