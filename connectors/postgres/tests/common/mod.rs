//! What the connector tests share: an [`OffsetReader`] standing in for the worker's offset
//! store (the offsets a test says were stored), and a task started on it.
// Shared by several test binaries, each using only some of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sluice_api::connector::SourceTask;
use sluice_api::connector::{BoxFuture, ConnectResult, OffsetReader};
use sluice_api::{OffsetMap, SourceRecord};

/// The offsets the worker would have stored for the connector (`None`: nothing stored).
#[derive(Debug, Default, Clone)]
pub(crate) struct StoredOffsets(pub(crate) Arc<Mutex<Option<OffsetMap>>>);

impl StoredOffsets {
    /// Offsets holding `offset` for the connector's partition.
    pub(crate) fn holding(offset: OffsetMap) -> Self {
        StoredOffsets(Arc::new(Mutex::new(Some(offset))))
    }
}

impl OffsetReader for StoredOffsets {
    fn offset<'a>(&'a self, _p: &'a OffsetMap) -> BoxFuture<'a, ConnectResult<Option<OffsetMap>>> {
        let v = self.0.lock().unwrap().clone();
        Box::pin(async move { Ok(v) })
    }
}

/// A task's properties for the database of `c`: its connection, `topic.prefix` = `prefix`, and
/// a slot and publication named after the database; `extra` adds or replaces keys.
pub(crate) fn props(
    c: &sluice_postgres::PgConnectionConfig,
    prefix: &str,
    extra: &[(&str, &str)],
) -> Vec<(String, Option<String>)> {
    let port = c.port.to_string();
    let mut p: Vec<(&str, &str)> = vec![
        (
            "connector.class",
            "io.debezium.connector.postgresql.PostgresConnector",
        ),
        ("database.hostname", &c.host),
        ("database.port", &port),
        ("database.user", &c.user),
        ("database.password", &c.password),
        ("database.dbname", &c.database),
        ("topic.prefix", prefix),
        ("slot.name", &c.database),
        ("publication.name", &c.database),
    ];
    for (k, v) in extra {
        p.retain(|(key, _)| key != k);
        p.push((k, v));
    }
    p.into_iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

/// Whether a session is streaming from replication slot `slot` now.
pub(crate) async fn slot_active(client: &tokio_postgres::Client, slot: &str) -> bool {
    client
        .query_opt(
            "SELECT active FROM pg_replication_slots WHERE slot_name = $1",
            &[&slot],
        )
        .await
        .unwrap()
        .is_some_and(|r| r.get::<_, bool>(0))
}

/// Polls `task` until `n` records arrived (60 s at most), then 1.5 s more to catch extras.
pub(crate) async fn poll(
    task: &mut sluice_postgres::PostgresConnectorTask,
    n: usize,
) -> Vec<SourceRecord> {
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while out.len() < n && Instant::now() < deadline {
        out.extend(task.poll().await.unwrap());
    }
    let settle = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < settle {
        out.extend(task.poll().await.unwrap());
    }
    out
}

/// Waits (60 s at most) until slot `slot` is (`true`) or is no longer (`false`) streamed from.
pub(crate) async fn wait_slot(client: &tokio_postgres::Client, slot: &str, active: bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while slot_active(client, slot).await != active {
        assert!(
            Instant::now() < deadline,
            "slot {slot} not active={active} in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A task of the database of `c` (see [`props`]) started on `offsets`.
pub(crate) async fn start_task(
    c: &sluice_postgres::PgConnectionConfig,
    prefix: &str,
    extra: &[(&str, &str)],
    offsets: StoredOffsets,
) -> sluice_postgres::PostgresConnectorTask {
    use sluice_api::connector::{SourceConnector, SourceTaskContext};
    let mut task = sluice_postgres::PostgresConnector::default().create_task();
    task.start(
        props(c, prefix, extra),
        SourceTaskContext::new(Arc::new(offsets)),
    )
    .await
    .unwrap();
    task
}
