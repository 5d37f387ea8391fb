//! The PostgreSQL connector against Debezium 3.6.3's records for the types and features beyond
//! the inventory golden set: `tests/fixtures/extra_types` (see its README.md) — money, bit
//! strings, network and range types, point, hstore, ltree, citext, tsvector, the columns
//! Debezium drops, and logical decoding messages.
//!
//! Each case gets a fresh database with `schema.sql`, runs its pre-snapshot steps of `dml.sql`,
//! starts the task with the case's `<case>.config.json` (pointed at the test's own database,
//! slot and publication), polls until the snapshot records arrived and the slot streams, runs
//! its streaming steps (each step one `batch_execute`, so a step with BEGIN/COMMIT stays one
//! transaction) and polls until the fixture's number of records arrived, then a little longer
//! to catch extras. Every record is converted with Kafka's JsonConverter (schemas on) and
//! compared in order with the fixture: topic, key and value — schemas exactly, payloads exactly
//! except the fields that vary between runs (only whether they are null is compared) and the
//! intentional differences of [`DEVIATIONS`]. All differences of a case are reported together,
//! per record and field, expected against actual.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use common::StoredOffsets;
use serde_json::Value as Json;
use sluice_api::SourceRecord;
use sluice_api::connector::{SourceConnector, SourceTask, SourceTaskContext};
use sluice_converters::{Converter, JsonConverter};
use sluice_postgres::{PgConnectionConfig, PostgresConnector, PostgresConnectorTask};

/// Payload fields of the envelope (and of a message value) that vary between runs.
const VARYING_ENVELOPE: &[&str] = &["ts_ms", "ts_us", "ts_ns"];
/// Fields of the `source` block that vary between runs (`db`: each test has its own database).
const VARYING_SOURCE: &[&str] = &[
    "ts_ms", "ts_us", "ts_ns", "lsn", "txId", "sequence", "db", "xmin",
];

/// Intentional differences from the fixtures, applied to the expected records by
/// [`apply_deviations`]: (what differs, why).
const DEVIATIONS: &[(&str, &str)] = &[(
    "`after.c_name` of streamed create and update events",
    "Debezium 3.6.3 emits columns of type `name` as null in every streamed event (a Debezium bug: \
     its snapshot has the value, and no warning is logged); Sluice emits the value written",
)];

/// The value `dml.sql` writes to `c_name` in its streamed create (`stream_insert`) and update
/// (`stream_update`); the delete's `before` holds only the key, null elsewhere in both.
const NAME_WRITTEN: &[(&str, &str)] = &[("c", "n"), ("u", "renamed")];

