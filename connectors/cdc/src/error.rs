/// Errors building Debezium change events.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A change event could not be built for a table (for example a missing key column).
    #[error("cannot build the change event for table '{table}': {message}")]
    Event {
        /// The fully qualified table name.
        table: String,
        /// What is wrong.
        message: String,
    },
    /// The data model rejected a value.
    #[error(transparent)]
    Data(#[from] sluice_api::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
