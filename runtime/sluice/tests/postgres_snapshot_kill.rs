//! `kill -9` of a `sluice standalone` again and again while the PostgreSQL source is still in
//! its initial snapshot, restarting every time: the snapshot resumes after the last stored row
//! instead of starting over, and at the end Kafka holds exactly the database.
//!
//! A 300,000-row table (more for many kills) is snapshotted in primary-key chunks while a
//! writer commits 1,000-row transactions (new rows and `val = val + 1` updates of random
//! existing ones). Each run is killed at a random point once its stored position has moved a
//! random number of rows (15,000 to 22,000) past where it began, always before the snapshot
//! completes. Checked at the end:
//! - every kill landed in the snapshot (the stored offset is an unfinished snapshot's);
//! - every restart resumed right after the stored key (its first snapshot row is the next key,
//!   and it logged "Resuming the snapshot of table public.items after key (id=K)");
//! - rows re-read after a restart are only those of the unflushed window: at most
//!   `snapshot.fetch.size` + the rows sent but not yet stored per kill — far less than the
//!   rows each run sent, which a snapshot starting over would all re-read;
//! - the last event of every primary key equals the database row, and after each row's last
//!   snapshot event every value of `val` from the smallest seen to the final one appears (no
//!   change lost; the slot re-sends changes since the consistent point, which a row read after
//!   a resume may already show, so older values can follow its snapshot event).
//!
//! CI runs `SLUICE_PG_SNAPSHOT_KILLS` (default 4) kills; the full 20 run (longer than
//! nextest's 180 s limit) with
//! `SLUICE_PG_SNAPSHOT_KILLS=20 cargo test -p sluice --test postgres_snapshot_kill`.

mod pg_source;
mod worker_process;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pg_source::connect;
use serde_json::{Value, json};
use sluice_worker::kafka::{Properties, Record, TopicReader};
use worker_process::{WAIT, Worker, free_port, temp};

/// Rows per snapshot chunk (`snapshot.fetch.size`).
const CHUNK: i64 = 1_000;
/// Records the worker may have sent and not yet had acknowledged.
const IN_FLIGHT: i64 = 2_000;
/// The reader's queue (`max.queue.size`).
const QUEUE: i64 = 1_000;
/// How often the worker stores offsets (`offset.flush.interval.ms`).
const FLUSH_MS: u64 = 100;
/// Rows sent but not stored when a kill lands, at most: a chunk, what is in flight and queued,
/// and one flush interval of acknowledged rows (at up to 60,000 rows/s).
const WINDOW: i64 = CHUNK + IN_FLIGHT + QUEUE + 6_000;
/// Each run is killed once its stored position moved between this many rows…
const RUN_MIN: usize = 15_000;
/// …and this many.
const RUN_MAX: usize = 22_000;
/// Rows per writer transaction: a quarter new rows, the rest increments.
const TXN_ROWS: i64 = 1_000;

fn kills() -> usize {
    std::env::var("SLUICE_PG_SNAPSHOT_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4)
}

/// One snapshot or change event of the table, as read back from Kafka.
#[derive(Debug)]
struct Event {
    offset: i64,
    run_id: String,
    op: String,
    marker: String,
    id: i64,
    val: i32,
    note: String,
}

fn event(r: &Record) -> Option<Event> {
    let v: Value = serde_json::from_slice(r.value.as_ref()?).unwrap();
    let after = v.get("after").filter(|a| !a.is_null())?;
    let run_id = r
        .headers
        .iter()
        .find(|(k, _)| k == "__debezium.context.runId")
        .and_then(|(_, v)| v.as_ref())
        .map(|v| String::from_utf8_lossy(v).to_string())
        .unwrap_or_default();
    Some(Event {
        offset: r.offset,
        run_id,
        op: v["op"].as_str().unwrap().to_string(),
        marker: v["source"]["snapshot"].as_str().unwrap_or("").to_string(),
        id: after["id"].as_i64().unwrap(),
        val: after["val"].as_i64().unwrap() as i32,
        note: after["note"].as_str().unwrap().to_string(),
    })
}

/// The connector's offset in the standalone offsets file (JSON lines of key/value strings).
fn stored_offset(file: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| {
            l["key"]
                .as_str()
                .is_some_and(|k| k.contains("pg-snapshot-kill"))
        })
        .and_then(|l| {
            l["value"]
                .as_str()
                .map(|v| serde_json::from_str(v).unwrap())
        })
}

/// Whether a stored offset is an unfinished snapshot's.
fn in_snapshot(offset: &Value) -> bool {
    offset["snapshot_completed"] == false
}

/// The key (`id`) of the last row a stored snapshot offset says was emitted.
fn stored_key(offset: Option<&Value>) -> Option<i64> {
    let text = offset?["sluice_snapshot_key"].as_str()?;
    serde_json::from_str::<Vec<String>>(text).unwrap()[0]
        .parse()
        .ok()
}

/// Every event read so far, and the reader that brings more.
struct Topic {
    reader: Option<TopicReader>,
    props: Properties,
    name: String,
    events: Vec<Event>,
}

