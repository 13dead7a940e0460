//! Shared by the tower adapter's test binaries: an echo handler that records whether it
//! ran and the bytes it saw; a body that counts what is pulled from it and ends or stalls;
//! request helpers.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of the support code"
)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use hookguard_core::{Provider, Secret, Signer, Verifier};
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use tower::service_fn;

pub(crate) const SECRET: &str = "whsec-test-secret";
pub(crate) const PF: &str = "X-PeopleForce-Signature";
pub(crate) const BB: &str = "X-Bindbee-Webhook-Signature";
pub(crate) const SAMPLE: &str =
    r#"{"action":"employee_create","data":{"id":42,"first_name":"Zoë"}}"#;

/// The bodies the handler saw, one per call.
#[derive(Clone, Default)]
pub(crate) struct Recorder(Arc<Mutex<Vec<Bytes>>>);

impl Recorder {
    pub(crate) fn ran(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// A handler that records the body and echoes it.
    pub(crate) fn handler(
        &self,
    ) -> impl tower::Service<
        Request<Full<Bytes>>,
        Response = Response<Full<Bytes>>,
        Error = Infallible,
        Future = impl Send,
    > + Clone {
        let calls = self.0.clone();
        service_fn(move |request: Request<Full<Bytes>>| {
            let calls = calls.clone();
            async move {
                let body = request.into_body().collect().await?.to_bytes();
                calls.lock().unwrap().push(body.clone());
                Ok::<_, Infallible>(Response::new(Full::new(body)))
            }
        })
    }
}

/// A body that yields the given frames, then ends or stalls; counts bytes pulled.
/// Gives no size hint unless [`TestBody::claiming`] sets an exact one.
pub(crate) struct TestBody {
    frames: VecDeque<Bytes>,
    end: End,
    pub(crate) pulled: Arc<AtomicUsize>,
    exact_size: Option<u64>,
}

#[derive(Clone, Copy)]
pub(crate) enum End {
    Finish,
    Stall,
}

impl TestBody {
    pub(crate) fn new<I: IntoIterator<Item = &'static [u8]>>(frames: I, end: End) -> Self {
        TestBody {
            frames: frames.into_iter().map(Bytes::from_static).collect(),
            end,
            pulled: Arc::default(),
            exact_size: None,
        }
    }

    /// The same body, claiming through its size hint to be exactly `size` bytes long.
    pub(crate) fn claiming(self, size: u64) -> Self {
        TestBody {
            exact_size: Some(size),
            ..self
        }
    }
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(frame) = self.frames.pop_front() {
            self.pulled.fetch_add(frame.len(), Ordering::SeqCst);
            return Poll::Ready(Some(Ok(Frame::data(frame))));
        }
        match self.end {
            End::Finish => Poll::Ready(None),
            End::Stall => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.exact_size
            .map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}

pub(crate) fn verifier(provider: Provider) -> Verifier {
    Verifier::new(provider, Secret::new(SECRET).unwrap()).unwrap()
}

pub(crate) fn sign(provider: Provider, body: &[u8]) -> String {
    Signer::new(provider, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign(body)
}

pub(crate) async fn status_and_body<B>(response: Response<B>) -> (StatusCode, Bytes)
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    let status = response.status();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

pub(crate) fn request(header: &str, value: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::post("/hook")
        .header(header, value)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

/// [`SAMPLE`] with a valid PeopleForce signature.
pub(crate) fn signed_sample() -> Request<Full<Bytes>> {
    request(PF, &sign(Provider::PeopleForce, SAMPLE.as_bytes()), SAMPLE)
}

/// The bodies the handler saw, one per call.
pub(crate) fn bodies(recorder: &Recorder) -> Vec<Bytes> {
    recorder.0.lock().unwrap().clone()
}