/// Rewrites an expected value by [`DEVIATIONS`]: a streamed create or update whose fixture has
/// `after.c_name` null expects the value `dml.sql` wrote.
fn apply_deviations(expected_value: &mut Json) {
    let Some(payload) = expected_value.get_mut("payload") else {
        return;
    };
    let op = payload["op"].as_str().unwrap_or_default().to_string();
    let Some((_, written)) = NAME_WRITTEN.iter().find(|(o, _)| *o == op) else {
        return;
    };
    if let Some(after) = payload.get_mut("after").and_then(Json::as_object_mut)
        && after.get("c_name") == Some(&Json::Null)
    {
        after.insert("c_name".into(), Json::String((*written).into()));
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/extra_types")
        .join(name)
}

fn read_fixture(name: &str) -> Result<String> {
    let path = fixture(name);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// The steps of `dml.sql`: the text after each `-- @step <name>` line, up to the next one.
fn dml_steps() -> Result<BTreeMap<String, String>> {
    let text = read_fixture("dml.sql")?;
    let mut steps = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("-- @step ") {
            if let Some((name, sql)) = current.take() {
                steps.insert(name, sql);
            }
            current = Some((name.trim().to_string(), String::new()));
        } else if let Some((_, sql)) = current.as_mut() {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    if let Some((name, sql)) = current {
        steps.insert(name, sql);
    }
    Ok(steps)
}

/// One record as JsonConverter writes it, parsed (`value` is null for a tombstone).
#[derive(Debug)]
struct Converted {
    topic: String,
    key: Json,
    value: Json,
}

impl Converted {
    /// `op topic key-payload`, to name a record in the report.
    fn label(&self) -> String {
        let op = match self.value["payload"]["op"].as_str() {
            Some(op) => op.to_string(),
            None if self.value.is_null() => "tombstone".into(),
            None => "?".into(),
        };
        format!("{op} {} key {}", self.topic, self.key["payload"])
    }
}

fn expected_records(case: &str) -> Result<Vec<Converted>> {
    let text = read_fixture(&format!("{case}.jsonl"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let line: Json =
            serde_json::from_str(line).with_context(|| format!("{case}.jsonl line {}", i + 1))?;
        let parse = |field: &str| -> Result<Json> {
            Ok(match line[field].as_str() {
                Some(text) => serde_json::from_str(text)
                    .with_context(|| format!("{case}.jsonl line {}: {field}", i + 1))?,
                None => Json::Null,
            })
        };
        let mut value = parse("value_text")?;
        apply_deviations(&mut value);
        normalize(&mut value);
        out.push(Converted {
            topic: line["topic"].as_str().unwrap_or_default().to_string(),
            key: parse("key_text")?,
            value,
        });
    }
    Ok(out)
}

fn mask(object: &mut serde_json::Map<String, Json>, keys: &[&str]) {
    for key in keys {
        if let Some(v) = object.get_mut(*key)
            && !v.is_null()
        {
            *v = Json::String("<varies>".into());
        }
    }
}

/// Replaces the non-null values of the varying fields (nulls stay: null vs set is compared).
fn normalize(value: &mut Json) {
    let Some(payload) = value.get_mut("payload").and_then(Json::as_object_mut) else {
        return;
    };
    mask(payload, VARYING_ENVELOPE);
    if let Some(source) = payload.get_mut("source").and_then(Json::as_object_mut) {
        mask(source, VARYING_SOURCE);
    }
}

fn convert(records: &[SourceRecord]) -> Result<Vec<Converted>> {
    let json = JsonConverter::default();
    let parse = |bytes: Option<Vec<u8>>| -> Result<Json> {
        Ok(match bytes {
            Some(b) => serde_json::from_slice(&b)?,
            None => Json::Null,
        })
    };
    records
        .iter()
        .map(|r| {
            let key = json.from_connect(&r.topic, r.key_schema.as_ref(), &r.key)?;
            let value = json.from_connect(&r.topic, r.value_schema.as_ref(), &r.value)?;
            let mut value = parse(value)?;
            normalize(&mut value);
            Ok(Converted {
                topic: r.topic.clone(),
                key: parse(key)?,
                value,
            })
        })
        .collect()
}

fn short(v: &Json) -> String {
    let text = v.to_string();
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

/// Whether `items` is a schema's `fields` list (objects naming a `field`).
fn is_field_list(items: &[Json]) -> bool {
    !items.is_empty() && items.iter().all(|f| f["field"].is_string())
}

/// Appends a line per difference between `expected` and `actual` under `path`; schema field
/// lists are matched by field name (`fields[name]`), then their order is checked.
fn diff(path: &str, expected: &Json, actual: &Json, out: &mut Vec<String>) {
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => diff(&format!("{path}.{k}"), ev, av, out),
                    None => out.push(format!("{path}.{k}: missing (expected {})", short(ev))),
                }
            }
            for (k, av) in a.iter().filter(|(k, _)| !e.contains_key(*k)) {
                out.push(format!("{path}.{k}: not expected (actual {})", short(av)));
            }
        }
        (Json::Array(e), Json::Array(a)) if is_field_list(e) && is_field_list(a) => {
            let name = |f: &Json| f["field"].as_str().unwrap_or_default().to_string();
            for ef in e {
                match a.iter().find(|af| name(af) == name(ef)) {
                    Some(af) => diff(&format!("{path}[{}]", name(ef)), ef, af, out),
                    None => out.push(format!(
                        "{path}[{}]: field missing (expected {})",
                        name(ef),
                        short(ef)
                    )),
                }
            }
            for af in a
                .iter()
                .filter(|af| !e.iter().any(|ef| name(ef) == name(af)))
            {
                out.push(format!(
                    "{path}[{}]: field not expected (actual {})",
                    name(af),
                    short(af)
                ));
            }
            let (en, an): (Vec<_>, Vec<_>) =
                (e.iter().map(name).collect(), a.iter().map(name).collect());
            let common_e: Vec<_> = en.iter().filter(|n| an.contains(n)).collect();
            let common_a: Vec<_> = an.iter().filter(|n| en.contains(n)).collect();
            if common_e != common_a {
                out.push(format!(
                    "{path}: field order differs: expected {en:?}, actual {an:?}"
                ));
            }
        }
        (Json::Array(e), Json::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        _ if expected != actual => out.push(format!(
            "{path}: expected {}, actual {}",
            short(expected),
            short(actual)
        )),
        _ => {}
    }
}

/// Every difference between the records and the fixture, grouped per record.
fn compare(expected: &[Converted], actual: &[Converted]) -> Vec<String> {
    let mut problems = Vec::new();
    if expected.len() != actual.len() {
        problems.push(format!(
            "{} records, the fixture has {}",
            actual.len(),
            expected.len()
        ));
    }
    for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
        let mut lines = Vec::new();
        if e.topic != a.topic {
            lines.push(format!("topic: expected {}, actual {}", e.topic, a.topic));
        }
        diff("key", &e.key, &a.key, &mut lines);
        diff("value", &e.value, &a.value, &mut lines);
        if !lines.is_empty() {
            problems.push(format!(
                "record {i} (expected {}):\n    {}",
                e.label(),
                lines.join("\n    ")
            ));
        }
    }
    for (i, e) in expected.iter().enumerate().skip(actual.len()) {
        problems.push(format!("record {i} missing: expected {}", e.label()));
    }
    for (i, a) in actual.iter().enumerate().skip(expected.len()) {
        problems.push(format!("record {i} not expected: {}", a.label()));
    }
    problems
}

/// The task configuration: the case's engine config, pointed at the test's own database,
/// slot and publication.
fn task_props(case: &str, db: &PgConnectionConfig) -> Result<Vec<(String, Option<String>)>> {
    let config: Json = serde_json::from_str(&read_fixture(&format!("{case}.config.json"))?)?;
    let mut props: BTreeMap<String, String> = config
        .as_object()
        .context("the case config is not an object")?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    props.insert("database.hostname".into(), db.host.clone());
    props.insert("database.port".into(), db.port.to_string());
    props.insert("database.user".into(), db.user.clone());
    props.insert("database.password".into(), db.password.clone());
    props.insert("database.dbname".into(), db.database.clone());
    props.insert("slot.name".into(), db.database.clone());
    props.insert("publication.name".into(), format!("{}_pub", db.database));
    props.insert("slot.drop.on.stop".into(), "true".into());
    Ok(props.into_iter().map(|(k, v)| (k, Some(v))).collect())
}

/// Polls until `out` holds `n` records (or `wait` passed), then `settle` longer for extras.
async fn poll_until(
    task: &mut PostgresConnectorTask,
    out: &mut Vec<SourceRecord>,
    n: usize,
    wait: Duration,
    settle: Duration,
) -> Result<()> {
    let deadline = Instant::now() + wait;
    while out.len() < n && Instant::now() < deadline {
        out.extend(task.poll().await.context("the task failed while polling")?);
    }
    let settle = Instant::now() + settle;
    while Instant::now() < settle {
        out.extend(task.poll().await.context("the task failed while polling")?);
    }
    Ok(())
}

/// Polls until the task streams from its slot (the slot is active), so that the streaming
/// steps come after the snapshot's consistent point.
async fn wait_streaming(
    task: &mut PostgresConnectorTask,
    client: &tokio_postgres::Client,
    slot: &str,
    out: &mut Vec<SourceRecord>,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if common::slot_active(client, slot).await {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "the task did not start streaming from slot {slot} within 60 s"
        );
        out.extend(task.poll().await.context("the task failed while polling")?);
    }
}

