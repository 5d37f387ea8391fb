//! The JSON entities of the REST API, with Kafka Connect's field names and field order
//! (`K:runtime/rest/entities/*.java`; checked against `golden/rest/`).
//!
//! Serde serializes struct fields in declaration order, so the declaration order below *is* the
//! wire order; do not reorder fields.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::ConnectorConfig;

/// `GET /`: the worker's version and the Kafka cluster it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The runtime version.
    pub version: String,
    /// The build commit.
    pub commit: String,
    /// The id of the Kafka cluster holding the internal topics.
    pub kafka_cluster_id: String,
}

/// `GET /health` body (Kafka's `WorkerStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStatus {
    /// `healthy`, `starting` or `unhealthy`.
    pub status: String,
    /// A sentence for the operator.
    pub message: String,
}

/// What the herder says about its health; the router turns it into a [`WorkerStatus`] and a
/// status code (200, 503, 500).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Started and serving.
    Ready,
    /// Still starting up (reading the internal topics, joining the group).
    Starting,
    /// Started but unable to serve; the text says why.
    Unhealthy(String),
}

/// Whether a connector reads from (source) or writes to (sink) an external system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    /// Source connector.
    Source,
    /// Sink connector.
    Sink,
    /// The class could not be loaded.
    Unknown,
}

/// A task's identity: connector name and task number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnectorTaskId {
    /// The connector.
    pub connector: String,
    /// The task number, from 0.
    pub task: u32,
}

/// `GET /connectors/{c}` (Kafka's `ConnectorInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    /// The connector name.
    pub name: String,
    /// Its configuration (passwords in clear text, as the reference returns them).
    pub config: ConnectorConfig,
    /// Its tasks (empty until the connector generated task configs, and when STOPPED).
    pub tasks: Vec<ConnectorTaskId>,
    /// Source or sink.
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// One element of `GET /connectors/{c}/tasks` (Kafka's `TaskInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// The task.
    pub id: ConnectorTaskId,
    /// Its configuration (the connector's, plus `task.class` and what the connector added).
    pub config: ConnectorConfig,
}

/// A connector or task state (Kafka's `AbstractStatus.State`; `DESTROYED` is never shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    /// Not yet assigned to a worker.
    Unassigned,
    /// Running.
    Running,
    /// Paused by the user.
    Paused,
    /// Failed; see the trace.
    Failed,
    /// Being restarted.
    Restarting,
    /// Stopped by the user (connectors only, KIP-875).
    Stopped,
}

/// The connector part of a [`ConnectorStateInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorState {
    /// Its state.
    pub state: State,
    /// The worker running it (`host:port`).
    pub worker_id: String,
    /// The failure's stack trace; only present when non-empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The plugin version, `null` when unknown.
    #[serde(default)]
    pub version: Option<String>,
}

/// One task's status (Kafka's `TaskState`), also `GET /connectors/{c}/tasks/{n}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    /// The task number.
    pub id: u32,
    /// Its state.
    pub state: State,
    /// The worker running it (`host:port`).
    pub worker_id: String,
    /// The failure's stack trace; only present when non-empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The plugin version, `null` when unknown.
    #[serde(default)]
    pub version: Option<String>,
}

/// `GET /connectors/{c}/status` (Kafka's `ConnectorStateInfo`); tasks sorted by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorStateInfo {
    /// The connector name.
    pub name: String,
    /// The connector's state.
    pub connector: ConnectorState,
    /// The tasks' states, by id.
    pub tasks: Vec<TaskState>,
    /// Source or sink.
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// The state a new connector starts in (`initial_state`, KIP-980); parsed ignoring case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum InitialState {
    /// Start running (the default).
    Running,
    /// Start paused.
    Paused,
    /// Start stopped: no tasks, offsets may be set before the first run.
    Stopped,
}

impl FromStr for InitialState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().as_str() {
            "RUNNING" => Ok(InitialState::Running),
            "PAUSED" => Ok(InitialState::Paused),
            "STOPPED" => Ok(InitialState::Stopped),
            _ => Err(format!(
                "initial_state '{s}' is not one of RUNNING, PAUSED, STOPPED"
            )),
        }
    }
}

