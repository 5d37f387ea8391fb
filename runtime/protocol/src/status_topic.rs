//! Records of the status topic (`status.storage.topic`), as `KafkaStatusBackingStore` writes
//! them: connector and task states, and the topics a connector uses (KIP-558).
//!
//! Keys: `status-connector-<name>`, `status-task-<name>-<n>`,
//! `status-topic-<topic>:connector-<name>`. A `None` value is a tombstone (connector deleted,
//! topic set reset).

use serde_json::Value;

use crate::config_topic::parse_object;
use crate::json;
use crate::{Error, Result};

/// The key of a status record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusKey {
    /// A connector's state.
    Connector(String),
    /// A task's state.
    Task {
        /// Connector name.
        connector: String,
        /// Task number.
        task: u32,
    },
    /// A topic a connector's task used.
    Topic {
        /// The Kafka topic.
        topic: String,
        /// Connector name.
        connector: String,
    },
}

impl StatusKey {
    /// Parses a key; `None` for keys Kafka Connect would skip.
    pub fn parse(key: &str) -> Option<StatusKey> {
        if let Some(c) = key.strip_prefix("status-connector-") {
            Some(StatusKey::Connector(c.to_string()))
        } else if let Some(rest) = key.strip_prefix("status-task-") {
            let (c, n) = rest.rsplit_once('-')?;
            Some(StatusKey::Task {
                connector: c.to_string(),
                task: n.parse().ok()?,
            })
        } else if let Some(rest) = key.strip_prefix("status-topic-") {
            // Topic names cannot contain ':', so the first one ends the topic.
            let (topic, c) = rest.split_once(':')?;
            Some(StatusKey::Topic {
                topic: topic.to_string(),
                connector: c.strip_prefix("connector-")?.to_string(),
            })
        } else {
            None
        }
    }
}

impl std::fmt::Display for StatusKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusKey::Connector(c) => write!(f, "status-connector-{c}"),
            StatusKey::Task { connector, task } => write!(f, "status-task-{connector}-{task}"),
            StatusKey::Topic { topic, connector } => {
                write!(f, "status-topic-{topic}:connector-{connector}")
            }
        }
    }
}

/// The state of a connector or task, as Kafka Connect names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not assigned to a worker (yet).
    Unassigned,
    /// Running.
    Running,
    /// Paused.
    Paused,
    /// Failed; the trace says why.
    Failed,
    /// Being restarted.
    Restarting,
    /// Stopped (KIP-875).
    Stopped,
    /// Deleted (never written; a tombstone is written instead).
    Destroyed,
}

impl State {
    /// The name Kafka Connect writes.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Failed => "FAILED",
            State::Restarting => "RESTARTING",
            State::Stopped => "STOPPED",
            State::Destroyed => "DESTROYED",
        }
    }

    /// Parses a state name.
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "UNASSIGNED" => State::Unassigned,
            "RUNNING" => State::Running,
            "PAUSED" => State::Paused,
            "FAILED" => State::Failed,
            "RESTARTING" => State::Restarting,
            "STOPPED" => State::Stopped,
            "DESTROYED" => State::Destroyed,
            _ => return None,
        })
    }
}

/// A connector's or task's status value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The state.
    pub state: State,
    /// The error trace of a FAILED instance.
    pub trace: Option<String>,
    /// The worker running it (`host:port`).
    pub worker_id: String,
    /// The group generation of the writer.
    pub generation: i32,
    /// The connector plugin's version (Kafka Connect 4.x; `null` for UNASSIGNED).
    pub version: Option<String>,
}

impl Status {
    /// The value bytes: `{"state":…,"trace":…,"worker_id":…,"generation":…,"version":…}`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(b"{\"state\":\"");
        out.extend_from_slice(self.state.as_str().as_bytes());
        out.extend_from_slice(b"\",\"trace\":");
        write_opt(&mut out, self.trace.as_deref());
        out.extend_from_slice(b",\"worker_id\":");
        json::write_string(&mut out, &self.worker_id);
        out.extend_from_slice(
            format!(",\"generation\":{},\"version\":", self.generation).as_bytes(),
        );
        write_opt(&mut out, self.version.as_deref());
        out.push(b'}');
        out
    }

    /// Decodes a value (records of Kafka Connect < 4 have no `version`).
    pub fn decode(bytes: &[u8]) -> Result<Status> {
        let o = parse_object(bytes)?;
        let bad = |m: &str| Error::Malformed {
            what: "status record",
            message: m.to_string(),
        };
        Ok(Status {
            state: o
                .get("state")
                .and_then(Value::as_str)
                .and_then(State::parse)
                .ok_or_else(|| bad("no valid 'state'"))?,
            trace: o.get("trace").and_then(Value::as_str).map(str::to_string),
            worker_id: o
                .get("worker_id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("no 'worker_id'"))?
                .to_string(),
            generation: o
                .get("generation")
                .and_then(Value::as_i64)
                .and_then(|g| i32::try_from(g).ok())
                .ok_or_else(|| bad("no 'generation'"))?,
            version: o.get("version").and_then(Value::as_str).map(str::to_string),
        })
    }
}

/// A topic a connector used (KIP-558), the value of a `status-topic-…` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicStatus {
    /// The topic.
    pub topic: String,
    /// The connector.
    pub connector: String,
    /// The task that first used it.
    pub task: i32,
    /// When (ms since the epoch).
    pub discover_timestamp: i64,
}

impl TopicStatus {
    /// The value bytes: `{"topic":{"name":…,"connector":…,"task":…,"discoverTimestamp":…}}`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(b"{\"topic\":{\"name\":");
        json::write_string(&mut out, &self.topic);
        out.extend_from_slice(b",\"connector\":");
        json::write_string(&mut out, &self.connector);
        out.extend_from_slice(
            format!(
                ",\"task\":{},\"discoverTimestamp\":{}}}}}",
                self.task, self.discover_timestamp
            )
            .as_bytes(),
        );
        out
    }

    /// Decodes a value.
    pub fn decode(bytes: &[u8]) -> Result<TopicStatus> {
        let o = parse_object(bytes)?;
        let bad = |m: &str| Error::Malformed {
            what: "topic status record",
            message: m.to_string(),
        };
        let t = o
            .get("topic")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("no 'topic' object"))?;
        let s = |f: &str| {
            t.get(f)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(f))
        };
        Ok(TopicStatus {
            topic: s("name")?,
            connector: s("connector")?,
            task: t
                .get("task")
                .and_then(Value::as_i64)
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| bad("task"))?,
            discover_timestamp: t
                .get("discoverTimestamp")
                .and_then(Value::as_i64)
                .ok_or_else(|| bad("discoverTimestamp"))?,
        })
    }
}

fn write_opt(out: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => json::write_string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}
