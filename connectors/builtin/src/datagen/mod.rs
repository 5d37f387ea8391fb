//! A data generator source (`sluice.datagen`, alias `DatagenConnector`) for benchmarks and
//! demos: records with an `int64` key (the record number) and a struct value of typed columns
//! whose values are a pure function of the record number (`schema.rs`).
//!
//! With `tasks.max` = k, task i generates the record numbers i, i + k, i + 2k, … below
//! `records`, so the tasks together generate each number exactly once. Each task's source
//! partition is `{"topic": <topic>, "task": i, "tasks": k}` and its offset
//! `{"position": <how many records the task generated>}`; a restarted task resumes after the
//! last stored position and regenerates exactly the records after it (the values do not
//! depend on time). Changing `tasks.max` changes the partitions and starts afresh.

mod schema;
mod task;

use sluice_api::config::{
    ConfigDef, ConfigKey, ConfigType, Importance, ParsedConfig, Validator, Width,
};
use sluice_api::connector::{
    ConnectResult, Connector, ConnectorContext, ExactlyOnceSupport, Properties, SourceConnector,
    TaskConfig,
};

pub use schema::{
    Column, ColumnType, Generator, VALUE_SCHEMA_NAME, column_value, default_columns, parse_columns,
};
pub use task::DatagenTask;

/// The connector's canonical name.
pub const CLASS: &str = "sluice.datagen.DatagenConnector";
/// A short alias, besides the simple and pruned names `DatagenConnector` and `Datagen`.
pub const ALIAS: &str = "sluice.datagen";

/// `topic`: the topic to write to (required).
pub const TOPIC_CONFIG: &str = "topic";
/// `records`: how many records to generate in total, 0 for no end.
pub const RECORDS_CONFIG: &str = "records";
/// `rate`: the most records per second in total, 0 for no limit.
pub const RATE_CONFIG: &str = "rate";
/// `columns`: the value columns as `name:type` entries; empty for the default 10 columns.
pub const COLUMNS_CONFIG: &str = "columns";
/// `batch.size`: the most records one poll returns.
pub const BATCH_SIZE_CONFIG: &str = "batch.size";
/// Task-only: this task's index, set by the connector.
pub const TASK_INDEX_CONFIG: &str = "datagen.task.index";
/// Task-only: the number of tasks, set by the connector.
pub const TASK_COUNT_CONFIG: &str = "datagen.task.count";

/// Source partition key: the topic.
pub const TOPIC_FIELD: &str = "topic";
/// Source partition key: the task index.
pub const TASK_FIELD: &str = "task";
/// Source partition key: the number of tasks.
pub const TASKS_FIELD: &str = "tasks";
/// Source offset key: how many records the task generated.
pub const POSITION_FIELD: &str = "position";

const GROUP: &str = "Datagen";

fn check_columns(raw: &str) -> Result<(), String> {
    let entries: Vec<String> = raw
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    parse_columns(&entries).map(|_| ())
}

