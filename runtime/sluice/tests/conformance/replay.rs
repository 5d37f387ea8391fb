//! The replay of `rest_conformance.rs` and `distributed_rest_conformance.rs`: the 83 requests
//! of `golden/rest/` (Kafka Connect 4.3's answers) sent in order to a live worker — `sluice
//! standalone` or `sluice distributed` (the built binary, the real broker) — with
//! FileStreamSource connectors standing in for Debezium's PostgreSQL connector under the same
//! names (see `translate.rs` for the mapping).
//!
//! Every status code must match exactly, except the deviations listed in
//! `deviations::DEVIATIONS`; every body must match field by field (after translation), except
//! the values the golden README documents as varying, and except the answers `CHECKS` compares
//! otherwise (shape only, …) because they are plugin-, mode- or timing-specific in the
//! reference. Both modes are held to the same table, which is printed and must be the one in
//! `docs/rest-conformance.md` (regenerate it with `SLUICE_WRITE_CONFORMANCE_DOC=1`).
//!
//! Steps whose answer depends on the worker catching up (a task reaching RUNNING, a record
//! produced, an offsets flush) are GETs retried for up to [`CATCH_UP`], as a client polling
//! would; the first offsets read must come before the first flush
//! (`worker::OFFSET_FLUSH_MS`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::compare::{diff, shape, shape_of_map};
use super::deviations::{Check, DEVIATIONS, check_of, table};
use super::translate::{FILE_SOURCE_CLASS, Translator};
use super::worker::{Worker, temp, topic};
use super::{Answer, Transcript, all_transcripts, send};
use serde_json::Value;

/// How long a catching-up GET is retried.
const CATCH_UP: Duration = Duration::from_secs(30);

/// GET steps that wait for the worker to catch up (task RUNNING, records, offsets flush).
const RETRIED: &[u64] = &[21, 23, 26, 28, 31, 33, 39, 41, 48, 51, 53, 55, 58, 61];

fn write_lines(path: &PathBuf, n: usize) {
    let lines: String = (0..n).map(|i| format!("line {i}\n")).collect();
    std::fs::write(path, lines).unwrap();
}

/// Appends lines (never rewrites: the source is reading the file).
fn append_lines(path: &PathBuf, numbers: std::ops::Range<usize>) {
    use std::io::Write;
    let lines: String = numbers.map(|i| format!("line {i}\n")).collect();
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(lines.as_bytes()).unwrap();
}

/// What the worker must be given between two golden requests, as the connector's database
/// was in the reference run: data for the sources to read. Before step 48 (topics after the
/// reset of step 47) the first source gets new lines: the reference's connector kept writing
/// to its topic, which is what lists it again after a reset (KIP-558).
fn before_step(seq: u64, tr: &Translator) {
    match seq {
        18 => write_lines(&tr.first.0, 20),
        35 => write_lines(&tr.second.0, 20),
        // After the topics reset (047) the reference connector kept writing, so its topic was
        // listed again by 048; new lines do the same for the FileStream stand-in.
        48 => append_lines(&tr.first.0, 20..25),
        _ => {}
    }
}

/// The body differences of one answer with the translated reference body.
fn body_problems(t: &Transcript, tr: &Translator, golden: &Value, ours: &Value) -> Vec<String> {
    let mut d = Vec::new();
    match check_of(t.seq).map(|(c, _)| c) {
        None => diff("$", golden, ours, &mut d),
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
fn problems(t: &Transcript, tr: &Translator, ours: &Answer) -> Vec<String> {
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
        Ok(body) => p.extend(body_problems(t, tr, &tr.value(&t.response_body), &body)),
        Err(e) => p.push(format!("body is not JSON ({e}): {}", ours.text)),
    }
    p
}

async fn replay(client: &reqwest::Client, base: &str, t: &Transcript, tr: &Translator) -> Answer {
    let body = t.request_body.as_ref().map(|b| match b {
        Value::String(raw) => tr.raw(raw),
        json => tr.value(json).to_string(),
    });
    send(
        client,
        base,
        &t.method,
        &tr.path(&t.path),
        t.request_content_type.as_deref(),
        body,
    )
    .await
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

/// Replays every golden request against a new worker of `mode` and fails on any undocumented
/// difference (see the module doc).
pub async fn run(mode: Mode) {
    let kafka = sluice_testkit::services().kafka();
    let transcripts = all_transcripts();
    assert_eq!(
        transcripts.len(),
        83,
        "golden/rest/index.json lists 83 pairs"
    );
    let tr = Translator {
        first: (
            temp("conf-src1", "txt"),
            topic(&kafka.bootstrap, "conf-t1").await,
        ),
        second: (
            temp("conf-src2", "txt"),
            topic(&kafka.bootstrap, "conf-t2").await,
        ),
        other: (
            temp("conf-src3", "txt"),
            topic(&kafka.bootstrap, "conf-t3").await,
        ),
    };
    let worker = match mode {
        Mode::Standalone => Worker::start(&kafka.bootstrap).await,
        Mode::Distributed => Worker::start_distributed(&kafka.bootstrap).await,
    };
    let client = reqwest::Client::new();

    let mut failures = Vec::new();
    let mut created_at = None;
    for t in &transcripts {
        before_step(t.seq, &tr);
        if t.seq == 18 {
            created_at = Some(Instant::now());
        }
        if t.seq == 32 {
            // The step is only meaningful before the first offsets flush.
            let elapsed = created_at.unwrap().elapsed();
            if elapsed >= Duration::from_millis(super::worker::OFFSET_FLUSH_MS / 2) {
                failures.push(format!(
                    "steps 18..32 took {elapsed:?}: too slow to read offsets before the first flush"
                ));
            }
        }
        if t.seq == 60 {
            // The reset must have something to reset: the stopped connector's flushed offsets.
            let offsets = format!("{}/connectors/inventory-connector-2/offsets", worker.base);
            let body: Value = client
                .get(offsets)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if body["offsets"].as_array().is_none_or(Vec::is_empty) {
                failures.push(format!(
                    "inventory-connector-2 had no offsets to reset: {body}"
                ));
            }
        }
        let deadline = Instant::now() + CATCH_UP;
        let (answer, p) = loop {
            let answer = replay(&client, &worker.base, t, &tr).await;
            let p = problems(t, &tr, &answer);
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
                tr.path(&t.path),
                answer.status,
                answer.text.chars().take(300).collect::<String>(),
                p.join("; ")
            ));
        }
    }

    let table = table(&transcripts);
    println!("{table}");
    println!(
        "{} golden requests replayed against sluice {}; {} rows above",
        transcripts.len(),
        mode.command(),
        table.lines().count() - 2
    );
    let doc = format!("{}\n\n{table}", include_str!("doc_header.md").trim_end());
    if std::env::var_os("SLUICE_WRITE_CONFORMANCE_DOC").is_some() {
        std::fs::write(docs_path(), &doc).unwrap();
    }
    assert!(
        failures.is_empty(),
        "undocumented differences (worker log: {}):\n{}",
        worker.log.display(),
        failures.join("\n")
    );
    let kept = std::fs::read_to_string(docs_path()).unwrap_or_default();
    assert_eq!(
        kept, doc,
        "docs/rest-conformance.md is not the current table: rerun with SLUICE_WRITE_CONFORMANCE_DOC=1"
    );
    for f in [&tr.first.0, &tr.second.0, &tr.other.0] {
        let _ = std::fs::remove_file(f);
    }
}
