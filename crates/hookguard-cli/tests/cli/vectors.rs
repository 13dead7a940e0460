//! Known answers: `sign` reproduces the Python-made vectors and `verify` accepts them.

use crate::support::hookguard;
use crate::{scratch_dir, stdout_of, write_file, GITHUB};

#[test]
fn sign_reproduces_the_python_vectors() {
    let vectors = include_str!("../../../../tests/vectors/vectors.tsv");
    let dir = scratch_dir();
    let mut checked = [0_usize; 3];
    for line in vectors
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, provider, secret_hex, body_hex, expected] = fields[..] else {
            panic!("malformed vector line: {line}");
        };
        let (scheme, header): (&[&str], &str) = match provider {
            "peopleforce" => (&["--provider", "peopleforce"], "X-PeopleForce-Signature"),
            "bindbee" => (&["--provider", "bindbee"], "X-Bindbee-Webhook-Signature"),
            "github" => (&GITHUB, "X-Hub-Signature-256"),
            other => panic!("unknown provider {other} in {name}"),
        };
        let secret = hex::decode(secret_hex).unwrap();
        assert!(
            !secret.ends_with(b"\n"),
            "{name}: a secret file would drop the newline"
        );
        let secret_file = write_file(&dir, &format!("{name}.key"), &secret);
        let body_file = write_file(
            &dir,
            &format!("{name}.body"),
            &hex::decode(body_hex).unwrap(),
        );

        let got = stdout_of(
            hookguard()
                .arg("sign")
                .args(scheme)
                .arg("--secret-file")
                .arg(&secret_file)
                .arg("--body-file")
                .arg(&body_file),
        );
        assert_eq!(got, format!("{header}: {expected}\n"), "{name}");

        hookguard()
            .arg("verify")
            .args(scheme)
            .args(["--signature", expected, "--secret-file"])
            .arg(&secret_file)
            .write_stdin(hex::decode(body_hex).unwrap())
            .assert()
            .code(0)
            .stdout("valid (key 0)\n");
        match provider {
            "peopleforce" => checked[0] += 1,
            "bindbee" => checked[1] += 1,
            _ => checked[2] += 1,
        }
    }
    assert!(
        checked[0] >= 5 && checked[1] >= 5 && checked[2] >= 1,
        "{checked:?}"
    );
}
