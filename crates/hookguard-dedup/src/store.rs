//! [`Store`]: where claims and completed deliveries are remembered.
//!
//! A delivery's key is either absent, claimed (a handler is running it; the claim lapses
//! after its lease so a receiver that died mid-handler does not block the sender's retries)
//! or done (remembered for a window, so copies within it are answered without running the
//! handler again).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::key::Key;

/// The future a [`Store`] method returns: an answer the store already has (the memory
/// store's), or a boxed future (a store over the network; the store is chosen at run time
/// and held as `Arc<dyn Store>`, so its futures have one type).
///
/// The deduplicating stages take a known answer at once, without a future to poll.
///
/// # Example
/// ```
/// use hookguard_dedup::{StoreError, StoreFuture};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let known: StoreFuture<u8> = StoreFuture::ready(Ok(7));
/// assert_eq!(known.await.unwrap(), 7);
/// let later: StoreFuture<u8> = StoreFuture::new(async { Err(StoreError::new("down")) });
/// assert!(later.await.is_err());
/// # }
/// ```
pub struct StoreFuture<T>(Answer<T>);

enum Answer<T> {
    /// Known; taken by the first poll.
    Ready(Option<Result<T, StoreError>>),
    Later(Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send>>),
}

impl<T> StoreFuture<T> {
    /// A future answering once `future` completes.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::StoreFuture;
    /// let answer: StoreFuture<()> = StoreFuture::new(async { Ok(()) });
    /// ```
    pub fn new<F>(future: F) -> Self
    where
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        StoreFuture(Answer::Later(Box::pin(future)))
    }

    /// An answer known now.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::StoreFuture;
    /// let answer: StoreFuture<()> = StoreFuture::ready(Ok(()));
    /// ```
    pub fn ready(answer: Result<T, StoreError>) -> Self {
        StoreFuture(Answer::Ready(Some(answer)))
    }

    /// The answer if it is known without waiting, otherwise the future itself.
    pub(crate) fn now_or_later(self) -> Result<Result<T, StoreError>, Self> {
        match self.0 {
            Answer::Ready(Some(answer)) => Ok(answer),
            answer => Err(StoreFuture(answer)),
        }
    }
}

// Nothing in a `StoreFuture` is pinned in place: the boxed future is pinned on the heap,
// and a known answer is moved out.
impl<T> Unpin for StoreFuture<T> {}

impl<T> Future for StoreFuture<T> {
    type Output = Result<T, StoreError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            Answer::Ready(answer) => answer.take().map_or(Poll::Pending, Poll::Ready),
            Answer::Later(future) => future.as_mut().poll(cx),
        }
    }
}

impl<T> fmt::Debug for StoreFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.0 {
            Answer::Ready(Some(_)) => "ready",
            Answer::Ready(None) => "answered",
            Answer::Later(_) => "later",
        };
        f.debug_tuple("StoreFuture").field(&state).finish()
    }
}

/// Who holds a claim: a value the claimant keeps, so that releasing a claim whose lease
/// ran out never removes a later claimant's claim or a done mark.
///
/// # Example
/// ```
/// use hookguard_dedup::Token;
///
/// let token = Token::random();
/// assert_ne!(token, Token::random());
/// assert_eq!(Token::from_u128(7).as_u128(), 7);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token(u128);

impl Token {
    /// A fresh token: 64 bits drawn once per process from the operating system's random
    /// source (the clock and process id if it fails), then a counter. Tokens differ within
    /// a process, and between the processes of a fleet with overwhelming probability,
    /// without a system call per claim. A token is not a secret.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::Token;
    /// assert_ne!(Token::random(), Token::random());
    /// ```
    pub fn random() -> Token {
        static PROCESS: OnceLock<u64> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let process = *PROCESS.get_or_init(|| {
            let mut bytes = [0_u8; 8];
            match getrandom::fill(&mut bytes) {
                Ok(()) => u64::from_le_bytes(bytes),
                Err(_) => fallback(),
            }
        });
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        Token((u128::from(process) << 64) | u128::from(count))
    }

