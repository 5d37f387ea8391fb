//! [`GoldenHerder`]: an in-memory [`Herder`] primed from `golden/rest/` (see the parent module
//! for why an in-memory herder is the right tool for testing the HTTP layer).

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::Value;
use sluice_api::config::ConfigDef;
use sluice_rest::{
    ConfigInfos, ConfigPatch, ConfigUpdate, ConnectorConfig, ConnectorInfo, ConnectorOffset,
    ConnectorOffsets, ConnectorState, ConnectorStateInfo, ConnectorTaskId, ConnectorType, Error,
    Health, Herder, InitialState, LogLevel, LoggerLevel, Message, PluginInfo, PluginType,
    RestartRequest, Result, ServerInfo, State, TaskInfo, TaskState,
};

use super::golden_defs::def_from_golden;
use super::transcript;

const WORKER_ID: &str = "127.0.0.1:8083";

/// One connector's state in the fake cluster.
#[derive(Debug, Clone)]
struct Connector {
    config: ConnectorConfig,
    target: State,
    connector_state: State,
    /// Task configs generated (0 when STOPPED).
    task_count: u32,
    /// Task statuses; like Kafka's status topic they outlive a STOP until tasks restart.
    task_states: Vec<State>,
    offsets: Vec<ConnectorOffset>,
    reset_topics: bool,
}

#[derive(Debug)]
struct Inner {
    connectors: BTreeMap<String, Connector>,
    loggers: BTreeMap<String, LoggerLevel>,
    cluster_loggers: BTreeMap<String, LogLevel>,
}

/// An in-memory herder primed from the golden transcripts.
#[derive(Debug)]
pub struct GoldenHerder {
    server_info: ServerInfo,
    plugins: Vec<PluginInfo>,
    /// The Postgres connector's own keys (`GET …/config`).
    plugin_def: ConfigDef,
    /// Framework keys + connector keys (`validate` and create).
    validate_def: ConfigDef,
    optional_without_default: HashSet<String>,
    inner: Mutex<Inner>,
    /// Fault injection for the error-mapping tests: how long `server_info` and `health` take,
    /// and an error `connectors` answers once.
    delay: Mutex<Option<std::time::Duration>>,
    fail_next_list: Mutex<Option<Error>>,
}

impl GoldenHerder {
    /// A herder with the golden data and no connectors.
    pub fn from_golden() -> Self {
        let root = transcript("001_root.json").response_body;
        let server_info: ServerInfo = serde_json::from_value(root).unwrap();
        let plugins: Vec<PluginInfo> =
            serde_json::from_value(transcript("004_connector_plugins_all.json").response_body)
                .unwrap();
        let validated = transcript("008_validate_valid_config.json").response_body;
        let mut recommended = BTreeMap::new();
        let mut validate_keys = Vec::new();
        for c in validated["configs"].as_array().unwrap() {
            let rv: Vec<String> = c["value"]["recommended_values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            if !rv.is_empty() {
                recommended.insert(c["definition"]["name"].as_str().unwrap().to_owned(), rv);
            }
            validate_keys.push(&c["definition"]);
        }
        let (validate_def, optional_without_default) =
            def_from_golden(&validate_keys, &recommended);
        let plugin_cfg = transcript("005_plugin_config_by_class.json").response_body;
        let plugin_keys: Vec<&Value> = plugin_cfg.as_array().unwrap().iter().collect();
        let (plugin_def, _) = def_from_golden(&plugin_keys, &recommended);
        let loggers: BTreeMap<String, LoggerLevel> =
            serde_json::from_value(transcript("062_admin_loggers.json").response_body).unwrap();
        GoldenHerder {
            server_info,
            plugins,
            plugin_def,
            validate_def,
            optional_without_default,
            inner: Mutex::new(Inner {
                connectors: BTreeMap::new(),
                loggers,
                cluster_loggers: BTreeMap::new(),
            }),
            delay: Mutex::new(None),
            fail_next_list: Mutex::new(None),
        }
    }

