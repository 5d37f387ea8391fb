//! Kafka's `FileStreamSourceConnector`: publishes each line of a file (or of standard input)
//! as a record with a `STRING` value and no key, to one topic.
//!
//! Compatible with the Java connector: the same class name, configuration keys, defaults and
//! documentation, one task whatever `tasks.max`, and the same offsets — source partition
//! `{"filename": <file as configured>}`, offset `{"position": <byte position after the
//! line>}` (both `null` for standard input, which cannot resume) — so a Java worker's offsets
//! resume here and the other way round (for ASCII files, see `lines.rs`).
//!
//! Why no line is lost or doubled: a record's offset is the position just after its line, and
//! the task resumes by seeking to the stored position, which is the end of a line that was
//! acknowledged by Kafka (the worker stores offsets only for acknowledged records). A restart
//! therefore replays at most the lines after the last stored offset (at-least-once), and a
//! partial last line is only emitted once its terminator has been written.

mod lines;
mod task;

use sluice_api::OffsetMap;
use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ParsedConfig, Validator};
use sluice_api::connector::{
    ConnectError, ConnectResult, Connector, ConnectorContext, ExactlyOnceSupport, Properties,
    SourceConnector, TaskConfig,
};

pub use task::FileStreamSourceTask;

/// The Java class name, the connector's canonical name.
pub const CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";

/// `file`: the file to read; unset or empty reads standard input.
pub const FILE_CONFIG: &str = "file";
/// `topic`: the topic to publish to (required).
pub const TOPIC_CONFIG: &str = "topic";
/// `batch.size`: the most records one poll returns.
pub const TASK_BATCH_SIZE_CONFIG: &str = "batch.size";
/// The default of `batch.size`.
pub const DEFAULT_TASK_BATCH_SIZE: i32 = 2000;

/// The source partition key holding the file name.
pub const FILENAME_FIELD: &str = "filename";
/// The source offset key holding the byte position.
pub const POSITION_FIELD: &str = "position";

/// The connector's configuration keys, as Kafka defines them.
///
/// Kafka's `file` has a `null` default, which `ConfigKey` cannot express (its `None` means
/// "required"): the empty string stands in for it, and it means the same (standard input).
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                FILE_CONFIG,
                ConfigType::String,
                "Source filename. If not specified, the standard input will be used",
            )
            .default_null()
            .importance(Importance::High),
        )
        .define(
            ConfigKey::new(TOPIC_CONFIG, ConfigType::String, "The topic to publish data to")
                .validator(Validator::NonEmptyString)
                .importance(Importance::High),
        )
        .define(
            ConfigKey::new(
                TASK_BATCH_SIZE_CONFIG,
                ConfigType::Int,
                "The maximum number of records the source task can read from the file each time it is polled",
            )
            .default_value(DEFAULT_TASK_BATCH_SIZE.to_string())
            .importance(Importance::Low),
        )
}

/// The parsed configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSourceConfig {
    /// The file to read, `None` for standard input.
    pub file: Option<String>,
    /// The destination topic.
    pub topic: String,
    /// The most records per poll (at least 1: Java returns after one record when it is 0).
    pub batch_size: usize,
}

impl FileSourceConfig {
    /// Parses and validates `props`; an error names the key.
    pub fn parse(props: &Properties) -> sluice_api::Result<Self> {
        let p: ParsedConfig = config_def().parse(props)?;
        let file = p.string(FILE_CONFIG).filter(|f| !f.is_empty());
        Ok(FileSourceConfig {
            file: file.map(str::to_string),
            topic: p.string(TOPIC_CONFIG).unwrap_or_default().to_string(),
            batch_size: usize::try_from(p.long(TASK_BATCH_SIZE_CONFIG).unwrap_or(1))
                .unwrap_or(1)
                .max(1),
        })
    }
}

/// The source partition of `file` (`None`: standard input).
pub fn source_partition(file: Option<&str>) -> OffsetMap {
    let mut m = OffsetMap::new();
    m.insert(FILENAME_FIELD.into(), file.into());
    m
}

/// The source offset for byte `position` (`None`: standard input).
pub fn source_offset(position: Option<u64>) -> OffsetMap {
    let mut m = OffsetMap::new();
    // Positions fit an i64 (Java's long) for any real file.
    let v = position.map(|p| i64::try_from(p).unwrap_or(i64::MAX));
    m.insert(POSITION_FIELD.into(), v.into());
    m
}

/// The FileStreamSource connector (see the module doc).
#[derive(Debug, Default)]
pub struct FileStreamSourceConnector {
    props: Properties,
}

impl Connector for FileStreamSourceConnector {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }

    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    async fn start(&mut self, props: Properties, _ctx: ConnectorContext) -> ConnectResult<()> {
        let config = FileSourceConfig::parse(&props)?;
        tracing::info!(
            file = config.file.as_deref().unwrap_or("standard input"),
            "Starting the file source connector."
        );
        self.props = props;
        Ok(())
    }

    fn task_configs(&self, _max_tasks: usize) -> ConnectResult<Vec<TaskConfig>> {
        // One input stream: one task, whatever tasks.max.
        Ok(vec![self.props.clone()])
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SourceConnector for FileStreamSourceConnector {
    type Task = FileStreamSourceTask;

    fn create_task(&self) -> FileStreamSourceTask {
        FileStreamSourceTask::default()
    }

    fn exactly_once_support(&self, props: &Properties) -> ExactlyOnceSupport {
        // A real file (only ever appended to) can be re-read from an exact position; standard
        // input cannot, its offsets are not even tracked.
        match FileSourceConfig::parse(props) {
            Ok(c) if c.file.is_some() => ExactlyOnceSupport::Supported,
            Ok(_) => ExactlyOnceSupport::Unsupported,
            Err(_) => ExactlyOnceSupport::Unknown,
        }
    }

    fn alter_offsets(
        &self,
        props: &Properties,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> ConnectResult<bool> {
        let config = FileSourceConfig::parse(props)?;
        if config.file.is_none() {
            return Err(ConnectError::definite(format!(
                "Offsets cannot be changed when '{FILE_CONFIG}' is not set: standard input is \
                 read and its offsets are not tracked."
            )));
        }
        for (partition, offset) in offsets {
            // Tombstones are always accepted, so stale offsets can be cleaned up.
            let Some(offset) = offset else { continue };
            match offset.get(POSITION_FIELD) {
                Some(v) if v.as_i64().is_some_and(|p| p >= 0) => {}
                _ => {
                    return Err(ConnectError::definite(format!(
                        "An offset must be null or an object whose '{POSITION_FIELD}' is a \
                         non-negative integer; got {}.",
                        serde_json::Value::Object(offset.clone())
                    )));
                }
            }
            if !partition.contains_key(FILENAME_FIELD) {
                return Err(ConnectError::definite(format!(
                    "A source partition must contain the key '{FILENAME_FIELD}'; got {}.",
                    serde_json::Value::Object(partition.clone())
                )));
            }
        }
        // Whether a position fits the file is checked by the task when it resumes.
        Ok(true)
    }
}
