//! The connector traits: [`Connector`], and its two kinds [`SourceConnector`] and
//! [`SinkConnector`] (Kafka's `Connector`, `SourceConnector`, `SinkConnector`).
//!
//! A connector is the small, per-cluster half of a plugin: it checks the configuration and
//! splits the work into task configurations. The data moves in the tasks (`super::task`).

use std::fmt::Debug;
use std::future::{Future, ready};

use super::context::ConnectorContext;
use super::error::ConnectResult;
use super::task::{SinkTask, SourceTask};
use super::types::{ExactlyOnceSupport, Properties, TaskConfig, TopicPartition};
use crate::config::{ConfigDef, ConfigValue};
use crate::record::OffsetMap;

/// A connector (see the lifecycle in the [module doc](crate::connector)).
///
/// Instances are created with no arguments by the plugin registry: one per use (validation,
/// a running connector, each task creation), so nothing may be shared between them through
/// `self` except what `start` sets up. `Sync` because the worker awaits `&self` methods
/// (`validate`) from its own `Send` futures.
pub trait Connector: Send + Sync + Debug + 'static {
    /// The connector's version, shown by `GET /connector-plugins`.
    fn version(&self) -> String;

    /// Every configuration key the connector accepts (Kafka's `config()`). The worker adds its
    /// common keys (`name`, `connector.class`, `tasks.max`, converters, transforms, …).
    fn config_def(&self) -> ConfigDef;

    /// Validates a configuration for `PUT /connector-plugins/{class}/config/validate` and
    /// before creation, one [`ConfigValue`] per key with all its errors (never stopping at the
    /// first). Called on an instance that is not started. The default checks the keys against
    /// [`Connector::config_def`]; connectors that must reach their system to validate (a
    /// database's settings) override it and add errors to the keys concerned.
    fn validate(&self, props: &Properties) -> impl Future<Output = Vec<ConfigValue>> + Send {
        ready(self.config_def().validate(props))
    }

    /// Starts the connector with its configuration (after validation succeeded). A
    /// configuration error is returned as [`crate::Error::Config`] naming the key.
    fn start(
        &mut self,
        props: Properties,
        ctx: ConnectorContext,
    ) -> impl Future<Output = ConnectResult<()>> + Send;

    /// The configuration of each task, at most `max_tasks` (`tasks.max`, at least 1) of them.
    /// Called after `start`, again whenever the connector asks for a reconfiguration.
    fn task_configs(&self, max_tasks: usize) -> ConnectResult<Vec<TaskConfig>>;

    /// Stops the connector: releases what `start` acquired. Called once, after its tasks were
    /// told to stop; the instance is dropped afterwards.
    fn stop(&mut self) -> impl Future<Output = ConnectResult<()>> + Send;
}

/// A connector whose tasks read from an external system and produce to Kafka.
pub trait SourceConnector: Connector {
    /// The task type.
    type Task: SourceTask;

    /// A new, unstarted task (Kafka's `taskClass()` + no-argument constructor). May be called
    /// on an instance that was never started: tasks run on workers where the connector does
    /// not, so a task must get everything from its [`TaskConfig`].
    fn create_task(&self) -> Self::Task;

    /// Whether `props` allows exactly-once delivery (KIP-618). Called on an unstarted
    /// instance.
    fn exactly_once_support(&self, props: &Properties) -> ExactlyOnceSupport {
        let _ = props;
        ExactlyOnceSupport::Unknown
    }

    /// Checks (and, where the connector keeps its position elsewhere, applies) offsets written
    /// by `PATCH`/`DELETE /connectors/{name}/offsets` while the connector is stopped: each
    /// source partition with its new offset, `None` to reset it. `Ok(true)` if the connector
    /// handled them, `Ok(false)` if it does not know how (the worker still writes them); an
    /// error rejects the request with its message.
    fn alter_offsets(
        &self,
        props: &Properties,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> ConnectResult<bool> {
        let _ = (props, offsets);
        Ok(false)
    }
}

/// A connector whose tasks consume from Kafka and write to an external system. Which topics
/// are consumed (`topics`, `topics.regex`) is the worker's business, not the connector's.
pub trait SinkConnector: Connector {
    /// The task type.
    type Task: SinkTask;

    /// A new, unstarted task; see [`SourceConnector::create_task`].
    fn create_task(&self) -> Self::Task;

    /// Like [`SourceConnector::alter_offsets`], for consumer offsets: each partition with its
    /// new next offset, `None` to reset it.
    fn alter_offsets(
        &self,
        props: &Properties,
        offsets: &[(TopicPartition, Option<i64>)],
    ) -> ConnectResult<bool> {
        let _ = (props, offsets);
        Ok(false)
    }
}
