//! Real `redis-server` processes for the tests that need Redis: each starts its own on a
//! free port, so it can kill and restart it.
//!
//! On a machine without `redis-server`, [`RedisServer::start`] writes a line saying the
//! test was skipped and how to run it, and returns `None`; with
//! `HOOKGUARD_REQUIRE_REDIS=1` (CI) it fails the test instead.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable that turns a missing `redis-server` into a failure (CI sets it to `1`).
pub const REQUIRE: &str = "HOOKGUARD_REQUIRE_REDIS";

/// A `redis-server --port <free port> --save '' --appendonly no`, killed on drop.
///
/// # Example
/// ```
/// use hookguard_test_support::redis::RedisServer;
///
/// // Skipped (with a line on stderr) where redis-server is not installed.
/// if let Some(mut redis) = RedisServer::start("doc example")? {
///     assert_eq!(redis.command("PING")?, "+PONG\r\n");
///     redis.kill()?;
///     assert!(redis.command("PING").is_err());
///     redis.restart()?;
///     assert!(redis.url().starts_with("redis://127.0.0.1:"));
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    /// Given after the defaults on every start (a later option wins).
    options: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one for `test`, or returns `None` after saying how to run the test when
    /// `redis-server` is not installed.
    ///
    /// # Errors
    /// When `redis-server` is missing and `HOOKGUARD_REQUIRE_REDIS=1`, or it does not
    /// start answering within 10 s.
    pub fn start(test: &str) -> io::Result<Option<RedisServer>> {
        RedisServer::start_with(test, &[])
    }

    /// Like [`RedisServer::start`], with more `redis-server` options, which override the
    /// defaults and hold across restarts (`--appendonly yes --dir <dir>` for a Redis that
    /// keeps its keys when killed).
    ///
    /// # Errors
    /// As [`RedisServer::start`].
    ///
    /// # Example
    /// ```
    /// use hookguard_test_support::redis::RedisServer;
    ///
    /// let dir = std::env::temp_dir().join(format!("redis-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let options = ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir.to_str().unwrap()];
    /// if let Some(mut redis) = RedisServer::start_with("doc example", &options)? {
    ///     assert_eq!(redis.command("SET k v")?, "+OK\r\n");
    ///     redis.kill()?;
    ///     redis.restart()?;
    ///     assert_eq!(redis.command("GET k")?, "$1\r\nv\r\n");
    /// }
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_with(test: &str, options: &[&str]) -> io::Result<Option<RedisServer>> {
        let installed = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            if std::env::var(REQUIRE).as_deref() == Ok("1") {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{test}: redis-server is not installed and {REQUIRE}=1"),
                ));
            }
            // Straight to stderr: the test harness captures `eprintln!` of passing tests.
            writeln!(
                io::stderr(),
                "SKIPPED {test}: redis-server is not installed. Install it (apt-get install \
                 redis-server) and run `{REQUIRE}=1 cargo test --workspace` to run it."
            )?;
            return Ok(None);
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let options = options.iter().map(|&option| option.to_owned()).collect();
        let mut server = RedisServer {
            port,
            options,
            child: None,
        };
        server.restart()?;
        Ok(Some(server))
    }

    /// `redis://127.0.0.1:<port>/`.
    ///
    /// # Example
    /// ```
    /// # use hookguard_test_support::redis::RedisServer;
    /// # if let Some(redis) = RedisServer::start("doc example")? {
    /// assert!(redis.url().ends_with('/'));
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL): every key is lost, connections break.
    ///
    /// # Errors
    /// When the process cannot be killed or waited for.
    pub fn kill(&mut self) -> io::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts the server again on the same port, empty, and waits until it answers.
    ///
    /// # Errors
    /// When it cannot be started or does not answer within 10 s.
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill()?;
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(&self.options)
            .stdout(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.command("PING").ok().as_deref() != Some("+PONG\r\n") {
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("redis-server did not start on port {}", self.port),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Sends one inline command on a new connection and returns the raw reply (up to 64 KiB).
    ///
    /// # Errors
    /// When the server cannot be reached or answers nothing.
    pub fn command(&self, command: &str) -> io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.write_all(format!("{command}\r\n").as_bytes())?;
        let mut reply = vec![0_u8; 64 * 1024];
        let read = stream.read(&mut reply)?;
        reply.truncate(read);
        String::from_utf8(reply).map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
    }

    /// The number of commands the server processed so far (`total_commands_processed`:
    /// this reading not included, the next one counts it).
    ///
    /// # Errors
    /// When the server cannot be reached or the figure is missing.
    pub fn commands_processed(&self) -> io::Result<u64> {
        let info = self.command("INFO stats")?;
        info.lines()
            .find_map(|line| line.strip_prefix("total_commands_processed:"))
            .and_then(|count| count.trim().parse().ok())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "no total_commands_processed")
            })
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Nothing to report from a destructor: the process is gone either way.
        let _ = self.kill();
    }
}