    /// What the worker's offset flush does: records `offsets` for `connector`.
    pub fn commit_offsets(&self, connector: &str, offsets: Vec<ConnectorOffset>) {
        let mut inner = self.inner.lock().unwrap();
        let c = inner.connectors.get_mut(connector).unwrap();
        merge_offsets(&mut c.offsets, offsets);
    }

    /// Makes `server_info` and `health` take `delay` (a stuck herder).
    pub fn set_delay(&self, delay: std::time::Duration) {
        *self.delay.lock().unwrap() = Some(delay);
    }

    /// Makes the next `connectors` call fail with `error` (e.g. a rebalance 409).
    pub fn fail_next_list(&self, error: Error) {
        *self.fail_next_list.lock().unwrap() = Some(error);
    }

    async fn stall(&self) {
        let delay = *self.delay.lock().unwrap();
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
    }

    /// The level a cluster-scoped logger request recorded.
    pub fn cluster_logger(&self, namespace: &str) -> Option<LogLevel> {
        self.inner
            .lock()
            .unwrap()
            .cluster_loggers
            .get(namespace)
            .copied()
    }

    /// The connector plugin named by class or alias (`PostgresConnector`, `Postgres`).
    fn resolve(&self, name: &str) -> Option<&PluginInfo> {
        self.plugins
            .iter()
            .filter(|p| p.plugin_type.is_connector())
            .find(|p| {
                let simple = p.class_name.rsplit('.').next().unwrap_or(&p.class_name);
                p.class_name == name
                    || simple == name
                    || simple.strip_suffix("Connector") == Some(name)
            })
    }

    fn version_of(&self, class: &str) -> Option<String> {
        self.resolve(class).and_then(|p| p.version.clone())
    }

    fn connector_type(&self, config: &ConnectorConfig) -> ConnectorType {
        match config
            .get("connector.class")
            .and_then(|c| self.resolve(c))
            .map(|p| p.plugin_type)
        {
            Some(PluginType::Source) => ConnectorType::Source,
            Some(PluginType::Sink) => ConnectorType::Sink,
            _ => ConnectorType::Unknown,
        }
    }

    fn validate(&self, config: &ConnectorConfig) -> Result<ConfigInfos> {
        let Some(class) = config.get("connector.class") else {
            return Err(Error::no_connector_type(config));
        };
        let plugin = self.resolve(class).ok_or_else(|| {
            Error::BadRequest(format!(
                "Failed to find any class that implements Connector and which name matches {class}"
            ))
        })?;
        if plugin.class_name != "io.debezium.connector.postgresql.PostgresConnector" {
            return Err(Error::BadRequest(format!(
                "The golden transcripts hold no configuration definition for {class}"
            )));
        }
        let mut values = self.validate_def.validate(config);
        for v in &mut values {
            if self.optional_without_default.contains(&v.name) && config.get(&v.name).is_none() {
                v.errors.clear();
            }
        }
        Ok(ConfigInfos::from_validation(
            &plugin.class_name,
            &self.validate_def,
            &values,
        ))
    }

    fn info(&self, name: &str, c: &Connector) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            config: c.config.clone(),
            tasks: (0..c.task_count)
                .map(|task| ConnectorTaskId {
                    connector: name.to_owned(),
                    task,
                })
                .collect(),
            connector_type: self.connector_type(&c.config),
        }
    }

    fn status(&self, name: &str, c: &Connector) -> ConnectorStateInfo {
        let version = c
            .config
            .get("connector.class")
            .and_then(|k| self.version_of(k));
        ConnectorStateInfo {
            name: name.to_owned(),
            connector: ConnectorState {
                state: c.connector_state,
                worker_id: WORKER_ID.into(),
                trace: None,
                version: version.clone(),
            },
            tasks: c
                .task_states
                .iter()
                .zip(0..)
                .map(|(state, id)| TaskState {
                    id,
                    state: *state,
                    worker_id: WORKER_ID.into(),
                    trace: None,
                    version: version.clone(),
                })
                .collect(),
            connector_type: self.connector_type(&c.config),
        }
    }

    fn with<T>(
        &self,
        name: &str,
        missing: fn(&str) -> Error,
        f: impl FnOnce(&mut Connector) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.inner.lock().unwrap();
        let c = inner
            .connectors
            .get_mut(name)
            .ok_or_else(|| missing(name))?;
        f(c)
    }
}

