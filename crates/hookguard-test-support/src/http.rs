//! A deliberately small HTTP/1.1 client over `std::net::TcpStream`: it writes requests byte
//! for byte (duplicate headers, chunked bodies, lying or absent `Content-Length`, stalls, a
//! sender that hangs up mid-body) and reads one response at a time, so several requests can
//! share a keep-alive connection. [`read_request`] is the other side: what a fake receiver
//! uses to record a request a client sent it.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

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

/// One response: status, headers and body.
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
/// assert_eq!(response.header("Allow"), Some("POST"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header lines as received.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name` (case-insensitive).
    ///
    /// # Example
    /// ```
    /// # use hookguard_test_support::http::Response;
    /// let response = Response { status: 200, headers: vec![("Content-Length".into(), "2".into())], body: b"ok".to_vec() };
    /// assert_eq!(response.header("content-length"), Some("2"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
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

    fn read_response(&mut self) -> io::Result<Response> {
        let message = read_message(&mut self.reader)?;
        let status = message
            .start_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, message.start_line.clone())
            })?;
        Ok(Response {
            status,
            headers: message.headers,
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

/// A request as a receiver read it.
///
/// # Example
/// ```
/// use hookguard_test_support::http::read_request;
///
/// let wire = b"POST /hook HTTP/1.1\r\nX-Id: 7\r\nContent-Length: 2\r\n\r\n{}";
/// let request = read_request(&mut &wire[..])?;
/// assert_eq!(request.request_line, "POST /hook HTTP/1.1");
/// assert_eq!(request.header("x-id"), Some("7"));
/// assert_eq!(request.body, b"{}");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// The request line without its line break, e.g. `POST /hook HTTP/1.1`.
    pub request_line: String,
    /// Header lines as received.
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` or chunked), de-chunked.
    pub body: Vec<u8>,
}

impl ReceivedRequest {
    /// The first header named `name` (case-insensitive).
    ///
    /// # Example
    /// ```
    /// # use hookguard_test_support::http::read_request;
    /// let request = read_request(&mut &b"POST / HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n"[..])?;
    /// assert_eq!(request.header("content-type"), Some("text/plain"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Reads one request (head and body) from `reader`.
///
/// # Errors
/// When reading fails, or the stream ends or is not HTTP/1.1 framing.
pub fn read_request(reader: &mut impl BufRead) -> io::Result<ReceivedRequest> {
    let message = read_message(reader)?;
    Ok(ReceivedRequest {
        request_line: message.start_line,
        headers: message.headers,
        body: message.body,
    })
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// One HTTP/1.1 message as read.
struct Message {
    /// The request or status line, without its line break.
    start_line: String,
    headers: Vec<(String, String)>,
    /// By `Content-Length` or chunked framing.
    body: Vec<u8>,
}

fn read_message(reader: &mut impl BufRead) -> io::Result<Message> {
    let mut start_line = String::new();
    if reader.read_line(&mut start_line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let chunked = find_header(&headers, "transfer-encoding")
        .is_some_and(|value| value.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let length = find_header(&headers, "content-length")
            .map_or(Ok(0), str::parse)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        read_exact(reader, length)?
    };
    Ok(Message {
        start_line: start_line.trim_end().to_owned(),
        headers,
        body,
    })
}

fn read_exact(reader: &mut impl Read, len: usize) -> io::Result<Vec<u8>> {
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line)?;
        let size = usize::from_str_radix(size_line.trim(), 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, size_line.clone()))?;
        let mut chunk = read_exact(reader, size + 2)?;
        if size == 0 {
            return Ok(body);
        }
        chunk.truncate(size);
        body.append(&mut chunk);
    }
}
