/// Errors of this connector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector configuration is invalid; names the key and what to change.
    #[error(transparent)]
    Config(#[from] sluice_api::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
