//! Records of the config topic (`config.storage.topic`), as `KafkaConfigBackingStore` writes
//! and reads them.
//!
//! Keys are plain strings (`connector-<name>`, `task-<name>-<n>`, `commit-<name>`,
//! `target-state-<name>`, `restart-connector-<name>`, `tasks-fencing-<name>`, `session-key`,
//! `logger-cluster-<namespace>`); values are schemaless JSON; a `None` value is a tombstone.
//! Keys are dispatched by prefix in Kafka's order, so `target-state-` wins over any other reading.
//!
//! Property order: a connector config is written in the order the user gave it (the REST layer
//! keeps it); task configs are written in Java `HashMap` order, as Kafka Connect does
//! (see [`crate::java_order`]).

use serde_json::{Map, Value};

use crate::json;
use crate::{Error, Result};

/// Ordered connector or task properties; `None` is a JSON `null` value.
pub type Properties = Vec<(String, Option<String>)>;

/// A connector's target state (`state.v2`; `state` carries `PAUSED` for `STOPPED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    /// Running.
    Started,
    /// Paused: tasks exist but do not process records.
    Paused,
    /// Stopped (KIP-875): no tasks, offsets may be altered.
    Stopped,
}

impl TargetState {
    /// The name Kafka Connect writes.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Started => "STARTED",
            TargetState::Paused => "PAUSED",
            TargetState::Stopped => "STOPPED",
        }
    }

    fn parse(s: &str) -> Option<TargetState> {
        match s {
            "STARTED" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }
}

/// The inter-worker session key (KIP-507).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// Base64 key bytes.
    pub key: String,
    /// MAC algorithm, `HmacSHA256`.
    pub algorithm: String,
    /// When the leader created it (ms since the epoch).
    pub creation_timestamp: i64,
}

/// One record of the config topic. Variants whose payload is an `Option` use `None` for a
/// tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigRecord {
    /// `connector-<name>`: the connector's configuration.
    Connector {
        /// Connector name.
        connector: String,
        /// Its properties in the user's order, or `None` when deleted.
        properties: Option<Properties>,
    },
    /// `task-<name>-<n>`: one task's configuration, applied only by a matching commit.
    Task {
        /// Connector name.
        connector: String,
        /// Task number.
        task: u32,
        /// Its properties, or `None` for a tombstone.
        properties: Option<Properties>,
    },
    /// `commit-<name>`: `{"tasks":N}` applies task configs `0..N`.
    Commit {
        /// Connector name.
        connector: String,
        /// Number of tasks, or `None` for a tombstone.
        tasks: Option<u32>,
    },
    /// `target-state-<name>`.
    TargetState {
        /// Connector name.
        connector: String,
        /// The state, or `None` for a tombstone.
        state: Option<TargetState>,
    },
    /// `restart-connector-<name>` (KIP-745).
    Restart {
        /// Connector name.
        connector: String,
        /// Restart the tasks too.
        include_tasks: bool,
        /// Restart only failed instances.
        only_failed: bool,
    },
    /// `tasks-fencing-<name>` (KIP-618).
    TasksFencing {
        /// Connector name.
        connector: String,
        /// Task count fenced out.
        task_count: u32,
    },
    /// `session-key`.
    SessionKey(SessionKey),
    /// `logger-cluster-<namespace>` (cluster-wide log level).
    LoggerLevel {
        /// Logger namespace.
        namespace: String,
        /// The level, e.g. `DEBUG`.
        level: String,
    },
}

const WHAT: &str = "config topic record";

impl ConfigRecord {
    /// The record's key.
    pub fn key(&self) -> String {
        match self {
            ConfigRecord::Connector { connector, .. } => format!("connector-{connector}"),
            ConfigRecord::Task {
                connector, task, ..
            } => format!("task-{connector}-{task}"),
            ConfigRecord::Commit { connector, .. } => format!("commit-{connector}"),
            ConfigRecord::TargetState { connector, .. } => format!("target-state-{connector}"),
            ConfigRecord::Restart { connector, .. } => format!("restart-connector-{connector}"),
            ConfigRecord::TasksFencing { connector, .. } => format!("tasks-fencing-{connector}"),
            ConfigRecord::SessionKey(_) => "session-key".to_string(),
            ConfigRecord::LoggerLevel { namespace, .. } => format!("logger-cluster-{namespace}"),
        }
    }

