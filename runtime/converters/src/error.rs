/// Errors converting between Kafka Connect data and bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    /// The value does not match the schema it is written with.
    #[error(transparent)]
    Data(#[from] sluice_api::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
