//! The error type of the S3 connector.

/// Errors of this connector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector configuration is invalid; names the key and what to change.
    #[error(transparent)]
    Config(#[from] sluice_api::Error),
    /// An S3 request failed; says whether a retry may help.
    #[error(transparent)]
    Store(#[from] sluice_files::Error),
}

impl Error {
    /// Whether retrying the failed operation may succeed.
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Config(_) => false,
            Error::Store(e) => e.is_retriable(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
