//! The error type of the S3 connector, and the one place where it becomes the SPI's
//! [`ConnectError`]: retriable store failures (and the memory budget's back-pressure) stay
//! retriable so the worker redelivers and retries; everything else fails the task with the
//! message that says what to fix.

use sluice_api::connector::ConnectError;

/// Errors of this connector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector configuration is invalid; names the key and what to change.
    #[error(transparent)]
    Config(#[from] sluice_api::Error),
    /// An S3 request failed, or a record could not be written; says whether a retry may help.
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

impl From<Error> for ConnectError {
    fn from(e: Error) -> Self {
        match e {
            Error::Config(api) => ConnectError::Api(api),
            Error::Store(sluice_files::Error::Config { key, message }) => {
                ConnectError::Api(sluice_api::Error::Config { key, message })
            }
            Error::Store(e) if e.is_retriable() => ConnectError::retriable(e.to_string()),
            Error::Store(e) => ConnectError::definite(e.to_string()),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
