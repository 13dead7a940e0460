//! TLS termination: a rustls server configuration from PEM files, with the `ring`
//! provider the CLI's client already uses.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{crypto, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::file::where_relative;
use crate::{ConfigError, TlsFiles};

/// An acceptor serving the certificate chain and key in `files` (HTTP/1.1 only).
///
/// # Errors
/// A [`ConfigError`] on `tls.cert` or `tls.key` when a file cannot be read or holds no PEM
/// block of its kind, and on `tls` when the key does not belong to the certificate.
pub(crate) fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, ConfigError> {
    let cert_shown = files.cert.display();
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| {
            ConfigError::new(
                "tls.cert",
                format_args!(
                    "cannot read certificates from {cert_shown}: {error}{}",
                    where_relative(&files.cert)
                ),
            )
        })?;
    if certs.is_empty() {
        return Err(ConfigError::new(
            "tls.cert",
            format_args!("{cert_shown} holds no \"BEGIN CERTIFICATE\" block; give the PEM certificate chain, leaf first"),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|error| {
        ConfigError::new(
            "tls.key",
            format_args!(
                "cannot read a PEM private key from {}: {error}{}",
                files.key.display(),
                where_relative(&files.key)
            ),
        )
    })?;
    let provider = Arc::new(crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| ConfigError::new("tls", error))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|error| {
            ConfigError::new(
                "tls",
                format_args!("the key does not fit the certificate: {error}"),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test code fails loudly")]

    use std::path::PathBuf;

    use super::*;

    /// A directory of this test's own, with a self-signed certificate and its key.
    fn certified(name: &str) -> (PathBuf, TlsFiles) {
        let dir =
            std::env::temp_dir().join(format!("hookguard-proxy-tls-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let files = TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        std::fs::write(&files.cert, certified.cert.pem()).unwrap();
        std::fs::write(&files.key, certified.signing_key.serialize_pem()).unwrap();
        (dir, files)
    }

    fn error(files: &TlsFiles) -> ConfigError {
        match acceptor(files) {
            Ok(_) => panic!("{files:?} accepted"),
            Err(error) => error,
        }
    }

    #[test]
    fn a_missing_file_names_its_setting_and_path() {
        let (dir, files) = certified("missing");
        let acceptor_built = acceptor(&files).is_ok();
        let absent = dir.join("absent.pem");
        let cert = error(&TlsFiles {
            cert: absent.clone(),
            key: files.key.clone(),
        });
        let key = error(&TlsFiles {
            cert: files.cert.clone(),
            key: absent.clone(),
        });
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(acceptor_built);
        let shown = absent.display().to_string();
        assert_eq!(cert.field(), "tls.cert");
        assert!(cert.to_string().contains(&shown), "{cert}");
        assert_eq!(key.field(), "tls.key");
        assert!(key.to_string().contains(&shown), "{key}");
    }

    #[test]
    fn a_missing_relative_file_says_where_it_was_looked_for() {
        let (dir, files) = certified("relative");
        let relative = PathBuf::from("hookguard-nonexistent/cert.pem");
        let cert = error(&TlsFiles {
            cert: relative.clone(),
            key: files.key.clone(),
        });
        let key = error(&TlsFiles {
            cert: files.cert.clone(),
            key: relative,
        });
        std::fs::remove_dir_all(&dir).unwrap();
        let cwd = std::env::current_dir().unwrap().display().to_string();
        for error in [cert, key] {
            let text = error.to_string();
            assert!(
                text.contains("hookguard-nonexistent/cert.pem")
                    && text.contains("a relative path is read from the working directory")
                    && text.contains(&cwd),
                "{text}"
            );
        }
    }
}
