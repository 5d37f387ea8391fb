//! Replays every request of `golden/rest/` (Kafka Connect 4.3's answers) against the router
//! served on a port-0 listener over a [`GoldenHerder`], and checks status code, content type,
//! `Location`, and the body field by field.
//!
//! Not compared, because the reference documents them as varying from run to run: `worker_id`,
//! `trace`, a status's plugin `version`, logger `last_modified`. Every other difference must be
//! listed in [`ALLOWED`] with its reason (the crate's `DEVIATIONS`), or the test fails. The
//! table of deviations is printed (`cargo nextest run -p sluice-rest --no-capture`).

mod common;

use std::sync::Arc;

use common::{GoldenHerder, Transcript, all_transcripts, serve, transcript};
use serde_json::Value;
use sluice_rest::{ConnectorOffset, ConnectorOffsets};

/// Known, deliberate differences: (seq, Sluice's status, reason).
const ALLOWED: &[(u64, u16, &str)] = &[
    (
        11,
        400,
        "validate without connector.class: 400 with the inner message, not a wrapped 500",
    ),
    (12, 400, "malformed JSON: 400, not Jackson's 500"),
    (
        13,
        400,
        "create without config: 400, not a NullPointerException 500",
    ),
    (
        17,
        415,
        "Jersey's 415 has no content-type; Sluice's is application/json",
    ),
    (
        30,
        404,
        "Jersey's 404 has no content-type; Sluice's is application/json",
    ),
    (37, 400, "malformed JSON: 400, not Jackson's 500"),
    (
        56,
        400,
        "unknown field in offsets body: 400, not Jackson's 500",
    ),
    (
        78,
        404,
        "Jersey's 404 has no content-type; Sluice's is application/json",
    ),
    (
        79,
        405,
        "Jersey's 405 has no content-type; Sluice's is application/json",
    ),
];

/// Steps where a part of the body depends on the connector implementation or on timing, and
/// how it is compared instead.
fn relaxed(seq: u64) -> Option<&'static str> {
    match seq {
        5 | 6 => {
            Some("definition.required differs where Debezium has optional keys without default")
        }
        8 | 9 => Some("validate: per-key values and messages come from the connector's validators"),
        16 => Some("invalid-config message lists the connector's own validator messages"),
        44 => Some("task state: the reference's task was still RESTARTING from step 43"),
        _ => None,
    }
}

/// Simulates what the worker does between two REST calls (offset flushes).
fn before_step(herder: &GoldenHerder, seq: u64) {
    let flushed = |file: &str| -> Vec<ConnectorOffset> {
        let offsets: ConnectorOffsets =
            serde_json::from_value(transcript(file).response_body).unwrap();
        offsets.offsets
    };
    match seq {
        33 => herder.commit_offsets(
            "inventory-connector",
            flushed("033_get_offsets_running.json"),
        ),
        59 => {
            let mut o = flushed("033_get_offsets_running.json");
            o[0].partition
                .insert("server".into(), Value::from("restgolden2"));
            herder.commit_offsets("inventory-connector-2", o);
        }
        _ => {}
    }
}