impl Topic {
    /// Reads what is new (nothing while the topic does not exist yet).
    async fn read(&mut self) {
        if self.reader.is_none() {
            self.reader = TopicReader::open(
                &self.props,
                &self.name,
                &Properties::new(),
                Duration::from_secs(2),
            )
            .await
            .ok();
        }
        if let Some(reader) = self.reader.as_mut() {
            // A read that times out (a large backlog) keeps what it read for the next call.
            match reader.read_to_end(WAIT).await {
                Ok(records) => self.events.extend(records.iter().filter_map(event)),
                Err(e) => println!("reading the topic again after: {e}"),
            }
        }
    }
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
async fn kill_9_during_the_snapshot_resumes_it_and_loses_no_change() {
    let kills = kills();
    let rows = (300_000i64).max(kills as i64 * RUN_MAX as i64 + 100_000);
    let pg = sluice_testkit::services().postgres();
    let kafka = sluice_testkit::services().kafka();
    let db = pg.create_database("pgsnapkill").await;
    let client = connect(&pg, &db).await;
    client
        .batch_execute(&format!(
            "CREATE TABLE items (id bigint PRIMARY KEY, val int NOT NULL, note text NOT NULL);
             INSERT INTO items SELECT g, 0, 'row ' || g FROM generate_series(1, {rows}) g;
             ANALYZE items;"
        ))
        .await
        .unwrap();
    let prefix = sluice_testkit::unique_ident("pgsk");

    let port = free_port();
    let worker_file = temp("pgsnapkill-worker", "properties");
    let offsets = temp("pgsnapkill-offsets", "json");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\noffset.storage.file.filename={}\n\
             offset.flush.interval.ms={FLUSH_MS}\nsluice.source.max.in.flight.records={IN_FLIGHT}\n\
             key.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\nkey.converter.schemas.enable=false\n\
             value.converter.schemas.enable=false\n",
            kafka.bootstrap,
            offsets.display()
        ),
    )
    .unwrap();
    let connector_file = temp("pgsnapkill-connector", "json");
    std::fs::write(
        &connector_file,
        pg_source::connector_config(
            "pg-snapshot-kill",
            &pg,
            &db,
            &prefix,
            json!({
                "snapshot.fetch.size": CHUNK.to_string(),
                "max.batch.size": "500", "max.queue.size": QUEUE.to_string(),
            }),
        )
        .to_string(),
    )
    .unwrap();

    // The writer: 1,000-row transactions, a quarter new rows, the rest increments.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let client = connect(&pg, &db).await;
        pg_source::spawn_writer(
            client,
            rows + 1,
            TXN_ROWS / 4,
            TXN_ROWS * 3 / 4,
            Duration::from_millis(400),
            stop,
        )
    };

    let props: Properties = [("bootstrap.servers".to_string(), kafka.bootstrap.clone())].into();
    let mut topic = Topic {
        reader: None,
        props,
        name: format!("{prefix}.public.items"),
        events: Vec::new(),
    };
    let http = reqwest::Client::new();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    println!("kill seed {seed}");
    let mut rng = seed | 1;
    let mut next_rand = |span: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % span as u64) as usize
    };
    let log_env = [("RUST_LOG", "warn,sluice_postgres=info")];
    let start = |run: usize| {
        let log = temp(&format!("pgsnapkill-run{run}"), "log");
        let file = std::fs::File::create(&log).unwrap();
        let w = Worker::start_with(
            port,
            &worker_file,
            &[connector_file.as_path()],
            &log_env,
            Stdio::from(file),
        );
        (w, log)
    };
    // Per kill: the stored offset right after it, and the log of the run that followed.
    let mut stored_after_kill: Vec<Option<Value>> = Vec::new();
    let mut logs = Vec::new();
    let began = Instant::now();
    for run in 0..kills {
        let (mut w, log) = start(run);
        logs.push(log);
        w.wait_running(&http, &["pg-snapshot-kill"]).await;
        // Killed once the stored position moved `target` rows past where this run began.
        let target = (RUN_MIN + next_rand(RUN_MAX - RUN_MIN)) as i64;
        let from = stored_key(stored_after_kill.last().and_then(Option::as_ref)).unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let stored = stored_offset(&offsets);
            if let Some(o) = &stored {
                assert!(
                    in_snapshot(o),
                    "the snapshot completed before kill {}: make the table larger ({o})",
                    run + 1
                );
            }
            let at = stored_key(stored.as_ref()).unwrap_or(0);
            if at - from >= target {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "run {run} stored only {} rows of progress in 120 s",
                at - from
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        w.kill_9();
        let stored = stored_offset(&offsets);
        if let Some(o) = &stored {
            assert!(
                in_snapshot(o),
                "kill {} landed after the snapshot: {o}",
                run + 1
            );
        }
        stored_after_kill.push(stored);
    }
    let (mut w, log) = start(kills);
    logs.push(log);
    w.wait_running(&http, &["pg-snapshot-kill"]).await;
    // Until the snapshot completes, then a little streaming under the writer's load.
    let deadline = Instant::now() + Duration::from_secs(300);
    while stored_offset(&offsets).is_none_or(|o| in_snapshot(&o)) {
        assert!(Instant::now() < deadline, "the snapshot did not complete");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let snapshot_seconds = began.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let txns = writer.await.unwrap();
    assert!(txns > 0, "the writer committed nothing");

    // The database's final rows; Kafka read until every key's last event matches.
    let expected: BTreeMap<i64, (i32, String)> = client
        .query("SELECT id, val, note FROM items", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut last: BTreeMap<i64, (i32, String)> = BTreeMap::new();
    let mut consumed = 0;
    loop {
        topic.read().await;
        for e in &topic.events[consumed..] {
            last.insert(e.id, (e.val, e.note.clone()));
        }
        consumed = topic.events.len();
        if last == expected || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    w.terminate().await;
    drop_slot(&client, &db).await;
    let events = &topic.events;

    // (table, key, final row) in Kafka equals the database.
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !last.contains_key(k))
        .take(5)
        .collect();
    let wrong: Vec<_> = expected
        .iter()
        .filter(|(k, v)| last.get(k).is_some_and(|l| l != *v))
        .take(5)
        .collect();
    let extra: Vec<_> = last
        .keys()
        .filter(|k| !expected.contains_key(k))
        .take(5)
        .collect();
    assert!(
        missing.is_empty() && wrong.is_empty() && extra.is_empty(),
        "keys missing in Kafka: {missing:?}; keys whose last event differs (id, db row): {wrong:?}; keys not in the database: {extra:?}"
    );

    // Every restart resumed right after the stored key, and said so.
    let mut runs: Vec<&str> = Vec::new();
    for e in events {
        if !runs.contains(&e.run_id.as_str()) {
            runs.push(&e.run_id);
        }
    }
    assert_eq!(runs.len(), kills + 1, "one run id per run");
    for (kill, stored) in stored_after_kill.iter().enumerate() {
        let run = runs[kill + 1];
        let first = events
            .iter()
            .find(|e| e.run_id == run && e.op == "r")
            .expect("every run sends snapshot rows");
        let log = std::fs::read_to_string(&logs[kill + 1]).unwrap();
        match stored_key(stored.as_ref()) {
            Some(k) => {
                assert_eq!(
                    first.id,
                    k + 1,
                    "after kill {}, the snapshot resumed after key {k}",
                    kill + 1
                );
                let said =
                    format!("Resuming the snapshot of table public.items after key (id={k})");
                assert!(log.contains(&said), "run {} did not log '{said}'", kill + 1);
            }
            // Killed before any offset was stored: a new snapshot from the first row.
            None => assert_eq!((first.id, first.marker.as_str()), (1, "first")),
        }
    }

    // Rows re-read after each restart: only the unflushed window, never the run's progress.
    let mut emitted_max = 0i64;
    let mut re_read = Vec::new();
    for run in &runs {
        let snapshot: Vec<&Event> = events
            .iter()
            .filter(|e| e.run_id == *run && e.op == "r")
            .collect();
        re_read.push(snapshot.iter().filter(|e| e.id <= emitted_max).count() as i64);
        emitted_max = emitted_max.max(snapshot.iter().map(|e| e.id).max().unwrap_or(0));
    }
    let total_reads = events.iter().filter(|e| e.op == "r").count() as i64;
    let distinct = events
        .iter()
        .filter(|e| e.op == "r")
        .map(|e| e.id)
        .collect::<BTreeSet<_>>()
        .len() as i64;
    println!(
        "{} rows at the end, {rows} at the start; {total_reads} snapshot events ({distinct} keys) in {snapshot_seconds:.1} s; re-read per restart {re_read:?}; {} events; {txns} writer transactions; {kills} kills",
        expected.len(),
        events.len()
    );
    assert!(
        re_read.iter().all(|r| *r <= WINDOW),
        "a restart re-read more than a chunk and the unflushed window ({WINDOW}): {re_read:?}"
    );
    assert!(total_reads - distinct <= kills as i64 * WINDOW);

    // No change missing: after each row's last snapshot event, every increment.
    let mut seen: BTreeMap<i64, BTreeSet<i32>> = BTreeMap::new();
    for e in events {
        if e.op == "r" {
            seen.insert(e.id, BTreeSet::from([e.val]));
        } else {
            seen.entry(e.id).or_default().insert(e.val);
        }
    }
    let gaps: Vec<_> = seen
        .iter()
        .filter(|(id, vals)| {
            let from = vals.first().copied().unwrap_or(0);
            (from..=expected[id].0).any(|v| !vals.contains(&v))
        })
        .take(5)
        .collect();
    for (id, _) in gaps.iter().take(3) {
        let history: Vec<String> = events
            .iter()
            .filter(|e| e.id == **id)
            .map(|e| format!("@{} {} val={} run={}", e.offset, e.op, e.val, e.run_id))
            .collect();
        println!("history of id {id}: {history:#?}");
    }
    assert!(gaps.is_empty(), "changes missing (id, vals seen): {gaps:?}");
    for log in &logs {
        let _ = std::fs::remove_file(log);
    }
}
