//! Kafka's `FileStreamSinkConnector`: appends each record's value as a line of text to a file
//! (or standard output).
//!
//! Compatible with the Java connector: the same class name and configuration (only `file`; the
//! consumed topics come from the worker's `topics`/`topics.regex`), as many tasks as
//! `tasks.max`, all appending to the same file. Values are written as Java's `toString` would
//! for strings, numbers, booleans, lists, maps and structs (see `text.rs` for the rest).
//!
//! Why offsets never run ahead of the file: records are buffered in memory by `put` and written
//! out by `flush`, which the default `pre_commit` calls before answering that the offsets may
//! be committed; a crash loses only records whose offsets were not committed, and they are
//! consumed again (at-least-once; a replay may append a line twice).

mod task;
mod text;

use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ParsedConfig};
use sluice_api::connector::{
    ConnectResult, Connector, ConnectorContext, Properties, SinkConnector, TaskConfig,
    TopicPartition,
};

pub use task::{FileStreamSinkTask, WRITE_THRESHOLD};
pub use text::value_text;

/// The Java class name, the connector's canonical name.
pub const CLASS: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";

/// `file`: the file to append to; unset or empty writes to standard output.
pub const FILE_CONFIG: &str = "file";

/// The connector's configuration keys, as Kafka defines them (see
/// [`crate::file_source::config_def`] about the `null` default of `file`).
pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            FILE_CONFIG,
            ConfigType::String,
            "Destination filename. If not specified, the standard output will be used",
        )
        .default_null()
        .importance(Importance::High),
    )
}

/// The parsed configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSinkConfig {
    /// The file to append to, `None` for standard output.
    pub file: Option<String>,
}

impl FileSinkConfig {
    /// Parses and validates `props`; an error names the key.
    pub fn parse(props: &Properties) -> sluice_api::Result<Self> {
        let p: ParsedConfig = config_def().parse(props)?;
        Ok(FileSinkConfig {
            file: p
                .string(FILE_CONFIG)
                .filter(|f| !f.is_empty())
                .map(str::to_string),
        })
    }
}

/// The FileStreamSink connector (see the module doc).
#[derive(Debug, Default)]
pub struct FileStreamSinkConnector {
    props: Properties,
}

impl Connector for FileStreamSinkConnector {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }

    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    async fn start(&mut self, props: Properties, _ctx: ConnectorContext) -> ConnectResult<()> {
        let config = FileSinkConfig::parse(&props)?;
        tracing::info!(
            file = config.file.as_deref().unwrap_or("standard output"),
            "Starting the file sink connector."
        );
        self.props = props;
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> ConnectResult<Vec<TaskConfig>> {
        Ok(vec![self.props.clone(); max_tasks.max(1)])
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SinkConnector for FileStreamSinkConnector {
    type Task = FileStreamSinkTask;

    fn create_task(&self) -> FileStreamSinkTask {
        FileStreamSinkTask::default()
    }

    fn alter_offsets(
        &self,
        _props: &Properties,
        _offsets: &[(TopicPartition, Option<i64>)],
    ) -> ConnectResult<bool> {
        // The connector keeps no offsets of its own and any consumer offset is acceptable.
        Ok(true)
    }
}
