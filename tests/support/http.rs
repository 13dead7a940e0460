//! A deliberately small HTTP/1.1 client over `std::net::TcpStream`: it writes requests byte
//! for byte (duplicate headers, chunked bodies, lying or absent `Content-Length`, stalls)
//! and reads one response at a time, so several requests can share a keep-alive connection.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How the body goes on the wire.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    /// `Content-Length` and the bytes.
    Fixed(Vec<u8>),
    /// `Transfer-Encoding: chunked`, one chunk per element.
    Chunked(Vec<Vec<u8>>),
    /// `Content-Length: declared`, then nothing: the server must answer from the header.
    DeclaredOnly(usize),
    /// `Content-Length: declared`, then `sent` bytes, then silence (a stalled sender).
    Stalled { declared: usize, sent: Vec<u8> },
    /// `Transfer-Encoding: chunked` followed by bytes that are not valid chunked framing.
    BrokenChunked(Vec<u8>),
}

impl Body {
    /// The bytes a handler should see if the request is accepted.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        match self {
            Body::Fixed(bytes) => bytes.clone(),
            Body::Chunked(chunks) => chunks.concat(),
            Body::DeclaredOnly(_) | Body::Stalled { .. } | Body::BrokenChunked(_) => Vec::new(),
        }
    }
}

/// One request.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
}

/// One response: status, headers (in order, names lowercased) and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The values of header `name` (lowercase), in order.
    pub(crate) fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A client connection; reuse it for keep-alive.
pub(crate) struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    pub(crate) fn open(addr: SocketAddr) -> io::Result<Connection> {
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
    pub(crate) fn send(&mut self, request: &Request) -> io::Result<Response> {
        let write_result = write_request(self.reader.get_mut(), request);
        match self.read_response() {
            Ok(response) => Ok(response),
            Err(read_error) => Err(write_result.err().unwrap_or(read_error)),
        }
    }

    /// A second handle on the socket, for writing from another thread while this one reads.
    pub(crate) fn writer(&self) -> io::Result<TcpStream> {
        self.reader.get_ref().try_clone()
    }

    /// Writes `bytes` as they are (a hand-made request head, a piece of a body), reading
    /// nothing.
    pub(crate) fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stream = self.reader.get_mut();
        stream.write_all(bytes)?;
        stream.flush()
    }

    /// Reads the next response, with its body (an interim `100 Continue` is a response of
    /// its own).
    pub(crate) fn read_response(&mut self) -> io::Result<Response> {
        self.read_response_with(true)
    }

    /// Reads the next response to a `HEAD` request: status and headers, no body.
    pub(crate) fn read_head_response(&mut self) -> io::Result<Response> {
        self.read_response_with(false)
    }

    fn read_response_with(&mut self, has_body: bool) -> io::Result<Response> {
        let mut status_line = String::new();
        if self.reader.read_line(&mut status_line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, status_line.clone()))?;
        let mut content_length = 0;
        let mut chunked = false;
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                }
                headers.push((name.to_ascii_lowercase(), value.to_owned()));
            }
        }
        let body = if !has_body {
            Vec::new()
        } else if chunked {
            self.read_chunked()?
        } else {
            self.read_exact(content_length)?
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn read_exact(&mut self, len: usize) -> io::Result<Vec<u8>> {
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body)?;
        Ok(body)
    }

    fn read_chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let mut size_line = String::new();
            self.reader.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim(), 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, size_line.clone()))?;
            let chunk = self.read_exact(size + 2)?;
            if size == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
}

/// Sends one request on a fresh connection.
pub(crate) fn send(addr: SocketAddr, request: &Request) -> io::Result<Response> {
    Connection::open(addr)?.send(request)
}

/// Writes `request` to `stream` exactly as [`Body`] says (head, then body bytes) and
/// flushes; reads nothing.
pub(crate) fn write_request(stream: &mut impl Write, request: &Request) -> io::Result<()> {
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
        Body::DeclaredOnly(declared) | Body::Stalled { declared, .. } => {
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
        Body::Stalled { sent, .. } | Body::BrokenChunked(sent) => stream.write_all(sent)?,
    }
    stream.flush()
}
