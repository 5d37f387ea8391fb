//! `GET /metrics` of a standalone `sluice` running the PostgreSQL source against the test
//! PostgreSQL: the snapshot's progress reaches the table's row count (and the planner's
//! estimate after ANALYZE), events emitted and records written equal what the topic holds
//! after the snapshot and after streamed inserts, the reader queue drains, the slot's lag is
//! exported for the connector's slot, and `sluice.slot.lag.warn.bytes` logs a warning naming
//! the slot when exceeded.

mod pg_source;
mod prometheus_text;
mod worker_process;

use std::process::Stdio;
use std::time::{Duration, Instant};

use pg_source::connect;
use prometheus_text::{parse, scrape, value, wait_for};
use serde_json::json;
use sluice_worker::kafka::{Admin, Properties, TopicReader};
use worker_process::{WAIT, Worker, free_port, temp};

const SNAPSHOT_ROWS: i64 = 3_000;
const STREAMED_ROWS: i64 = 200;

/// Drops the test's replication slot if the test ends without the worker having dropped it
/// (a failed assertion kills the worker first: declared before it, the guard drops after it),
/// so failed runs do not use up the server's `max_replication_slots`.
struct SlotGuard {
    conn: String,
    slot: String,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        let (conn, slot) = (self.conn.clone(), self.slot.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let Ok((client, c)) = tokio_postgres::connect(&conn, tokio_postgres::NoTls).await
                else {
                    return;
                };
                tokio::spawn(c);
                // The killed worker's session may take a moment to end.
                for _ in 0..20 {
                    let active = client
                        .query_opt(
                            "SELECT active FROM pg_replication_slots WHERE slot_name = $1",
                            &[&slot],
                        )
                        .await;
                    match active {
                        Ok(Some(row)) if !row.get::<_, bool>(0) => {
                            let _ = client
                                .execute("SELECT pg_drop_replication_slot($1)", &[&slot])
                                .await;
                            return;
                        }
                        Ok(Some(_)) => tokio::time::sleep(Duration::from_millis(250)).await,
                        _ => return,
                    }
                }
            });
        })
        .join();
    }
}

