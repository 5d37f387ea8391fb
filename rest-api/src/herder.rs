//! The [`Herder`]: every operation the REST API needs from the worker.
//!
//! **Dependency inversion, temporarily.** DESIGN.md §2 has `sluice-rest` depend on the worker's
//! Herder trait. Until the worker implements it, the trait lives here and `sluice-worker` will
//! implement `sluice_rest::Herder` (the worker then depends on this crate); moving the trait into
//! the worker later is a path change for both sides, not a redesign.
//!
//! Contract for implementations:
//! - One method per REST operation; the router does HTTP (paths, query parameters, bodies,
//!   content types, status codes, `Location`), the herder does the cluster work (leadership,
//!   forwarding or 409s, validation, writes to the config topic).
//! - Errors are [`Error`](crate::Error) values built with its constructors, which carry Kafka's
//!   exact messages (`Error::connector_not_found`, `Error::unknown_connector`,
//!   `Error::already_exists`, `Error::offsets_need_stopped`, `Error::no_known_leader`, …).
//!   The router adds a request timeout (90 s, `Request timed out`), so a herder need not.
//! - Configs are [`ConnectorConfig`]s whose key order is preserved; the `name` key is always
//!   present and equal to the connector name by the time the herder sees a config.
//! - The object is shared by all requests (`Arc<dyn Herder>`): implementations serialise state
//!   changes themselves (Sluice's herder is a single-owner actor answering through `oneshot`s).

use std::collections::BTreeMap;

use async_trait::async_trait;
use sluice_api::config::ConfigDef;

use crate::{
    ConfigInfos, ConfigPatch, ConfigUpdate, ConnectorConfig, ConnectorInfo, ConnectorOffsets,
    ConnectorStateInfo, ConnectorTaskId, Health, InitialState, LogLevel, LoggerLevel, Message,
    PluginInfo, RestartRequest, Result, ServerInfo, TaskInfo, TaskState,
};

