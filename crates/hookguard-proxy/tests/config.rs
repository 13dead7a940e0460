//! The configuration file: a full one is read, and every mistake names its field and how
//! to fix it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use hookguard_proxy::{LogFormat, ProxyConfig};

/// A secret file under the system's temporary directory, removed on drop.
struct SecretFile(std::path::PathBuf);

impl SecretFile {
    fn new(name: &str, contents: &str) -> SecretFile {
        let path =
            std::env::temp_dir().join(format!("hookguard-proxy-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        SecretFile(path)
    }
}

impl Drop for SecretFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_full_file_with_a_preset_and_a_custom_scheme_is_read() {
    std::env::set_var("HOOKGUARD_PROXY_TEST_PF", "pf_current\n");
    let file = SecretFile::new("acme", "acme-secret\n");
    let text = format!(
        r#"
        listen = "127.0.0.1:8080"
        log_format = "json"
        shutdown_timeout_seconds = 5
        workers = 3

        [[routes]]
        path = "/webhooks/peopleforce"
        provider = "peopleforce"
        secrets = [{{ id = "v2", env = "HOOKGUARD_PROXY_TEST_PF" }}, {{ id = "v1", file = {file:?} }}]
        upstream = "http://127.0.0.1:3000"
        max_body_size = 65536
        read_timeout_seconds = 2.5
        upstream_timeout_seconds = 30

        [[routes]]
        path = "/webhooks/acme"
        secrets = [{{ file = {file:?} }}]
        upstream = "http://127.0.0.1:3001/receive"
        [routes.scheme]
        signature_header = "X-Acme-Signature"
        encoding = "hex"
        prefix = "sha256="
        "#,
        file = file.0.display().to_string()
    );
    let config = ProxyConfig::from_toml(&text).unwrap();
    assert_eq!(config.listen(), "127.0.0.1:8080".parse().unwrap());
    assert_eq!(config.log_format(), LogFormat::Json);
    assert_eq!(config.workers().get(), 3);
    let paths: Vec<&str> = config
        .routes()
        .iter()
        .map(hookguard_proxy::Route::path)
        .collect();
    assert_eq!(paths, ["/webhooks/peopleforce", "/webhooks/acme"]);
    let shown = format!("{:?}", config.routes()[0]);
    assert!(
        shown.contains("max_body_size: 65536") && shown.contains("2.5s") && shown.contains("30s"),
        "{shown}"
    );
}

/// A route table around `fields`, with defaults for what is not given.
fn route(fields: &str) -> String {
    format!("listen = \"127.0.0.1:8080\"\n[[routes]]\n{fields}\n")
}

#[test]
fn every_mistake_names_its_field_and_how_to_fix_it() {
    std::env::set_var("HOOKGUARD_PROXY_TEST_OK", "secret");
    std::env::set_var("HOOKGUARD_PROXY_TEST_EMPTY", "");
    let ok_secret = r#"secrets = [{ env = "HOOKGUARD_PROXY_TEST_OK" }]"#;
    let base = |extra: &str| {
        route(&format!(
            "path = \"/hooks\"\nprovider = \"peopleforce\"\n{ok_secret}\nupstream = \"http://127.0.0.1:3000\"\n{extra}"
        ))
    };
    let cases: Vec<(String, &str, &str)> = vec![
        ("listen = \"localhost\"".into(), "listen", "IP:PORT"),
        ("listen = \"127.0.0.1:8080\"".into(), "routes", "[[routes]]"),
        ("listen = \"127.0.0.1:8080\"\nlisten_on = 1".into(), "configuration", "listen_on"),
        ("listen = \"127.0.0.1:8080\"\nlog_format = \"xml\"".into(), "configuration", "xml"),
        (base("").replace("[[routes]]", "workers = 0\n[[routes]]"), "workers", "1 to 1024"),
        (base("").replace("[[routes]]", "workers = 1025\n[[routes]]"), "workers", "1 to 1024"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"peoplefork\"\nsecrets = [{ env = \"HOOKGUARD_PROXY_TEST_OK\" }]"), "routes[0].provider", "peoplefork"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nsecrets = [{ env = \"HOOKGUARD_PROXY_TEST_OK\" }]"), "routes[0]", "provider"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"github\""), "routes[0].secrets", "env ="),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"github\"\nsecrets = [{ env = \"HOOKGUARD_PROXY_TEST_UNSET\" }]"), "routes[0].secrets[0].env", "HOOKGUARD_PROXY_TEST_UNSET"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"github\"\nsecrets = [{ env = \"HOOKGUARD_PROXY_TEST_EMPTY\" }]"), "routes[0].secrets[0].env", "HOOKGUARD_PROXY_TEST_EMPTY"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"github\"\nsecrets = [{ file = \"/nonexistent/secret\" }]"), "routes[0].secrets[0].file", "/nonexistent/secret"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"github\"\nsecrets = [{ file = \"nonexistent/secret\" }]"), "routes[0].secrets[0].file", "relative path is read from the working directory"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"github\"\nsecrets = [{ env = \"A\", file = \"B\" }]"), "routes[0].secrets[0]", "exactly one"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"github\"\nsecrets = [{ id = \"a b\", env = \"HOOKGUARD_PROXY_TEST_OK\" }]"), "routes[0].secrets[0].id", "letters"),
        (route("path = \"/h\"\nupstream = \"http://a:1\"\nprovider = \"svix\"\nsecrets = [{ env = \"HOOKGUARD_PROXY_TEST_OK\" }]"), "routes[0].secrets", "whsec_"),
        (base("max_body_size = -1"), "configuration", "max_body_size"),
        (base("max_body_size = 0"), "routes[0].max_body_size", "in bytes"),
        (base("tolerance_seconds = 60"), "routes[0].tolerance_seconds", "signs no timestamp"),
        (route(&format!("path = \"/h\"\nprovider = \"github\"\n{ok_secret}\nupstream = \"http://u:p@a:1\"")), "routes[0].upstream", "credentials"),
        (base("read_timeout_seconds = 0"), "routes[0].read_timeout_seconds", "above 0"),
        (base("upstream_timeout_seconds = -2"), "routes[0].upstream_timeout_seconds", "above 0"),
        (route(&format!("path = \"hooks\"\nprovider = \"github\"\n{ok_secret}\nupstream = \"http://a:1\"")), "routes[0].path", "/webhooks/NAME"),
        (route(&format!("path = \"/metrics\"\nprovider = \"github\"\n{ok_secret}\nupstream = \"http://a:1\"")), "routes[0].path", "another path"),
        (route(&format!("path = \"/h\"\nprovider = \"github\"\n{ok_secret}\nupstream = \"https://a\"")), "routes[0].upstream", "http://HOST:PORT"),
        (format!("{}[[routes]]\npath = \"/hooks\"\nprovider = \"github\"\n{ok_secret}\nupstream = \"http://a:1\"\n", base("")), "routes[1].path", "already routed"),
        (route(&format!("path = \"/h\"\n{ok_secret}\nupstream = \"http://a:1\"\n[routes.scheme]\nsignature_header = \"X-A\"\nencoding = \"hex\"\nsigned_content = \"{{body}}.{{id}}\"")), "routes[0].scheme", "body"),
    ];
    let mut failures = Vec::new();
    for (text, field, hint) in &cases {
        match ProxyConfig::from_toml(text) {
            Ok(_) => failures.push(format!("accepted:\n{text}")),
            Err(error) if error.field() != *field || !error.to_string().contains(hint) => {
                failures.push(format!(
                    "{error}\n  expected field {field}, mentioning {hint:?}"
                ));
            }
            Err(error) => eprintln!("{error}"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_listen_the_file_listens_where_the_flags_do() {
    std::env::set_var("HOOKGUARD_PROXY_TEST_DEFAULT_LISTEN", "secret");
    let config = ProxyConfig::from_toml(
        "[[routes]]\npath = \"/hooks\"\nprovider = \"peopleforce\"\n\
         secrets = [{ env = \"HOOKGUARD_PROXY_TEST_DEFAULT_LISTEN\" }]\n\
         upstream = \"http://127.0.0.1:3000\"\n",
    )
    .unwrap();
    assert_eq!(
        config.listen(),
        hookguard_proxy::DEFAULT_LISTEN.parse().unwrap()
    );
}
