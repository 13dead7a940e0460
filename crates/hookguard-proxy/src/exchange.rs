//! [`Connections`]: a route's keep-alive connections to its upstream, and one request's
//! exchange over them.
//!
//! A response whose `Content-Length` is at most [`WHOLE_RESPONSE`] bytes is read whole
//! before it is relayed: its connection goes back to the pool at once, and an upstream
//! that fails mid-body gives the client a `502`, not a cut response. A longer or chunked
//! response is streamed through, and its connection closes when it ends.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Body;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::response::ProxyBody;
use crate::route::Upstream;

/// The longest upstream response read whole before it is relayed, in bytes: 64 KiB.
pub(crate) const WHOLE_RESPONSE: u64 = 64 * 1024;
/// The most idle connections kept to one upstream.
const MAX_IDLE: usize = 64;

/// A route's idle keep-alive connections to its upstream.
pub(crate) struct Connections {
    /// `host:port`, as connected to.
    address: String,
    /// The `Host` a request gets when the client sent none.
    host: HeaderValue,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

/// Why an exchange failed (the client gets `502`).
#[derive(Debug)]
pub(crate) enum ExchangeError {
    /// No TCP connection to the upstream.
    Connect(std::io::Error),
    /// The connection failed, or the upstream's answer was not valid HTTP/1.
    Http(hyper::Error),
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExchangeError::Connect(error) => write!(f, "cannot connect: {error}"),
            ExchangeError::Http(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for ExchangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExchangeError::Connect(error) => Some(error),
            ExchangeError::Http(error) => std::error::Error::source(error),
        }
    }
}

impl Connections {
    /// No connections yet to `upstream`.
    pub(crate) fn new(upstream: &Upstream) -> Connections {
        Connections {
            address: upstream.address(),
            host: HeaderValue::from_str(upstream.authority.as_str())
                .unwrap_or_else(|_| HeaderValue::from_static("localhost")),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends `request` (origin-form URI) and returns the response with the time its head
    /// took. A request that could not be written on an idle connection the upstream had
    /// closed is sent again on a new one; a request already written is never sent twice.
    pub(crate) async fn exchange(
        &self,
        mut request: Request<Full<Bytes>>,
    ) -> Result<(Response<ProxyBody>, Duration), ExchangeError> {
        if !request.headers().contains_key(header::HOST) {
            request
                .headers_mut()
                .insert(header::HOST, self.host.clone());
        }
        let started = Instant::now();
        let (mut sender, mut request) = match self.take_idle().await {
            Some(sender) => (sender, request),
            None => (self.connect().await?, request),
        };
        let response = loop {
            match sender.try_send_request(request).await {
                Ok(response) => break response,
                Err(mut failed) => match failed.take_message() {
                    // Never written: the idle connection was closed; use a new one.
                    Some(unsent) => {
                        request = unsent;
                        sender = self.connect().await?;
                    }
                    None => return Err(ExchangeError::Http(failed.into_error())),
                },
            }
        };
        let head = started.elapsed();
        let (parts, body) = response.into_parts();
        let whole = body
            .size_hint()
            .exact()
            .is_some_and(|len| len <= WHOLE_RESPONSE);
        if !whole {
            // Streamed: the connection closes once the body is relayed.
            return Ok((Response::from_parts(parts, Either::Left(body)), head));
        }
        // hyper holds the body to its `Content-Length`: no more than `WHOLE_RESPONSE` bytes.
        let collected = body.collect().await.map_err(ExchangeError::Http)?;
        self.put_idle(sender);
        let body = Either::Right(Full::new(collected.to_bytes()));
        Ok((Response::from_parts(parts, body), head))
    }

    /// An idle connection ready for a request, if one is still open.
    async fn take_idle(&self) -> Option<SendRequest<Full<Bytes>>> {
        loop {
            let mut sender = self.lock().pop()?;
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    /// Keeps `sender` for a later request, unless enough are kept already.
    fn put_idle(&self, sender: SendRequest<Full<Bytes>>) {
        let mut idle = self.lock();
        if idle.len() < MAX_IDLE {
            idle.push(sender);
        }
    }

    /// A new connection, driven by its own task until it closes.
    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, ExchangeError> {
        let stream = TcpStream::connect(&self.address)
            .await
            .map_err(ExchangeError::Connect)?;
        // Small request/response exchanges: do not wait to fill segments.
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(ExchangeError::Http)?;
        let address = self.address.clone();
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, upstream = %address, "upstream connection ended with an error");
            }
        });
        Ok(sender)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SendRequest<Full<Bytes>>>> {
        // The list holds no invariant a panicking holder could break.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for Connections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connections")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}
