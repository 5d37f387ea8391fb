//! The replay of `rest_conformance.rs` and `distributed_rest_conformance.rs`: the 83 requests
//! of `golden/rest/` (Kafka Connect 4.3's answers) sent in order to a live worker — `sluice
//! standalone` or `sluice distributed` (the built binary, the real broker) — running either
//! Sluice's own PostgreSQL connector on the test PostgreSQL (`postgres.rs`) or FileStreamSource
//! connectors standing in for it under the same names (`translate.rs`).
//!
//! Every status code must match exactly, except the deviations listed in
//! `deviations::DEVIATIONS`; every body must match field by field (after translation), except
//! the values the golden README documents as varying, and except the answers the checks of
//! `deviations` compare otherwise (shape only, …) because they are plugin-, mode- or
//! timing-specific in the reference. The tables of both replays are printed and must be the
//! ones in `docs/rest-conformance.md` (regenerate it with `SLUICE_WRITE_CONFORMANCE_DOC=1`).
//!
//! Steps whose answer depends on the worker catching up (a task reaching RUNNING, a record
//! produced, an offsets flush) are GETs retried for up to [`CATCH_UP`], as a client polling
//! would; the first offsets read must come before the first flush
//! (`worker::OFFSET_FLUSH_MS`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::compare::{diff, shape, shape_of_map};
use super::deviations::{Check, DEVIATIONS, Replay, check_of, table};
use super::postgres::PgTarget;
use super::target::Target;
use super::translate::{FILE_SOURCE_CLASS, Translator};
use super::worker::{Worker, temp, topic};
use super::{Answer, Transcript, all_transcripts, send};
use serde_json::Value;

/// How long a catching-up GET is retried.
const CATCH_UP: Duration = Duration::from_secs(30);

/// GET steps that wait for the worker to catch up (task RUNNING, records, offsets flush).
const RETRIED: &[u64] = &[21, 23, 26, 28, 31, 33, 39, 41, 48, 51, 53, 55, 58, 61];

/// The golden answers of 008/009 as this worker gives them: its own converter classes as the
/// converters' recommended values, its own version as their `plugin.version`.
fn with_worker_plugins(golden: &Value) -> Value {
    use sluice_worker::herder::converters::{HEADER_CONVERTERS, RECORD_CONVERTERS};
    let sorted = |known: &[&str]| {
        let mut v: Vec<&str> = known.to_vec();
        v.sort_unstable();
        Value::from(v)
    };
    let version = env!("CARGO_PKG_VERSION");
    let mut g = golden.clone();
    for c in g["configs"].as_array_mut().into_iter().flatten() {
        let name = c["value"]["name"].as_str().unwrap_or_default().to_owned();
        match name.as_str() {
            "key.converter" | "value.converter" => {
                c["value"]["recommended_values"] = sorted(RECORD_CONVERTERS);
            }
            "header.converter" => c["value"]["recommended_values"] = sorted(HEADER_CONVERTERS),
            n if n.ends_with(".converter.plugin.version") => {
                c["definition"]["default_value"] = Value::from(version);
                c["value"]["value"] = Value::from(version);
                c["value"]["recommended_values"] = Value::from(vec![version]);
            }
            _ => {}
        }
    }
    g
}

