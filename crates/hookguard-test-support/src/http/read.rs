//! Reading HTTP/1.1 messages off the wire: the client's responses, and the requests a fake
//! receiver records with [`read_request`].

use std::io::{self, BufRead, Read};

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
    let message = read_message(reader, true)?;
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
pub(super) struct Message {
    /// The request or status line, without its line break.
    pub(super) start_line: String,
    pub(super) headers: Vec<(String, String)>,
    /// By `Content-Length` or chunked framing.
    pub(super) body: Vec<u8>,
}

/// Reads one message; its body only if `has_body` (not for the answer to a `HEAD`).
pub(super) fn read_message(reader: &mut impl BufRead, has_body: bool) -> io::Result<Message> {
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
    let body = if !has_body {
        Vec::new()
    } else if chunked {
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
