//! Sparse stream positions on the real PostgreSQL 15 (`sluice.offsets.every.events`, default
//! 64): in a 150-row transaction only the 64th, the 128th and the last event carry a source
//! position, the next transaction's last event carries one too, and a task restarted on a
//! stored mid-transaction position emits exactly the events after it.

mod common;

use common::{StoredOffsets, poll, wait_slot};
use sluice_api::connector::SourceTask;
use sluice_api::{SourceRecord, Value};
use sluice_postgres::{PgConnectionConfig, PostgresConnectorTask};

fn id(r: &SourceRecord) -> i32 {
    let after = r.value.as_struct().unwrap().get("after").unwrap();
    match after.as_struct().unwrap().get("id").unwrap() {
        Value::Int32(i) => *i,
        other => panic!("id {other:?}"),
    }
}

async fn start(c: &PgConnectionConfig, offsets: StoredOffsets) -> PostgresConnectorTask {
    common::start_task(c, "positions", &[("snapshot.mode", "no_data")], offsets).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_every_64_events_and_at_each_transaction_end_resume_exactly() {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("pgpositions").await;
    let c = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = c.connect("the stream positions test").await.unwrap();
    client
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY, note text)")
        .await
        .unwrap();

    let mut first = start(&c, StoredOffsets::default()).await;
    wait_slot(&client, &c.database, true).await;
    // Two statements of one simple query would be one transaction: two calls.
    client
        .batch_execute("INSERT INTO t SELECT g, 'x' FROM generate_series(1, 150) g")
        .await
        .unwrap();
    client
        .batch_execute("INSERT INTO t VALUES (151, 'y')")
        .await
        .unwrap();
    let all = poll(&mut first, 151).await;
    first.stop().await.unwrap();
    let ids: Vec<i32> = all.iter().map(id).collect();
    assert_eq!(ids, (1..=151).collect::<Vec<_>>());
    let positioned: Vec<i32> = all
        .iter()
        .filter(|r| !r.source_offset.is_empty())
        .map(id)
        .collect();
    assert_eq!(positioned, [64, 128, 150, 151]);

    // Restarted on the 128th event's position: the rest of its transaction, then the next one.
    wait_slot(&client, &c.database, false).await;
    let offset = all[127].source_offset.clone();
    let mut again = start(&c, StoredOffsets::holding(offset)).await;
    let rest = poll(&mut again, 23).await;
    again.stop().await.unwrap();
    let ids: Vec<i32> = rest.iter().map(id).collect();
    assert_eq!(ids, (129..=151).collect::<Vec<_>>());
    wait_slot(&client, &c.database, false).await;
    client
        .execute("SELECT pg_drop_replication_slot($1)", &[&c.database])
        .await
        .unwrap();
}
