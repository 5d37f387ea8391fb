//! The connector's one error type, and the one place where driver errors are classified.
//!
//! Every error is either *transient* (retry with backoff, then restart the task: the network,
//! a server restart, a slot still held by a dying session) or *definite* (an operator must
//! change something: credentials, privileges, `wal_level`, a missing slot or publication).
//! [`Error::is_transient`] says which. Errors from `tokio-postgres` and `pgwire-replication` are
//! turned into this type only by [`Error::from_postgres`] and [`Error::from_replication`], by
//! SQLSTATE class; an unknown condition counts as transient.

use crate::pgoutput::DecodeError;

/// Errors of this connector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connector configuration is invalid; names the key and what to change.
    #[error(transparent)]
    Config(#[from] sluice_api::Error),

    /// The server refused the credentials (SQLSTATE class 28). Definite.
    #[error(
        "PostgreSQL authentication failed for user '{user}': {detail}. Check the user name and \
         password, and that pg_hba.conf lets this user connect (for replication connections, \
         a 'replication' line)"
    )]
    Authentication {
        /// The user that tried to log in.
        user: String,
        /// The server's (or the client's) explanation.
        detail: String,
    },

    /// A query or command failed on the server or the connection broke.
    #[error("PostgreSQL failed while {context}: {detail}{}", hint(.sqlstate.as_deref()))]
    Server {
        /// What Sluice was doing.
        context: String,
        /// The server's or the driver's message.
        detail: String,
        /// The SQLSTATE, when the server sent one.
        sqlstate: Option<String>,
        /// Whether retrying may succeed.
        transient: bool,
    },

    /// The server answered a replication command with something Sluice cannot use. Definite.
    #[error("unexpected answer from PostgreSQL to {command}: {detail}")]
    Protocol {
        /// The command that was sent.
        command: String,
        /// What was wrong with the answer.
        detail: String,
    },

    /// TLS could not be set up or the server's certificate was refused. Definite.
    #[error(
        "TLS with PostgreSQL failed: {detail}. Check database.sslmode, database.sslrootcert, \
         database.sslcert and database.sslkey"
    )]
    Tls {
        /// What went wrong.
        detail: String,
    },

    /// A `pgoutput` payload could not be decoded. Definite: replaying it would fail again.
    #[error(transparent)]
    Decode(#[from] DecodeError),

    /// A column type cannot be mapped or a value cannot be read. Definite.
    #[error(transparent)]
    Type(#[from] crate::types::TypeError),

    /// Text that should be an LSN is not one.
    #[error("invalid LSN '{input}': {reason} (an LSN looks like 16/B374D848)")]
    InvalidLsn {
        /// The rejected text.
        input: String,
        /// Why.
        reason: String,
    },

    /// A replication slot, publication or snapshot name Sluice would have to put in a command
    /// unquoted is not of the form PostgreSQL allows.
    #[error("invalid {what} '{name}': {rule}")]
    InvalidName {
        /// Which kind of name.
        what: &'static str,
        /// The rejected name.
        name: String,
        /// The rule it breaks.
        rule: &'static str,
    },

    /// A row does not have one value per column of its relation description.
    #[error(
        "a change of {relation} carries {tuple_columns} values but its relation description has \
         {relation_columns} columns; the stream missed a Relation message"
    )]
    SchemaMismatch {
        /// `schema.table`.
        relation: String,
        /// Columns in the relation description.
        relation_columns: usize,
        /// Values in the row.
        tuple_columns: usize,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What an operator should do about some definite SQLSTATEs.
fn hint(sqlstate: Option<&str>) -> &'static str {
    match sqlstate {
        Some("42501") => {
            " (grant the connector's user the REPLICATION attribute and SELECT on the captured tables)"
        }
        Some("55000") => {
            " (logical replication needs wal_level = logical in postgresql.conf and a restart)"
        }
        Some("42704") => {
            " (the replication slot or publication does not exist: create it or check its name)"
        }
        Some("42710") => {
            " (a replication slot of that name already exists: drop it or choose another slot.name)"
        }
        Some("53400") => " (raise max_replication_slots / max_wal_senders, or drop unused slots)",
        _ => "",
    }
}

/// Whether an error with this SQLSTATE may succeed when retried.
fn sqlstate_is_transient(code: &str) -> bool {
    match code {
        // Object in use (a slot still held by a session that is ending), deadlocks and
        // serialization failures, admin shutdown / crash recovery.
        "55006" | "57P01" | "57P02" | "57P03" => true,
        _ => match &code[..code.len().min(2)] {
            // Connection exceptions, insufficient resources, operator intervention, system
            // errors, transaction rollbacks.
            "08" | "53" | "57" | "58" | "40" => true,
            // Authorization, syntax/access rules, prerequisite state, invalid parameters,
            // feature not supported, configuration file errors.
            "28" | "42" | "55" | "22" | "0A" | "F0" | "3D" | "3F" => false,
            _ => true,
        },
    }
}

