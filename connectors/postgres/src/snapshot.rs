//! Reading the database as of a replication slot's creation.
//!
//! A transaction that runs `SET TRANSACTION SNAPSHOT '<exported name>'` as its first statement
//! sees exactly what the exporting session saw when it created the slot: every transaction
//! committed before the slot's consistent point, and none after. Streaming from that
//! consistent point then delivers exactly the transactions the snapshot does not see, so
//! snapshot + stream cover every change once. The transaction is `REPEATABLE READ` (required
//! to import a snapshot, and it keeps that one snapshot for every query) and `READ ONLY`.

use std::fmt;

use crate::connection::PgConnectionConfig;
use crate::error::{Error, Result};

/// An open read-only transaction on a snapshot exported with a replication slot.
pub struct SnapshotTransaction {
    client: tokio_postgres::Client,
    snapshot_name: String,
    user: String,
}

impl fmt::Debug for SnapshotTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapshotTransaction")
            .field("snapshot_name", &self.snapshot_name)
            .finish()
    }
}

impl SnapshotTransaction {
    /// Opens a second, ordinary connection and starts a transaction on `snapshot_name`.
    ///
    /// The export must still be alive: call this before releasing the
    /// [`crate::slot::ExportedSlot`].
    pub async fn begin(
        conn: &PgConnectionConfig,
        snapshot_name: &str,
    ) -> Result<SnapshotTransaction> {
        validate_snapshot_name(snapshot_name)?;
        let context = format!("importing snapshot '{snapshot_name}'");
        let client = conn.connect(&context).await?;
        // SET TRANSACTION SNAPSHOT takes no bind parameter; the name was validated above.
        client
            .batch_execute(&format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot_name}'"
            ))
            .await
            .map_err(|e| Error::from_postgres(e, &context, &conn.user))?;
        tracing::debug!(snapshot = %snapshot_name, "Imported the exported snapshot.");
        Ok(SnapshotTransaction {
            client,
            snapshot_name: snapshot_name.to_string(),
            user: conn.user.clone(),
        })
    }

    /// The connection inside the transaction: every query on it reads the snapshot.
    pub fn client(&self) -> &tokio_postgres::Client {
        &self.client
    }

    /// The imported snapshot's name.
    pub fn snapshot_name(&self) -> &str {
        &self.snapshot_name
    }

    /// Ends the transaction and closes the connection.
    pub async fn commit(self) -> Result<()> {
        self.client.batch_execute("COMMIT").await.map_err(|e| {
            Error::from_postgres(
                e,
                &format!(
                    "ending the transaction on snapshot '{}'",
                    self.snapshot_name
                ),
                &self.user,
            )
        })
    }
}

/// Exported snapshot names are hexadecimal groups joined by dashes (`00000003-0000001B-1`).
fn validate_snapshot_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidName {
            what: "snapshot name",
            name: name.to_string(),
            rule: "an exported snapshot name is hexadecimal digits and dashes, as returned by CREATE_REPLICATION_SLOT",
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot_names_are_validated() {
        assert!(super::validate_snapshot_name("00000003-0000001B-1").is_ok());
        assert!(super::validate_snapshot_name("x'; DROP TABLE t; --").is_err());
        assert!(super::validate_snapshot_name("").is_err());
    }
}