/// Compares `ours` with `golden`, recording differences under `path`.
fn diff(path: &str, golden: &Value, ours: &Value, out: &mut Vec<String>) {
    match (golden, ours) {
        (Value::Object(g), Value::Object(o)) => {
            let is_state = g.contains_key("state");
            for (k, gv) in g {
                let varying = matches!(k.as_str(), "worker_id" | "trace" | "last_modified")
                    || (is_state && k == "version");
                if varying {
                    continue;
                }
                match o.get(k) {
                    Some(ov) => diff(&format!("{path}.{k}"), gv, ov, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in o.keys().filter(|k| !g.contains_key(*k)) {
                if !(k == "trace" || (is_state && k == "version")) {
                    out.push(format!("{path}.{k}: unexpected"));
                }
            }
        }
        (Value::Array(g), Value::Array(o)) => {
            if g.len() != o.len() {
                out.push(format!(
                    "{path}: {} elements, expected {}",
                    o.len(),
                    g.len()
                ));
            }
            for (i, (gv, ov)) in g.iter().zip(o).enumerate() {
                diff(&format!("{path}[{i}]"), gv, ov, out);
            }
        }
        _ if golden == ours => {}
        _ => out.push(format!("{path}: {ours} (expected {golden})")),
    }
}

/// The relaxed comparison of a validate answer: same class, groups, keys and definitions
/// (except `required`); no errors when the reference had none; errors only on keys the
/// reference also flagged.
fn diff_validate(golden: &Value, ours: &Value, out: &mut Vec<String>) {
    for k in ["name", "groups"] {
        diff(&format!("$.{k}"), &golden[k], &ours[k], out);
    }
    let (g, o) = (
        golden["configs"].as_array().unwrap(),
        ours["configs"].as_array().unwrap(),
    );
    if g.len() != o.len() {
        out.push(format!("$.configs: {} keys, expected {}", o.len(), g.len()));
    }
    for (gc, oc) in g.iter().zip(o) {
        let mut gd = gc["definition"].clone();
        let mut od = oc["definition"].clone();
        gd.as_object_mut().unwrap().remove("required");
        od.as_object_mut().unwrap().remove("required");
        diff(
            &format!("$.configs[{}]", gc["definition"]["name"]),
            &gd,
            &od,
            out,
        );
        let flagged = |c: &Value| !c["value"]["errors"].as_array().unwrap().is_empty();
        if flagged(oc) && !flagged(gc) {
            out.push(format!(
                "{}: error not in the reference: {}",
                oc["value"]["name"], oc["value"]["errors"]
            ));
        }
    }
    let (ge, oe) = (
        golden["error_count"].as_u64().unwrap(),
        ours["error_count"].as_u64().unwrap(),
    );
    if (ge == 0) != (oe == 0) {
        out.push(format!("$.error_count: {oe} (expected {ge})"));
    }
}

fn diff_definitions_except_required(golden: &Value, ours: &Value, out: &mut Vec<String>) -> usize {
    let strip = |v: &Value| -> (Value, usize) {
        let mut v = v.clone();
        let mut optional = 0;
        for d in v.as_array_mut().unwrap() {
            let d = d.as_object_mut().unwrap();
            if d.remove("required") == Some(Value::Bool(false)) && d["default_value"].is_null() {
                optional += 1;
            }
        }
        (v, optional)
    };
    let ((g, optional), (o, _)) = (strip(golden), strip(ours));
    diff("$", &g, &o, out);
    optional
}

struct Row {
    seq: u64,
    name: String,
    golden_status: u16,
    status: u16,
    note: String,
}

async fn send(client: &reqwest::Client, base: &str, t: &Transcript) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(t.method.as_bytes()).unwrap();
    let mut req = client.request(method, format!("{base}{}", t.path));
    if let Some(ct) = &t.request_content_type {
        req = req.header("content-type", ct);
    }
    match &t.request_body {
        Some(Value::String(raw)) => req = req.body(raw.clone()),
        Some(body) => req = req.body(serde_json::to_vec(body).unwrap()),
        None => {}
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn every_golden_request_gets_the_reference_answer() {
    let herder = Arc::new(GoldenHerder::from_golden());
    let base = serve(herder.clone()).await;
    let client = reqwest::Client::new();
    let transcripts = all_transcripts();
    assert_eq!(
        transcripts.len(),
        83,
        "golden/rest/index.json lists 83 pairs"
    );

    let (mut rows, mut failures) = (Vec::new(), Vec::new());
    for t in &transcripts {
        before_step(&herder, t.seq);
        let resp = send(&client, &base, t).await;
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = resp.text().await.unwrap();
        let allowed = ALLOWED.iter().find(|(s, _, _)| *s == t.seq);

        let mut problems = Vec::new();
        let mut note = String::new();
        match allowed {
            Some((_, ours, reason)) => {
                note = (*reason).to_owned();
                if status != *ours {
                    problems.push(format!("status {status}, allowed deviation says {ours}"));
                }
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if body["error_code"] != status || !body["message"].is_string() {
                    problems.push(format!("not an error body: {text}"));
                }
                if ct.as_deref() != Some("application/json") {
                    problems.push(format!("content-type {ct:?}"));
                }
            }
            None => {
                if status != t.status {
                    problems.push(format!("status {status}, expected {}", t.status));
                }
                let golden_ct = t.headers.get("content-type").and_then(Value::as_str);
                if golden_ct != ct.as_deref() {
                    problems.push(format!("content-type {ct:?}, expected {golden_ct:?}"));
                }
                if let Some(g) = t.headers.get("location").and_then(Value::as_str) {
                    let suffix = &g[g.find("/connectors/").unwrap()..];
                    match &location {
                        Some(l) if l.starts_with("http://") && l.ends_with(suffix) => {}
                        other => problems.push(format!("location {other:?}, expected …{suffix}")),
                    }
                }
                if t.response_body.is_null() {
                    if !text.is_empty() {
                        problems.push(format!("expected no body, got {text}"));
                    }
                } else {
                    let ours: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("{}: body is not JSON ({e}): {text}", t.file));
                    let mut d = Vec::new();
                    match t.seq {
                        5 | 6 => {
                            let optional =
                                diff_definitions_except_required(&t.response_body, &ours, &mut d);
                            note = format!("{} ({optional} keys)", relaxed(t.seq).unwrap());
                        }
                        8 | 9 => diff_validate(&t.response_body, &ours, &mut d),
                        16 => {
                            let prefix =
                                "Connector configuration is invalid and contains the following";
                            if !ours["message"].as_str().unwrap_or("").starts_with(prefix) {
                                d.push(format!("message {}", ours["message"]));
                            }
                        }
                        44 => {
                            let mut g = t.response_body.clone();
                            g["tasks"][0]["state"] = ours["tasks"][0]["state"].clone();
                            diff("$", &g, &ours, &mut d);
                        }
                        _ => diff("$", &t.response_body, &ours, &mut d),
                    }
                    if let Some(r) = relaxed(t.seq)
                        && note.is_empty()
                    {
                        note = r.to_owned();
                    }
                    problems.extend(d);
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} {} {}: {}",
                t.file,
                t.method,
                t.path,
                problems.join("; ")
            ));
        }
        if !note.is_empty() || !problems.is_empty() {
            rows.push(Row {
                seq: t.seq,
                name: t.name.clone(),
                golden_status: t.status,
                status,
                note,
            });
        }
    }

    println!("| # | request | reference | Sluice | deviation |");
    println!("|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {:03} | {} | {} | {} | {} |",
            r.seq, r.name, r.golden_status, r.status, r.note
        );
    }
    println!(
        "{} of {} golden requests replayed, {} with documented deviations",
        transcripts.len(),
        transcripts.len(),
        rows.len()
    );
    assert!(
        failures.is_empty(),
        "undocumented differences:\n{}",
        failures.join("\n")
    );
}
