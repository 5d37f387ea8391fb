//! Debezium's filtering and shaping options on the real PostgreSQL 15: `table.include.list`,
//! `column.exclude.list`, `message.key.columns` (a key for a table without a primary key),
//! `skipped.operations`, `tombstones.on.delete=false`, and `snapshot.mode=no_data`.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::StoredOffsets;
use sluice_api::connector::{SourceConnector, SourceTask, SourceTaskContext};
use sluice_api::{SourceRecord, Value};
use sluice_postgres::{PgConnectionConfig, PostgresConnector, PostgresConnectorTask};

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.as_struct().unwrap().get(name).unwrap()
}

async fn start(c: &PgConnectionConfig, extra: &[(&str, &str)]) -> PostgresConnectorTask {
    let mut props: Vec<(String, Option<String>)> = [
        ("database.hostname", c.host.clone()),
        ("database.port", c.port.to_string()),
        ("database.user", c.user.clone()),
        ("database.password", c.password.clone()),
        ("database.dbname", c.database.clone()),
        ("topic.prefix", "opts".into()),
        ("slot.name", c.database.clone()),
        ("publication.name", c.database.clone()),
        ("slot.drop.on.stop", "true".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Some(v)))
    .collect();
    props.extend(
        extra
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string()))),
    );
    let mut task = PostgresConnector::default().create_task();
    task.start(
        props,
        SourceTaskContext::new(Arc::new(StoredOffsets::default())),
    )
    .await
    .unwrap();
    task
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn include_lists_column_filters_message_keys_and_skipped_operations() {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("pgopts").await;
    let c = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = c.connect("the options test").await.unwrap();
    client
        .batch_execute(
            "CREATE TABLE a (id int PRIMARY KEY, secret text, v int);
             CREATE TABLE b (id int PRIMARY KEY);
             CREATE TABLE nopk (x int NOT NULL, y int);
             ALTER TABLE nopk REPLICA IDENTITY FULL;
             INSERT INTO a VALUES (1, 'hidden', 1); INSERT INTO b VALUES (1); INSERT INTO nopk VALUES (1, 2);",
        )
        .await
        .unwrap();
    let mut task = start(
        &c,
        &[
            ("table.include.list", "public.a,public.nopk"),
            ("column.exclude.list", "public.a.secret"),
            ("message.key.columns", "public.nopk:x"),
            ("skipped.operations", "u"),
            ("tombstones.on.delete", "false"),
        ],
    )
    .await;
    let snapshot = common::poll(&mut task, 2).await;
    assert_eq!(snapshot.len(), 2, "{snapshot:#?}");
    client
        .batch_execute(
            "UPDATE a SET v = 2 WHERE id = 1; DELETE FROM a WHERE id = 1; INSERT INTO b VALUES (2);
             INSERT INTO nopk VALUES (5, 6);",
        )
        .await
        .unwrap();
    let streamed = common::poll(&mut task, 2).await;
    task.stop().await.unwrap();

    let all: Vec<&SourceRecord> = snapshot.iter().chain(&streamed).collect();
    assert!(
        all.iter()
            .all(|r| r.topic == "opts.public.a" || r.topic == "opts.public.nopk"),
        "a table outside table.include.list was captured"
    );
    let a_row = field(
        &snapshot
            .iter()
            .find(|r| r.topic == "opts.public.a")
            .unwrap()
            .value,
        "after",
    );
    assert!(
        a_row.as_struct().unwrap().get("secret").is_err(),
        "column.exclude.list kept 'secret'"
    );
    let ops: Vec<&str> = streamed
        .iter()
        .map(|r| field(&r.value, "op").as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        ["d", "c"],
        "the update is skipped, the delete has no tombstone"
    );
    let nopk = streamed
        .iter()
        .find(|r| r.topic == "opts.public.nopk")
        .unwrap();
    let key = nopk
        .key
        .as_struct()
        .expect("message.key.columns gives nopk a key");
    assert_eq!(key.get("x").unwrap(), &Value::Int32(5));
    assert_eq!(key.schema().fields().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_data_streams_without_a_snapshot() {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("pgnodata").await;
    let c = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = c.connect("the no_data test").await.unwrap();
    client
        .batch_execute("CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (1)")
        .await
        .unwrap();
    let mut task = start(&c, &[("snapshot.mode", "no_data")]).await;
    // Let the slot exist before the change: streaming starts at its creation.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1 AND active",
                &[&c.database],
            )
            .await
            .unwrap()
            .get(0);
        if n == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the slot never became active");
        assert!(
            task.poll().await.unwrap().is_empty(),
            "no_data emitted a snapshot record"
        );
    }
    client
        .batch_execute("INSERT INTO a VALUES (2)")
        .await
        .unwrap();
    let records = common::poll(&mut task, 1).await;
    task.stop().await.unwrap();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(field(&records[0].value, "op").as_str(), Some("c"));
    assert_eq!(
        field(field(&records[0].value, "after"), "id"),
        &Value::Int32(2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_dropped_while_streaming_leaves_the_others_streaming() {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("pgdrop").await;
    let c = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = c.connect("the dropped-table test").await.unwrap();
    client
        .batch_execute(
            "CREATE TABLE gone (id int PRIMARY KEY); CREATE TABLE kept (id int PRIMARY KEY);
             INSERT INTO gone VALUES (1); INSERT INTO kept VALUES (1);",
        )
        .await
        .unwrap();
    let mut task = start(&c, &[]).await;
    assert_eq!(
        common::poll(&mut task, 2).await.len(),
        2,
        "the snapshot of both tables"
    );
    client
        .batch_execute("INSERT INTO gone VALUES (2); DROP TABLE gone; INSERT INTO kept VALUES (2);")
        .await
        .unwrap();
    let records = common::poll(&mut task, 2).await;
    task.stop().await.unwrap();
    let topics: Vec<&str> = records.iter().map(|r| r.topic.as_str()).collect();
    assert_eq!(
        topics,
        ["opts.public.gone", "opts.public.kept"],
        "{records:#?}"
    );
}
