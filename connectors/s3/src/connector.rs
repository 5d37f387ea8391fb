//! [`S3SinkConnector`]: Confluent's `io.confluent.connect.s3.S3SinkConnector` — checks the
//! configuration and hands every task the same configuration (the worker splits the topic
//! partitions between the tasks through the consumer group).

use sluice_api::config::{ConfigDef, ConfigValue};
use sluice_api::connector::{
    ConnectResult, Connector, ConnectorContext, Properties, SinkConnector, TaskConfig,
    TopicPartition,
};

use crate::config::{S3SinkConfig, config_def};
use crate::error::Error;
use crate::task::S3SinkTask;

/// The connector's class name.
pub const CONNECTOR_CLASS: &str = "io.confluent.connect.s3.S3SinkConnector";
/// The task's class name, written as `task.class` in task configs.
pub const TASK_CLASS: &str = "io.confluent.connect.s3.S3SinkTask";

/// The S3 sink connector (see the module doc).
#[derive(Debug, Default)]
pub struct S3SinkConnector {
    props: Properties,
}

impl Connector for S3SinkConnector {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }

    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    /// The key checks of [`config_def`], then (when those pass) the full parse, whose error
    /// is attached to the key it names: unsupported values and combinations are reported by
    /// `config/validate` before anything runs.
    async fn validate(&self, props: &Properties) -> Vec<ConfigValue> {
        let mut values = config_def().validate(props);
        if values.iter().all(|v| v.errors.is_empty())
            && let Err(e) = S3SinkConfig::parse(props)
        {
            let (key, message) = match &e {
                Error::Config(sluice_api::Error::Config { key, message }) => {
                    (key.clone(), format!("Invalid value for '{key}': {message}"))
                }
                other => (crate::config::BUCKET_CONFIG.to_string(), other.to_string()),
            };
            match values.iter_mut().find(|v| v.name == key) {
                Some(v) => v.errors.push(message),
                None => values.push(ConfigValue {
                    name: key,
                    value: None,
                    recommended_values: Vec::new(),
                    errors: vec![message],
                    visible: true,
                }),
            }
        }
        values
    }

    async fn start(&mut self, props: Properties, _ctx: ConnectorContext) -> ConnectResult<()> {
        let config = S3SinkConfig::parse(&props)?;
        tracing::info!(bucket = %config.store.bucket, format = ?config.sink.format(),
            "Starting the S3 sink connector.");
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

impl SinkConnector for S3SinkConnector {
    type Task = S3SinkTask;

    fn create_task(&self) -> S3SinkTask {
        S3SinkTask::default()
    }

    fn alter_offsets(
        &self,
        _props: &Properties,
        _offsets: &[(TopicPartition, Option<i64>)],
    ) -> ConnectResult<bool> {
        // The sink keeps no offsets of its own; any consumer offset is acceptable (the objects
        // at and after it are rewritten).
        Ok(true)
    }
}
