//! `kill -9` of a `sluice standalone` running the PostgreSQL source, during the snapshot and
//! during streaming under load, restarting every time: at the end, the last event of every
//! primary key in Kafka equals the row in the database, and no change is missing.
//!
//! A writer keeps committing 1,000-row transactions (inserts of new rows and `val = val + 1`
//! updates of existing ones) while the worker is killed at random moments. Because every
//! update adds one, "no change is missing" is checkable: for every row, the `val`s seen in
//! Kafka after its last snapshot event (or from its insert) must include every value up to its
//! final one. Duplicates (events re-sent after a restart, from the last stored offset on) are
//! allowed; gaps are not.
//!
//! The first kill lands in the snapshot, which the restart resumes after the last stored row,
//! on the same slot (`postgres_snapshot_kill.rs` tests that in depth). The slot then re-sends
//! every change since the snapshot's consistent point, including those a row read after the
//! resume already shows: such a row's snapshot event can be followed by older values before
//! the newer ones. So after a row's last snapshot event, every value from the smallest seen up
//! to the final one must appear.
//!
//! CI runs `SLUICE_PG_KILLS` (default 4) kills; the issue's full 20 run (longer than nextest's
//! 180 s limit) with `SLUICE_PG_KILLS=20 cargo test -p sluice --test postgres_kill`.

mod pg_source;
mod worker_process;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pg_source::connect;
use serde_json::{Value, json};
use sluice_worker::kafka::{Properties, TopicReader};
use worker_process::{WAIT, Worker, free_port, temp};

const SNAPSHOT_ROWS: i64 = 30_000;
const TXN_ROWS: i64 = 1_000;

fn kills() -> usize {
    std::env::var("SLUICE_PG_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4)
}

/// Drops the test's replication slot once the worker let go of it, so finished runs do not
/// hold WAL or use up `max_replication_slots`.
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
async fn kill_9_during_snapshot_and_streaming_loses_no_change() {
    let pg = sluice_testkit::services().postgres();
    let kafka = sluice_testkit::services().kafka();
    let db = pg.create_database("pgkill").await;
    let client = connect(&pg, &db).await;
    client
        .batch_execute(&format!(
            "CREATE TABLE items (id bigint PRIMARY KEY, val int NOT NULL, note text NOT NULL);
             INSERT INTO items SELECT g, 0, 'row ' || g FROM generate_series(1, {SNAPSHOT_ROWS}) g;"
        ))
        .await
        .unwrap();
    let prefix = sluice_testkit::unique_ident("pgk");
    let topic = format!("{prefix}.public.items");

    let port = free_port();
    let worker_file = temp("pgkill-worker", "properties");
    let offsets = temp("pgkill-offsets", "json");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\noffset.storage.file.filename={}\n\
             offset.flush.interval.ms=500\nkey.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\nkey.converter.schemas.enable=false\n\
             value.converter.schemas.enable=false\n",
            kafka.bootstrap,
            offsets.display()
        ),
    )
    .unwrap();
    let connector_file = temp("pgkill-connector", "json");
    std::fs::write(
        &connector_file,
        pg_source::connector_config(
            "pg-kill",
            &pg,
            &db,
            &prefix,
            json!({
                "snapshot.fetch.size": "2000",
            }),
        )
        .to_string(),
    )
    .unwrap();

    // The writer: 1,000-row transactions, half new rows, half increments of existing ones.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let client = connect(&pg, &db).await;
        pg_source::spawn_writer(
            client,
            SNAPSHOT_ROWS + 1,
            TXN_ROWS / 2,
            TXN_ROWS / 2,
            Duration::from_millis(50),
            stop,
        )
    };

    let http = reqwest::Client::new();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    println!("kill seed {seed}");
    let mut rng = seed | 1;
    let mut next_rand = |max_ms: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % max_ms
    };
    for kill in 0..kills() {
        let mut w = Worker::start(port, &worker_file, &[connector_file.as_path()]);
        w.wait_running(&http, &["pg-kill"]).await;
        // The first kill lands in the snapshot (30,000 rows, resumed by the next run), later
        // ones while streaming.
        let run = if kill == 0 {
            300 + next_rand(1_500)
        } else {
            1_000 + next_rand(4_000)
        };
        tokio::time::sleep(Duration::from_millis(run)).await;
        w.kill_9();
    }
    let mut w = Worker::start(port, &worker_file, &[connector_file.as_path()]);
    w.wait_running(&http, &["pg-kill"]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let txns = writer.await.unwrap();
    assert!(txns > 0, "the writer committed nothing");

    // The database's final rows.
    let rows = client
        .query("SELECT id, val FROM items", &[])
        .await
        .unwrap();
    let expected: BTreeMap<i64, i32> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();

    // Kafka: read until every row's last event matches (the worker is still catching up).
    let props: Properties = [("bootstrap.servers".to_string(), kafka.bootstrap.clone())].into();
    let mut reader = TopicReader::open(&props, &topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let mut last: BTreeMap<i64, i32> = BTreeMap::new();
    let mut seen: BTreeMap<i64, BTreeSet<i32>> = BTreeMap::new();
    let mut events = 0usize;
    let mut history: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        // A read that times out (a large backlog) keeps what it read for the next call.
        let records = match reader.read_to_end(WAIT).await {
            Ok(records) => records,
            Err(e) if Instant::now() < deadline => {
                println!("reading the topic again after: {e}");
                continue;
            }
            Err(e) => panic!("{e}"),
        };
        for r in records {
            let Some(value) = r.value else { continue };
            let v: Value = serde_json::from_slice(&value).unwrap();
            let Some(after) = v.get("after").filter(|a| !a.is_null()) else {
                continue;
            };
            let id = after["id"].as_i64().unwrap();
            let val = after["val"].as_i64().unwrap() as i32;
            last.insert(id, val);
            // A snapshot row restarts what must follow: every value of the row from the
            // smallest seen after it (the stream may re-send older ones, see the module doc).
            if v["op"] == "r" {
                seen.insert(id, BTreeSet::from([val]));
            } else {
                seen.entry(id).or_default().insert(val);
            }
            let src = &v["source"];
            history.entry(id).or_default().push(format!(
                "@{} {} val={val} lsn={} tx={} snap={}",
                r.offset, v["op"], src["lsn"], src["txId"], src["snapshot"]
            ));
            events += 1;
        }
        if last == expected || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    w.terminate().await;
    drop_slot(&client, &db).await;
    let missing_rows: Vec<_> = expected
        .keys()
        .filter(|k| !last.contains_key(k))
        .take(5)
        .collect();
    let wrong: Vec<_> = expected
        .iter()
        .filter(|(k, v)| last.get(k).is_some_and(|l| l != *v))
        .take(5)
        .collect();
    assert!(
        missing_rows.is_empty() && wrong.is_empty(),
        "rows missing in Kafka: {missing_rows:?}; rows whose last event differs (id, db val): {wrong:?}"
    );
    assert_eq!(last.len(), expected.len());
    // No change missing: after each row's last snapshot event (or its insert), every increment.
    let gaps: Vec<_> = seen
        .iter()
        .filter(|(id, vals)| {
            let from = vals.first().copied().unwrap_or(0);
            (from..=expected[id]).any(|v| !vals.contains(&v))
        })
        .take(5)
        .collect();
    for (id, _) in gaps.iter().take(3) {
        println!("history of id {id}: {:#?}", history.get(id));
    }
    assert!(gaps.is_empty(), "changes missing (id, vals seen): {gaps:?}");
    println!(
        "{} rows, {events} events, {txns} writer transactions, {} kills",
        expected.len(),
        kills()
    );
}
