//! Resuming an interrupted snapshot on the real PostgreSQL 15: a task started on the offset of
//! a record in the middle of the snapshot continues right after that record's key, on the same
//! slot, reads the remaining tables (one without a primary key, read whole), then streams
//! every change made since the original consistent point. Offsets without a usable position
//! (Debezium's, or a slot that moved) take a new snapshot from the first row instead.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::StoredOffsets;
use sluice_api::connector::{SourceConnector, SourceTask, SourceTaskContext};
use sluice_api::{OffsetMap, SourceRecord, Value};
use sluice_postgres::connector::snapshotter::OFFSET_EVERY_ROWS;
use sluice_postgres::{PgConnectionConfig, PostgresConnector, PostgresConnectorTask, slot_state};

/// Polls until `done` says the records so far are enough (or 60 s pass).
async fn poll_while(
    task: &mut PostgresConnectorTask,
    done: impl Fn(&[SourceRecord]) -> bool,
) -> Vec<SourceRecord> {
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(&out) && Instant::now() < deadline {
        out.extend(task.poll().await.unwrap());
    }
    out
}

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.as_struct().unwrap().get(name).unwrap()
}

/// The envelope's `op`, `"tombstone"` for a tombstone.
fn op(r: &SourceRecord) -> &str {
    match &r.value {
        Value::Null => "tombstone",
        v => field(v, "op").as_str().unwrap(),
    }
}

fn marker(r: &SourceRecord) -> &str {
    field(field(&r.value, "source"), "snapshot")
        .as_str()
        .unwrap()
}