fn tasks_max(config: &ConnectorConfig) -> u32 {
    config
        .get("tasks.max")
        .and_then(|t| t.parse().ok())
        .unwrap_or(1)
}

/// Starts (or restarts) a connector's tasks in `state`.
fn start(c: &mut Connector, state: State) {
    c.target = state;
    c.connector_state = state;
    c.task_count = tasks_max(&c.config);
    c.task_states = vec![state; c.task_count as usize];
}

fn merge_offsets(current: &mut Vec<ConnectorOffset>, new: Vec<ConnectorOffset>) {
    for o in new {
        match current.iter_mut().find(|c| c.partition == o.partition) {
            Some(existing) => existing.offset = o.offset,
            None => current.push(o),
        }
    }
}

const ALTERED: &str = "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.";
const RESET: &str = "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses.";

#[async_trait]
impl Herder for GoldenHerder {
    async fn server_info(&self) -> Result<ServerInfo> {
        self.stall().await;
        Ok(self.server_info.clone())
    }

    async fn health(&self) -> Health {
        self.stall().await;
        Health::Ready
    }

    async fn connectors(&self) -> Result<Vec<String>> {
        if let Some(e) = self.fail_next_list.lock().unwrap().take() {
            return Err(e);
        }
        Ok(self
            .inner
            .lock()
            .unwrap()
            .connectors
            .keys()
            .cloned()
            .collect())
    }

    async fn connector_info(&self, connector: &str) -> Result<ConnectorInfo> {
        let inner = self.inner.lock().unwrap();
        let c = inner
            .connectors
            .get(connector)
            .ok_or_else(|| Error::connector_not_found(connector))?;
        Ok(self.info(connector, c))
    }

    async fn connector_config(&self, connector: &str) -> Result<ConnectorConfig> {
        self.with(connector, Error::connector_not_found, |c| {
            Ok(c.config.clone())
        })
    }

    async fn put_connector_config(
        &self,
        connector: &str,
        config: ConnectorConfig,
        allow_replace: bool,
        initial_state: Option<InitialState>,
    ) -> Result<ConfigUpdate> {
        let errors = self.validate(&config)?.error_messages();
        if !errors.is_empty() {
            return Err(Error::invalid_config(&errors));
        }
        let mut inner = self.inner.lock().unwrap();
        if let Some(c) = inner.connectors.get_mut(connector) {
            if !allow_replace {
                return Err(Error::already_exists(connector));
            }
            c.config = config;
            let info = self.info(connector, c);
            return Ok(ConfigUpdate {
                created: false,
                info,
            });
        }
        let mut c = Connector {
            config,
            target: State::Running,
            connector_state: State::Unassigned,
            task_count: 0,
            task_states: Vec::new(),
            offsets: Vec::new(),
            reset_topics: false,
        };
        // The answer shows the connector before it generated task configs (tasks: []).
        let info = self.info(connector, &c);
        match initial_state.unwrap_or(InitialState::Running) {
            InitialState::Running => start(&mut c, State::Running),
            InitialState::Paused => start(&mut c, State::Paused),
            InitialState::Stopped => {
                c.target = State::Stopped;
                c.connector_state = State::Stopped;
            }
        }
        inner.connectors.insert(connector.to_owned(), c);
        Ok(ConfigUpdate {
            created: true,
            info,
        })
    }