    /// The record's value bytes, or `None` for a tombstone.
    pub fn encode_value(&self) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(128);
        match self {
            ConfigRecord::Connector { properties, .. } => {
                write_properties(
                    &mut out,
                    properties.as_ref()?.iter().map(|(k, v)| (k.as_str(), v)),
                );
            }
            ConfigRecord::Task { properties, .. } => {
                let props = properties.as_ref()?;
                let order = crate::java_order::hashmap_order(props.iter().map(|(k, _)| k.as_str()));
                let by_key: std::collections::HashMap<&str, &Option<String>> =
                    props.iter().map(|(k, v)| (k.as_str(), v)).collect();
                write_properties(&mut out, order.into_iter().map(|k| (k, by_key[k])));
            }
            ConfigRecord::Commit { tasks, .. } => {
                out.extend_from_slice(format!("{{\"tasks\":{}}}", (*tasks)?).as_bytes());
            }
            ConfigRecord::TargetState { state, .. } => {
                let state = (*state)?;
                let legacy = if state == TargetState::Stopped {
                    TargetState::Paused
                } else {
                    state
                };
                out.extend_from_slice(
                    format!(
                        "{{\"state\":\"{}\",\"state.v2\":\"{}\"}}",
                        legacy.as_str(),
                        state.as_str()
                    )
                    .as_bytes(),
                );
            }
            ConfigRecord::Restart {
                include_tasks,
                only_failed,
                ..
            } => {
                out.extend_from_slice(
                    format!("{{\"include-tasks\":{include_tasks},\"only-failed\":{only_failed}}}")
                        .as_bytes(),
                );
            }
            ConfigRecord::TasksFencing { task_count, .. } => {
                out.extend_from_slice(format!("{{\"task-count\":{task_count}}}").as_bytes());
            }
            ConfigRecord::SessionKey(k) => {
                out.extend_from_slice(b"{\"key\":");
                json::write_string(&mut out, &k.key);
                out.extend_from_slice(b",\"algorithm\":");
                json::write_string(&mut out, &k.algorithm);
                out.extend_from_slice(
                    format!(",\"creation-timestamp\":{}}}", k.creation_timestamp).as_bytes(),
                );
            }
            ConfigRecord::LoggerLevel { level, .. } => {
                out.extend_from_slice(b"{\"level\":");
                json::write_string(&mut out, level);
                out.push(b'}');
            }
        }
        Some(out)
    }

    /// Decodes a record. Returns `Ok(None)` for keys Kafka Connect ignores too (unknown prefixes);
    /// an error when the value is not what the key promises.
    pub fn decode(key: &str, value: Option<&[u8]>) -> Result<Option<ConfigRecord>> {
        let obj = match value {
            Some(bytes) => Some(parse_object(bytes)?),
            None => None,
        };
        let rec = if let Some(connector) = key.strip_prefix("target-state-") {
            let state = match &obj {
                None => None,
                Some(o) => {
                    let s = o
                        .get("state.v2")
                        .or_else(|| o.get("state"))
                        .and_then(Value::as_str);
                    Some(
                        s.and_then(TargetState::parse)
                            .ok_or_else(|| malformed(key, "no valid 'state'"))?,
                    )
                }
            };
            ConfigRecord::TargetState {
                connector: connector.to_string(),
                state,
            }
        } else if let Some(connector) = key.strip_prefix("connector-") {
            ConfigRecord::Connector {
                connector: connector.to_string(),
                properties: obj.map(|o| properties(key, &o)).transpose()?,
            }
        } else if let Some(rest) = key.strip_prefix("task-") {
            let (connector, task) = rest
                .rsplit_once('-')
                .and_then(|(c, n)| Some((c, n.parse::<u32>().ok()?)))
                .ok_or_else(|| malformed(key, "expected task-<connector>-<number>"))?;
            ConfigRecord::Task {
                connector: connector.to_string(),
                task,
                properties: obj.map(|o| properties(key, &o)).transpose()?,
            }
        } else if let Some(connector) = key.strip_prefix("commit-") {
            let tasks = obj.map(|o| get_u32(key, &o, "tasks")).transpose()?;
            ConfigRecord::Commit {
                connector: connector.to_string(),
                tasks,
            }
        } else if let Some(connector) = key.strip_prefix("restart-connector-") {
            let Some(o) = obj else { return Ok(None) };
            ConfigRecord::Restart {
                connector: connector.to_string(),
                include_tasks: o
                    .get("include-tasks")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                only_failed: o
                    .get("only-failed")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            }
        } else if let Some(connector) = key.strip_prefix("tasks-fencing-") {
            let Some(o) = obj else { return Ok(None) };
            ConfigRecord::TasksFencing {
                connector: connector.to_string(),
                task_count: get_u32(key, &o, "task-count")?,
            }
        } else if key == "session-key" {
            let Some(o) = obj else { return Ok(None) };
            let s = |f: &str| {
                o.get(f)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| malformed(key, f))
            };
            ConfigRecord::SessionKey(SessionKey {
                key: s("key")?,
                algorithm: s("algorithm")?,
                creation_timestamp: o
                    .get("creation-timestamp")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| malformed(key, "creation-timestamp"))?,
            })
        } else if let Some(namespace) = key.strip_prefix("logger-cluster-") {
            let Some(o) = obj else { return Ok(None) };
            let level = o
                .get("level")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(key, "level"))?;
            ConfigRecord::LoggerLevel {
                namespace: namespace.to_string(),
                level: level.to_string(),
            }
        } else {
            return Ok(None);
        };
        Ok(Some(rec))
    }
}

fn write_properties<'a>(
    out: &mut Vec<u8>,
    props: impl Iterator<Item = (&'a str, &'a Option<String>)>,
) {
    out.extend_from_slice(b"{\"properties\":{");
    for (i, (k, v)) in props.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::write_string(out, k);
        out.push(b':');
        match v {
            Some(v) => json::write_string(out, v),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.extend_from_slice(b"}}");
}

pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(other) => Err(Error::Malformed {
            what: WHAT,
            message: format!("expected a JSON object, got {other}"),
        }),
        Err(source) => Err(Error::Json { what: WHAT, source }),
    }
}

fn properties(key: &str, o: &Map<String, Value>) -> Result<Properties> {
    let props = o
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed(key, "no 'properties' object"))?;
    props
        .iter()
        .map(|(k, v)| match v {
            Value::Null => Ok((k.clone(), None)),
            Value::String(s) => Ok((k.clone(), Some(s.clone()))),
            // Java reads any JSON scalar back as its string form.
            Value::Number(_) | Value::Bool(_) => Ok((k.clone(), Some(v.to_string()))),
            _ => Err(malformed(key, &format!("property '{k}' is not a string"))),
        })
        .collect()
}

fn get_u32(key: &str, o: &Map<String, Value>, field: &str) -> Result<u32> {
    o.get(field)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| malformed(key, &format!("'{field}' is not a non-negative integer")))
}

fn malformed(key: &str, message: &str) -> Error {
    Error::Malformed {
        what: WHAT,
        message: format!("record '{key}': {message}"),
    }
}
