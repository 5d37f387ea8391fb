/// Errors of the file-sink core and the object stores it writes to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store rejected or failed a request; `retriable` says whether trying again may help
    /// (throttling, timeouts, 5xx) or not (bad credentials, missing bucket).
    #[error("{store} {operation} of '{key}' failed: {message}")]
    Store {
        /// Which store ("S3", "Azure Blob", …).
        store: &'static str,
        /// The operation that failed ("put", "get", "list", …).
        operation: &'static str,
        /// The object key or prefix.
        key: String,
        /// The store's own words, plus what the operator can do about it.
        message: String,
        /// Whether a retry may succeed.
        retriable: bool,
    },
    /// The object does not exist.
    #[error("{store} object '{key}' does not exist")]
    NotFound {
        /// Which store.
        store: &'static str,
        /// The object key.
        key: String,
    },
}

impl Error {
    /// Whether retrying the operation may succeed.
    pub fn is_retriable(&self) -> bool {
        matches!(self, Error::Store { retriable: true, .. })
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