/// The connector's configuration keys.
pub fn config_def() -> ConfigDef {
    let at_least_zero = Validator::Range {
        min: Some(0.0),
        max: None,
    };
    ConfigDef::new()
        .define(
            ConfigKey::new(
                TOPIC_CONFIG,
                ConfigType::String,
                "The topic to write generated records to.",
            )
            .validator(Validator::NonEmptyString)
            .importance(Importance::High)
            .display(GROUP, 1, Width::Long, "Topic"),
        )
        .define(
            ConfigKey::new(
                RECORDS_CONFIG,
                ConfigType::Long,
                "How many records to generate in total, across all tasks; 0 generates without end.",
            )
            .default_value("0")
            .validator(at_least_zero.clone())
            .importance(Importance::High)
            .display(GROUP, 2, Width::Short, "Records"),
        )
        .define(
            ConfigKey::new(
                RATE_CONFIG,
                ConfigType::Double,
                "The most records per second, across all tasks; 0 generates as fast as possible.",
            )
            .default_value("0")
            .validator(at_least_zero)
            .importance(Importance::Medium)
            .display(GROUP, 3, Width::Short, "Rate"),
        )
        .define(
            ConfigKey::new(
                COLUMNS_CONFIG,
                ConfigType::List,
                "The value's columns as name:type entries (types: boolean, int32, int64, float64, \
                 string, timestamp). Empty uses a typical 10-column schema. A column named id \
                 holds the record number.",
            )
            .default_value("")
            .validator(Validator::Custom(check_columns))
            .importance(Importance::Medium)
            .display(GROUP, 4, Width::Long, "Columns"),
        )
        .define(
            ConfigKey::new(
                BATCH_SIZE_CONFIG,
                ConfigType::Int,
                "The maximum number of records a task returns each time it is polled.",
            )
            .default_value("1000")
            .validator(Validator::Range {
                min: Some(1.0),
                max: None,
            })
            .importance(Importance::Low)
            .display(GROUP, 5, Width::Short, "Batch size"),
        )
}

/// The parsed configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct DatagenConfig {
    /// The destination topic.
    pub topic: String,
    /// Records in total, 0 for no end.
    pub records: u64,
    /// Records per second in total, 0 for no limit.
    pub rate: f64,
    /// The value columns.
    pub columns: Vec<Column>,
    /// The most records per poll.
    pub batch_size: usize,
}

impl DatagenConfig {
    /// Parses and validates `props`; an error names the key.
    pub fn parse(props: &Properties) -> sluice_api::Result<Self> {
        let p: ParsedConfig = config_def().parse(props)?;
        let columns = parse_columns(p.list(COLUMNS_CONFIG).unwrap_or_default()).map_err(|m| {
            sluice_api::Error::Config {
                key: COLUMNS_CONFIG.into(),
                message: m,
            }
        })?;
        let rate = match p.get(RATE_CONFIG) {
            Some(sluice_api::config::ConfigValueTyped::Double(d)) => *d,
            _ => 0.0,
        };
        Ok(DatagenConfig {
            topic: p.string(TOPIC_CONFIG).unwrap_or_default().to_string(),
            records: u64::try_from(p.long(RECORDS_CONFIG).unwrap_or(0)).unwrap_or(0),
            rate,
            columns,
            batch_size: usize::try_from(p.long(BATCH_SIZE_CONFIG).unwrap_or(1))
                .unwrap_or(1)
                .max(1),
        })
    }
}

/// The data generator connector (see the module doc).
#[derive(Debug, Default)]
pub struct DatagenConnector {
    props: Properties,
}

impl Connector for DatagenConnector {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }

    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    async fn start(&mut self, props: Properties, _ctx: ConnectorContext) -> ConnectResult<()> {
        let config = DatagenConfig::parse(&props)?;
        tracing::info!(topic = %config.topic, records = config.records, rate = config.rate, "Starting the data generator.");
        self.props = props;
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> ConnectResult<Vec<TaskConfig>> {
        let k = max_tasks.max(1);
        Ok((0..k)
            .map(|i| {
                let mut props: TaskConfig = self
                    .props
                    .iter()
                    .filter(|(key, _)| key != TASK_INDEX_CONFIG && key != TASK_COUNT_CONFIG)
                    .cloned()
                    .collect();
                props.push((TASK_INDEX_CONFIG.into(), Some(i.to_string())));
                props.push((TASK_COUNT_CONFIG.into(), Some(k.to_string())));
                props
            })
            .collect())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SourceConnector for DatagenConnector {
    type Task = DatagenTask;

    fn create_task(&self) -> DatagenTask {
        DatagenTask::default()
    }

    fn exactly_once_support(&self, _props: &Properties) -> ExactlyOnceSupport {
        // Records are regenerated identically from any stored position.
        ExactlyOnceSupport::Supported
    }
}