    /// A token with this value (for stores and tests).
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::Token;
    /// assert_eq!(Token::from_u128(1), Token::from_u128(1));
    /// ```
    pub fn from_u128(value: u128) -> Token {
        Token(value)
    }

    /// The token's value.
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::Token;
    /// assert_eq!(Token::from_u128(9).as_u128(), 9);
    /// ```
    pub fn as_u128(self) -> u128 {
        self.0
    }
}

/// The clock mixed with the process id: unlikely to meet another process's.
fn fallback() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    // Truncation keeps the fast-moving low bits of the clock.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the low 64 bits are the point"
    )]
    let low = now as u64;
    low ^ (u64::from(std::process::id()) << 40)
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({:032x})", self.0)
    }
}

/// What an attempt to claim a key found.
///
/// # Example
/// ```
/// use hookguard_dedup::{Claim, Token};
///
/// let claim = Claim::Claimed(Token::from_u128(1));
/// assert!(matches!(claim, Claim::Claimed(_)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key was free: the caller holds it for the lease and runs the handler.
    Claimed(Token),
    /// Another handler holds the key (in flight).
    InFlight,
    /// The delivery completed within the window.
    Done,
}

/// The store could not be reached or answered something unexpected.
///
/// # Example
/// ```
/// use hookguard_dedup::StoreError;
///
/// let error = StoreError::new("connection refused");
/// assert_eq!(error.to_string(), "deduplication store error: connection refused");
/// ```
#[derive(Debug)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// An error with this description (never a secret: it goes to logs).
    ///
    /// # Example
    /// ```
    /// # use hookguard_dedup::StoreError;
    /// let error = StoreError::new(format!("timed out after {} ms", 200));
    /// assert!(error.to_string().ends_with("timed out after 200 ms"));
    /// ```
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
        }
    }
}

impl StoreError {
    /// What went wrong, without the "deduplication store error" in front: for an error
    /// built from another, so that the prefix is written once.
    pub(crate) fn description(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "deduplication store error: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

/// A place that remembers claims and completed deliveries: [`MemoryStore`](crate::MemoryStore)
/// for one process, `RedisStore` (feature `redis`) for a fleet.
///
/// Every method must be atomic with respect to the others on the same key.
///
/// # Errors
/// Each method fails with [`StoreError`] when the store cannot be reached.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use hookguard_dedup::{Claim, Key, MemoryStore, Store};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), hookguard_dedup::StoreError> {
/// let store = MemoryStore::new(1_000);
/// let key = Key::new("bindbee:sig:00");
/// assert!(matches!(store.claim(key.clone(), Duration::from_secs(30)).await?, Claim::Claimed(_)));
/// assert_eq!(store.claim(key.clone(), Duration::from_secs(30)).await?, Claim::InFlight);
/// store.complete(key.clone(), Duration::from_secs(3600)).await?;
/// assert_eq!(store.claim(key, Duration::from_secs(30)).await?, Claim::Done);
/// # Ok(())
/// # }
/// ```
pub trait Store: Send + Sync + fmt::Debug + 'static {
    /// Claims `key` for `lease` if it is neither claimed nor done.
    fn claim(&self, key: Key, lease: Duration) -> StoreFuture<Claim>;

    /// Marks `key` done for `window`, whoever holds it now: the handler's effect happened,
    /// even if this claim's lease ran out meanwhile.
    fn complete(&self, key: Key, window: Duration) -> StoreFuture<()>;

    /// Frees `key` if `token` still holds it, so the sender's retry runs the handler.
    fn release(&self, key: Key, token: Token) -> StoreFuture<()>;

    /// Frees `key` from a destructor (a dropped or panicking handler): without waiting.
    ///
    /// The default runs [`Store::release`] on the current tokio runtime, and leaves the
    /// claim to lapse with its lease when there is none.
    fn release_detached(&self, key: Key, token: Token) {
        let release = self.release(key.clone(), token);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                %key,
                "no tokio runtime to release a deduplication claim: it lapses with its lease"
            );
            return;
        };
        runtime.spawn(async move {
            if let Err(error) = release.await {
                tracing::warn!(%key, %error, "deduplication claim not released");
            }
        });
    }
}
