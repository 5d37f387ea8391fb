//! The errors of the built-in connectors and the plugin registry, and their classification
//! into [`ConnectError`] (the one place where it is decided what is worth retrying).

use std::path::PathBuf;

use sluice_api::connector::ConnectError;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is invalid (names the key).
    #[error(transparent)]
    Api(#[from] sluice_api::Error),
    /// Reading or writing a file (or stdin/stdout) failed.
    #[error("Could not {action} '{}': {source}", path.display())]
    Io {
        /// What was being done (`open`, `read`, `write to`, …).
        action: &'static str,
        /// The file, or `stdin`/`stdout`.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A stored source offset does not have the shape this connector writes.
    #[error(
        "The stored offset {offset} of source partition {partition} is not valid: {reason}. \
         Reset it with DELETE /connectors/<name>/offsets or PATCH a valid one."
    )]
    BadOffset {
        /// The source partition, as JSON.
        partition: String,
        /// The offset, as JSON.
        offset: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `connector.class` names no known plugin.
    #[error(
        "Failed to find any class that implements Connector and which name matches {name}, \
         available connectors are: {available}"
    )]
    UnknownPlugin {
        /// The name asked for.
        name: String,
        /// The registered plugin classes, comma-separated.
        available: String,
    },
    /// `connector.class` is an alias of several plugins.
    #[error(
        "More than one connector matches alias {name}. Please use full package and class name \
         instead. Classes found: {classes}"
    )]
    AmbiguousPlugin {
        /// The alias asked for.
        name: String,
        /// The matching plugin classes, comma-separated.
        classes: String,
    },
}

impl Error {
    /// Whether retrying may help: I/O errors other than those a person must fix (missing
    /// permission, a directory where a file is expected, bad input data) are retriable.
    pub fn is_retriable(&self) -> bool {
        use std::io::ErrorKind as K;
        match self {
            Error::Io { source, .. } => !matches!(
                source.kind(),
                K::PermissionDenied
                    | K::IsADirectory
                    | K::InvalidInput
                    | K::InvalidData
                    | K::Unsupported
            ),
            Error::Api(_)
            | Error::BadOffset { .. }
            | Error::UnknownPlugin { .. }
            | Error::AmbiguousPlugin { .. } => false,
        }
    }
}

impl From<Error> for ConnectError {
    fn from(e: Error) -> Self {
        match e {
            Error::Api(api) => ConnectError::Api(api),
            // The message already carries the cause's text; attaching `e` as the source too
            // would print it twice in `ConnectError::report`.
            e if e.is_retriable() => ConnectError::retriable(e.to_string()),
            e => ConnectError::definite(e.to_string()),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
