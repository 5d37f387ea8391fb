//! The Debezium-compatible PostgreSQL connector plugin: `PostgresConnector` (class
//! `io.debezium.connector.postgresql.PostgresConnector`) and its task.
//!
//! Modules: [`config`] (Debezium's keys), [`setup`] (checks, publication, where to start),
//! [`tables`] (captured tables and their schemas), [`events`] (Debezium records),
//! [`snapshotter`] (the initial snapshot), [`streamer`] (pgoutput → events), [`offsets`]
//! (stored offsets and resume — the correctness argument), [`emitter`] (reader → poll queue),
//! `task` (the `SourceTask` and slot confirmation).

pub mod config;
pub mod emitter;
pub mod events;
pub mod offsets;
pub mod setup;
pub mod snapshotter;
pub mod streamer;
pub mod tables;
mod task;

use sluice_api::ConfigDef;
use sluice_api::config::ConfigValue;
use sluice_api::connector::{
    ConnectResult, Connector, ConnectorContext, ExactlyOnceSupport, Properties, SourceConnector,
    TaskConfig,
};

pub use config::PostgresConfig;
pub use task::PostgresConnectorTask;

/// The Java class name users put in `connector.class`.
pub const CLASS: &str = "io.debezium.connector.postgresql.PostgresConnector";
/// The task class Kafka Connect writes in task configs.
pub const TASK_CLASS: &str = "io.debezium.connector.postgresql.PostgresConnectorTask";

/// The PostgreSQL source connector.
#[derive(Debug, Default)]
pub struct PostgresConnector {
    props: Properties,
}

impl Connector for PostgresConnector {
    fn version(&self) -> String {
        events::DEBEZIUM_VERSION.to_string()
    }

    fn config_def(&self) -> ConfigDef {
        config::config_def()
    }

    async fn validate(&self, props: &Properties) -> Vec<ConfigValue> {
        let mut values = self.config_def().validate(props);
        let has_errors = values.iter().any(|v| !v.errors.is_empty());
        if has_errors {
            return values;
        }
        // Like Debezium: with a valid configuration, try to connect and report the failure on
        // the hostname key.
        match PostgresConfig::parse(props) {
            Err(e) => {
                if let sluice_api::Error::Config { key, message } = &e
                    && let Some(v) = values.iter_mut().find(|v| &v.name == key)
                {
                    v.errors.push(message.clone());
                }
            }
            Ok(config) => {
                let result = async {
                    let client = config
                        .connection
                        .connect("validating the connection")
                        .await?;
                    setup::check_server(&client, &config).await
                }
                .await;
                if let Err(e) = result
                    && let Some(v) = values.iter_mut().find(|v| v.name == config::HOSTNAME)
                {
                    v.errors
                        .push(format!("Error while validating connector config: {e}"));
                }
            }
        }
        values
    }

    async fn start(&mut self, props: Properties, _ctx: ConnectorContext) -> ConnectResult<()> {
        PostgresConfig::parse(&props)?;
        self.props = props;
        Ok(())
    }

    fn task_configs(&self, _max_tasks: usize) -> ConnectResult<Vec<TaskConfig>> {
        // One slot, one stream: one task whatever tasks.max (as Debezium).
        Ok(vec![self.props.clone()])
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SourceConnector for PostgresConnector {
    type Task = PostgresConnectorTask;

    fn create_task(&self) -> PostgresConnectorTask {
        PostgresConnectorTask::default()
    }

    fn exactly_once_support(&self, _props: &Properties) -> ExactlyOnceSupport {
        ExactlyOnceSupport::Unsupported
    }
}
