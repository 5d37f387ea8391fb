//! The golden sequence used Debezium's PostgreSQL connector; in the stand-in replay
//! (`distributed_rest_conformance.rs`) FileStreamSource connectors stand in, with the same
//! connector NAMES and the same request sequence. This module rewrites
//! requests (paths, bodies) and the reference's expected answers the same way, so that every
//! field that is not connector-specific is still compared exactly.
//!
//! Key mapping of a Debezium config (everything else is Debezium-only and dropped):
//!
//! | Debezium | FileStreamSource | why |
//! |---|---|---|
//! | `connector.class` PostgresConnector | `org.apache.kafka.connect.file.FileStreamSourceConnector` | the stand-in |
//! | `name`, `tasks.max` | kept | framework keys |
//! | `topic.prefix` P | `topic` T(P), `file` F(P) | the output topic and the source of the data |
//! | no `topic.prefix` | `file` only | keeps "a required value is missing" |
//! | `database.port` not an integer | `batch.size` with the same value | keeps "an integer is expected" |
//! | `heartbeat.interval.ms` (added by the update step) | `batch.size` with the same value | keeps "a tuning key is added" |
//! | `task.class` (task configs) | `org.apache.kafka.connect.file.FileStreamSourceTask` | |
//!
//! Offsets: partition `{"server": P}` becomes `{"filename": F(P)}`, a non-null offset becomes
//! `{"position": <size of F(P) now>}` (the source has read its whole file when the answer is
//! checked; steps that poll retry until then).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// Debezium's PostgreSQL connector class, as the golden requests name it.
pub const PG_CLASS: &str = "io.debezium.connector.postgresql.PostgresConnector";
/// The stand-in's class.
pub const FILE_SOURCE_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
/// The stand-in's task class.
pub const FILE_SOURCE_TASK_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceTask";
/// The topic the golden connector wrote to.
pub const PG_TOPIC: &str = "restgolden.inventory.customers";

/// The files and topics standing in for each Debezium `topic.prefix`.
#[derive(Debug, Clone)]
pub struct Translator {
    /// `restgolden` → (file, topic).
    pub first: (PathBuf, String),
    /// `restgolden2` → (file, topic).
    pub second: (PathBuf, String),
    /// Any other prefix, and configs without one.
    pub other: (PathBuf, String),
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

impl Translator {
    fn target(&self, prefix: Option<&str>) -> &(PathBuf, String) {
        match prefix {
            Some("restgolden") => &self.first,
            Some("restgolden2") => &self.second,
            _ => &self.other,
        }
    }

    /// A Debezium connector (or task) config rewritten for FileStreamSource; any other map is
    /// returned as is.
    pub fn config(&self, golden: &Map<String, Value>) -> Map<String, Value> {
        if golden.get("connector.class").and_then(Value::as_str) != Some(PG_CLASS) {
            return golden.clone();
        }
        let prefix = golden.get("topic.prefix").and_then(Value::as_str);
        let (file, topic) = self.target(prefix);
        let mut out = Map::new();
        out.insert("connector.class".into(), json!(FILE_SOURCE_CLASS));
        out.insert("file".into(), json!(file.to_str().unwrap()));
        if prefix.is_some() {
            out.insert("topic".into(), json!(topic));
        }
        for (k, v) in golden {
            match k.as_str() {
                "name" | "tasks.max" => {
                    out.insert(k.clone(), v.clone());
                }
                "database.port" if v.as_str().is_some_and(|p| p.parse::<i32>().is_err()) => {
                    out.insert("batch.size".into(), v.clone());
                }
                "heartbeat.interval.ms" => {
                    out.insert("batch.size".into(), v.clone());
                }
                "task.class" => {
                    out.insert(k.clone(), json!(FILE_SOURCE_TASK_CLASS));
                }
                _ => {}
            }
        }
        out
    }

    /// The golden config key a FileStreamSource key stands for (for validate answers).
    pub fn key(&self, golden_key: &str) -> Option<&'static str> {
        match golden_key {
            "topic.prefix" => Some("topic"),
            "database.port" => Some("batch.size"),
            "name" => Some("name"),
            "connector.class" => Some("connector.class"),
            "tasks.max" => Some("tasks.max"),
            _ => None,
        }
    }

    fn offset_entry(&self, entry: &Map<String, Value>) -> Value {
        let prefix = entry["partition"]["server"].as_str();
        let (file, _) = self.target(prefix);
        let offset = match &entry["offset"] {
            Value::Null => Value::Null,
            _ => json!({"position": file_size(file)}),
        };
        json!({"partition": {"filename": file.to_str().unwrap()}, "offset": offset})
    }

    fn string(&self, s: &str) -> String {
        s.replace(PG_CLASS, FILE_SOURCE_CLASS)
            .replace(PG_TOPIC, &self.first.1)
    }

    /// A golden JSON value (request or response body) rewritten for the stand-in.
    pub fn value(&self, v: &Value) -> Value {
        match v {
            Value::Object(o)
                if o.get("connector.class").and_then(Value::as_str) == Some(PG_CLASS) =>
            {
                Value::Object(self.config(o))
            }
            Value::Object(o) if o.contains_key("partition") && o.contains_key("offset") => {
                self.offset_entry(o)
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (self.string(k), self.value(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.value(v)).collect()),
            Value::String(s) => Value::String(self.string(s)),
            other => other.clone(),
        }
    }

    /// A raw (string) request body: translated when it is JSON, else sent as recorded.
    pub fn raw(&self, raw: &str) -> String {
        match serde_json::from_str::<Value>(raw) {
            Ok(v) => self.value(&v).to_string(),
            Err(_) => raw.to_owned(),
        }
    }

    /// A request path: the plugin's class or alias replaced by the stand-in's.
    pub fn path(&self, path: &str) -> String {
        path.replace(PG_CLASS, FILE_SOURCE_CLASS)
            .replace("/PostgresConnector/", "/FileStreamSourceConnector/")
    }
}
