//! [`Secret`]: the shared key, kept out of logs and wiped from memory when dropped.
//!
//! # Security
//! `Debug` prints `Secret([REDACTED])`; there is no `Display`. The bytes are zeroized on
//! drop. Load secrets from the environment or a file rather than from source code.
//!
//! # Errors
//! An empty secret, a missing or empty environment variable and an unreadable or empty
//! file are all [`ConfigError`]s whose message says how to fix them.

use std::fmt;
use std::path::Path;

use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::error::ConfigError;

/// A webhook's shared secret (PeopleForce's "secret", Bindbee's "signature key").
///
/// # Example
/// ```
/// use hookguard_core::Secret;
///
/// let secret = Secret::new("whsec_0123")?;
/// assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
/// assert!(Secret::new("").is_err());
/// # Ok::<(), hookguard_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    bytes: Zeroizing<Vec<u8>>,
}

/// The bytes live in a [`Zeroizing`] buffer, wiped when the secret is dropped.
impl ZeroizeOnDrop for Secret {}

impl Secret {
    /// Wraps the secret's bytes (the UTF-8 of the text the provider shows you).
    ///
    /// # Errors
    /// [`ConfigError::EmptySecret`] when `bytes` is empty.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Secret;
    /// let from_text = Secret::new("s3cret")?;
    /// let from_bytes = Secret::new(vec![0x00, 0xff])?;
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Secret, ConfigError> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.is_empty() {
            return Err(ConfigError::EmptySecret);
        }
        Ok(Secret { bytes })
    }

    /// Reads the secret from the environment variable `name`.
    ///
    /// # Errors
    /// [`ConfigError::MissingEnvVar`], [`ConfigError::EmptyEnvVar`] or
    /// [`ConfigError::EnvVarNotUnicode`], each naming the variable.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Secret;
    /// let err = Secret::from_env("HOOKGUARD_EXAMPLE_NOT_SET").unwrap_err();
    /// assert!(err.to_string().contains("HOOKGUARD_EXAMPLE_NOT_SET is not set"));
    /// ```
    pub fn from_env(name: &str) -> Result<Secret, ConfigError> {
        let value = std::env::var_os(name).ok_or_else(|| ConfigError::MissingEnvVar {
            name: name.to_owned(),
        })?;
        let value = value
            .into_string()
            .map_err(|_| ConfigError::EnvVarNotUnicode {
                name: name.to_owned(),
            })?;
        Secret::new(value).map_err(|_| ConfigError::EmptyEnvVar {
            name: name.to_owned(),
        })
    }

    /// Reads the secret from a file, dropping one trailing line break (`\n` or `\r\n`).
    ///
    /// # Errors
    /// [`ConfigError::SecretFile`] when the file cannot be read,
    /// [`ConfigError::EmptySecretFile`] when it holds nothing but a line break.
    ///
    /// # Example
    /// ```
    /// # use hookguard_core::Secret;
    /// let path = std::env::temp_dir().join("hookguard-doc-secret");
    /// std::fs::write(&path, "s3cret\n").unwrap();
    /// let secret = Secret::from_file(&path)?;
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), hookguard_core::ConfigError>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Secret, ConfigError> {
        let path = path.as_ref();
        let mut bytes =
            Zeroizing::new(
                std::fs::read(path).map_err(|source| ConfigError::SecretFile {
                    path: path.to_owned(),
                    source,
                })?,
            );
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        if bytes.is_empty() {
            return Err(ConfigError::EmptySecretFile {
                path: path.to_owned(),
            });
        }
        Ok(Secret { bytes })
    }

    /// The key bytes, for keying the MAC inside this crate only.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let secret = Secret::new("hunter2-very-secret").unwrap();
        let shown = format!("{secret:?} {secret:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn empty_secret_is_refused() {
        assert!(matches!(Secret::new(""), Err(ConfigError::EmptySecret)));
        assert!(matches!(
            Secret::new(Vec::new()),
            Err(ConfigError::EmptySecret)
        ));
    }

    #[test]
    fn env_errors_name_the_variable() {
        let name = "HOOKGUARD_TEST_SECRET_NEVER_SET_4711";
        let err = Secret::from_env(name).unwrap_err();
        assert!(matches!(&err, ConfigError::MissingEnvVar { name: n } if n == name));
        assert!(err.to_string().contains(name));
    }

    #[test]
    fn file_loses_one_trailing_line_break_only() {
        let dir = std::env::temp_dir();
        let path = dir.join(format!("hookguard-secret-test-{}", std::process::id()));
        std::fs::write(&path, "abc \r\n").unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), b"abc ");
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            Secret::from_file(&path),
            Err(ConfigError::EmptySecretFile { .. })
        ));
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            Secret::from_file(&path),
            Err(ConfigError::SecretFile { .. })
        ));
    }
}
