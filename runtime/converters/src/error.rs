//! The one error type of the converters.
//!
//! All conversion errors are *definite*: the same bytes or value fail the same way on a retry, so
//! the worker fails the task or, with `errors.tolerance=all`, sends the record to the dead-letter
//! queue. Configuration errors name the key to fix. The one exception is a Schema Registry that
//! cannot be reached or answers 5xx ([`Error::Registry`] with `retriable`): retry, then restart.

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
    /// A schema cannot be mapped between Kafka Connect and Avro (Confluent's `AvroData` rules),
    /// or Avro schema text cannot be read.
    #[error("cannot map the schema between Kafka Connect and Avro: {0}")]
    AvroSchema(String),
    /// A Schema Registry request failed.
    #[error("Schema Registry request failed ({request}): {message}")]
    Registry {
        /// The request, e.g. `register schema under subject 'orders-value'`.
        request: String,
        /// What went wrong, with the registry's `error_code` when it sent one.
        message: String,
        /// The registry's `error_code` (40401 subject not found, 40403 schema not found, …).
        error_code: Option<u32>,
        /// Whether retrying may succeed (unreachable registry, 5xx).
        retriable: bool,
    },
}

impl Error {
    /// Whether retrying may succeed: only Schema Registry errors that are transient (the registry
    /// is unreachable or answered 5xx); conversion errors never are.
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            Error::Registry {
                retriable: true,
                ..
            }
        )
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
