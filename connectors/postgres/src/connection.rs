//! Where and as whom to connect, for both kinds of connection the connector opens.
//!
//! The same server, database and user serve the ordinary connection (`tokio-postgres`: slot
//! inspection, the snapshot) and the replication connection (`pgwire-replication`: slot
//! creation, streaming). An exported snapshot can only be imported in the database it was
//! exported from, so keeping one description of the target keeps both sides consistent.
//!
//! Both connections pin the session settings that shape text output (`DateStyle`,
//! `IntervalStyle`, `extra_float_digits`, `TimeZone`, `lc_monetary`), so a value read by the
//! snapshot and the same value decoded from the stream have the same text, whatever the
//! server's defaults are.
//!
//! Both connections use the same TLS settings ([`crate::tls`]).

use std::fmt;

use crate::error::{Error, Result};
use crate::tls::TlsOptions;

/// Session settings applied to every connection (as the startup `options` parameter).
const SESSION_OPTIONS: &str = "-c DateStyle=ISO,YMD -c IntervalStyle=postgres \
     -c extra_float_digits=3 -c TimeZone=UTC -c lc_monetary=C";

/// The PostgreSQL server, database and credentials the connector uses.
#[derive(Clone)]
pub struct PgConnectionConfig {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User name; streaming needs the REPLICATION attribute (or a superuser).
    pub user: String,
    /// Password (never printed by `Debug`).
    pub password: String,
    /// The database to capture.
    pub database: String,
    /// `application_name` shown in `pg_stat_activity` / `pg_stat_replication`.
    pub application_name: String,
    /// TLS (`database.sslmode` and the certificate keys); disabled by default.
    pub tls: TlsOptions,
}

impl fmt::Debug for PgConnectionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConnectionConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"********")
            .field("database", &self.database)
            .field("application_name", &self.application_name)
            .field("tls", &self.tls)
            .finish()
    }
}

impl PgConnectionConfig {
    /// A configuration with the default `application_name` (`sluice`).
    pub fn new(
        host: impl Into<String>,
        port: u16,
        user: impl Into<String>,
        password: impl Into<String>,
        database: impl Into<String>,
    ) -> PgConnectionConfig {
        PgConnectionConfig {
            host: host.into(),
            port,
            user: user.into(),
            password: password.into(),
            database: database.into(),
            application_name: "sluice".to_string(),
            tls: TlsOptions::default(),
        }
    }

    /// Opens an ordinary (non-replication) connection; its I/O runs on a spawned task that
    /// ends when the returned client is dropped. `context` names the purpose in errors.
    pub async fn connect(&self, context: &str) -> Result<tokio_postgres::Client> {
        let mut config = tokio_postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .password(&self.password)
            .dbname(&self.database)
            .application_name(&self.application_name)
            .options(SESSION_OPTIONS)
            .ssl_mode(self.tls.postgres_ssl_mode());
        let failed = |e| Error::from_postgres(e, context, &self.user);
        let purpose = context.to_string();
        let report = move |result: std::result::Result<(), tokio_postgres::Error>| {
            if let Err(e) = result {
                tracing::warn!(error = %e, "The PostgreSQL connection used for {purpose} failed.");
            }
        };
        let client = match self.tls.postgres_connector()? {
            None => {
                let (client, connection) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(failed)?;
                tokio::spawn(async move { report(connection.await) });
                client
            }
            Some(tls) => {
                let (client, connection) = config.connect(tls).await.map_err(failed)?;
                tokio::spawn(async move { report(connection.await) });
                client
            }
        };
        Ok(client)
    }

    /// The `pgwire-replication` configuration for `slot` streaming `publications`.
    pub(crate) fn replication_config(
        &self,
        slot: &str,
        publications: &[String],
    ) -> Result<pgwire_replication::ReplicationConfig> {
        Ok(pgwire_replication::ReplicationConfig::new(
            self.host.clone(),
            self.user.clone(),
            self.password.clone(),
            self.database.clone(),
            slot.to_string(),
            publications.to_vec(),
        )
        .with_port(self.port)
        .with_tls(self.tls.replication_tls(&self.host)?)
        .with_application_name(self.application_name.clone())
        .with_options(SESSION_OPTIONS))
    }
}

/// Checks a name Sluice must write unquoted into a replication command: PostgreSQL allows
/// replication slot names of 1 to 63 lowercase letters, digits and underscores.
pub(crate) fn validate_slot_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidName {
            what: "replication slot name",
            name: name.to_string(),
            rule: "use 1 to 63 lowercase letters, digits and underscores",
        })
    }
}

/// Checks a publication name for the `publication_names` option, a comma-separated list.
pub(crate) fn validate_publication_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && !name
            .bytes()
            .any(|b| b == b',' || b == b'"' || b.is_ascii_whitespace() || b == 0);
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidName {
            what: "publication name",
            name: name.to_string(),
            rule: "use 1 to 63 characters without commas, quotes or white space",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_the_password() {
        let c = PgConnectionConfig::new("h", 5432, "u", "s3cret", "db");
        let text = format!("{c:?}");
        assert!(
            !text.contains("s3cret") && text.contains("********"),
            "{text}"
        );
    }

    #[test]
    fn validates_names() {
        assert!(validate_slot_name("sluice_slot_1").is_ok());
        for bad in ["", "Upper", "a-b", "a b", "x; DROP", &"a".repeat(64)] {
            assert!(validate_slot_name(bad).is_err(), "{bad}");
        }
        assert!(validate_publication_name("dbz_publication").is_ok());
        for bad in ["", "a,b", "a b", "a\"b"] {
            assert!(validate_publication_name(bad).is_err(), "{bad}");
        }
    }
}
