//! The one error type of the converters.
//!
//! All conversion errors are *definite*: the same bytes or value fail the same way on a retry, so
//! the worker fails the task or, with `errors.tolerance=all`, sends the record to the dead-letter
//! queue. Configuration errors name the key to fix.

/// Errors converting between Kafka Connect data and bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A converter configuration value is missing or invalid: names the key.
    #[error("invalid value for configuration '{key}': {message}")]
    Config {
        /// The configuration key, as the user wrote it.
        key: String,
        /// What is wrong with the value and what would be accepted.
        message: String,
    },
    /// The bytes cannot be read with this converter (wrong magic byte, truncated body, bad JSON).
    #[error("cannot deserialize the {what} of a record on topic '{topic}': {message}")]
    Deserialize {
        /// The topic the bytes came from.
        topic: String,
        /// "key", "value" or "header".
        what: &'static str,
        /// What is wrong with the bytes.
        message: String,
    },
    /// The Connect data cannot be written with this converter (the value does not fit its schema,
    /// or the converter cannot represent it).
    #[error("cannot serialize the {what} of a record for topic '{topic}': {message}")]
    Serialize {
        /// The destination topic.
        topic: String,
        /// "key", "value" or "header".
        what: &'static str,
        /// What is wrong with the data.
        message: String,
    },
    /// The value does not match the schema it is written with.
    #[error(transparent)]
    Data(#[from] sluice_api::Error),
}

impl Error {
    /// Conversion errors are never retriable.
    pub fn is_retriable(&self) -> bool {
        false
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