async fn run_steps(client: &tokio_postgres::Client, steps: &[&str]) -> Result<()> {
    let sql = dml_steps()?;
    for step in steps {
        let text = sql
            .get(*step)
            .with_context(|| format!("dml.sql has no step {step}"))?;
        client
            .batch_execute(text)
            .await
            .with_context(|| format!("running step {step}"))?;
    }
    Ok(())
}

/// Runs one case (see the module doc); fails with every difference from the fixture.
async fn run_case(case: &str, before_snapshot: &[&str], streaming: &[&str]) -> Result<()> {
    let expected = expected_records(case)?;
    let snapshot_count = expected
        .iter()
        .filter(|r| r.value["payload"]["op"] == "r")
        .count();
    let pg = sluice_testkit::services().postgres();
    let database = pg.create_database("xtypes").await;
    let db = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, database);
    let client = db.connect("the extra types golden test").await?;
    client
        .batch_execute(&read_fixture("schema.sql")?)
        .await
        .context("running schema.sql")?;
    run_steps(&client, before_snapshot).await?;

    let mut task = PostgresConnector::default().create_task();
    task.start(
        task_props(case, &db)?,
        SourceTaskContext::new(Arc::new(StoredOffsets::default())),
    )
    .await?;
    let mut records = Vec::new();
    let outcome = async {
        poll_until(
            &mut task,
            &mut records,
            snapshot_count,
            Duration::from_secs(60),
            Duration::ZERO,
        )
        .await?;
        wait_streaming(&mut task, &client, &db.database, &mut records).await?;
        run_steps(&client, streaming).await?;
        poll_until(
            &mut task,
            &mut records,
            expected.len(),
            Duration::from_secs(30),
            Duration::from_millis(1500),
        )
        .await
    }
    .await;
    let stopped = task.stop().await;
    outcome?;
    stopped?;

    let problems = compare(&expected, &convert(&records)?);
    if !problems.is_empty() {
        let deviations: Vec<String> = DEVIATIONS
            .iter()
            .map(|(what, why)| format!("  {what}: {why}"))
            .collect();
        bail!(
            "{case}: {} differences from Debezium's records (varying fields masked; deviations \
             applied:\n{})\n{}",
            problems.len(),
            deviations.join("\n"),
            problems.join("\n")
        );
    }
    Ok(())
}