/// The body differences of one answer with the translated reference body.
fn body_problems(t: &Transcript, target: &Target, golden: &Value, ours: &Value) -> Vec<String> {
    let mut d = Vec::new();
    match check_of(t.seq, target.replay()).map(|(c, _)| c) {
        None => diff("$", golden, ours, &mut d),
        Some(Check::WorkerPlugins) => diff("$", &with_worker_plugins(golden), ours, &mut d),
        Some(Check::TopicsReset) => {
            let mut g = golden.clone();
            for topics in g.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
                topics["topics"] = Value::Array(Vec::new());
            }
            diff("$", &g, ours, &mut d);
        }
        Some(Check::Shape) => shape("$", golden, ours, &mut d),
        Some(Check::ServerInfo) => {
            shape("$", golden, ours, &mut d);
            for k in ["version", "commit", "kafka_cluster_id"] {
                if ours[k].as_str().is_none_or(str::is_empty) {
                    d.push(format!("$.{k}: {} is not a non-empty string", ours[k]));
                }
            }
        }
        Some(Check::CreatedWithTasks) => {
            let mut g = golden.clone();
            let name = &golden["name"];
            let n: u64 = golden["config"]["tasks.max"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            g["tasks"] = (0..n)
                .map(|task| serde_json::json!({"connector": name, "task": task}))
                .collect();
            diff("$", &g, ours, &mut d);
        }
        Some(Check::ResetOffsets) => {
            let left: Vec<&Value> = ours["offsets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|o| !o["offset"].is_null())
                .collect();
            if !ours["offsets"].is_array() || !left.is_empty() {
                d.push(format!("offsets left after the reset: {ours}"));
            }
        }
        Some(Check::LoggerMap) => shape_of_map(golden, ours, &mut d),
        Some(Check::LoggerNames) => {
            let logger = t
                .path
                .rsplit('/')
                .next()
                .unwrap()
                .split('?')
                .next()
                .unwrap();
            shape("$", golden, ours, &mut d);
            if !ours
                .as_array()
                .is_some_and(|a| a.contains(&Value::from(logger)))
            {
                d.push(format!("$: {ours} does not hold {logger}"));
            }
        }
        Some(Check::Validate) => {
            let Target::StandIn(tr) = target else {
                unreachable!("the stand-ins' check")
            };
            shape("$", golden, ours, &mut d);
            diff(
                "$.name",
                &Value::from(FILE_SOURCE_CLASS),
                &ours["name"],
                &mut d,
            );
            let flagged = |v: &Value| -> Vec<String> {
                let mut keys: Vec<String> = v["configs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|c| {
                        c["value"]["errors"]
                            .as_array()
                            .is_some_and(|e| !e.is_empty())
                    })
                    .filter_map(|c| c["value"]["name"].as_str().map(str::to_owned))
                    .collect();
                keys.sort();
                keys
            };
            let mut expected: Vec<String> = flagged(golden)
                .iter()
                .filter_map(|k| tr.key(k).map(str::to_owned))
                .collect();
            expected.sort();
            if flagged(ours) != expected {
                d.push(format!(
                    "errors on {:?}, expected on {expected:?}",
                    flagged(ours)
                ));
            }
            let errors = ours["error_count"].as_u64().unwrap_or(u64::MAX);
            if (errors == 0) != expected.is_empty() {
                d.push(format!("$.error_count: {errors}"));
            }
        }
        Some(Check::InvalidConfigMessage) => {
            let m = ours["message"].as_str().unwrap_or("");
            let head = "Connector configuration is invalid and contains the following ";
            let tail = "You can also find the above list of errors at the endpoint \
                        `/connector-plugins/{connectorType}/config/validate`";
            if !m.starts_with(head) || !m.ends_with(tail) {
                d.push(format!("message {m:?}"));
            }
            diff(
                "$.error_code",
                &golden["error_code"],
                &ours["error_code"],
                &mut d,
            );
        }
        Some(Check::TaskConfigs) => {
            shape("$", &strip_configs(golden), &strip_configs(ours), &mut d);
            for (i, (g, o)) in golden
                .as_array()
                .unwrap()
                .iter()
                .zip(ours.as_array().into_iter().flatten())
                .enumerate()
            {
                diff(&format!("$[{i}].id"), &g["id"], &o["id"], &mut d);
                // Kafka's worker adds task.class to every task config; the stand-in's is FileStream's.
                if g["config"]["task.class"].is_string()
                    && o["config"]["task.class"]
                        != "org.apache.kafka.connect.file.FileStreamSourceTask"
                {
                    d.push(format!(
                        "$[{i}].config.task.class: {} is not FileStreamSourceTask",
                        o["config"]["task.class"]
                    ));
                }
                for k in ["file", "topic"] {
                    diff(
                        &format!("$[{i}].config.{k}"),
                        &g["config"][k],
                        &o["config"][k],
                        &mut d,
                    );
                }
            }
        }
        Some(Check::TransientTaskStates) => {
            let mut g = golden.clone();
            for (i, task) in ours["tasks"].as_array().into_iter().flatten().enumerate() {
                if let Some(gt) = g["tasks"].get_mut(i) {
                    gt["state"] = task["state"].clone();
                }
            }
            if ours["tasks"].as_array().is_some_and(Vec::is_empty) {
                g["tasks"] = Value::Array(vec![]);
            }
            diff("$", &g, ours, &mut d);
        }
    }
    d
}

