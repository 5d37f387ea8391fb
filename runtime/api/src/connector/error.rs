//! [`ConnectError`]: what a connector or task reports to the worker, classified as Kafka
//! Connect does.
//!
//! The class decides what the worker does next:
//!
//! - **retriable** (Kafka's `RetriableException`): the operation may succeed later — a lost
//!   connection, a broker or database that is restarting, a file not yet readable. The worker
//!   retries with backoff (a source task's `poll`/`commit`, a sink task's `put` after
//!   `SinkTaskContext::timeout`), and restarts the task if it keeps failing.
//! - **definite** (Kafka's `ConnectException`): retrying cannot help — a bad configuration, a
//!   record that cannot be written, a missing permission. The worker fails the task (status
//!   `FAILED` with this error as its trace) or, for a record and `errors.tolerance=all`, routes
//!   the record to the dead-letter queue.
//!
//! Errors of the data model and configuration ([`crate::Error`]) convert losslessly and keep
//! their own classification (always definite). Connector crates convert their own error enums
//! into a `ConnectError` in one place (`impl From<their::Error> for ConnectError`), which is
//! where driver errors are classified; an error nobody classified should be made retriable.

use std::error::Error as StdError;

/// A boxed error cause, kept for the error chain shown to operators.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The error of every connector and task operation (see the module doc).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The operation may succeed if retried later.
    #[error("{message}")]
    Retriable {
        /// What failed and, where possible, what the operator can do about it.
        message: String,
        /// The underlying cause.
        #[source]
        source: Option<BoxError>,
    },
    /// Retrying cannot help: the task must fail (or the record go to the dead-letter queue).
    #[error("{message}")]
    Definite {
        /// What failed and what the operator must fix.
        message: String,
        /// The underlying cause.
        #[source]
        source: Option<BoxError>,
    },
    /// A configuration or data error of the SPI itself (always definite).
    #[error(transparent)]
    Api(#[from] crate::Error),
}

impl ConnectError {
    /// A retriable error without a cause.
    pub fn retriable(message: impl Into<String>) -> Self {
        ConnectError::Retriable {
            message: message.into(),
            source: None,
        }
    }

    /// A retriable error caused by `source`.
    pub fn retriable_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Retriable {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// A definite error without a cause.
    pub fn definite(message: impl Into<String>) -> Self {
        ConnectError::Definite {
            message: message.into(),
            source: None,
        }
    }

    /// A definite error caused by `source`.
    pub fn definite_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Definite {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// Whether retrying the failed operation later may succeed.
    pub fn is_retriable(&self) -> bool {
        match self {
            ConnectError::Retriable { .. } => true,
            ConnectError::Definite { .. } => false,
            ConnectError::Api(e) => e.is_retriable(),
        }
    }

    /// The configuration key this error is about, when it is a configuration error.
    pub fn config_key(&self) -> Option<&str> {
        match self {
            ConnectError::Api(crate::Error::Config { key, .. }) => Some(key),
            _ => None,
        }
    }

    /// The message followed by every cause (`message: cause: cause…`), for task status traces
    /// and logs, where the `Display` form alone would hide the driver's own words.
    pub fn report(&self) -> String {
        let mut out = self.to_string();
        let mut cause = StdError::source(self);
        // `Api` is transparent: its source is the inner error's source, already in the message
        // for config errors and absent otherwise, so walking the chain never repeats a line.
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }
}

/// The result type of connector and task operations.
pub type ConnectResult<T> = std::result::Result<T, ConnectError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_and_report() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let e = ConnectError::retriable_with("Lost the connection to the database.", io);
        assert!(e.is_retriable());
        assert_eq!(
            e.report(),
            "Lost the connection to the database.: reset by peer"
        );
        let e = ConnectError::definite("Table t has no primary key.");
        assert!(!e.is_retriable());
        let e: ConnectError = crate::Error::Config {
            key: "topic".into(),
            message: "Missing required configuration \"topic\"".into(),
        }
        .into();
        assert!(!e.is_retriable());
        assert_eq!(e.config_key(), Some("topic"));
    }
}