impl<'de> Deserialize<'de> for InitialState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The body of `POST /connectors` (Kafka's `CreateConnectorRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreateConnectorRequest {
    /// The connector name (an absent name is treated as empty and fails validation, as in Kafka).
    #[serde(default)]
    pub name: Option<String>,
    /// Its configuration.
    #[serde(default)]
    pub config: Option<ConnectorConfig>,
    /// The state to start in.
    #[serde(default)]
    pub initial_state: Option<InitialState>,
}

/// The outcome of a create-or-update config write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigUpdate {
    /// Whether the connector was created (201) rather than updated (200).
    pub created: bool,
    /// The connector after the write.
    pub info: ConnectorInfo,
}

/// What `POST /connectors/{c}/restart` should restart (Kafka's `RestartRequest`, KIP-745).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartRequest {
    /// The connector.
    pub connector: String,
    /// Restart only instances in the FAILED state.
    pub only_failed: bool,
    /// Restart the tasks too.
    pub include_tasks: bool,
}

/// One partition's offset (Kafka's `ConnectorOffset`); `offset: null` resets that partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorOffset {
    /// The source partition (sinks: `kafka_topic`, `kafka_partition`).
    pub partition: serde_json::Map<String, serde_json::Value>,
    /// The offset (sinks: `kafka_offset`), or `null`.
    pub offset: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `GET`/`PATCH /connectors/{c}/offsets` body (Kafka's `ConnectorOffsets`, KIP-875).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorOffsets {
    /// Every partition's offset (absent reads as empty, which an alter request refuses).
    #[serde(default)]
    pub offsets: Vec<ConnectorOffset>,
}

/// A success message (offset alter/reset), `{"message": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The text.
    pub message: String,
}

/// The kind of a plugin in `GET /connector-plugins`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PluginType {
    /// Source connector.
    Source,
    /// Sink connector.
    Sink,
    /// Converter.
    Converter,
    /// Header converter.
    HeaderConverter,
    /// Single message transform.
    Transformation,
    /// Predicate for transforms.
    Predicate,
    /// A configuration provider.
    ConfigProvider,
    /// A REST extension.
    RestExtension,
    /// A connector client config override policy.
    ConnectorClientConfigOverridePolicy,
}

impl PluginType {
    /// Whether the plugin is a connector (kept by `connectorsOnly=true`).
    pub fn is_connector(self) -> bool {
        matches!(self, PluginType::Source | PluginType::Sink)
    }
}

/// One plugin of `GET /connector-plugins` (Kafka's `PluginInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// The class name (Java name, also accepted as an alias by Sluice).
    #[serde(rename = "class")]
    pub class_name: String,
    /// Its kind.
    #[serde(rename = "type")]
    pub plugin_type: PluginType,
    /// Its version; omitted when undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A logger's level (`GET /admin/loggers/{name}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggerLevel {
    /// The level name (`INFO`, `DEBUG`, …).
    pub level: String,
    /// When it was last set through the REST API (epoch ms), `null` if never.
    pub last_modified: Option<i64>,
}

/// A log level accepted by `PUT /admin/loggers/{name}` (log4j's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// Nothing.
    Off,
    /// Fatal only.
    Fatal,
    /// Errors.
    Error,
    /// Warnings.
    Warn,
    /// Information.
    Info,
    /// Debugging.
    Debug,
    /// Tracing.
    Trace,
    /// Everything.
    All,
}

impl LogLevel {
    /// The level's name as log4j prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "OFF",
            LogLevel::Fatal => "FATAL",
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
            LogLevel::All => "ALL",
        }
    }
}

impl FromStr for LogLevel {
    type Err = ();

    /// Parses a level ignoring case, as `Level.toLevel(s.toUpperCase())`.
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "OFF" => LogLevel::Off,
            "FATAL" => LogLevel::Fatal,
            "ERROR" => LogLevel::Error,
            "WARN" => LogLevel::Warn,
            "INFO" => LogLevel::Info,
            "DEBUG" => LogLevel::Debug,
            "TRACE" => LogLevel::Trace,
            "ALL" => LogLevel::All,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