fn strip_configs(v: &Value) -> Value {
    let mut v = v.clone();
    for t in v.as_array_mut().into_iter().flatten() {
        t["config"] = Value::Object(Default::default());
    }
    v
}

/// Status, headers and body of `ours` against the reference's answer to `t`.
fn problems(t: &Transcript, target: &Target, ours: &Answer) -> Vec<String> {
    let mut p = Vec::new();
    if let Some((_, status, _)) = DEVIATIONS.iter().find(|(s, _, _)| *s == t.seq) {
        if ours.status != *status {
            p.push(format!(
                "status {}, the deviation says {status}",
                ours.status
            ));
        }
        let body: Value = serde_json::from_str(&ours.text).unwrap_or(Value::Null);
        if body["error_code"] != ours.status || !body["message"].is_string() {
            p.push(format!("not an error body: {}", ours.text));
        }
        if ours.content_type.as_deref() != Some("application/json") {
            p.push(format!("content-type {:?}", ours.content_type));
        }
        return p;
    }
    if ours.status != t.status {
        p.push(format!("status {}, expected {}", ours.status, t.status));
    }
    let golden_ct = t.headers.get("content-type").and_then(Value::as_str);
    if golden_ct != ours.content_type.as_deref() {
        p.push(format!(
            "content-type {:?}, expected {golden_ct:?}",
            ours.content_type
        ));
    }
    if let Some(g) = t.headers.get("location").and_then(Value::as_str) {
        let suffix = &g[g.find("/connectors/").unwrap()..];
        match &ours.location {
            Some(l) if l.starts_with("http://") && l.ends_with(suffix) => {}
            other => p.push(format!("location {other:?}, expected …{suffix}")),
        }
    }
    if t.response_body.is_null() {
        if !ours.text.is_empty() {
            p.push(format!("expected no body, got {}", ours.text));
        }
        return p;
    }
    match serde_json::from_str::<Value>(&ours.text) {
        Ok(body) => p.extend(body_problems(
            t,
            target,
            &target.answer(&t.response_body),
            &body,
        )),
        Err(e) => p.push(format!("body is not JSON ({e}): {}", ours.text)),
    }
    p
}

async fn replay(client: &reqwest::Client, base: &str, t: &Transcript, target: &Target) -> Answer {
    let body = t.request_body.as_ref().map(|b| match b {
        Value::String(raw) => target.raw(raw),
        json => target.request(json).to_string(),
    });
    let answer = send(
        client,
        base,
        &t.method,
        &target.path(&t.path),
        t.request_content_type.as_deref(),
        body,
    )
    .await;
    if let Ok(v) = serde_json::from_str::<Value>(&answer.text) {
        target.saw(&t.method, &t.path, &v);
    }
    answer
}

fn docs_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rest-conformance.md")
}

/// Which worker the replay runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `sluice standalone` (file offsets, memory configs).
    Standalone,
    /// `sluice distributed` (the three internal topics, a group of one).
    Distributed,
}

impl Mode {
    fn command(self) -> &'static str {
        match self {
            Mode::Standalone => "standalone",
            Mode::Distributed => "distributed",
        }
    }
}

