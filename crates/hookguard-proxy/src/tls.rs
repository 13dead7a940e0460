//! TLS termination: a rustls server configuration from PEM files, with the `ring`
//! provider the CLI's client already uses.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{crypto, ServerConfig};
use tokio_rustls::TlsAcceptor;

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
                format_args!("cannot read certificates from {cert_shown}: {error}"),
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
                "cannot read a PEM private key from {}: {error}",
                files.key.display()
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
