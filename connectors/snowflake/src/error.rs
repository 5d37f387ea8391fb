//! The errors of the Snowflake sink, classified once as retriable or definite.
//!
//! Snowflake answers every driver request with `{"success": bool, "code": "NNNNNN", "message": …}`;
//! a failed request keeps Snowflake's own code, message and SQLSTATE here, together with what the
//! client was doing, so an operator sees "running `COPY INTO …` failed: 002003 (02000) Table … does
//! not exist" rather than a bare HTTP status. [`Error::is_retriable`] is the single place that
//! decides whether a failure is worth retrying (network, throttling, server errors, an expired
//! session) or definite (bad SQL, missing objects, refused credentials); anything unknown counts as
//! retriable, as the project's style asks.

/// Snowflake's code for "session expired, renew with the master token".
pub(crate) const SESSION_EXPIRED: &str = "390112";
/// Snowflake's codes for "the session token is unknown: log in again" (missing token, logged out).
pub(crate) const SESSION_GONE: [&str; 2] = ["390103", "390104"];
/// Snowflake's codes for a master token that cannot renew the session anymore.
pub(crate) const MASTER_TOKEN_GONE: [&str; 3] = ["390113", "390114", "390115"];

/// Errors of this connector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector configuration is invalid; names the key and what to change.
    #[error(transparent)]
    Config(#[from] sluice_api::Error),

    /// The HTTP exchange with Snowflake or its stage storage failed before an answer arrived
    /// (connection refused, TLS, timeout). Retriable.
    #[error(
        "{action} failed: could not reach {url}: {source}. Check the Snowflake URL and the network"
    )]
    Transport {
        /// What the client was doing, e.g. "logging in to Snowflake".
        action: String,
        /// The URL called (without credentials).
        url: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },

    /// The server answered with an HTTP status and a body that is not a Snowflake answer
    /// (a proxy page, a 5xx from a load balancer, a throttling 429, …).
    #[error("{action} failed: HTTP {status} from {url}: {body}")]
    Http {
        /// What the client was doing.
        action: String,
        /// The URL called.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body.
        body: String,
    },

    /// Snowflake refused the login (wrong account, user, password, or locked user). Definite
    /// until the credentials are fixed.
    #[error(
        "logging in to Snowflake account '{account}' as '{user}' failed: {code} {message}. \
         Check snowflake.url.name, snowflake.user.name and the credentials"
    )]
    Login {
        /// The account logged in to.
        account: String,
        /// The login name used.
        user: String,
        /// Snowflake's error code (e.g. `390100` for a wrong user or password).
        code: String,
        /// Snowflake's message.
        message: String,
    },

    /// The session token is no longer valid and could not be renewed: log in again.
    /// Retriable (with a new session).
    #[error(
        "{action} failed: the Snowflake session is no longer valid ({code} {message}); log in again"
    )]
    SessionExpired {
        /// What the client was doing.
        action: String,
        /// Snowflake's code (`390104`, `390112`, …).
        code: String,
        /// Snowflake's message.
        message: String,
    },

    /// Snowflake ran the statement and reported an error (syntax, missing object, privileges,
    /// failed load, …).
    #[error("running `{sql}` failed: {code} ({sql_state}): {message}")]
    Statement {
        /// The statement, shortened for the log.
        sql: String,
        /// Snowflake's error code, six digits (e.g. `001003` for a syntax error).
        code: String,
        /// The SQLSTATE reported with it (empty when Snowflake sent none).
        sql_state: String,
        /// Snowflake's message.
        message: String,
        /// The id of the failed query, when Snowflake reported one.
        query_id: Option<String>,
    },

    /// The server's answer does not follow the driver protocol this client implements.
    #[error("{action} failed: unexpected answer from Snowflake: {detail}")]
    Protocol {
        /// What the client was doing.
        action: String,
        /// What was wrong with the answer.
        detail: String,
    },

    /// A result set could not be decoded.
    #[error("decoding the result of `{sql}` failed: {detail}")]
    Decode {
        /// The statement, shortened for the log.
        sql: String,
        /// What could not be decoded.
        detail: String,
    },

    /// Uploading a file to the stage storage that the PUT command named failed.
    #[error("uploading '{file}' to stage {stage} failed: HTTP {status}: {body}")]
    Upload {
        /// The stage, as given to PUT.
        stage: String,
        /// The staged file name.
        file: String,
        /// The storage's HTTP status.
        status: u16,
        /// The start of the storage's response body.
        body: String,
    },

    /// The caller asked for something malformed (e.g. a file name that cannot be staged).
    /// Definite: fix the caller.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// Snowflake asked for something this client does not implement yet (e.g. a client-side
    /// encrypted stage, an S3 or Azure stage, a result split into remote chunks).
    #[error("{action} needs {what}, which this Snowflake client does not support yet")]
    Unsupported {
        /// What the client was doing.
        action: String,
        /// The unsupported protocol feature.
        what: String,
    },
}

impl Error {
    /// Whether retrying the same operation (after a pause, possibly with a new session) may
    /// succeed. Definite errors (bad SQL, refused login, unsupported features, undecodable
    /// answers) return `false`; everything else, including unknown failures, returns `true`.
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Config(_)
            | Error::Login { .. }
            | Error::InvalidRequest(_)
            | Error::Unsupported { .. }
            | Error::Decode { .. } => false,
            Error::Transport { .. } | Error::SessionExpired { .. } | Error::Protocol { .. } => true,
            Error::Http { status, .. } | Error::Upload { status, .. } => {
                *status == 408 || *status == 429 || *status >= 500
            }
            Error::Statement { sql_state, .. } => sql_state_is_retriable(sql_state),
        }
    }

    /// Snowflake's error code of a failed statement or login, if the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Statement { code, .. }
            | Error::Login { code, .. }
            | Error::SessionExpired { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Statement errors are definite (syntax, missing objects, privileges, bad data), except for the
/// SQLSTATE classes that name a transient condition: `08` connection exception, `40` transaction
/// rollback (lock conflicts), `53` insufficient resources, `57` operator intervention (cancelled
/// or timed-out statements) and `XX` internal error.
fn sql_state_is_retriable(sql_state: &str) -> bool {
    matches!(sql_state.get(..2), Some("08" | "40" | "53" | "57" | "XX"))
}

/// Shortens a statement for error messages and logs (statements may carry whole batches).
pub(crate) fn shorten(sql: &str) -> String {
    const MAX: usize = 200;
    let sql = sql.trim();
    match sql.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &sql[..end]),
        None => sql.to_string(),
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
