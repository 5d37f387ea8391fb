/// Errors of the worker and its Kafka clients.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A Kafka client call failed.
    #[error("Kafka {operation} failed: {source}")]
    Kafka {
        /// What was being done ("create topic 'connect-offsets'", "produce", …).
        operation: String,
        /// The client's error.
        #[source]
        source: rdkafka::error::KafkaError,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
