//! Ed25519 keys: `sign` and `send` take the private key and print, on stderr, the public
//! key `verify` takes (the senders' own vectors' key pairs), and `verify` with it accepts
//! the signed delivery; HMAC schemes print nothing there.

use predicates::prelude::*;

use crate::one_shot::one_shot_server;
use crate::support::hookguard;
use crate::{header_args, header_lines, BODY};

/// Key pairs of `tests/vectors/schemes.tsv` (made by the senders' Python packages):
/// provider, private key, public key.
const PAIRS: [(&str, &str, &str); 2] = [
    (
        "discord",
        "3aa2504d707eb91a3ce867b22319e47bfe983b5ea6bbed6d288e949cdc97e33e",
        "cc77844ad2b11eada8608f7e857ec6dd53cda26b332adecf9c6c497674675cdc",
    ),
    (
        "standard-webhooks",
        "whsk_L2YyZJgfehl7nuG/tFAnyLLpDTgVKMahlC2raNhwF2g=",
        "whpk_9KBjAEBPTHm2jooFqLs4SEGwGiKTWoDjd76k/2clxvI=",
    ),
];

/// `sign` at a fixed time with `private`: the headers (stdout) and stderr.
fn sign(provider: &str, private: &str) -> (Vec<(String, String)>, String) {
    let output = hookguard()
        .args(["sign", "--provider", provider, "--timestamp", "1764460800"])
        .env("WEBHOOK_SECRET", private)
        .write_stdin(BODY)
        .assert()
        .code(0)
        .get_output()
        .clone();
    (
        header_lines(&String::from_utf8(output.stdout).unwrap()),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn verify(
    provider: &str,
    public: &str,
    headers: &[(String, String)],
) -> assert_cmd::assert::Assert {
    hookguard()
        .args(["verify", "--provider", provider, "--now", "1764460800"])
        .args(header_args(headers))
        .env("WEBHOOK_SECRET", public)
        .write_stdin(BODY)
        .assert()
}

#[test]
fn sign_prints_the_public_key_verify_takes_on_stderr() {
    for (provider, private, public) in PAIRS {
        let (headers, stderr) = sign(provider, private);
        assert_eq!(stderr, format!("public key for verify: {public}\n"));
        // Stdout holds the headers alone.
        assert!(headers.iter().all(|(name, _)| !name.contains("key")));
        verify(provider, public, &headers)
            .code(0)
            .stdout(predicate::str::starts_with("valid (key 0"));
    }
}

#[test]
fn the_printed_key_verifies_whatever_the_seed() {
    for byte in [0_u8, 1, 7, 42, 128, 200, 254, 255] {
        let seed = format!("{byte:02x}").repeat(32);
        let (headers, stderr) = sign("discord", &seed);
        let public = stderr
            .strip_prefix("public key for verify: ")
            .and_then(|rest| rest.strip_suffix('\n'))
            .unwrap_or_else(|| panic!("{stderr:?}"));
        assert_eq!(public.len(), 64, "{public}");
        assert_ne!(public, seed);
        verify("discord", public, &headers).code(0);
    }
}

#[test]
fn hmac_schemes_print_no_key() {
    let (_, stderr) = sign(
        "standard-webhooks",
        "whsec_A9Gjd2eTx/mLqkvvIK6JP8ozo0glOvlk4Ta+5bSGMMY=",
    );
    assert_eq!(stderr, "");
}

#[test]
fn send_prints_the_public_key_on_stderr() {
    let (provider, private, public) = PAIRS[0];
    let (url, server) = one_shot_server("200 OK", "ok");
    hookguard()
        .args(["send", "--provider", provider, "--url", &url])
        .env("WEBHOOK_SECRET", private)
        .write_stdin(BODY)
        .assert()
        .code(0)
        .stdout("200 OK\nok\n")
        .stderr(format!("public key for verify: {public}\n"));
    let received = server.join().unwrap();
    assert_eq!(received.body, BODY);
    let sent: Vec<(String, String)> = ["X-Signature-Ed25519", "X-Signature-Timestamp"]
        .into_iter()
        .map(|name| (name.to_owned(), received.header(name).unwrap().to_owned()))
        .collect();
    hookguard()
        .args(["verify", "--provider", provider])
        .args(header_args(&sent))
        .env("WEBHOOK_SECRET", public)
        .write_stdin(BODY)
        .assert()
        .code(0);
}

#[test]
fn verify_given_the_seed_refuses_as_the_readme_says() {
    // Read as a public key, this seed is not a point of the curve: a usage error that
    // says where the public key comes from.
    let off_curve = "02".repeat(32);
    let (headers, _) = sign("discord", &off_curve);
    verify("discord", &off_curve, &headers)
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("invalid Ed25519 key: the public key is not a point").and(
                predicate::str::contains("`hookguard sign` prints the one matching"),
            ),
        );
    // This one is a point, of another key: every delivery is a mismatch.
    let on_curve = "01".repeat(32);
    let (headers, _) = sign("discord", &on_curve);
    verify("discord", &on_curve, &headers)
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "signature does not match the body",
        ));
}