/// Reads `reader` until it has returned `n` records in all (or [`WAIT`] passed); returns the
/// count, including any extra record that arrives within a short grace period.
async fn read_records(reader: &mut TopicReader, mut count: usize, n: usize) -> usize {
    let deadline = Instant::now() + WAIT;
    while count < n && Instant::now() < deadline {
        count += reader.read_to_end(WAIT).await.unwrap().len();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    count
        + reader
            .read_to_end(Duration::from_secs(5))
            .await
            .unwrap()
            .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_source_metrics_follow_the_snapshot_and_the_stream() {
    let pg = sluice_testkit::services().postgres();
    let kafka = sluice_testkit::services().kafka();
    let db = pg.create_database("pgmetrics").await;
    let client = connect(&pg, &db).await;
    client
        .batch_execute(&format!(
            "CREATE TABLE items (id bigint PRIMARY KEY, note text NOT NULL);
             INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, {SNAPSHOT_ROWS}) g;
             ANALYZE items;"
        ))
        .await
        .unwrap();
    let prefix = sluice_testkit::unique_ident("pgm");
    let topic = format!("{prefix}.public.items");
    // Created up front, so the test can open it before the first record arrives.
    let props: Properties = [("bootstrap.servers".to_string(), kafka.bootstrap.clone())].into();
    let admin = Admin::new(&props, &Properties::new(), Duration::from_secs(30)).unwrap();
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());

    let port = free_port();
    let worker_file = temp("pgmetrics-worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\noffset.storage.file.filename={}\n\
             offset.flush.interval.ms=500\nkey.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\nkey.converter.schemas.enable=false\n\
             value.converter.schemas.enable=false\n",
            kafka.bootstrap,
            temp("pgmetrics-offsets", "json").display()
        ),
    )
    .unwrap();
    let connector_file = temp("pgmetrics-connector", "json");
    std::fs::write(
        &connector_file,
        pg_source::connector_config(
            "pg-metrics",
            &pg,
            &db,
            &prefix,
            json!({
                "snapshot.fetch.size": "1000",
                "slot.drop.on.stop": "true", "sluice.slot.lag.warn.bytes": "1",
                "status.update.interval.ms": "30000",
            }),
        )
        .to_string(),
    )
    .unwrap();
    let log = temp("pgmetrics", "log");
    let _slot = SlotGuard {
        conn: pg.conn_string(&db),
        slot: db.clone(),
    };
    let mut worker = Worker::start_with(
        port,
        &worker_file,
        &[connector_file.as_path()],
        &[("RUST_LOG", "warn")],
        Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    let http = reqwest::Client::new();
    worker.wait_running(&http, &["pg-metrics"]).await;
    let base = worker.base.clone();
    let task = [("connector", "pg-metrics"), ("task", "0")];
    let table = [task[0], task[1], ("table", "public.items")];
    let within = Duration::from_secs(60);

    // The snapshot: every row in the topic, and the progress says so.
    let mut reader = TopicReader::open(&props, &topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let snapshot = read_records(&mut reader, 0, SNAPSHOT_ROWS as usize).await;
    assert_eq!(
        snapshot, SNAPSHOT_ROWS as usize,
        "snapshot records in {topic}"
    );
    let rows = SNAPSHOT_ROWS as f64;
    wait_for(
        &http,
        &base,
        "sluice_postgres_snapshot_rows_scanned",
        &table,
        within,
        |v| v >= rows,
    )
    .await;
    wait_for(
        &http,
        &base,
        "sluice_postgres_snapshot_running",
        &task,
        within,
        |v| v == 0.0,
    )
    .await;
    let samples = parse(&scrape(&http, &base).await);
    assert_eq!(
        value(&samples, "sluice_postgres_snapshot_rows_scanned", &table),
        Some(rows)
    );
    // ANALYZE counted every row of this small table.
    assert_eq!(
        value(&samples, "sluice_postgres_snapshot_rows_estimated", &table),
        Some(rows)
    );

    // Streaming: one transaction of inserts.
    client
        .batch_execute(&format!(
            "INSERT INTO items SELECT g, 'new ' || g FROM generate_series({}, {}) g;",
            SNAPSHOT_ROWS + 1,
            SNAPSHOT_ROWS + STREAMED_ROWS
        ))
        .await
        .unwrap();
    let total = read_records(
        &mut reader,
        snapshot,
        (SNAPSHOT_ROWS + STREAMED_ROWS) as usize,
    )
    .await;
    assert_eq!(
        total,
        (SNAPSHOT_ROWS + STREAMED_ROWS) as usize,
        "records in {topic}"
    );
    let n = total as f64;
    wait_for(
        &http,
        &base,
        "sluice_postgres_events_total",
        &task,
        within,
        |v| v >= n,
    )
    .await;
    wait_for(
        &http,
        &base,
        "sluice_source_record_write_total",
        &task,
        within,
        |v| v >= n,
    )
    .await;
    wait_for(
        &http,
        &base,
        "sluice_postgres_queue_records",
        &task,
        within,
        |v| v == 0.0,
    )
    .await;
    // The inserts' WAL is retained until the task confirms them, which it tells the server only
    // every status.update.interval.ms (30 s here); the lag is read every 10 s (the first reading
    // may come before the reader created the slot).
    let slot = [task[0], task[1], ("slot", db.as_str())];
    wait_for(
        &http,
        &base,
        "sluice_postgres_slot_lag_bytes",
        &slot,
        within,
        |v| v > 1.0,
    )
    .await;

    let samples = parse(&scrape(&http, &base).await);
    let get = |name: &str, labels: &[(&str, &str)]| {
        value(&samples, name, labels).unwrap_or_else(|| panic!("no sample {name}{labels:?}"))
    };
    // Exactly what the topic holds: the snapshot rows and the inserts, nothing else.
    assert_eq!(get("sluice_postgres_events_total", &task), n);
    assert_eq!(get("sluice_source_record_poll_total", &task), n);
    assert_eq!(get("sluice_source_record_write_total", &task), n);
    assert_eq!(get("sluice_postgres_queue_capacity_records", &task), 2048.0);
    let behind = get("sluice_postgres_milliseconds_behind_source", &task);
    assert!(
        (0.0..600_000.0).contains(&behind),
        "milliseconds behind source: {behind}"
    );

    // Over `sluice.slot.lag.warn.bytes` (1 byte), the poller warned naming the slot.
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines().any(|l| l.contains("WARN")
            && l.contains("sluice.slot.lag.warn.bytes")
            && l.contains(&db)),
        "no slot-lag warning naming {db} in the log:\n{text}"
    );
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}
