//! [`Captured`]: what a `tracing` subscriber writes, kept in memory for tests that read
//! log lines.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tracing::subscriber::DefaultGuard;

/// A log written to memory: every event at `TRACE` and above, one line each, without
/// colours. Install it for this thread ([`Captured::set_default`]) or the whole process
/// ([`Captured::init`], for servers running on other threads), then read it.
///
/// # Example
/// ```
/// use hookguard_test_support::log::Captured;
///
/// let captured = Captured::default();
/// let guard = captured.set_default();
/// tracing::warn!(status = 403, "webhook request refused");
/// drop(guard);
/// let lines = captured.lines();
/// assert_eq!(lines.len(), 1);
/// assert!(lines[0].contains("WARN") && lines[0].contains("status=403"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Makes this log this thread's subscriber until the guard drops.
    ///
    /// # Example
    /// See [`Captured`].
    pub fn set_default(&self) -> DefaultGuard {
        tracing::subscriber::set_default(self.subscriber())
    }

    /// Makes this log the process's subscriber; fails if one is already set.
    ///
    /// # Errors
    /// When the process already has a global subscriber.
    ///
    /// # Example
    /// ```
    /// # use hookguard_test_support::log::Captured;
    /// let captured = Captured::default();
    /// captured.init()?;
    /// std::thread::spawn(|| tracing::info!("from another thread")).join().unwrap();
    /// assert!(captured.text().contains("from another thread"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn init(&self) -> Result<(), tracing::subscriber::SetGlobalDefaultError> {
        tracing::subscriber::set_global_default(self.subscriber())
    }

    /// Everything written so far.
    ///
    /// # Example
    /// ```
    /// # use hookguard_test_support::log::Captured;
    /// assert_eq!(Captured::default().text(), "");
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer()).into_owned()
    }

    /// Every line written so far.
    ///
    /// # Example
    /// ```
    /// # use hookguard_test_support::log::Captured;
    /// assert!(Captured::default().lines().is_empty());
    /// ```
    pub fn lines(&self) -> Vec<String> {
        self.text().lines().map(str::to_owned).collect()
    }

    fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
    }

    fn buffer(&self) -> MutexGuard<'_, Vec<u8>> {
        // A writer that panicked mid-line leaves at worst a partial line.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
