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
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
