//! Bad input to the PostgreSQL connector: each case fails the task (its first `poll`) with a
//! message naming the cause and what to do, against the real PostgreSQL 15.
//!
//! Cases: a wrong password, an unreachable port, a user without the REPLICATION attribute, a
//! slot dropped while offsets say streaming had started, a malformed configuration (rejected
//! at `start`, naming the key), and a column type Sluice does not map (left out of the events
//! with a warning, as Debezium does, rather than failing the task).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::StoredOffsets;
use sluice_api::OffsetMap;
use sluice_api::connector::{SourceConnector, SourceTask, SourceTaskContext};
use sluice_postgres::{PgConnectionConfig, PostgresConnector, PostgresConnectorTask};

async fn database(sql: &str) -> PgConnectionConfig {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("pgerr").await;
    let config = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = config.connect("the connector error tests").await.unwrap();
    client.batch_execute(sql).await.unwrap();
    config
}

fn props(c: &PgConnectionConfig, extra: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
    let mut extra = extra.to_vec();
    extra.insert(0, ("slot.drop.on.stop", "true"));
    common::props(c, "errs", &extra)
}

/// Starts a task and polls until it fails; returns the error's report.
async fn first_error(props: Vec<(String, Option<String>)>, offsets: StoredOffsets) -> String {
    let mut task: PostgresConnectorTask = PostgresConnector::default().create_task();
    task.start(props, SourceTaskContext::new(Arc::new(offsets)))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match task.poll().await {
            Err(e) => {
                let _ = task.stop().await;
                return e.report();
            }
            Ok(_) => assert!(Instant::now() < deadline, "the task did not fail"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_names_authentication() {
    let c = database("CREATE TABLE t (id int PRIMARY KEY)").await;
    let e = first_error(
        props(&c, &[("database.password", "wrong")]),
        StoredOffsets::default(),
    )
    .await;
    assert!(
        e.contains("password") || e.contains("authentication"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_names_the_connection() {
    let c = database("CREATE TABLE t (id int PRIMARY KEY)").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = first_error(
        props(&c, &[("database.port", &port.to_string())]),
        StoredOffsets::default(),
    )
    .await;
    assert!(e.to_lowercase().contains("connect"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_replication_is_told_to_grant_it() {
    let role = sluice_testkit::unique_ident("norepl");
    let c = database(&format!("CREATE ROLE {role} LOGIN PASSWORD 'pw'; CREATE TABLE t (id int PRIMARY KEY); GRANT SELECT ON t TO {role}")).await;
    let e = first_error(
        props(&c, &[("database.user", &role), ("database.password", "pw")]),
        StoredOffsets::default(),
    )
    .await;
    assert!(e.contains("REPLICATION"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_slot_with_streaming_offsets_is_not_silently_recreated() {
    let c = database("CREATE TABLE t (id int PRIMARY KEY)").await;
    let stored: OffsetMap = serde_json::from_str(
        r#"{"lsn_proc":100,"messageType":"COMMIT","lsn_commit":100,"lsn":100,"txId":5,"ts_usec":1}"#,
    )
    .unwrap();
    let e = first_error(props(&c, &[]), StoredOffsets::holding(stored)).await;
    assert!(
        e.contains("no longer exists") && e.contains("when_needed"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unmapped_type_is_left_out_of_the_events() {
    // As Debezium (include.unknown.datatypes=false): the column is dropped with a warning
    // naming it, and the rest of the row is captured.
    let c = database(
        "CREATE TABLE t (id int PRIMARY KEY, spot box, note text); \
         INSERT INTO t VALUES (1, '((1,2),(3,4))', 'kept')",
    )
    .await;
    let mut task: PostgresConnectorTask = PostgresConnector::default().create_task();
    task.start(
        props(&c, &[]),
        SourceTaskContext::new(Arc::new(StoredOffsets::default())),
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let record = loop {
        assert!(Instant::now() < deadline, "no snapshot record");
        if let Some(r) = task.poll().await.unwrap().into_iter().next() {
            break r;
        }
    };
    task.stop().await.unwrap();
    let sluice_api::Value::Struct(value) = &record.value else {
        panic!("{record:?}")
    };
    let sluice_api::Value::Struct(after) = value.get("after").unwrap() else {
        panic!("{value:?}")
    };
    let fields: Vec<&str> = after.schema().fields().iter().map(|f| f.name()).collect();
    assert_eq!(fields, ["id", "note"]);
}

#[tokio::test]
async fn a_malformed_config_names_the_key() {
    let pg = sluice_testkit::services().postgres();
    let c = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, "postgres");
    let mut task: PostgresConnectorTask = PostgresConnector::default().create_task();
    let e = task
        .start(
            props(&c, &[("snapshot.mode", "sometimes")]),
            SourceTaskContext::new(Arc::new(StoredOffsets::default())),
        )
        .await
        .unwrap_err();
    assert!(e.report().contains("snapshot.mode"), "{}", e.report());
    let e = task
        .start(
            props(&c, &[("plugin.name", "decoderbufs")]),
            SourceTaskContext::new(Arc::new(StoredOffsets::default())),
        )
        .await
        .unwrap_err();
    assert!(e.report().contains("pgoutput"), "{}", e.report());
}
