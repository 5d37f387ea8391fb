//! The PostgreSQL connector against the golden records of Debezium 3.6.
//!
//! A fresh database on the real PostgreSQL 15 gets the golden inventory schema; the connector
//! task runs with the golden connector configuration (pointed at that database, with its own
//! slot and publication), and every step of `golden/sql/pg_dml_steps.json` is executed. After
//! each step the records the task polled are converted with Kafka's JsonConverter (schemas on)
//! and compared, topic by topic and in order, with the golden records of that step: the key,
//! the value — schemas exactly, payloads exactly except the documented varying fields
//! (timestamps, LSNs, transaction ids, the database name, `sequence`) — and the header names.
//! Finally the Avro schema text of every key and value schema, per subject and in order of
//! appearance, must equal the versions Debezium registered (`golden/events/pg/avro/registry.json`),
//! the `customers-value` v2 of the added column included.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use common::StoredOffsets;
use serde_json::Value as Json;
use sluice_api::connector::{SourceConnector, SourceTask, SourceTaskContext};
use sluice_api::SourceRecord;
use sluice_converters::avro::{AvroDataConfig, from_connect_schema, schema_text};
use sluice_converters::{Converter, JsonConverter};
use sluice_postgres::{PgConnectionConfig, PostgresConnector};

struct Db {
    config: PgConnectionConfig,
    client: tokio_postgres::Client,
}

async fn fresh_inventory(prefix: &str) -> Result<Db> {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database(prefix).await;
    let config = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = config.connect("the connector golden test").await?;
    let schema_sql = std::fs::read_to_string(sluice_testkit::golden("sql/inventory_schema.sql"))?;
    client.batch_execute(&schema_sql).await?;
    Ok(Db { config, client })
}

fn task_props(db: &Db, extra: &[(&str, &str)]) -> Result<Vec<(String, Option<String>)>> {
    let text = std::fs::read_to_string(sluice_testkit::golden("events/pg/connector_config.json"))?;
    let golden: Json = serde_json::from_str(&text)?;
    let mut props: BTreeMap<String, String> = golden["config"]
        .as_object()
        .context("config object")?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let c = &db.config;
    props.insert("database.hostname".into(), c.host.clone());
    props.insert("database.port".into(), c.port.to_string());
    props.insert("database.user".into(), c.user.clone());
    props.insert("database.password".into(), c.password.clone());
    props.insert("database.dbname".into(), c.database.clone());
    props.insert("slot.name".into(), c.database.clone());
    props.insert("publication.name".into(), format!("{}_pub", c.database));
    props.insert("slot.drop.on.stop".into(), "true".into());
    for (k, v) in extra {
        props.insert(k.to_string(), v.to_string());
    }
    Ok(props.into_iter().map(|(k, v)| (k, Some(v))).collect())
}

/// Polls until `n` records arrived (or `wait` passed), then a little longer to catch extras.
async fn poll_records(
    task: &mut sluice_postgres::PostgresConnectorTask,
    n: usize,
    wait: Duration,
) -> Result<Vec<SourceRecord>> {
    let mut out = Vec::new();
    let deadline = Instant::now() + wait;
    while out.len() < n && Instant::now() < deadline {
        out.extend(task.poll().await?);
    }
    let settle = Instant::now() + Duration::from_millis(700);
    while Instant::now() < settle {
        out.extend(task.poll().await?);
    }
    Ok(out)
}

/// Replaces the values that differ between runs.
fn normalize(v: &mut Json) {
    const VARYING: &[&str] = &["ts_ms", "ts_us", "ts_ns", "txId", "lsn", "sequence", "db"];
    match v {
        Json::Object(m) => {
            // Transaction ids ("<txId>:<lsn>") vary: in the transaction block and in the
            // BEGIN/END events (whose key and value also carry a `status` or nothing else).
            let transactional =
                m.contains_key("total_order") || m.contains_key("status") || m.len() == 1;
            for (k, x) in m.iter_mut() {
                let varies =
                    VARYING.contains(&k.as_str()) || (k == "id" && transactional && x.is_string());
                if varies && !x.is_object() && !x.is_null() {
                    *x = Json::String("<varies>".into());
                } else {
                    normalize(x);
                }
            }
        }
        Json::Array(a) => a.iter_mut().for_each(normalize),
        _ => {}
    }
}

fn payload_only(mut v: Json) -> Json {
    if let Some(p) = v.get_mut("payload") {
        normalize(p);
    }
    v
}

struct Converted {
    topic: String,
    key: Json,
    value: Json,
    headers: Vec<String>,
}

fn convert(records: &[SourceRecord]) -> Result<Vec<Converted>> {
    let json = JsonConverter::default();
    records
        .iter()
        .map(|r| {
            let key = json.from_connect(&r.topic, r.key_schema.as_ref(), &r.key)?;
            let value = json.from_connect(&r.topic, r.value_schema.as_ref(), &r.value)?;
            let parse = |b: Option<Vec<u8>>| -> Result<Json> {
                Ok(match b {
                    Some(b) => serde_json::from_slice(&b)?,
                    None => Json::Null,
                })
            };
            Ok(Converted {
                topic: r.topic.clone(),
                key: payload_only(parse(key)?),
                value: payload_only(parse(value)?),
                headers: r.headers.iter().map(|h| h.key.clone()).collect(),
            })
        })
        .collect()
}

