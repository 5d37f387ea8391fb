//! Opening the transaction a snapshot reads through: for a new snapshot, the one exported by a
//! newly created slot (so streaming continues exactly at its consistent point); for a resumed
//! snapshot, a fresh `REPEATABLE READ` transaction next to the kept slot, whose consistent
//! point (the stored `lsn`) stays where streaming starts (why that loses nothing: `offsets.rs`).

use super::config::PostgresConfig;
use crate::error::{Error, Result};
use crate::lsn::Lsn;
use crate::slot::{create_slot_with_snapshot, drop_slot};
use crate::snapshot::SnapshotTransaction;

enum Transaction {
    Exported(SnapshotTransaction),
    Fresh(tokio_postgres::Client),
}

/// An open snapshot transaction and what its records say.
pub(crate) struct SnapshotReader {
    transaction: Transaction,
    /// Where streaming continues after the snapshot (every snapshot record's `lsn`).
    pub(crate) lsn: Lsn,
    /// The snapshot transaction's id (`source.txId` of the snapshot records).
    pub(crate) tx_id: i64,
    user: String,
}

impl std::fmt::Debug for SnapshotReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotReader")
            .field("lsn", &self.lsn)
            .field("tx_id", &self.tx_id)
            .finish_non_exhaustive()
    }
}

impl SnapshotReader {
    /// Creates the slot (dropping an existing one first, so the new snapshot is the one it
    /// exports) and imports its snapshot.
    pub(crate) async fn new_slot(
        config: &PostgresConfig,
        slot_exists: bool,
    ) -> Result<SnapshotReader> {
        if slot_exists {
            tracing::info!(slot = %config.slot, "Recreating the replication slot for a new snapshot.");
            drop_slot(&config.connection, &config.slot).await?;
        }
        let slot = create_slot_with_snapshot(&config.connection, &config.slot).await?;
        let txn = SnapshotTransaction::begin(&config.connection, &slot.snapshot_name).await?;
        let lsn = slot.consistent_point;
        // The snapshot is imported: the exporting session may end.
        slot.release();
        let tx_id = transaction_id(txn.client(), &config.connection.user).await?;
        Ok(SnapshotReader {
            transaction: Transaction::Exported(txn),
            lsn,
            tx_id,
            user: config.connection.user.clone(),
        })
    }

    /// A new `REPEATABLE READ` transaction for resuming a snapshot whose slot (at `lsn`) is
    /// kept.
    pub(crate) async fn resumed(config: &PostgresConfig, lsn: Lsn) -> Result<SnapshotReader> {
        let user = &config.connection.user;
        let context = "starting a transaction to resume the snapshot";
        let client = config.connection.connect(context).await?;
        client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(|e| Error::from_postgres(e, context, user))?;
        let tx_id = transaction_id(&client, user).await?;
        Ok(SnapshotReader {
            transaction: Transaction::Fresh(client),
            lsn,
            tx_id,
            user: user.clone(),
        })
    }

    /// The connection inside the snapshot transaction.
    pub(crate) fn client(&self) -> &tokio_postgres::Client {
        match &self.transaction {
            Transaction::Exported(t) => t.client(),
            Transaction::Fresh(c) => c,
        }
    }

    /// Ends the transaction.
    pub(crate) async fn commit(self) -> Result<()> {
        match self.transaction {
            Transaction::Exported(t) => t.commit().await,
            Transaction::Fresh(c) => c.batch_execute("COMMIT").await.map_err(|e| {
                Error::from_postgres(e, "ending the resumed snapshot's transaction", &self.user)
            }),
        }
    }
}

async fn transaction_id(client: &tokio_postgres::Client, user: &str) -> Result<i64> {
    Ok(client
        .query_one("SELECT txid_current()", &[])
        .await
        .map_err(|e| Error::from_postgres(e, "reading the snapshot's transaction id", user))?
        .get(0))
}
