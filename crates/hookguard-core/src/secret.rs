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

    /// Reads the secret from the environment variable `name`, by the same rule as
    /// [`Secret::from_file`]: one trailing line break (`\n` or `\r\n`) is removed, and any
    /// other leading or trailing whitespace is refused.
    ///
    /// # Errors
    /// [`ConfigError::MissingEnvVar`], [`ConfigError::EmptyEnvVar`],
    /// [`ConfigError::EnvVarNotUnicode`] or [`ConfigError::EnvVarWhitespace`], each naming
    /// the variable.
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
        let name = || name.to_owned();
        Secret::stored(Zeroizing::new(value.into_bytes())).map_err(|fault| match fault {
            Stored::Empty => ConfigError::EmptyEnvVar { name: name() },
            Stored::Whitespace => ConfigError::EnvVarWhitespace { name: name() },
        })
    }

    /// Reads the secret from a file, by the same rule as [`Secret::from_env`]: one
    /// trailing line break (`\n` or `\r\n`) is removed, and any other leading or trailing
    /// whitespace is refused.
    ///
    /// # Errors
    /// [`ConfigError::SecretFile`] when the file cannot be read,
    /// [`ConfigError::EmptySecretFile`] when it holds nothing but a line break,
    /// [`ConfigError::SecretFileWhitespace`] when the secret starts or ends with other
    /// whitespace.
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
        let bytes = std::fs::read(path).map_err(|source| ConfigError::SecretFile {
            path: path.to_owned(),
            source,
        })?;
        let path = || path.to_owned();
        Secret::stored(Zeroizing::new(bytes)).map_err(|fault| match fault {
            Stored::Empty => ConfigError::EmptySecretFile { path: path() },
            Stored::Whitespace => ConfigError::SecretFileWhitespace { path: path() },
        })
    }

    /// A secret as stored in a variable or a file: without one trailing line break, and
    /// refused if empty or if it starts or ends with any other whitespace (a stray space
    /// or a second line break would make every genuine signature fail to match).
    fn stored(mut bytes: Zeroizing<Vec<u8>>) -> Result<Secret, Stored> {
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
            return Err(Stored::Empty);
        };
        if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
            return Err(Stored::Whitespace);
        }
        Ok(Secret { bytes })
    }

    /// The key bytes, for keying the MAC inside this crate only.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

/// Why a stored secret was refused.
enum Stored {
    Empty,
    Whitespace,
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

    /// The values an operator may store, and what each gives: one trailing line break
    /// is removed, other whitespace at either end is refused.
    const STORED: [(&str, Option<&str>); 9] = [
        ("s3cret", Some("s3cret")),
        ("s3cret\n", Some("s3cret")),
        ("s3cret\r\n", Some("s3cret")),
        ("s3 cret", Some("s3 cret")),
        ("s3cret\n\n", None),
        ("s3cret \n", None),
        (" s3cret", None),
        ("s3cret\t", None),
        ("\ns3cret", None),
    ];

    #[test]
    fn env_and_file_follow_one_rule() {
        let name = format!("HOOKGUARD_TEST_SECRET_RULE_{}", std::process::id());
        let path = std::env::temp_dir().join(&name);
        for (stored, expected) in STORED {
            std::env::set_var(&name, stored);
            std::fs::write(&path, stored).unwrap();
            let from_env = Secret::from_env(&name);
            let from_file = Secret::from_file(&path);
            if let Some(secret) = expected {
                assert_eq!(from_env.unwrap().expose(), secret.as_bytes(), "{stored:?}");
                assert_eq!(from_file.unwrap().expose(), secret.as_bytes(), "{stored:?}");
            } else {
                let env_err = from_env.unwrap_err();
                assert!(matches!(&env_err, ConfigError::EnvVarWhitespace { .. }));
                assert!(env_err.to_string().contains(&name), "{env_err}");
                let file_err = from_file.unwrap_err();
                assert!(matches!(
                    &file_err,
                    ConfigError::SecretFileWhitespace { .. }
                ));
                assert!(file_err.to_string().contains(&name), "{file_err}");
            }
        }
        std::env::remove_var(&name);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn nothing_but_a_line_break_is_empty_and_a_missing_file_is_unreadable() {
        let name = format!("HOOKGUARD_TEST_SECRET_EMPTY_{}", std::process::id());
        let path = std::env::temp_dir().join(&name);
        std::env::set_var(&name, "\r\n");
        assert!(matches!(
            Secret::from_env(&name),
            Err(ConfigError::EmptyEnvVar { .. })
        ));
        std::env::remove_var(&name);
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
