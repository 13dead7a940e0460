//! Real `redis-server` processes for the tests: each test starts its own on a free port,
//! so it can stop and restart it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable that turns a missing `redis-server` into a failure (CI sets it).
pub(crate) const REQUIRE: &str = "HOOKGUARD_REQUIRE_REDIS";

/// A `redis-server --port <port> --save '' --appendonly no`, killed on drop.
pub(crate) struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or returns `None` after saying how to run the test when `redis-server`
    /// is not installed (and fails when `HOOKGUARD_REQUIRE_REDIS=1`).
    pub(crate) fn start(test: &str) -> Option<RedisServer> {
        let installed = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            assert!(
                std::env::var(REQUIRE).as_deref() != Ok("1"),
                "{test}: redis-server is not installed and {REQUIRE}=1 requires the Redis tests"
            );
            // Straight to stderr: the test harness captures `eprintln!` of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: redis-server is not installed. Install it (apt-get install \
                 redis-server) and run `{REQUIRE}=1 cargo test -p hookguard-dedup` to run it."
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        let mut server = RedisServer { port, child: None };
        server.restart();
        Some(server)
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL): every key is lost, connections break.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Starts the server again on the same port (empty), waiting until it answers.
    pub(crate) fn restart(&mut self) {
        self.kill();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.command("PING").as_deref() != Some("+PONG\r\n") {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends one inline command and returns the raw reply (a short one), `None` when down.
    pub(crate) fn command(&self, command: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        stream.write_all(format!("{command}\r\n").as_bytes()).ok()?;
        let mut reply = vec![0_u8; 64 * 1024];
        let read = stream.read(&mut reply).ok()?;
        reply.truncate(read);
        String::from_utf8(reply).ok()
    }

    /// The number of commands the server processed so far (the `INFO` call not counted).
    pub(crate) fn commands_processed(&self) -> u64 {
        let info = self.command("INFO stats").unwrap();
        let line = info
            .lines()
            .find_map(|line| line.strip_prefix("total_commands_processed:"))
            .unwrap();
        line.trim().parse().unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