impl Error {
    /// Whether retrying (after a backoff, possibly restarting the task) may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Server { transient, .. } => *transient,
            Error::Config(_)
            | Error::Authentication { .. }
            | Error::Protocol { .. }
            | Error::Tls { .. }
            | Error::Decode(_)
            | Error::Type(_)
            | Error::InvalidLsn { .. }
            | Error::InvalidName { .. }
            | Error::SchemaMismatch { .. } => false,
        }
    }

    /// Classifies a `tokio-postgres` error raised while `context` as `user`.
    pub fn from_postgres(e: tokio_postgres::Error, context: &str, user: &str) -> Error {
        let Some(db) = e.as_db_error() else {
            // A refused certificate or a server without TLS when TLS is required: retrying
            // cannot help. (`tokio-postgres` exposes the kind only through its message.)
            let text = e.to_string();
            if text.starts_with("error performing TLS handshake")
                || text.contains("server does not support TLS")
            {
                let cause = std::error::Error::source(&e).map(|c| c.to_string());
                return Error::Tls {
                    detail: match cause {
                        Some(c) => format!("{text} while {context}: {c}"),
                        None => format!("{text} while {context}"),
                    },
                };
            }
            // No server answer: the connection failed or broke.
            return Error::Server {
                context: context.to_string(),
                detail: e.to_string(),
                sqlstate: None,
                transient: true,
            };
        };
        let code = db.code().code().to_string();
        if code.starts_with("28") {
            return Error::Authentication {
                user: user.to_string(),
                detail: db.message().to_string(),
            };
        }
        Error::Server {
            context: context.to_string(),
            detail: db.message().to_string(),
            transient: sqlstate_is_transient(&code),
            sqlstate: Some(code),
        }
    }

    /// Classifies a `pgwire-replication` error raised while `context` as `user`.
    pub fn from_replication(
        e: pgwire_replication::PgWireError,
        context: &str,
        user: &str,
    ) -> Error {
        use pgwire_replication::PgWireError as W;
        let server = |detail: String, sqlstate: Option<String>, transient: bool| Error::Server {
            context: context.to_string(),
            detail,
            sqlstate,
            transient,
        };
        match e {
            W::Auth(detail) => Error::Authentication {
                user: user.to_string(),
                detail,
            },
            W::Server(text) => {
                // The crate flattens ErrorResponse into "message (SQLSTATE xxxxx)".
                let (detail, code) = split_sqlstate(&text);
                match code {
                    Some(c) if c.starts_with("28") => Error::Authentication {
                        user: user.to_string(),
                        detail: detail.to_string(),
                    },
                    Some(c) => server(
                        detail.to_string(),
                        Some(c.to_string()),
                        sqlstate_is_transient(c),
                    ),
                    None => server(text.clone(), None, true),
                }
            }
            W::Protocol(detail) => Error::Protocol {
                command: context.to_string(),
                detail,
            },
            W::Tls(detail) => {
                // pgwire-replication 0.5 compares the host name in verify-ca too (it misses
                // rustls' NotValidForNameContext), so say how to get past it.
                let hint = if detail.contains("not valid for name") {
                    "; the replication connection checks the host name even with verify-ca, so \
                     set database.hostname to a name or address the server's certificate lists"
                } else {
                    ""
                };
                Error::Tls {
                    detail: format!("{detail} while {context}{hint}"),
                }
            }
            e @ W::MessageTooLarge { .. } => server(e.to_string(), None, false),
            e => server(e.to_string(), None, true),
        }
    }
}

/// Splits `"message (SQLSTATE 28P01)"` into the message and the code.
fn split_sqlstate(text: &str) -> (&str, Option<&str>) {
    if let Some(start) = text.rfind(" (SQLSTATE ")
        && let Some(code) = text[start + 11..].strip_suffix(')')
        && code.len() == 5
    {
        return (&text[..start], Some(code));
    }
    (text, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_replication_errors_by_sqlstate() {
        use pgwire_replication::PgWireError as W;
        let auth =
            W::Server("password authentication failed for user \"x\" (SQLSTATE 28P01)".into());
        let e = Error::from_replication(auth, "connecting", "x");
        assert!(matches!(e, Error::Authentication { .. }) && !e.is_transient());
        assert!(
            e.to_string().contains("authentication failed for user 'x'"),
            "{e}"
        );

        let busy = W::Server("replication slot \"s\" is active for PID 7 (SQLSTATE 55006)".into());
        assert!(Error::from_replication(busy, "starting", "x").is_transient());
        let wal =
            W::Server("logical decoding requires wal_level >= logical (SQLSTATE 55000)".into());
        let e = Error::from_replication(wal, "creating the slot", "x");
        assert!(
            !e.is_transient() && e.to_string().contains("wal_level = logical"),
            "{e}"
        );
        let io = W::Io(std::sync::Arc::new(std::io::Error::other("reset")));
        assert!(Error::from_replication(io, "streaming", "x").is_transient());
        assert!(!Error::from_replication(W::Auth("no".into()), "c", "x").is_transient());
    }

    #[test]
    fn splits_sqlstate_suffix() {
        assert_eq!(
            split_sqlstate("boom (SQLSTATE 42704)"),
            ("boom", Some("42704"))
        );
        assert_eq!(split_sqlstate("boom"), ("boom", None));
        assert_eq!(
            split_sqlstate("boom (SQLSTATE 1)"),
            ("boom (SQLSTATE 1)", None)
        );
    }
}