macro_rules! cases {
    ($($(#[$doc:meta])* $case:ident: [$($before:literal),*] => [$($stream:literal),*];)*) => {
        $(
            $(#[$doc])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() -> Result<()> {
                run_case(stringify!($case), &[$($before),*], &[$($stream),*]).await
            }
        )*
    };
}

cases! {
    /// Default modes: r, r, c, u, d, tombstone.
    types_default: ["snapshot_rows"] => ["stream_insert", "stream_update", "stream_delete"];
    /// `hstore.handling.mode=map`.
    types_hstore_map: ["snapshot_rows"] => ["stream_insert"];
    /// `decimal.handling.mode=string` (money).
    types_decimal_string: ["snapshot_rows"] => ["stream_insert"];
    /// `decimal.handling.mode=double` (money).
    types_decimal_double: ["snapshot_rows"] => ["stream_insert"];
    /// `binary.handling.mode=base64` (bytea only; bits stay bytes).
    types_binary_base64: ["snapshot_rows"] => ["stream_insert"];
    /// `binary.handling.mode=hex`.
    types_binary_hex: ["snapshot_rows"] => ["stream_insert"];
    /// Columns of types Debezium has no converter for are left out.
    unsupported_default: ["unsupported_snapshot_rows"] => ["unsupported_stream_insert"];
    /// `include.unknown.datatypes=true`: they come as bytes of their text (money[] still not).
    unsupported_include_unknown: ["unsupported_snapshot_rows"] => ["unsupported_stream_insert"];
    /// A transactional and a non-transactional logical decoding message between row changes.
    logical_messages: [] => ["messages"];
    /// `message.prefix.exclude.list` drops the non-transactional message.
    logical_messages_excluded: [] => ["messages"];
}
