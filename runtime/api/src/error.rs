//! The one error type of the SPI and data model.
//!
//! Data errors are always *definite*: a value that does not fit its schema will not fit it on a
//! retry either, so the worker fails the task or routes the record to the dead-letter queue.

/// Errors of the connector SPI and data model, in Kafka Connect's categories.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is missing or invalid (Kafka's `ConfigException`): names the key.
    #[error("invalid value for configuration '{key}': {message}")]
    Config {
        /// The configuration key, as the user wrote it.
        key: String,
        /// What is wrong with the value and what would be accepted.
        message: String,
    },
    /// A value does not fit its schema (Kafka Connect's `DataException`).
    #[error("data error: {0}")]
    Data(String),
    /// A schema cannot be built as described (Kafka Connect's `SchemaBuilderException`).
    #[error("invalid schema: {0}")]
    Schema(String),
}

impl Error {
    /// A [`Error::Data`] with the given message.
    pub fn data(message: impl Into<String>) -> Self {
        Error::Data(message.into())
    }

    /// A [`Error::Schema`] with the given message.
    pub fn schema(message: impl Into<String>) -> Self {
        Error::Schema(message.into())
    }

    /// Data errors are never retriable: the same value will fail the same way again.
    pub fn is_retriable(&self) -> bool {
        false
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
