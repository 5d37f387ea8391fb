//! Resuming after logical decoding messages on the real PostgreSQL 15: a task restarted on the
//! stored offset of a message emits exactly what followed it — for a transactional message,
//! the rest of its transaction even when the next change starts at the message's LSN (a
//! message's LSN is the end of its WAL record); for a non-transactional one, what committed
//! after it — and a restart on an earlier offset emits the messages again.

mod common;

use common::{StoredOffsets, poll, wait_slot};
use sluice_api::connector::SourceTask;
use sluice_api::{SourceRecord, Value};
use sluice_postgres::{PgConnectionConfig, PostgresConnectorTask};

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.as_struct().unwrap().get(name).unwrap()
}

/// `c:<note>` for a row, `m:<content>` for a message.
fn label(r: &SourceRecord) -> String {
    match field(&r.value, "op").as_str().unwrap() {
        "m" => match field(field(&r.value, "message"), "content") {
            Value::Bytes(b) => format!("m:{}", String::from_utf8_lossy(b)),
            other => panic!("message content {other:?}"),
        },
        op => format!(
            "{op}:{}",
            field(field(&r.value, "after"), "note").as_str().unwrap()
        ),
    }
}

fn source_lsn(r: &SourceRecord) -> i64 {
    match field(field(&r.value, "source"), "lsn") {
        Value::Int64(l) => *l,
        other => panic!("source.lsn {other:?}"),
    }
}

async fn start(
    c: &PgConnectionConfig,
    offsets: StoredOffsets,
    drop_slot: bool,
) -> PostgresConnectorTask {
    let extra = [
        ("slot.drop.on.stop", drop_slot.to_string()),
        // Every event its own position: the restarts below start on each one.
        ("sluice.offsets.every.events", "1".to_string()),
    ];
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    common::start_task(c, "msgresume", &extra, offsets).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_a_message_offset_emits_exactly_what_followed_it() {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("pgmsgresume").await;
    let c = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = c.connect("the message resume test").await.unwrap();
    client
        .batch_execute("CREATE TABLE t (id serial PRIMARY KEY, note text)")
        .await
        .unwrap();

    let mut first = start(&c, StoredOffsets::default(), false).await;
    wait_slot(&client, &c.database, true).await;
    client
        .batch_execute(
            "BEGIN;
             INSERT INTO t (note) VALUES ('a');
             SELECT pg_logical_emit_message(true, 'p', 'tx');
             INSERT INTO t (note) VALUES ('b');
             COMMIT;
             SELECT pg_logical_emit_message(false, 'p', 'nontx');
             INSERT INTO t (note) VALUES ('c');",
        )
        .await
        .unwrap();
    let all = poll(&mut first, 5).await;
    first.stop().await.unwrap();
    let labels: Vec<String> = all.iter().map(label).collect();
    assert_eq!(labels, ["c:a", "m:tx", "c:b", "m:nontx", "c:c"]);
    // The hazard the message offsets are built for: the change after the transactional
    // message starts where the message's record ends (nothing else wrote WAL in between).
    assert!(source_lsn(&all[2]) >= source_lsn(&all[1]));

    let cases: [(usize, &[&str]); 4] = [
        (0, &["m:tx", "c:b", "m:nontx", "c:c"]),
        (1, &["c:b", "m:nontx", "c:c"]),
        (2, &["m:nontx", "c:c"]),
        (3, &["c:c"]),
    ];
    for (i, (stored, expected)) in cases.iter().enumerate() {
        wait_slot(&client, &c.database, false).await;
        let offset = all[*stored].source_offset.clone();
        let last = i + 1 == cases.len();
        let mut task = start(&c, StoredOffsets::holding(offset.clone()), last).await;
        let records = poll(&mut task, expected.len()).await;
        task.stop().await.unwrap();
        let labels: Vec<String> = records.iter().map(label).collect();
        assert_eq!(
            labels,
            *expected,
            "restarted on the offset of {} ({offset:?})",
            label(&all[*stored])
        );
    }
}