/// The worker operations behind Kafka Connect's REST API.
#[async_trait]
pub trait Herder: Send + Sync + std::fmt::Debug + 'static {
    /// `GET /`: version, commit and Kafka cluster id.
    async fn server_info(&self) -> Result<ServerInfo>;

    /// `GET /health` (KIP-1017). The router bounds the call by the health-check timeout and
    /// answers 500 `unhealthy` if it does not return in time.
    async fn health(&self) -> Health;

    /// `GET /connectors`: the names of all connectors, in the order to show them.
    async fn connectors(&self) -> Result<Vec<String>>;

    /// `GET /connectors/{c}`; `Error::connector_not_found` if unknown.
    async fn connector_info(&self, connector: &str) -> Result<ConnectorInfo>;

    /// `GET /connectors/{c}/config`; `Error::connector_not_found` if unknown.
    async fn connector_config(&self, connector: &str) -> Result<ConnectorConfig>;

    /// Creates or updates a connector (`POST /connectors` with `allow_replace = false`,
    /// `PUT /connectors/{c}/config` with `allow_replace = true`). Validates the config first
    /// (`Error::no_connector_type`, `Error::invalid_config`); an existing connector with
    /// `allow_replace = false` is `Error::already_exists`. `initial_state` applies only when the
    /// connector is created (KIP-980; `None` means RUNNING).
    async fn put_connector_config(
        &self,
        connector: &str,
        config: ConnectorConfig,
        allow_replace: bool,
        initial_state: Option<InitialState>,
    ) -> Result<ConfigUpdate>;

    /// `PATCH /connectors/{c}/config` (KIP-477): applies `patch` to the current config,
    /// validates and writes it; `Error::connector_not_found` if unknown.
    async fn patch_connector_config(
        &self,
        connector: &str,
        patch: ConfigPatch,
    ) -> Result<ConnectorInfo>;

    /// `DELETE /connectors/{c}`; `Error::connector_not_found` if unknown.
    async fn delete_connector(&self, connector: &str) -> Result<()>;

    /// `GET /connectors/{c}/status`; `Error::no_connector_status` if unknown.
    async fn connector_status(&self, connector: &str) -> Result<ConnectorStateInfo>;

    /// `GET /connectors/{c}/tasks`: task ids with their configs (empty when STOPPED);
    /// `Error::connector_not_found` if unknown.
    async fn task_configs(&self, connector: &str) -> Result<Vec<TaskInfo>>;

    /// `GET /connectors/{c}/tasks/{n}/status`; `Error::no_task_status` if unknown.
    async fn task_status(&self, task: &ConnectorTaskId) -> Result<TaskState>;

    /// `POST /connectors/{c}/restart` without `includeTasks`/`onlyFailed`: restarts the
    /// connector instance only; `Error::unknown_connector_restart` if unknown.
    async fn restart_connector(&self, connector: &str) -> Result<()>;

    /// `POST /connectors/{c}/restart` with `includeTasks` or `onlyFailed` (KIP-745): returns the
    /// status in which every instance about to restart shows `RESTARTING`.
    async fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> Result<ConnectorStateInfo>;

    /// `POST /connectors/{c}/tasks/{n}/restart`; `Error::unknown_task` if unknown.
    async fn restart_task(&self, task: &ConnectorTaskId) -> Result<()>;

    /// `PUT /connectors/{c}/pause`; `Error::unknown_connector` if unknown.
    async fn pause_connector(&self, connector: &str) -> Result<()>;

    /// `PUT /connectors/{c}/resume` (also resumes a STOPPED connector);
    /// `Error::unknown_connector` if unknown.
    async fn resume_connector(&self, connector: &str) -> Result<()>;

    /// `PUT /connectors/{c}/stop` (KIP-875): empty task set, then target state STOPPED.
    /// Idempotent; `Error::unknown_connector` if unknown.
    async fn stop_connector(&self, connector: &str) -> Result<()>;

    /// `GET /connectors/{c}/offsets` (KIP-875); `Error::connector_not_found` if unknown.
    async fn connector_offsets(&self, connector: &str) -> Result<ConnectorOffsets>;

    /// `PATCH /connectors/{c}/offsets`: `offsets` is non-empty (the router checks).
    /// `Error::offsets_need_stopped` unless STOPPED; answers the success message.
    async fn alter_connector_offsets(
        &self,
        connector: &str,
        offsets: ConnectorOffsets,
    ) -> Result<Message>;

    /// `DELETE /connectors/{c}/offsets`: `Error::offsets_need_stopped` unless STOPPED; answers
    /// the success message.
    async fn reset_connector_offsets(&self, connector: &str) -> Result<Message>;

    /// `GET /connectors/{c}/topics` (KIP-558): the topics the connector used, sorted;
    /// `Error::topic_tracking_disabled` when tracking is off.
    async fn connector_active_topics(&self, connector: &str) -> Result<Vec<String>>;

    /// `PUT /connectors/{c}/topics/reset`; `Error::topic_tracking_reset_disabled` when not allowed.
    async fn reset_connector_active_topics(&self, connector: &str) -> Result<()>;

    /// `GET /connector-plugins`: every plugin the worker knows (the router filters on
    /// `connectorsOnly`).
    async fn plugins(&self) -> Result<Vec<PluginInfo>>;

    /// `GET /connector-plugins/{plugin}/config`: the definition of a plugin named by class or
    /// alias; `Error::unknown_plugin` if unknown, `Error::BadRequest` for a type without one.
    async fn plugin_config(&self, plugin: &str) -> Result<ConfigDef>;

    /// `PUT /connector-plugins/{plugin}/config/validate`: validates `config` (whose
    /// `connector.class` the router checked against `plugin` when present). Always an answer,
    /// errors are inside it; `Error::no_connector_type` if `connector.class` is missing.
    async fn validate_connector_config(
        &self,
        plugin: &str,
        config: ConnectorConfig,
    ) -> Result<ConfigInfos>;

    /// `GET /admin/loggers`: every logger with an explicit level, by name.
    async fn loggers(&self) -> Result<BTreeMap<String, LoggerLevel>>;

    /// `GET /admin/loggers/{name}`; `Error::NotFound` if unknown.
    async fn logger(&self, name: &str) -> Result<LoggerLevel>;

    /// `PUT /admin/loggers/{name}?scope=worker`: sets the level of `namespace` and its
    /// descendants on this worker; answers the affected logger names, sorted.
    async fn set_worker_logger_level(
        &self,
        namespace: &str,
        level: LogLevel,
    ) -> Result<Vec<String>>;

    /// `PUT /admin/loggers/{name}?scope=cluster` (KIP-976): writes the level to the config topic
    /// for every worker.
    async fn set_cluster_logger_level(&self, namespace: &str, level: LogLevel) -> Result<()>;
}
