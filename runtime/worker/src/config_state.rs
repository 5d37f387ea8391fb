//! The cluster's connector configuration, rebuilt by replaying the config topic.
//!
//! This is `KafkaConfigBackingStore`'s reader logic, kept pure so it can be tested record by
//! record against what Java Kafka Connect wrote:
//!
//! - `connector-<name>` sets or (tombstone) removes a connector; removal also forgets its target
//!   state, its task configs and any buffered task records.
//! - `task-<name>-<n>` records are **buffered**, never applied on their own: a connector's tasks
//!   change only when a `commit-<name>` with `{"tasks":N}` arrives and the buffer holds every
//!   task `0..N`. A commit with an incomplete buffer marks the connector *inconsistent* (the
//!   leader then asks the connector for fresh task configs) and applies nothing, so a worker
//!   never runs half of an old task set and half of a new one.
//! - A commit for a connector that has no config (deleted, then compacted) is ignored.
//! - `target-state-<name>` sets the state; a tombstone falls back to STARTED.
//! - Restart requests, the session key and cluster logger levels are kept as last written.
//!
//! [`ConfigState::apply`] returns what changed so the herder can react without diffing.

use std::collections::{BTreeMap, BTreeSet};

use sluice_protocol::{ConfigRecord, Properties, SessionKey, TargetState};

/// What one applied record changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    /// A connector was created or its config replaced.
    ConnectorUpdated(String),
    /// A connector was deleted.
    ConnectorRemoved(String),
    /// A connector's task configs were committed (applied).
    TasksCommitted(String),
    /// A commit arrived without the complete set of task configs it names.
    TasksInconsistent(String),
    /// A connector's target state changed.
    TargetStateChanged(String),
    /// A restart was requested.
    RestartRequested(String),
    /// The session key changed.
    SessionKeyUpdated,
    /// A cluster-wide logger level was set.
    LoggerLevel(String),
    /// Nothing the cluster acts on changed (a buffered task record, an ignored commit).
    None,
}

/// A restart request (KIP-745) read from the config topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartRequest {
    /// Restart the connector's tasks too.
    pub include_tasks: bool,
    /// Restart only failed instances.
    pub only_failed: bool,
}

/// One connector as the config topic describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connector {
    /// Its configuration, in the user's order.
    pub config: Properties,
    /// Its target state (STARTED unless set).
    pub target_state: TargetState,
    /// The committed task configs, task `n` at index `n`.
    pub tasks: Vec<Properties>,
    /// Whether the last commit named tasks the topic did not hold.
    pub inconsistent: bool,
}

/// The replayed state of the config topic.
#[derive(Debug, Clone, Default)]
pub struct ConfigState {
    /// The offset of the next record to read (one past the last applied).
    pub next_offset: i64,
    connectors: BTreeMap<String, Connector>,
    /// Target states written before (or without) the connector's config.
    pending_states: BTreeMap<String, TargetState>,
    /// Task records since the last commit, per connector and task.
    deferred_tasks: BTreeMap<String, BTreeMap<u32, Option<Properties>>>,
    restarts: BTreeMap<String, RestartRequest>,
    session_key: Option<SessionKey>,
    logger_levels: BTreeMap<String, String>,
}

impl ConfigState {
    /// An empty state (nothing read yet).
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies the record read at `offset`.
    pub fn apply(&mut self, offset: i64, record: ConfigRecord) -> ConfigChange {
        self.next_offset = self.next_offset.max(offset + 1);
        match record {
            ConfigRecord::Connector {
                connector,
                properties: Some(config),
            } => {
                let target_state = self
                    .pending_states
                    .get(&connector)
                    .copied()
                    .unwrap_or(TargetState::Started);
                match self.connectors.get_mut(&connector) {
                    Some(c) => c.config = config,
                    None => {
                        self.connectors.insert(
                            connector.clone(),
                            Connector {
                                config,
                                target_state,
                                tasks: Vec::new(),
                                inconsistent: false,
                            },
                        );
                    }
                }
                ConfigChange::ConnectorUpdated(connector)
            }
            ConfigRecord::Connector {
                connector,
                properties: None,
            } => {
                self.pending_states.remove(&connector);
                self.deferred_tasks.remove(&connector);
                self.restarts.remove(&connector);
                if self.connectors.remove(&connector).is_some() {
                    ConfigChange::ConnectorRemoved(connector)
                } else {
                    ConfigChange::None
                }
            }
            ConfigRecord::Task {
                connector,
                task,
                properties,
            } => {
                self.deferred_tasks
                    .entry(connector)
                    .or_default()
                    .insert(task, properties);
                ConfigChange::None
            }
            ConfigRecord::Commit {
                connector,
                tasks: Some(n),
            } => self.commit(connector, n),
            ConfigRecord::Commit { tasks: None, .. } => ConfigChange::None,
            ConfigRecord::TargetState { connector, state } => {
                let state = state.unwrap_or(TargetState::Started);
                self.pending_states.insert(connector.clone(), state);
                match self.connectors.get_mut(&connector) {
                    Some(c) if c.target_state != state => {
                        c.target_state = state;
                        ConfigChange::TargetStateChanged(connector)
                    }
                    _ => ConfigChange::None,
                }
            }
            ConfigRecord::Restart {
                connector,
                include_tasks,
                only_failed,
            } => {
                self.restarts.insert(
                    connector.clone(),
                    RestartRequest {
                        include_tasks,
                        only_failed,
                    },
                );
                ConfigChange::RestartRequested(connector)
            }
            ConfigRecord::TasksFencing { .. } => ConfigChange::None,
            ConfigRecord::SessionKey(key) => {
                self.session_key = Some(key);
                ConfigChange::SessionKeyUpdated
            }
            ConfigRecord::LoggerLevel { namespace, level } => {
                self.logger_levels.insert(namespace.clone(), level);
                ConfigChange::LoggerLevel(namespace)
            }
        }
    }

    fn commit(&mut self, connector: String, n: u32) -> ConfigChange {
        let Some(c) = self.connectors.get_mut(&connector) else {
            // Deleted (and possibly compacted): Kafka Connect ignores such a commit too.
            self.deferred_tasks.remove(&connector);
            return ConfigChange::None;
        };
        let deferred = self.deferred_tasks.remove(&connector).unwrap_or_default();
        let complete = (0..n).all(|t| matches!(deferred.get(&t), Some(Some(_))));
        if !complete {
            c.inconsistent = true;
            // Keep what was buffered: a later commit may complete the set.
            self.deferred_tasks.insert(connector.clone(), deferred);
            return ConfigChange::TasksInconsistent(connector);
        }
        let mut deferred = deferred;
        c.tasks = (0..n)
            .filter_map(|t| deferred.remove(&t).flatten())
            .collect();
        c.inconsistent = false;
        ConfigChange::TasksCommitted(connector)
    }

    /// The connector named `name`, if it exists.
    pub fn connector(&self, name: &str) -> Option<&Connector> {
        self.connectors.get(name)
    }

    /// The names of all connectors, sorted.
    pub fn connector_names(&self) -> BTreeSet<&str> {
        self.connectors.keys().map(String::as_str).collect()
    }

    /// The last restart request for a connector.
    pub fn restart_request(&self, name: &str) -> Option<RestartRequest> {
        self.restarts.get(name).copied()
    }

    /// The current inter-worker session key.
    pub fn session_key(&self) -> Option<&SessionKey> {
        self.session_key.as_ref()
    }

    /// Cluster-wide logger levels by namespace.
    pub fn logger_levels(&self) -> &BTreeMap<String, String> {
        &self.logger_levels
    }
}
