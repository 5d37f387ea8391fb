/// Errors decoding or encoding internal-topic records and group-protocol messages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not the JSON Kafka Connect writes for this record kind.
    #[error("malformed {what}: {source}")]
    Json {
        /// Which record kind was being decoded (e.g. "config topic value").
        what: &'static str,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A binary group-protocol message is truncated or has an unknown version.
    #[error("malformed {what}: {message}")]
    Malformed {
        /// Which message was being decoded.
        what: &'static str,
        /// What was wrong.
        message: String,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
