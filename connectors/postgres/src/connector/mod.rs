//! The Debezium-compatible PostgreSQL connector plugin: `PostgresConnector` (class
//! `io.debezium.connector.postgresql.PostgresConnector`) and its task.
//!
//! Modules: [`config`] (the keys Sluice reads), [`config_def`] (Debezium's definition, shown
//! by the REST API), [`config_validation`] (Debezium's `validate`), [`setup`] (checks,
//! publication, where to start),
//! [`tables`] (captured tables and their schemas), [`events`] (Debezium records),
//! [`snapshotter`] (the initial snapshot, resumable; [`keyset`] reads in primary-key order,
//! `snapshot_start` opens its transaction), [`streamer`] (pgoutput → events; [`messages`]
//! for logical decoding messages), [`offsets`]
//! (stored offsets and resume — the correctness argument), [`emitter`] (reader → poll queue),
//! [`metrics`] (Prometheus metrics), `task` (the `SourceTask` and slot confirmation).

pub mod config;
pub mod config_def;
pub mod config_validation;
pub mod emitter;
pub mod events;
pub mod keyset;
pub mod messages;
pub mod metrics;
pub mod offsets;
pub mod setup;
mod snapshot_start;
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
        config_def::debezium_config_def()
    }

    async fn validate(&self, props: &Properties) -> Vec<ConfigValue> {
        let mut values = config_validation::validate(props);
        let has_errors = values.iter().any(|v| !v.errors.is_empty());
        if has_errors {
            return values;
        }
        // Then what Sluice itself needs (a supported plugin.name, its own keys, …), and like
        // Debezium, with a valid configuration, a connection, its failure on the hostname key.
        match PostgresConfig::parse(props) {
            Err(sluice_api::Error::Config { key, message }) => {
                match values.iter_mut().find(|v| v.name == key) {
                    Some(v) => v.errors.push(message),
                    // A key of Sluice's own, outside Debezium's definition: reported as a value
                    // without definition, as Kafka Connect shows any such value.
                    None => values.push(ConfigValue {
                        name: key,
                        value: None,
                        recommended_values: Vec::new(),
                        errors: vec![message],
                        visible: true,
                    }),
                }
            }
            Err(e) => {
                if let Some(v) = values.iter_mut().find(|v| v.name == config::HOSTNAME) {
                    v.errors.push(e.to_string());
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
