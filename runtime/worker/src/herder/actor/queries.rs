//! Read-only answers of the actor (infos, configs, statuses, plugins, validation); the loggers
//! are in `loggers.rs`.

use sluice_api::config::ConfigDef;
use sluice_api::connector::ConnectorKind;
use sluice_protocol::{State as StoredState, Status};
use sluice_rest::{
    ConfigInfos, ConnectorConfig, ConnectorInfo, ConnectorState, ConnectorStateInfo,
    ConnectorTaskId, ConnectorType, Error as RestError, Health, PluginInfo, PluginType, ServerInfo,
    State, TaskInfo, TaskState,
};

use super::Actor;
use crate::herder::validation::{self, CONNECTOR_CLASS, from_properties};
use crate::stores::ConfigStore;
use crate::stores::StatusStore;

fn rest_state(s: StoredState) -> State {
    match s {
        StoredState::Unassigned | StoredState::Destroyed => State::Unassigned,
        StoredState::Running => State::Running,
        StoredState::Paused => State::Paused,
        StoredState::Failed => State::Failed,
        StoredState::Restarting => State::Restarting,
        StoredState::Stopped => State::Stopped,
    }
}

fn task_state(id: u32, s: &Status) -> TaskState {
    TaskState {
        id,
        state: rest_state(s.state),
        worker_id: s.worker_id.clone(),
        trace: s.trace.clone().filter(|t| !t.is_empty()),
        version: s.version.clone(),
    }
}

fn connector_type(kind: ConnectorKind) -> ConnectorType {
    match kind {
        ConnectorKind::Source => ConnectorType::Source,
        ConnectorKind::Sink => ConnectorType::Sink,
    }
}

impl Actor {
    /// `GET /`.
    pub(crate) fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            commit: option_env!("SLUICE_GIT_COMMIT")
                .unwrap_or("unknown")
                .to_string(),
            kafka_cluster_id: self.config.kafka_cluster_id.clone(),
        }
    }

    /// `GET /health`: ready once started (distributed: once it holds an assignment).
    pub(crate) fn health(&self) -> Health {
        self.cluster.as_ref().map_or(Health::Ready, |c| c.health())
    }

    /// `GET /connectors`, sorted by name.
    pub(crate) fn connector_names(&self) -> Vec<String> {
        self.configs
            .snapshot()
            .connector_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    fn type_of(&self, connector: &str) -> ConnectorType {
        match self.plugin_of(connector) {
            Ok(p) => connector_type(p.kind()),
            Err(_) => ConnectorType::Unknown,
        }
    }

    /// `GET /connectors/{c}`.
    pub(crate) fn connector_info(&self, name: &str) -> Result<ConnectorInfo, RestError> {
        let stored = self
            .stored(name)
            .ok_or_else(|| RestError::connector_not_found(name))?;
        Ok(ConnectorInfo {
            name: name.to_string(),
            config: from_properties(&stored.config),
            tasks: (0..stored.tasks.len() as u32)
                .map(|task| ConnectorTaskId {
                    connector: name.to_string(),
                    task,
                })
                .collect(),
            connector_type: self.type_of(name),
        })
    }

    /// `GET /connectors/{c}/tasks`.
    pub(crate) fn task_infos(&self, name: &str) -> Result<Vec<TaskInfo>, RestError> {
        let stored = self
            .stored(name)
            .ok_or_else(|| RestError::connector_not_found(name))?;
        Ok(stored
            .tasks
            .iter()
            .enumerate()
            .map(|(task, config)| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_string(),
                    task: task as u32,
                },
                config: from_properties(config),
            })
            .collect())
    }

    /// `GET /connectors/{c}/status`.
    pub(crate) fn connector_status(&self, name: &str) -> Result<ConnectorStateInfo, RestError> {
        let snapshot = self.statuses.snapshot();
        let status = snapshot
            .connector(name)
            .ok_or_else(|| RestError::no_connector_status(name))?;
        Ok(ConnectorStateInfo {
            name: name.to_string(),
            connector: ConnectorState {
                state: rest_state(status.state),
                worker_id: status.worker_id.clone(),
                trace: status.trace.clone().filter(|t| !t.is_empty()),
                version: status.version.clone(),
            },
            tasks: snapshot
                .tasks(name)
                .into_iter()
                .map(|(id, s)| task_state(id, s))
                .collect(),
            connector_type: self.type_of(name),
        })
    }

    /// `GET /connectors/{c}/tasks/{n}/status`.
    pub(crate) fn task_status(&self, id: &ConnectorTaskId) -> Result<TaskState, RestError> {
        let snapshot = self.statuses.snapshot();
        snapshot
            .task(&id.connector, id.task)
            .map(|s| task_state(id.task, s))
            .ok_or_else(|| RestError::no_task_status(&id.connector, id.task))
    }

    /// `GET /connector-plugins`: sinks then sources, each by class name (the reference's
    /// order).
    pub(crate) fn plugin_infos(&self) -> Vec<PluginInfo> {
        let mut plugins: Vec<PluginInfo> = self
            .catalog
            .plugins()
            .into_iter()
            .map(|p| PluginInfo {
                plugin_type: match p.kind() {
                    ConnectorKind::Source => PluginType::Source,
                    ConnectorKind::Sink => PluginType::Sink,
                },
                class_name: p.class,
                version: Some(p.version),
            })
            .collect();
        plugins.sort_by(|a, b| {
            let rank = |t: PluginType| u8::from(t != PluginType::Sink);
            (rank(a.plugin_type), &a.class_name).cmp(&(rank(b.plugin_type), &b.class_name))
        });
        plugins
    }

    /// `GET /connector-plugins/{p}/config`.
    pub(crate) fn plugin_config(&self, plugin: &str) -> Result<ConfigDef, RestError> {
        self.catalog
            .lookup(plugin)
            .map(|p| validation::plugin_config_def(&p))
            .map_err(|_| RestError::unknown_plugin(plugin))
    }

    /// `PUT /connector-plugins/{p}/config/validate`.
    pub(crate) async fn validate(
        &self,
        plugin: String,
        config: ConnectorConfig,
    ) -> Result<ConfigInfos, RestError> {
        if config.get(CONNECTOR_CLASS).is_none() {
            return Err(RestError::no_connector_type(&config));
        }
        let found = validation::plugin_of(&*self.catalog, &config)
            .map_err(|_| RestError::unknown_plugin(&plugin))?;
        Ok(validation::validate(&found, &config, &self.config.worker).await)
    }
}
