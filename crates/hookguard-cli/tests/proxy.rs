//! `hookguard proxy`, the binary: from flags and from a file, in front of the Python
//! upstream of the proxy crate's tests; start-up errors; SIGTERM with requests in flight;
//! JSON logs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

// The workspace's scheme routes name the core `hookguard`, as the facade re-exports it.
extern crate hookguard_core as hookguard;

#[path = "../../hookguard-proxy/tests/support/mod.rs"]
mod upstream;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hookguard_core::{Provider, Secret, Signer};
use upstream::{get, now, post, Upstream};

const SECRET: &str = "pf_proxy_cli_secret";
const BODY: &[u8] = "{\"action\":\"employee_create\",\"name\":\"Zoë\"}\n".as_bytes();

/// The binary running `proxy ARGS`, its stderr kept for the end.
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Running {
    /// Starts `hookguard proxy args` and waits for its `listening on` line.
    fn start(args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hookguard"));
        command
            .arg("proxy")
            .args(args)
            .env_remove("WEBHOOK_SECRET")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        Running { child, addr }
    }

    /// Sends SIGTERM.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (at most `within`) for the process to exit; its success and stderr.
    fn wait(mut self, within: Duration) -> (bool, String) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut stderr = String::new();
                self.child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .unwrap();
                return (status.success(), stderr);
            }
            assert!(Instant::now() < deadline, "the proxy did not exit in time");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signed(body: &[u8]) -> Vec<(String, String)> {
    Signer::new(Provider::PeopleForce, Secret::new(SECRET).unwrap())
        .unwrap()
        .sign_headers("", now(), body)
}

/// `hookguard proxy` with one PeopleForce route from flags, forwarding to `url`, the
/// secret in `WEBHOOK_SECRET`, and `extra` flags.
fn peopleforce_from_flags(url: &str, extra: &[&str]) -> Running {
    let flags = [
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        url,
        "--provider",
        "peopleforce",
    ];
    let args: Vec<&str> = flags.iter().chain(extra).copied().collect();
    Running::start(&args, &[("WEBHOOK_SECRET", SECRET)])
}

#[test]
fn from_flags_it_prints_listening_forwards_valid_deliveries_and_refuses_forged_ones() {
    let upstream = Upstream::start();
    let url = upstream.url();
    let proxy = peopleforce_from_flags(&url, &[]);
    let path = "/webhooks/peopleforce";
    assert_eq!(post(proxy.addr, path, &signed(BODY), BODY).status, 200);
    let forged = Signer::new(
        Provider::PeopleForce,
        Secret::new("not-the-secret").unwrap(),
    )
    .unwrap()
    .sign_headers("", 0, BODY);
    assert_eq!(post(proxy.addr, path, &forged, BODY).status, 403);
    assert_eq!(post(proxy.addr, "/other", &signed(BODY), BODY).status, 404);

    let records = upstream.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].body, BODY);
    assert_eq!(records[0].path, path);
    assert_eq!(records[0].header("hookguard-key-id"), ["#0"]);

    proxy.terminate();
    let (success, _) = proxy.wait(Duration::from_secs(10));
    assert!(success);
}

#[test]
fn from_a_file_it_serves_every_route_with_its_own_path_and_secret_ids() {
    let upstream = Upstream::start();
    let dir = std::env::temp_dir().join(format!("hookguard-cli-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("proxy.toml");
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:0\"\nlog_format = \"json\"\n\n[[routes]]\npath = \"/in/pf\"\n\
             provider = \"peopleforce\"\nsecrets = [{{ id = \"2026\", env = \"PF_SECRET\" }}]\n\
             upstream = \"{}/receive\"\n",
            upstream.url()
        ),
    )
    .unwrap();
    let proxy = Running::start(
        &["--config", file.to_str().unwrap()],
        &[("PF_SECRET", SECRET)],
    );
    assert_eq!(post(proxy.addr, "/in/pf", &signed(BODY), BODY).status, 200);
    assert_eq!(post(proxy.addr, "/in/pf", &[], BODY).status, 403);
    let records = upstream.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].path, "/receive");
    assert_eq!(records[0].header("hookguard-key-id"), ["2026"]);

    proxy.terminate();
    let (success, stderr) = proxy.wait(Duration::from_secs(10));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(success, "{stderr}");
    let events: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let refused = events
        .iter()
        .find(|event| event["fields"]["message"] == "webhook request refused")
        .expect("a refusal event");
    assert_eq!(refused["fields"]["reason"], "signature header is missing");
    assert_eq!(refused["fields"]["status"], 403);
    assert!(!stderr.contains(SECRET));
}

#[test]
fn with_dedup_memory_from_flags_a_delivery_sent_twice_reaches_the_upstream_once() {
    let upstream = Upstream::start();
    let url = upstream.url();
    let proxy = peopleforce_from_flags(&url, &["--dedup", "memory"]);
    let path = "/webhooks/peopleforce";
    let headers = signed(BODY);
    assert_eq!(post(proxy.addr, path, &headers, BODY).status, 200);
    let copy = post(proxy.addr, path, &headers, BODY);
    assert_eq!(copy.status, 200);
    assert_eq!(copy.header("hookguard-duplicate"), ["true"]);
    assert_eq!(upstream.records().len(), 1);
}

