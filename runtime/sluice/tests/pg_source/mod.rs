//! What the tests that run the PostgreSQL source in a `sluice standalone` share: a client
//! connection, the connector's config on a test database, and the writer of 1,000-row
//! transactions the kill tests run against.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

/// A client of database `db` on the test PostgreSQL.
pub(crate) async fn connect(pg: &sluice_testkit::Postgres, db: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&pg.conn_string(db), tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL");
    tokio::spawn(conn);
    client
}

/// The connector file's JSON: `name` capturing `public.items` of `db` under `prefix` (slot
/// `db`, publication `<db>_pub`, one-partition topics), plus the keys of `extra`.
pub(crate) fn connector_config(
    name: &str,
    pg: &sluice_testkit::Postgres,
    db: &str,
    prefix: &str,
    extra: Value,
) -> Value {
    let mut config = json!({
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "database.hostname": pg.host, "database.port": pg.port.to_string(),
        "database.user": pg.user, "database.password": pg.password, "database.dbname": db,
        "topic.prefix": prefix, "slot.name": db, "publication.name": format!("{db}_pub"),
        "table.include.list": "public.items",
        "topic.creation.default.partitions": "1", "topic.creation.default.replication.factor": "1"
    });
    if let (Some(c), Value::Object(extra)) = (config.as_object_mut(), extra) {
        c.extend(extra);
    }
    json!({ "name": name, "config": config })
}

/// Writes to `items(id, val, name)` until `stop`: transactions that insert `inserts` new rows
/// from id `first` on and increment `val` of `updates` random existing rows, `pause` apart.
/// Answers the number of transactions.
pub(crate) fn spawn_writer(
    client: tokio_postgres::Client,
    first: i64,
    inserts: i64,
    updates: i64,
    pause: Duration,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut next = first;
        let mut txns = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let first = next;
            next += inserts;
            let sql = format!(
                "BEGIN;
                 INSERT INTO items SELECT g, 0, 'new ' || g FROM generate_series({first}, {}) g;
                 UPDATE items SET val = val + 1 WHERE id IN (SELECT (random() * {} + 1)::bigint FROM generate_series(1, {updates}));
                 COMMIT;",
                next - 1,
                next - 2,
            );
            client.batch_execute(&sql).await.unwrap();
            txns += 1;
            tokio::time::sleep(pause).await;
        }
        txns
    })
}
