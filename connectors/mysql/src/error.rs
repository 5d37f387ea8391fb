//! The one error type of this crate, and the one place where driver errors are classified.
//!
//! Every error is either *transient* (the connection broke, the server is restarting: retry with
//! backoff, then restart the task) or *definite* (wrong credentials, a server setting the
//! connector cannot work with, a GTID the server no longer has, bytes that cannot be decoded:
//! retrying cannot help, the task fails with a message that says what to fix).
//! [`Error::is_transient`] says which; an unknown driver error counts as transient.

/// MariaDB/MySQL server error codes this crate treats specially.
mod codes {
    /// `ER_DBACCESS_DENIED_ERROR`: no access to the database.
    pub(super) const DB_ACCESS_DENIED: u16 = 1044;
    /// `ER_ACCESS_DENIED_ERROR`: wrong user name or password.
    pub(super) const ACCESS_DENIED: u16 = 1045;
    /// `ER_SPECIFIC_ACCESS_DENIED_ERROR`: a privilege (e.g. REPLICATION SLAVE) is missing.
    pub(super) const SPECIFIC_ACCESS_DENIED: u16 = 1227;
    /// `ER_MASTER_FATAL_ERROR_READING_BINLOG`: the requested binlog position or GTID is gone.
    pub(super) const FATAL_READING_BINLOG: u16 = 1236;
    /// `ER_ACCESS_DENIED_NO_PASSWORD_ERROR`.
    pub(super) const ACCESS_DENIED_NO_PASSWORD: u16 = 1698;
    /// `ER_UNKNOWN_SYSTEM_VARIABLE`.
    pub(super) const UNKNOWN_SYSTEM_VARIABLE: u16 = 1193;
    /// `ER_PARSE_ERROR`.
    pub(super) const PARSE_ERROR: u16 = 1064;
}

/// Errors of this connector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector configuration is invalid; names the key and what to change.
    #[error(transparent)]
    Config(#[from] sluice_api::Error),

    /// The server refused the user name or password (definite).
    #[error(
        "authentication failed for user '{user}' at {address}: {message}. Check database.user \
         and database.password"
    )]
    Authentication {
        /// The user name that was refused.
        user: String,
        /// `host:port` of the server.
        address: String,
        /// The server's message.
        message: String,
    },

    /// The user lacks a privilege the binlog client needs (definite).
    #[error(
        "permission denied while {context}: {message}. Grant the connector's user \
         REPLICATION SLAVE, REPLICATION CLIENT (BINLOG MONITOR), SELECT and RELOAD"
    )]
    Permission {
        /// What the client was doing.
        context: String,
        /// The server's message.
        message: String,
    },

    /// The server cannot serve the requested binlog position (definite): the file was purged,
    /// the GTID is not in the binlogs any more, or it never existed.
    #[error(
        "the server cannot stream from the requested position ({context}): {message}. The \
         binlogs may have been purged: take a new snapshot or start from a position the server \
         still has (SHOW BINARY LOGS)"
    )]
    PositionUnavailable {
        /// The position that was requested.
        context: String,
        /// The server's message.
        message: String,
    },

    /// A server setting rules out row-based change capture (definite).
    #[error("the server's {name} is '{found}', but the binlog client needs {required}. {fix}")]
    ServerSetting {
        /// The system variable.
        name: &'static str,
        /// Its current value.
        found: String,
        /// What it must be.
        required: &'static str,
        /// How to fix it.
        fix: &'static str,
    },

    /// Talking to the server failed (transient unless the server error says otherwise).
    #[error("MariaDB/MySQL error while {context}: {source}")]
    Driver {
        /// What the client was doing.
        context: String,
        /// The driver error.
        #[source]
        source: mysql_async::Error,
    },

    /// A GTID or GTID position that does not parse (definite).
    #[error(
        "invalid MariaDB GTID '{input}': {reason} (expected domain-server-sequence, e.g. 0-1-42, comma-separated for several domains)"
    )]
    InvalidGtid {
        /// The text that was given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A binlog event whose bytes cannot be decoded (definite: the stream is corrupt or uses a
    /// format this client does not know).
    #[error("cannot decode a {event} binlog event: {reason}")]
    MalformedEvent {
        /// The kind of event.
        event: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// The binlog contains something this client does not support (definite).
    #[error("unsupported binlog content: {0}")]
    Unsupported(String),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether retrying (after a backoff, on a new connection) may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Driver { source, .. } => match source {
                mysql_async::Error::Server(e) => {
                    !matches!(e.code, codes::UNKNOWN_SYSTEM_VARIABLE | codes::PARSE_ERROR)
                }
                mysql_async::Error::Url(_) => false,
                _ => true,
            },
            _ => false,
        }
    }

    /// Classifies a driver error raised while `context` (e.g. "connecting to 127.0.0.1:3306").
    ///
    /// This is the one function that maps server error codes to kinds of [`Error`].
    pub(crate) fn from_driver(
        source: mysql_async::Error,
        context: impl Into<String>,
        user: &str,
        address: &str,
    ) -> Error {
        let context = context.into();
        if let mysql_async::Error::Server(e) = &source {
            match e.code {
                codes::ACCESS_DENIED | codes::ACCESS_DENIED_NO_PASSWORD => {
                    return Error::Authentication {
                        user: user.to_string(),
                        address: address.to_string(),
                        message: e.message.clone(),
                    };
                }
                codes::DB_ACCESS_DENIED | codes::SPECIFIC_ACCESS_DENIED => {
                    return Error::Permission {
                        context,
                        message: e.message.clone(),
                    };
                }
                codes::FATAL_READING_BINLOG => {
                    return Error::PositionUnavailable {
                        context,
                        message: e.message.clone(),
                    };
                }
                _ => {}
            }
        }
        Error::Driver { context, source }
    }

    /// A [`Error::MalformedEvent`].
    pub(crate) fn malformed(event: &'static str, reason: impl Into<String>) -> Error {
        Error::MalformedEvent {
            event,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: u16) -> mysql_async::Error {
        mysql_async::Error::Server(mysql_async::ServerError {
            code,
            message: "boom".into(),
            state: "HY000".into(),
        })
    }

    #[test]
    fn classifies_server_errors() {
        let e = Error::from_driver(server(1045), "connecting", "u", "h:1");
        assert!(matches!(e, Error::Authentication { .. }));
        assert!(!e.is_transient());
        assert!(
            e.to_string()
                .contains("authentication failed for user 'u' at h:1")
        );

        let e = Error::from_driver(server(1236), "dumping", "u", "h:1");
        assert!(matches!(e, Error::PositionUnavailable { .. }));
        assert!(!e.is_transient());

        let e = Error::from_driver(server(1227), "registering", "u", "h:1");
        assert!(matches!(e, Error::Permission { .. }));

        let e = Error::from_driver(server(2013), "reading", "u", "h:1");
        assert!(e.is_transient(), "unknown server errors are transient");
        let e = Error::from_driver(server(1064), "reading", "u", "h:1");
        assert!(!e.is_transient());
    }
}
