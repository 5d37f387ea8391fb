//! Logical replication slots: creating one with an exported snapshot, inspecting, dropping.
//!
//! `CREATE_REPLICATION_SLOT … LOGICAL pgoutput EXPORT_SNAPSHOT` returns the slot's
//! *consistent point* (the first LSN the slot will decode) and the name of a snapshot that sees
//! exactly the transactions committed before it. That snapshot stays importable only while the
//! creating replication session is open and runs no other command, so [`ExportedSlot`] keeps
//! the session (a gated `pgwire-replication` session that never starts streaming) until the
//! caller has imported the snapshot ([`crate::snapshot::SnapshotTransaction::begin`]) and calls
//! [`ExportedSlot::release`]. An imported snapshot stays valid after the export ends.
//!
//! The slot itself is persistent: the server releases it when the command completes, so a
//! separate session can stream from it at once.

use std::fmt;

use pgwire_replication::ReplicationClient;

use crate::connection::{PgConnectionConfig, validate_slot_name};
use crate::error::{Error, Result};
use crate::lsn::Lsn;

/// A newly created logical slot whose snapshot is still exported.
pub struct ExportedSlot {
    /// The slot's name.
    pub slot_name: String,
    /// The first LSN the slot decodes: stream from here to see every change the snapshot
    /// does not.
    pub consistent_point: Lsn,
    /// The exported snapshot, for `SET TRANSACTION SNAPSHOT`.
    pub snapshot_name: String,
    /// The output plugin (`pgoutput`).
    pub output_plugin: String,
    session: ReplicationClient,
}

impl fmt::Debug for ExportedSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportedSlot")
            .field("slot_name", &self.slot_name)
            .field("consistent_point", &self.consistent_point)
            .field("snapshot_name", &self.snapshot_name)
            .field("output_plugin", &self.output_plugin)
            .field("session_running", &self.session.is_running())
            .finish()
    }
}

impl ExportedSlot {
    /// Ends the creating session, and with it the export. Call it once the snapshot has been
    /// imported; dropping the value does the same.
    pub fn release(self) {
        // Dropping a gated client closes its gate: the worker sends Terminate and exits.
        drop(self.session);
    }
}

/// Creates the persistent logical slot `slot_name` with the `pgoutput` plugin and exports
/// its snapshot.
pub async fn create_slot_with_snapshot(
    conn: &PgConnectionConfig,
    slot_name: &str,
) -> Result<ExportedSlot> {
    validate_slot_name(slot_name)?;
    let context = format!("creating replication slot '{slot_name}'");
    let wire = |e| Error::from_replication(e, &context, &conn.user);
    let mut session = ReplicationClient::connect_gated(conn.replication_config(slot_name, &[])?)
        .await
        .map_err(wire)?;
    // The pre-PostgreSQL-15 spelling, still accepted by 15+, so older servers work too.
    let command = format!("CREATE_REPLICATION_SLOT {slot_name} LOGICAL pgoutput EXPORT_SNAPSHOT");
    let rows = session.simple_query(&command).await.map_err(wire)?;
    let protocol = |detail: String| Error::Protocol {
        command: command.clone(),
        detail,
    };
    let [row] = rows.as_slice() else {
        return Err(protocol(format!("expected one row, got {}", rows.len())));
    };
    let text = |i: usize, what: &str| -> Result<String> {
        let value = row
            .get(i)
            .and_then(Option::as_ref)
            .ok_or_else(|| protocol(format!("no {what}")))?;
        String::from_utf8(value.to_vec()).map_err(|_| protocol(format!("the {what} is not UTF-8")))
    };
    let exported = ExportedSlot {
        slot_name: text(0, "slot name")?,
        consistent_point: Lsn::parse(&text(1, "consistent point")?)?,
        snapshot_name: text(2, "snapshot name")?,
        output_plugin: text(3, "output plugin")?,
        session,
    };
    tracing::info!(
        slot = %exported.slot_name,
        consistent_point = %exported.consistent_point,
        snapshot = %exported.snapshot_name,
        "Created the replication slot and exported its snapshot."
    );
    Ok(exported)
}

/// Drops the slot `slot_name`, waiting for a session still holding it to let go
/// (`DROP_REPLICATION_SLOT … WAIT`, PostgreSQL 13+).
pub async fn drop_slot(conn: &PgConnectionConfig, slot_name: &str) -> Result<()> {
    validate_slot_name(slot_name)?;
    let context = format!("dropping replication slot '{slot_name}'");
    let wire = |e| Error::from_replication(e, &context, &conn.user);
    let mut session = ReplicationClient::connect_gated(conn.replication_config(slot_name, &[])?)
        .await
        .map_err(wire)?;
    session
        .simple_query(&format!("DROP_REPLICATION_SLOT {slot_name} WAIT"))
        .await
        .map_err(wire)?;
    tracing::info!(slot = %slot_name, "Dropped the replication slot.");
    Ok(())
}

/// What `pg_replication_slots` says about a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotState {
    /// The output plugin (`None` for a physical slot).
    pub plugin: Option<String>,
    /// The database the slot decodes (`None` for a physical slot).
    pub database: Option<String>,
    /// Whether a session is streaming from it now.
    pub active: bool,
    /// The oldest WAL the slot still needs.
    pub restart_lsn: Option<Lsn>,
    /// Everything before this was confirmed by the consumer: where streaming resumes.
    pub confirmed_flush_lsn: Option<Lsn>,
}

/// Reads the state of `slot_name`, `None` when no such slot exists.
pub async fn slot_state(conn: &PgConnectionConfig, slot_name: &str) -> Result<Option<SlotState>> {
    let context = format!("reading the state of replication slot '{slot_name}'");
    let client = conn.connect(&context).await?;
    let row = client
        .query_opt(
            "SELECT plugin::text, database::text, active, restart_lsn::text, confirmed_flush_lsn::text \
             FROM pg_replication_slots WHERE slot_name = $1",
            &[&slot_name],
        )
        .await
        .map_err(|e| Error::from_postgres(e, &context, &conn.user))?;
    let Some(row) = row else { return Ok(None) };
    let column = |i: usize| -> Result<Option<String>> {
        row.try_get(i)
            .map_err(|e| Error::from_postgres(e, &context, &conn.user))
    };
    let lsn =
        |i: usize| -> Result<Option<Lsn>> { column(i)?.as_deref().map(Lsn::parse).transpose() };
    Ok(Some(SlotState {
        plugin: column(0)?,
        database: column(1)?,
        active: row
            .try_get(2)
            .map_err(|e| Error::from_postgres(e, &context, &conn.user))?,
        restart_lsn: lsn(3)?,
        confirmed_flush_lsn: lsn(4)?,
    }))
}
