//! [`ConfigError`]: a configuration the proxy refuses at start-up.

use std::fmt;

/// A configuration the proxy refuses at start-up: the field (or environment variable, or
/// file) at fault and how to fix it.
///
/// # Example
/// ```
/// use hookguard_proxy::ProxyConfig;
///
/// let error = ProxyConfig::from_toml(r#"listen = "localhost""#).unwrap_err();
/// assert_eq!(error.field(), "listen");
/// assert!(error.to_string().starts_with("listen: "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    field: String,
    message: String,
}

impl ConfigError {
    /// An error about `field` (such as `routes[0].upstream`), with `message` saying what is
    /// wrong and how to fix it.
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::ConfigError;
    ///
    /// let error = ConfigError::new("listen", "write it as IP:PORT");
    /// assert_eq!(error.to_string(), "listen: write it as IP:PORT");
    /// ```
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> ConfigError {
        ConfigError {
            field: field.into(),
            message: message.to_string(),
        }
    }

    /// The field at fault, as a path into the configuration file (`routes[1].secrets[0].env`).
    ///
    /// # Example
    /// ```
    /// use hookguard_proxy::ConfigError;
    ///
    /// assert_eq!(ConfigError::new("routes[0].path", "...").field(), "routes[0].path");
    /// ```
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The same error about another field.
    pub(crate) fn renamed(self, field: String) -> ConfigError {
        ConfigError {
            field,
            message: self.message,
        }
    }

    /// The same error about a field inside `parent` (`routes[0]` + `path`).
    pub(crate) fn within(self, parent: &str) -> ConfigError {
        ConfigError {
            field: format!("{parent}.{}", self.field),
            message: self.message,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}