/// The `offsets` list of `GET /connectors/{connector}/offsets`.
async fn offsets_of(client: &reqwest::Client, base: &str, connector: &str) -> Value {
    let body: Value = client
        .get(format!("{base}/connectors/{connector}/offsets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["offsets"].clone()
}

/// The connector a replay runs (see `target.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// Sluice's `PostgresConnector` on the test PostgreSQL.
    Postgres,
    /// FileStreamSource stand-ins on temp files.
    StandIn,
}

async fn target(connector: Connector, bootstrap: &str) -> Target {
    match connector {
        Connector::Postgres => Target::Postgres(PgTarget::setup().await),
        Connector::StandIn => Target::StandIn(Translator {
            first: (temp("conf-src1", "txt"), topic(bootstrap, "conf-t1").await),
            second: (temp("conf-src2", "txt"), topic(bootstrap, "conf-t2").await),
            other: (temp("conf-src3", "txt"), topic(bootstrap, "conf-t3").await),
        }),
    }
}

/// `docs/rest-conformance.md`: the header, the deviations of the PostgreSQL replay, and the
/// stand-in replay's own.
fn doc(transcripts: &[Transcript]) -> String {
    format!(
        "{}\n\n{}\n{}\n\n{}",
        include_str!("doc_header.md").trim_end(),
        table(transcripts, Replay::Postgres, false),
        include_str!("doc_stand_in.md").trim_end(),
        table(transcripts, Replay::StandIn, true),
    )
}

/// Replays every golden request against a new worker of `mode` running `connector`, and fails
/// on any undocumented difference (see the module doc).
pub async fn run(mode: Mode, connector: Connector) {
    let kafka = sluice_testkit::services().kafka();
    let transcripts = all_transcripts();
    assert_eq!(
        transcripts.len(),
        83,
        "golden/rest/index.json lists 83 pairs"
    );
    let target = target(connector, &kafka.bootstrap).await;
    let worker = match mode {
        Mode::Standalone => Worker::start(&kafka.bootstrap).await,
        Mode::Distributed => Worker::start_distributed(&kafka.bootstrap).await,
    };
    let client = reqwest::Client::new();

    let mut failures = Vec::new();
    let mut created_at = None;
    for t in &transcripts {
        target.before_step(t.seq);
        if t.seq == 18 {
            created_at = Some(Instant::now());
        }
        if t.seq == 32 {
            // The step is only meaningful before the first offsets flush.
            let elapsed = created_at.unwrap().elapsed();
            // The first periodic flush comes OFFSET_FLUSH_MS after the task started, which is
            // after step 18 began; 2 s are left for this step's own request. (Half the interval
            // was too tight on a loaded 2-core CI box: 5.5 s were seen.)
            let deadline = Duration::from_millis(super::worker::OFFSET_FLUSH_MS - 2_000);
            if elapsed >= deadline {
                failures.push(format!(
                    "steps 18..32 took {elapsed:?}: too slow to read offsets before the first flush"
                ));
            }
        }
        if t.seq == 59 {
            // The reset of 060 must have something to reset, as in the reference: the offsets
            // inventory-connector-2 stored. Its source may still be starting (a new slot waits
            // for the server's running transactions), so wait for them before stopping it.
            let deadline = Instant::now() + CATCH_UP;
            while offsets_of(&client, &worker.base, "inventory-connector-2")
                .await
                .as_array()
                .is_none_or(Vec::is_empty)
                && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        if t.seq == 60 {
            let offsets = offsets_of(&client, &worker.base, "inventory-connector-2").await;
            if offsets.as_array().is_none_or(Vec::is_empty) {
                failures.push(format!(
                    "inventory-connector-2 had no offsets to reset: {offsets}"
                ));
            }
        }
        let deadline = Instant::now() + CATCH_UP;
        let (answer, p) = loop {
            let answer = replay(&client, &worker.base, t, &target).await;
            let p = problems(t, &target, &answer);
            if p.is_empty() || !RETRIED.contains(&t.seq) || Instant::now() > deadline {
                break (answer, p);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        if !p.is_empty() {
            eprintln!("step {:03}: {}", t.seq, p.join("; "));
            failures.push(format!(
                "{} {} {} → {} {}: {}",
                t.file,
                t.method,
                target.path(&t.path),
                answer.status,
                answer.text.chars().take(300).collect::<String>(),
                p.join("; ")
            ));
        }
    }

    let table = table(&transcripts, target.replay(), false);
    println!("{table}");
    println!(
        "{} golden requests replayed against sluice {} with {:?}; {} rows above",
        transcripts.len(),
        mode.command(),
        connector,
        table.lines().count() - 2
    );
    let doc = doc(&transcripts);
    if std::env::var_os("SLUICE_WRITE_CONFORMANCE_DOC").is_some() {
        std::fs::write(docs_path(), &doc).unwrap();
    }
    let log = worker.log.clone();
    // The worker goes first, so nothing holds the replication slots any more.
    drop(worker);
    target.cleanup().await;
    assert!(
        failures.is_empty(),
        "undocumented differences (worker log: {}):\n{}",
        log.display(),
        failures.join("\n")
    );
    let kept = std::fs::read_to_string(docs_path()).unwrap_or_default();
    assert_eq!(
        kept, doc,
        "docs/rest-conformance.md is not the current table: rerun with SLUICE_WRITE_CONFORMANCE_DOC=1"
    );
}
