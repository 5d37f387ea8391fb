//! Start-up: the checks that tell an operator exactly what to fix (`wal_level`, the
//! REPLICATION privilege, a slot held by another client, a dropped slot), the publication, and
//! the decision where to start — snapshot or not, from which LSN — from the stored offset, the
//! slot's state and `snapshot.mode` (including whether an unfinished snapshot resumes).

use super::config::{PostgresConfig, PublicationMode, SnapshotMode};
use super::offsets::{Resume, SnapshotPosition};
use super::tables::{TableId, quote_ident};
use crate::error::{Error, Result};
use crate::slot::slot_state;

fn failed(context: &str, detail: String) -> Error {
    Error::Server {
        context: context.to_string(),
        detail,
        sqlstate: None,
        transient: false,
    }
}

/// Checks the server settings and the user's privileges.
pub async fn check_server(client: &tokio_postgres::Client, config: &PostgresConfig) -> Result<()> {
    let user = &config.connection.user;
    let context = "checking the server for logical replication";
    let wal_level: String = client
        .query_one("SELECT current_setting('wal_level')", &[])
        .await
        .map_err(|e| Error::from_postgres(e, context, user))?
        .get(0);
    if wal_level != "logical" {
        return Err(failed(
            context,
            format!(
                "wal_level is '{wal_level}', but logical decoding needs wal_level = logical: set it in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL"
            ),
        ));
    }
    let can_replicate: bool = client
        .query_one(
            "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .map_err(|e| Error::from_postgres(e, context, user))?
        .get(0);
    if !can_replicate {
        return Err(failed(
            context,
            format!(
                "user '{user}' may not stream changes: grant it the REPLICATION attribute (ALTER ROLE {} REPLICATION)",
                quote_ident(user)
            ),
        ));
    }
    Ok(())
}

/// Makes sure the publication exists (and, in `filtered` mode, covers exactly `tables`).
pub async fn ensure_publication(
    client: &tokio_postgres::Client,
    config: &PostgresConfig,
    tables: &[TableId],
) -> Result<()> {
    let user = &config.connection.user;
    let name = &config.publication;
    let context = format!("setting up publication '{name}'");
    let exists = client
        .query_opt(
            "SELECT puballtables FROM pg_publication WHERE pubname = $1",
            &[name],
        )
        .await
        .map_err(|e| Error::from_postgres(e, &context, user))?
        .is_some();
    let table_list = || {
        tables
            .iter()
            .map(TableId::quoted)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sql = match (config.publication_mode, exists) {
        (PublicationMode::Disabled, false) => {
            return Err(failed(
                &context,
                format!(
                    "the publication does not exist and publication.autocreate.mode is 'disabled': create it (CREATE PUBLICATION {} FOR ALL TABLES) or set publication.autocreate.mode=all_tables",
                    quote_ident(name)
                ),
            ));
        }
        (_, true) if config.publication_mode != PublicationMode::Filtered => return Ok(()),
        (PublicationMode::AllTables, false) => {
            format!("CREATE PUBLICATION {} FOR ALL TABLES", quote_ident(name))
        }
        (_, _) if tables.is_empty() => {
            return Err(failed(
                &context,
                "publication.autocreate.mode is 'filtered' but no table matches the include/exclude lists: check table.include.list and schema.include.list".into(),
            ));
        }
        (_, false) => format!(
            "CREATE PUBLICATION {} FOR TABLE {}",
            quote_ident(name),
            table_list()
        ),
        (_, true) => format!(
            "ALTER PUBLICATION {} SET TABLE {}",
            quote_ident(name),
            table_list()
        ),
    };
    tracing::info!(publication = %name, %sql, "Setting up the publication.");
    client
        .batch_execute(&sql)
        .await
        .map_err(|e| Error::from_postgres(e, &context, user))
}

/// How long start-up waits for a slot held by another session to be released.
const SLOT_RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(90);

/// Where the task starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Take a snapshot first.
    pub snapshot: bool,
    /// The slot exists already (no exported snapshot: a fresh one is taken).
    pub slot_exists: bool,
    /// Stream only after the snapshot (`initial_only`: never).
    pub stream: bool,
    /// Resume the unfinished snapshot from here, keeping the slot (see `offsets.rs`).
    pub resume_snapshot: Option<SnapshotPosition>,
}

/// Decides from the stored offset, the slot and `snapshot.mode`.
pub async fn plan(config: &PostgresConfig, resume: Option<&Resume>) -> Result<Plan> {
    // A slot still held by the session of a worker that died (kill -9) is released once the
    // server notices (wal_sender_timeout): wait for that rather than fail at once.
    let deadline = std::time::Instant::now() + SLOT_RELEASE_WAIT;
    let mut state = slot_state(&config.connection, &config.slot).await?;
    while state.as_ref().is_some_and(|s| s.active) && std::time::Instant::now() < deadline {
        tracing::info!(slot = %config.slot, "The replication slot is still in use; waiting for it to be released.");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        state = slot_state(&config.connection, &config.slot).await?;
    }
    if let Some(s) = &state {
        if s.active {
            return Err(Error::Server {
                context: format!("starting to stream from replication slot '{}'", config.slot),
                detail: "another client is streaming from this slot (pg_replication_slots.active): stop it, or give this connector its own slot.name".into(),
                sqlstate: Some("55006".into()),
                transient: true,
            });
        }
        if s.plugin.as_deref() != Some("pgoutput")
            || s.database.as_deref() != Some(config.connection.database.as_str())
        {
            return Err(failed(
                "checking the replication slot",
                format!(
                    "slot '{}' exists but is not a pgoutput slot of database '{}' (plugin {:?}, database {:?}): choose another slot.name",
                    config.slot, config.connection.database, s.plugin, s.database
                ),
            ));
        }
    }
    let slot_exists = state.is_some();
    let has_offset = resume.is_some();
    let incomplete = resume.is_some_and(|r| r.snapshot_incomplete);
    let streamed_before = resume.is_some_and(|r| !r.snapshot_incomplete);
    if streamed_before
        && !slot_exists
        && config.snapshot_mode != SnapshotMode::WhenNeeded
        && config.snapshot_mode != SnapshotMode::Always
    {
        return Err(failed(
            "resuming from the stored offsets",
            format!(
                "the replication slot '{}' no longer exists, but the stored offsets say streaming had started: the changes since then are gone from the WAL. Set snapshot.mode=when_needed to take a new snapshot, or delete the connector's offsets (DELETE /connectors/<name>/offsets while it is stopped)",
                config.slot
            ),
        ));
    }
    let snapshot = match config.snapshot_mode {
        SnapshotMode::Initial | SnapshotMode::InitialOnly => !has_offset || incomplete,
        SnapshotMode::NoData => false,
        SnapshotMode::Always => true,
        SnapshotMode::WhenNeeded => !has_offset || incomplete || !slot_exists,
    };
    // An unfinished snapshot with a stored position resumes only on a slot still at the
    // consistent point its records name: the slot then holds every change since that point.
    let resume_snapshot = match (resume, &state) {
        (Some(r), Some(slot)) if snapshot && incomplete => match &r.snapshot_position {
            Some(p) if r.lsn.is_some() && slot.confirmed_flush_lsn == r.lsn => Some(p.clone()),
            Some(_) => {
                tracing::warn!(
                    slot = %config.slot,
                    stored_lsn = ?r.lsn,
                    slot_confirmed_flush_lsn = ?slot.confirmed_flush_lsn,
                    "The unfinished snapshot cannot be resumed: the replication slot is no longer at the snapshot's consistent point. Taking a new snapshot."
                );
                None
            }
            None => None,
        },
        _ => None,
    };
    Ok(Plan {
        snapshot,
        slot_exists,
        stream: config.snapshot_mode != SnapshotMode::InitialOnly,
        resume_snapshot,
    })
}