#[test]
fn an_unreachable_dedup_redis_is_warned_of_at_start_up() {
    let upstream = Upstream::start();
    // Nothing listens on port 1.
    let proxy = peopleforce_from_flags(&upstream.url(), &["--dedup", "redis://127.0.0.1:1/"]);
    let (status, body) = get(proxy.addr, "/readyz");
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    std::thread::sleep(Duration::from_millis(500));
    proxy.terminate();
    let (_, stderr) = proxy.wait(Duration::from_secs(10));
    assert!(
        stderr.contains("deduplication Redis unreachable at start-up")
            && stderr.contains("/webhooks/peopleforce"),
        "{stderr}"
    );
}

#[test]
fn a_bad_configuration_fails_at_start_up_naming_the_field_and_the_fix() {
    let dir = std::env::temp_dir().join(format!("hookguard-cli-proxy-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let route =
        "[[routes]]\npath = \"/h\"\nprovider = \"github\"\nupstream = \"http://127.0.0.1:1\"\n";
    let cases = [
        ("listen = \"8080\"\n", "listen: \"8080\" is not an address; write it as IP:PORT"),
        (
            &*format!("listen = \"127.0.0.1:0\"\n{route}secrets = [{{ env = \"HOOKGUARD_UNSET_VAR\" }}]\n"),
            "routes[0].secrets[0].env: environment variable HOOKGUARD_UNSET_VAR is not set",
        ),
        (
            &*format!("listen = \"127.0.0.1:0\"\n{route}secrets = []\n"),
            "routes[0].secrets: no secret is given",
        ),
        (
            "listen = \"127.0.0.1:0\"\n[tls]\ncert = \"/nonexistent/cert.pem\"\nkey = \"/nonexistent/key.pem\"\n\
             [[routes]]\npath = \"/h\"\nprovider = \"github\"\nupstream = \"http://127.0.0.1:1\"\n\
             secrets = [{ env = \"PATH\" }]\n",
            "tls.cert: cannot read certificates from /nonexistent/cert.pem",
        ),
        (
            &*format!("listen = \"127.0.0.1:0\"\n{route}secrets = [{{ env = \"PATH\" }}]\ndedup = {{ redis = \"http://h/\" }}\n"),
            "routes[0].dedup.redis: not a Redis URL; write it as redis://HOST:PORT/",
        ),
    ];
    let mut failures = Vec::new();
    for (index, (text, expected)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad{index}.toml"));
        std::fs::write(&file, text).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_hookguard"))
            .args(["proxy", "--config", file.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Every error names the file, then the setting in it.
        let expected = format!("{}: {expected}", file.display());
        if output.status.code() != Some(2)
            || !stderr.contains(&expected)
            || !output.stdout.is_empty()
        {
            failures.push(format!("{text}\n=> {:?} {stderr}", output.status.code()));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();

    // One route from flags, with `extra` flags and `secret` (or none) in WEBHOOK_SECRET.
    let flags = |extra: &[&str], secret: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hookguard"));
        command.args([
            "proxy",
            "--upstream",
            "http://127.0.0.1:1",
            "--provider",
            "peopleforce",
        ]);
        command.args(extra).env_remove("WEBHOOK_SECRET");
        if let Some(secret) = secret {
            command.env("WEBHOOK_SECRET", secret);
        }
        command.output().unwrap()
    };
    for (extra, secret, expected) in [
        (&[][..], None, "WEBHOOK_SECRET is not set"),
        (
            &["--dedup", "disk"][..],
            Some(SECRET),
            "--dedup: write off, memory or a Redis URL",
        ),
        (&["--workers", "0"][..], Some(SECRET), "from 1 to 1024"),
        (&["--workers", "5000"][..], Some(SECRET), "from 1 to 1024"),
    ] {
        let output = flags(extra, secret);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() != Some(2) || !stderr.contains(expected) {
            failures.push(format!("{extra:?} => {stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sigterm_while_requests_are_in_flight_loses_none() {
    const IN_FLIGHT: usize = 16;
    let upstream = Upstream::with_delay(1.0);
    let url = upstream.url();
    // One worker: the single-threaded runtime drains as the multi-threaded one does.
    let proxy = peopleforce_from_flags(&url, &["--workers", "1"]);
    let addr = proxy.addr;
    let senders: Vec<_> = (0..IN_FLIGHT)
        .map(|index| {
            std::thread::spawn(move || {
                let body = format!("{{\"n\":{index}}}").into_bytes();
                let response = post(addr, "/webhooks/peopleforce", &signed(&body), &body);
                (response.status, body)
            })
        })
        .collect();
    // Every request has reached the upstream, which holds each for a second: all in flight.
    let deadline = Instant::now() + Duration::from_secs(10);
    while upstream.records().len() < IN_FLIGHT {
        assert!(
            Instant::now() < deadline,
            "requests did not reach the upstream"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    proxy.terminate();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the listener still accepts after SIGTERM"
    );
    let mut answered: Vec<(u16, Vec<u8>)> =
        senders.into_iter().map(|s| s.join().unwrap()).collect();
    let (success, stderr) = proxy.wait(Duration::from_secs(10));
    assert!(success, "{stderr}");
    assert!(
        answered.iter().all(|(status, _)| *status == 200),
        "{answered:?}"
    );
    let mut received: Vec<Vec<u8>> = upstream.records().into_iter().map(|r| r.body).collect();
    received.sort();
    answered.sort();
    let sent: Vec<Vec<u8>> = answered.into_iter().map(|(_, body)| body).collect();
    assert_eq!(received, sent);
}