/// Compares a step's records with the golden ones, topic by topic; returns the problems.
fn compare(step: &str, ours: &[Converted], golden: &Json) -> Vec<String> {
    let mut problems = Vec::new();
    let empty = Vec::new();
    let golden_records = golden["records"].as_array().unwrap_or(&empty);
    let mut topics: Vec<String> = golden_records
        .iter()
        .filter_map(|r| r["topic"].as_str().map(str::to_string))
        .collect();
    topics.extend(ours.iter().map(|r| r.topic.clone()));
    topics.sort();
    topics.dedup();
    for topic in topics {
        let g: Vec<&Json> = golden_records
            .iter()
            .filter(|r| r["topic"] == topic.as_str())
            .collect();
        let o: Vec<&Converted> = ours.iter().filter(|r| r.topic == topic).collect();
        if g.len() != o.len() {
            problems.push(format!(
                "{step}: topic {topic}: {} records, golden has {}",
                o.len(),
                g.len()
            ));
            continue;
        }
        for (i, (g, o)) in g.iter().zip(o).enumerate() {
            let gk = payload_only(g["key"].clone());
            let gv = payload_only(g["value"].clone());
            if gk != o.key {
                problems.push(format!(
                    "{step}: {topic}[{i}] key\n  ours:   {}\n  golden: {}",
                    o.key, gk
                ));
            }
            if gv != o.value {
                let (gs, os) = (&gv["schema"], &o.value["schema"]);
                if gs != os {
                    problems.push(format!(
                        "{step}: {topic}[{i}] value schema\n  ours:   {os}\n  golden: {gs}"
                    ));
                } else {
                    problems.push(format!(
                        "{step}: {topic}[{i}] value payload\n  ours:   {}\n  golden: {}",
                        o.value["payload"], gv["payload"]
                    ));
                }
            }
            let gh: Vec<String> = g["headers"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .filter_map(|h| h[0].as_str().map(str::to_string))
                .collect();
            if gh != o.headers {
                problems.push(format!(
                    "{step}: {topic}[{i}] headers {:?}, golden {:?}",
                    o.headers, gh
                ));
            }
        }
    }
    problems
}

fn golden_step(index: usize, name: &str) -> Result<Json> {
    let path = sluice_testkit::golden(&format!("events/pg/{index:02}_{name}.json"));
    Ok(serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| path.display().to_string())?,
    )?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_step_yields_debeziums_records() -> Result<()> {
    let db = fresh_inventory("pggolden").await?;
    let props = task_props(&db, &[])?;
    let connector = PostgresConnector::default();
    let mut task = connector.create_task();
    let offsets = StoredOffsets::default();
    task.start(props, SourceTaskContext::new(Arc::new(offsets.clone())))
        .await?;

    let steps: Json = serde_json::from_str(&std::fs::read_to_string(sluice_testkit::golden(
        "sql/pg_dml_steps.json",
    ))?)?;
    let mut problems = Vec::new();
    let mut all = Vec::new();
    for (index, step) in steps.as_array().context("steps")?.iter().enumerate() {
        let name = step["step"].as_str().context("step name")?;
        let golden = golden_step(index, name)?;
        if let Some(sql) = step["sql"].as_str() {
            let result = db.client.batch_execute(sql).await;
            if step["expect_error"].as_bool() == Some(true) {
                ensure!(result.is_err(), "step {name} should fail in PostgreSQL");
                // The failed statement leaves the session in an aborted transaction only
                // inside explicit transactions; the batch has none.
            } else {
                result.with_context(|| format!("step {name}"))?;
            }
        }
        let expected = golden["record_count"].as_u64().unwrap_or(0) as usize;
        let records = poll_records(&mut task, expected, Duration::from_secs(30)).await?;
        problems.extend(compare(name, &convert(&records)?, &golden));
        all.extend(records);
    }
    task.stop().await?;
    problems.extend(compare_avro_subjects(&all)?);
    if !problems.is_empty() {
        bail!(
            "{} differences from the golden records:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
    Ok(())
}

/// The Avro schema texts of the records' key and value schemas, per subject (TopicNameStrategy)
/// in order of first appearance, against the golden registry's versions.
fn compare_avro_subjects(records: &[SourceRecord]) -> Result<Vec<String>> {
    let config = AvroDataConfig::default();
    let mut ours: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in records {
        for (suffix, schema) in [("key", &r.key_schema), ("value", &r.value_schema)] {
            let Some(schema) = schema else { continue };
            let avro = from_connect_schema(schema, &config).map_err(anyhow::Error::msg)?;
            let text = schema_text(&avro).map_err(anyhow::Error::msg)?;
            let versions = ours.entry(format!("{}-{suffix}", r.topic)).or_default();
            if !versions.contains(&text) {
                versions.push(text);
            }
        }
    }
    let registry: Json = serde_json::from_str(&std::fs::read_to_string(sluice_testkit::golden(
        "events/pg/avro/registry.json",
    ))?)?;
    let mut golden: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for entry in registry.as_array().context("registry entries")? {
        golden
            .entry(entry["subject"].as_str().context("subject")?.to_string())
            .or_default()
            .push((
                entry["version"].as_i64().unwrap_or(0),
                entry["schema"].as_str().context("schema")?.to_string(),
            ));
    }
    let mut problems = Vec::new();
    ensure!(
        golden.len() >= 8,
        "the golden registry has only {} subjects",
        golden.len()
    );
    for (subject, mut versions) in golden {
        versions.sort();
        let expected: Vec<String> = versions.into_iter().map(|(_, s)| s).collect();
        let got = ours.remove(&subject).unwrap_or_default();
        if got != expected {
            problems.push(format!(
                "Avro subject {subject}: ours {got:#?}\n  golden {expected:#?}"
            ));
        }
    }
    for subject in ours.keys() {
        problems.push(format!(
            "Avro subject {subject} is not in the golden registry"
        ));
    }
    Ok(problems)
}