    async fn patch_connector_config(
        &self,
        connector: &str,
        patch: ConfigPatch,
    ) -> Result<ConnectorInfo> {
        let mut config = self.connector_config(connector).await?;
        config.apply(&patch);
        Ok(self
            .put_connector_config(connector, config, true, None)
            .await?
            .info)
    }

    async fn delete_connector(&self, connector: &str) -> Result<()> {
        let mut inner = self.inner.lock().unwrap();
        inner
            .connectors
            .remove(connector)
            .map(|_| ())
            .ok_or_else(|| Error::connector_not_found(connector))
    }

    async fn connector_status(&self, connector: &str) -> Result<ConnectorStateInfo> {
        let inner = self.inner.lock().unwrap();
        let c = inner
            .connectors
            .get(connector)
            .ok_or_else(|| Error::no_connector_status(connector))?;
        Ok(self.status(connector, c))
    }

    async fn task_configs(&self, connector: &str) -> Result<Vec<TaskInfo>> {
        self.with(connector, Error::connector_not_found, |c| {
            Ok((0..c.task_count)
                .map(|task| {
                    let mut config = c.config.clone();
                    // Debezium's task class is the connector class + "Task".
                    if let Some(class) = c.config.get("connector.class") {
                        config.insert("task.class", format!("{class}Task"));
                    }
                    TaskInfo {
                        id: ConnectorTaskId {
                            connector: connector.to_owned(),
                            task,
                        },
                        config,
                    }
                })
                .collect())
        })
    }

    async fn task_status(&self, task: &ConnectorTaskId) -> Result<TaskState> {
        let status = self
            .connector_status(&task.connector)
            .await
            .map_err(|_| Error::no_task_status(&task.connector, task.task))?;
        status
            .tasks
            .into_iter()
            .find(|t| t.id == task.task)
            .ok_or_else(|| Error::no_task_status(&task.connector, task.task))
    }

    async fn restart_connector(&self, connector: &str) -> Result<()> {
        self.with(connector, Error::unknown_connector_restart, |c| {
            c.connector_state = c.target;
            Ok(())
        })
    }

    async fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> Result<ConnectorStateInfo> {
        let name = request.connector.clone();
        let mut inner = self.inner.lock().unwrap();
        let c = inner
            .connectors
            .get_mut(&name)
            .ok_or_else(|| Error::unknown_connector_restart(&name))?;
        let mut planned = c.clone();
        let restarts = |s: State| !request.only_failed || s == State::Failed;
        if restarts(planned.connector_state) {
            planned.connector_state = State::Restarting;
        }
        if request.include_tasks {
            for s in &mut planned.task_states {
                if restarts(*s) {
                    *s = State::Restarting;
                }
            }
        }
        let answer = self.status(&name, &planned);
        // The restart completes at once in this fake.
        let target = c.target;
        if target != State::Stopped {
            start(c, target);
        }
        Ok(answer)
    }

    async fn restart_task(&self, task: &ConnectorTaskId) -> Result<()> {
        self.with(&task.connector, Error::unknown_connector_restart, |c| {
            if task.task >= c.task_count {
                return Err(Error::unknown_task(&task.connector, task.task));
            }
            Ok(())
        })
    }

    async fn pause_connector(&self, connector: &str) -> Result<()> {
        self.with(connector, Error::unknown_connector, |c| {
            start(c, State::Paused);
            Ok(())
        })
    }

    async fn resume_connector(&self, connector: &str) -> Result<()> {
        self.with(connector, Error::unknown_connector, |c| {
            start(c, State::Running);
            Ok(())
        })
    }

    async fn stop_connector(&self, connector: &str) -> Result<()> {
        self.with(connector, Error::unknown_connector, |c| {
            c.target = State::Stopped;
            c.connector_state = State::Stopped;
            c.task_count = 0;
            Ok(())
        })
    }

    async fn connector_offsets(&self, connector: &str) -> Result<ConnectorOffsets> {
        self.with(connector, Error::connector_not_found, |c| {
            Ok(ConnectorOffsets {
                offsets: c.offsets.clone(),
            })
        })
    }

