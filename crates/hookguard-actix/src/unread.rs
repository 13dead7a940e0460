//! A refusal that leaves the request's body unread: the payload is kept alive until the
//! response has been sent, so actix-web closes the connection after it.
//!
//! actix-web's HTTP/1 dispatcher drains a chunked body whose payload was dropped, to keep
//! the connection alive, for as long as the client sends it; a client trickling a body it
//! never ends would hold the connection open past any read timeout. With the payload still
//! held while the response goes out, the dispatcher treats the body as unread and closes
//! the connection instead (after its client-disconnect grace period). A body that was read
//! to its end is not affected: the connection stays open for the next request.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::HttpResponse;

/// `response`, whose body holds `payload` until it has been sent.
pub(crate) fn hold_until_sent(response: HttpResponse, payload: Payload) -> HttpResponse {
    response.map_body(|_, body| {
        BoxBody::new(Holding {
            body,
            _payload: payload,
        })
    })
}

/// A response body that keeps the request's payload alive.
struct Holding {
    body: BoxBody,
    _payload: Payload,
}

impl MessageBody for Holding {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}