/// A row's `after` column as text (strings as they are, numbers printed).
fn col(r: &SourceRecord, name: &str) -> String {
    match field(field(&r.value, "after"), name) {
        Value::String(s) => s.to_string(),
        Value::Int32(i) => i.to_string(),
        Value::Int64(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

fn snapshot_done(records: &[SourceRecord]) -> bool {
    records.iter().any(|r| marker(r) == "last")
}

async fn start(c: &PgConnectionConfig, offsets: StoredOffsets) -> PostgresConnectorTask {
    // Small chunks and batches: the interruption lands mid-table, between chunks.
    let props = common::props(
        c,
        "resume",
        &[
            ("snapshot.fetch.size", "7"),
            ("max.batch.size", "4"),
            ("max.queue.size", "8"),
        ],
    );
    let mut task = PostgresConnector::default().create_task();
    task.start(props, SourceTaskContext::new(Arc::new(offsets)))
        .await
        .unwrap();
    task
}

/// A database with `a` (a two-column text/int key, with quotes, backslashes and non-ASCII in
/// it), `b` (no primary key) and `c` (a bigint key).
async fn database(prefix: &str) -> (PgConnectionConfig, tokio_postgres::Client) {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database(prefix).await;
    let c = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = c.connect("the snapshot resume test").await.unwrap();
    client
        .batch_execute(
            r#"CREATE TABLE a (region text, id int, v int NOT NULL, PRIMARY KEY (region, id));
               INSERT INTO a SELECT r, g, 0
                 FROM unnest(ARRAY['north', 'it''s', 'back\slash', 'zürich', 'a b,c']) r,
                      generate_series(1, 10) g;
               CREATE TABLE b (x int);
               INSERT INTO b SELECT generate_series(1, 10);
               CREATE TABLE c (id bigint PRIMARY KEY, v int NOT NULL);
               INSERT INTO c SELECT g, 0 FROM generate_series(1, 100) g;"#,
        )
        .await
        .unwrap();
    (c, client)
}

/// The index of the last record of `records` that gives a position (a non-empty offset): what
/// the worker stores once they are all acknowledged.
fn last_position(records: &[SourceRecord]) -> usize {
    let k = records
        .iter()
        .rposition(|r| !r.source_offset.is_empty())
        .expect("the first snapshot row gives its position");
    assert!(
        records.len() - k <= OFFSET_EVERY_ROWS as usize,
        "a position at least every {OFFSET_EVERY_ROWS} rows"
    );
    k
}

/// The slot's `confirmed_flush_lsn` as the offsets store it.
async fn slot_position(c: &PgConnectionConfig) -> i64 {
    let state = slot_state(c, &c.database).await.unwrap().expect("the slot");
    state.confirmed_flush_lsn.unwrap().as_u64() as i64
}

/// Drops the test's slot once the task let go of it (tasks here keep it on stop).
async fn drop_slot(client: &tokio_postgres::Client, slot: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(e) = client
        .execute("SELECT pg_drop_replication_slot($1)", &[&slot])
        .await
    {
        assert!(Instant::now() < deadline, "cannot drop slot {slot}: {e}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_snapshot_resumes_after_the_stored_key_on_the_same_slot() {
    let (c, client) = database("pgresume").await;
    let order: Vec<(String, String)> = client
        .query("SELECT region, id FROM a ORDER BY region, id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get::<_, i32>(1).to_string()))
        .collect();

    // The first run: stopped once 30 of the 50 rows of `a` were read.
    let mut first = start(&c, StoredOffsets::default()).await;
    let read = poll_while(&mut first, |r| r.len() >= 30).await;
    first.stop().await.unwrap();
    let rows: Vec<(String, String)> = read
        .iter()
        .map(|r| (col(r, "region"), col(r, "id")))
        .collect();
    assert_eq!(rows, order[..read.len()], "a is read in primary-key order");
    // The worker stored the last position given up to the 20th record (rows carry one only
    // every OFFSET_EVERY_ROWS rows; the others' empty offsets move nothing).
    let k = last_position(&read[..20]);
    let stored: OffsetMap = read[k].source_offset.clone();
    assert_eq!(stored["sluice_snapshot_table"], "a");
    assert_eq!(
        stored["sluice_snapshot_key"],
        serde_json::json!([&order[k].0, &order[k].1]).to_string(),
        "the offset names the record's own key"
    );
    assert_eq!(stored["sluice_snapshot_key_columns"], r#"["region","id"]"#);
    let lsn = stored["lsn"].as_i64().unwrap();
    assert_eq!(
        slot_position(&c).await,
        lsn,
        "the slot is still at the consistent point"
    );

    // Changes while the connector is down: before and after the stored key, and in `c`.
    let (low, high) = (&order[5], &order[40]);
    client
        .execute(
            "UPDATE a SET v = 1 WHERE region = $1 AND id = $2::text::int",
            &[&low.0, &low.1],
        )
        .await
        .unwrap();
    client
        .execute(
            "UPDATE a SET v = 2 WHERE region = $1 AND id = $2::text::int",
            &[&high.0, &high.1],
        )
        .await
        .unwrap();
    client
        .batch_execute("INSERT INTO c VALUES (101, 0); DELETE FROM c WHERE id = 50;")
        .await
        .unwrap();

    let mut second = start(&c, StoredOffsets::holding(stored)).await;
    let all = poll_while(&mut second, |r| {
        snapshot_done(r)
            && r.iter()
                .filter(|r| !matches!(op(r), "r" | "tombstone"))
                .count()
                >= 4
    })
    .await;
    second.stop().await.unwrap();
    drop_slot(&client, &c.database).await;
    let snap: Vec<&SourceRecord> = all.iter().filter(|r| op(r) == "r").collect();
    let streamed: Vec<&SourceRecord> = all
        .iter()
        .filter(|r| !matches!(op(r), "r" | "tombstone"))
        .collect();

    // `a` continues right after the stored key: no row of it before, every row after.
    let a: Vec<(String, String)> = snap
        .iter()
        .filter(|r| r.topic == "resume.public.a")
        .map(|r| (col(r, "region"), col(r, "id")))
        .collect();
    assert_eq!(
        a,
        order[k + 1..],
        "the rows of a after the stored key, each once"
    );
    assert_ne!(
        marker(snap[0]),
        "first",
        "a resumed snapshot does not start anew"
    );
    // Read as of the resumed snapshot: the later update shows.
    let high_row = snap
        .iter()
        .find(|r| r.topic == "resume.public.a" && (col(r, "region"), col(r, "id")) == *high)
        .unwrap();
    assert_eq!(col(high_row, "v"), "2");
    // The other tables whole, as of now.
    assert_eq!(
        snap.iter().filter(|r| r.topic == "resume.public.b").count(),
        10
    );
    let c_ids: Vec<i64> = snap
        .iter()
        .filter(|r| r.topic == "resume.public.c")
        .map(|r| col(r, "id").parse().unwrap())
        .collect();
    let expected_c: Vec<i64> = (1..=101).filter(|i| *i != 50).collect();
    assert_eq!(c_ids, expected_c);
    // Same slot, same consistent point; the last record completes the snapshot.
    assert!(
        snap.iter()
            .filter(|r| !r.source_offset.is_empty())
            .all(|r| r.source_offset["lsn"].as_i64() == Some(lsn))
    );
    let last = snap.last().unwrap();
    assert_eq!(marker(last), "last");
    assert_eq!(last.source_offset["snapshot_completed"], true);
    assert!(
        !last.source_offset.keys().any(|k| k.starts_with("sluice_")),
        "{:?}",
        last.source_offset
    );
    // Every change since the consistent point is streamed, the one before the key included.
    let changes: Vec<(String, &str)> = streamed.iter().map(|r| (r.topic.clone(), op(r))).collect();
    assert_eq!(
        changes,
        [
            ("resume.public.a".to_string(), "u"),
            ("resume.public.a".to_string(), "u"),
            ("resume.public.c".to_string(), "c"),
            ("resume.public.c".to_string(), "d"),
        ],
        "{changes:?}"
    );
    assert_eq!(
        (
            col(streamed[0], "region"),
            col(streamed[0], "id"),
            col(streamed[0], "v")
        ),
        (low.0.clone(), low.1.clone(), "1".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_without_a_usable_position_take_a_new_snapshot() {
    let (c, client) = database("pgnoresume").await;
    let mut first = start(&c, StoredOffsets::default()).await;
    let read = poll_while(&mut first, |r| r.len() >= 12).await;
    first.stop().await.unwrap();
    let stored = read[last_position(&read[..10])].source_offset.clone();
    let lsn = stored["lsn"].as_i64().unwrap();

    // Debezium's own offset of an unfinished snapshot (no position), and Sluice's with the
    // slot no longer at the stored point: both start over, from the first row.
    let debezium: OffsetMap = stored
        .iter()
        .filter(|(k, _)| !k.starts_with("sluice_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut moved = stored.clone();
    moved.insert("lsn".into(), serde_json::json!(lsn - 1));
    for offset in [moved, debezium] {
        let mut task = start(&c, StoredOffsets::holding(offset.clone())).await;
        let records = poll_while(&mut task, |r| !r.is_empty()).await;
        task.stop().await.unwrap();
        assert_eq!(marker(&records[0]), "first", "{offset:?}");
        assert_eq!(
            (col(&records[0], "region"), col(&records[0], "id")),
            (col(&read[0], "region"), col(&read[0], "id")),
            "{offset:?}"
        );
    }
    drop_slot(&client, &c.database).await;
}