    async fn alter_connector_offsets(
        &self,
        connector: &str,
        offsets: ConnectorOffsets,
    ) -> Result<Message> {
        self.with(connector, Error::connector_not_found, |c| {
            if c.target != State::Stopped || c.task_count != 0 {
                return Err(Error::offsets_need_stopped(connector));
            }
            merge_offsets(&mut c.offsets, offsets.offsets);
            Ok(Message {
                message: ALTERED.into(),
            })
        })
    }

    async fn reset_connector_offsets(&self, connector: &str) -> Result<Message> {
        self.with(connector, Error::connector_not_found, |c| {
            if c.target != State::Stopped || c.task_count != 0 {
                return Err(Error::offsets_need_stopped(connector));
            }
            // Resets are tombstones, shown as `offset: null` until compaction.
            for o in &mut c.offsets {
                o.offset = None;
            }
            Ok(Message {
                message: RESET.into(),
            })
        })
    }

    async fn connector_active_topics(&self, connector: &str) -> Result<Vec<String>> {
        self.with(connector, Error::connector_not_found, |c| {
            // A running Debezium task writes to <topic.prefix>.<table> for each captured table;
            // after a reset, a running task records them again on its next write.
            if c.reset_topics && c.connector_state != State::Running {
                return Ok(Vec::new());
            }
            let prefix = c.config.get("topic.prefix").unwrap_or_default();
            let mut topics: Vec<String> = c
                .config
                .get("table.include.list")
                .unwrap_or_default()
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| format!("{prefix}.{}", t.trim()))
                .collect();
            topics.sort();
            Ok(topics)
        })
    }

    async fn reset_connector_active_topics(&self, connector: &str) -> Result<()> {
        self.with(connector, Error::connector_not_found, |c| {
            c.reset_topics = true;
            Ok(())
        })
    }

    async fn plugins(&self) -> Result<Vec<PluginInfo>> {
        Ok(self.plugins.clone())
    }

    async fn plugin_config(&self, plugin: &str) -> Result<ConfigDef> {
        match self.resolve(plugin) {
            Some(p) if p.class_name == "io.debezium.connector.postgresql.PostgresConnector" => {
                Ok(self.plugin_def.clone())
            }
            Some(p) => Err(Error::Internal(format!(
                "The golden transcripts hold no configuration definition for {}",
                p.class_name
            ))),
            None => Err(Error::unknown_plugin(plugin)),
        }
    }

    async fn validate_connector_config(
        &self,
        _plugin: &str,
        config: ConnectorConfig,
    ) -> Result<ConfigInfos> {
        self.validate(&config)
    }

    async fn loggers(&self) -> Result<BTreeMap<String, LoggerLevel>> {
        Ok(self.inner.lock().unwrap().loggers.clone())
    }

    async fn logger(&self, name: &str) -> Result<LoggerLevel> {
        let inner = self.inner.lock().unwrap();
        inner
            .loggers
            .get(name)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("Logger {name} not found.")))
    }

    async fn set_worker_logger_level(
        &self,
        namespace: &str,
        level: LogLevel,
    ) -> Result<Vec<String>> {
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        let mut inner = self.inner.lock().unwrap();
        inner
            .loggers
            .entry(namespace.to_owned())
            .or_insert(LoggerLevel {
                level: String::new(),
                last_modified: None,
            });
        let prefix = format!("{namespace}.");
        let mut affected = Vec::new();
        for (name, l) in inner.loggers.iter_mut() {
            if name == namespace || name.starts_with(&prefix) {
                *l = LoggerLevel {
                    level: level.to_string(),
                    last_modified: Some(now),
                };
                affected.push(name.clone());
            }
        }
        Ok(affected)
    }

    async fn set_cluster_logger_level(&self, namespace: &str, level: LogLevel) -> Result<()> {
        self.inner
            .lock()
            .unwrap()
            .cluster_loggers
            .insert(namespace.to_owned(), level);
        Ok(())
    }
}
