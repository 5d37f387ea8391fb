//! The config store: connector configurations, task configurations, target states, restart
//! requests and the session key, as the config topic holds them (spec/internals.md §2).
//!
//! Both implementations feed the same records, in the same order, into a
//! [`ConfigState`](crate::config_state::ConfigState), so they follow Kafka Connect's reader rules
//! identically; they differ only in where the records live. The record sequences are Kafka
//! Connect's:
//!
//! - create with an initial state: `target-state-<c>` **then** `connector-<c>` (a reader never
//!   sees the connector without its initial state, so a connector created STOPPED never starts);
//! - delete: `connector-<c>` tombstone, then `target-state-<c>` tombstone;
//! - task configs: every `task-<c>-<n>`, and only once they are all acknowledged and read back,
//!   `commit-<c>` with `{"tasks":N}`. Readers buffer task records and apply the set only on the
//!   commit, so a crash between the two leaves the old task set in force, never a mix.
//!
//! When a write returns, its records are acknowledged by the broker (durable) **and** applied to
//! [`ConfigStore::snapshot`]: the Kafka store reads the topic back to the end after writing, as
//! Kafka Connect's `KafkaConfigBackingStore` does, so the snapshot reflects the write together
//! with anything other workers wrote before it.

use std::future::Future;
use std::time::Duration;

use sluice_protocol::{ConfigRecord, Properties, SessionKey, TargetState};
use tokio::sync::broadcast;

use crate::Result;
use crate::config_state::{ConfigChange, ConfigState, RestartRequest};

/// How many changes a subscriber may fall behind before it gets `RecvError::Lagged` (it should
/// then take a fresh [`ConfigStore::snapshot`]).
pub(crate) const CHANGES_CAPACITY: usize = 1024;

/// The cluster's connector configuration store (see the module doc).
pub trait ConfigStore: Send + Sync {
    /// Makes the store usable: for Kafka, creates or checks the topic and reads it to the end.
    fn start(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// Stops background work; the store must not be used afterwards.
    fn stop(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// Creates or replaces a connector's configuration; with `initial_state`, writes the target
    /// state first (connector creation with `initial_state`, KIP-980).
    fn put_connector_config(
        &self,
        connector: &str,
        properties: Properties,
        initial_state: Option<TargetState>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deletes a connector: tombstones for its config and its target state.
    fn remove_connector_config(&self, connector: &str) -> impl Future<Output = Result<()>> + Send;

    /// Replaces a connector's task configurations: the task records, then the commit.
    fn put_task_configs(
        &self,
        connector: &str,
        tasks: Vec<Properties>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Sets a connector's target state (pause, resume, stop).
    fn put_target_state(
        &self,
        connector: &str,
        state: TargetState,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Requests a restart of a connector (KIP-745), for its owners to act on.
    fn put_restart_request(
        &self,
        connector: &str,
        request: RestartRequest,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Publishes a new inter-worker session key (KIP-507).
    fn put_session_key(&self, key: SessionKey) -> impl Future<Output = Result<()>> + Send;

    /// Sets a logger level for every worker of the cluster (`logger-cluster-<namespace>`,
    /// KIP-976).
    fn put_logger_level(
        &self,
        namespace: &str,
        level: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Applies everything written to the store before the call (Kafka: reads to the end), within
    /// `timeout` (the herder's `worker.sync.timeout.ms`).
    fn refresh(&self, timeout: Duration) -> impl Future<Output = Result<()>> + Send;

    /// A copy of the current state; `next_offset` is the config offset of the group protocol.
    fn snapshot(&self) -> ConfigState;

    /// Changes applied from now on, including those written by other workers.
    fn subscribe(&self) -> broadcast::Receiver<ConfigChange>;
}

/// The records of creating or updating a connector (target state first, as Kafka Connect).
pub(crate) fn connector_records(
    connector: &str,
    properties: Properties,
    initial_state: Option<TargetState>,
) -> Vec<ConfigRecord> {
    let mut records = Vec::with_capacity(2);
    if let Some(state) = initial_state {
        records.push(ConfigRecord::TargetState {
            connector: connector.to_string(),
            state: Some(state),
        });
    }
    records.push(ConfigRecord::Connector {
        connector: connector.to_string(),
        properties: Some(properties),
    });
    records
}

/// The records of deleting a connector.
pub(crate) fn removal_records(connector: &str) -> [ConfigRecord; 2] {
    [
        ConfigRecord::Connector {
            connector: connector.to_string(),
            properties: None,
        },
        ConfigRecord::TargetState {
            connector: connector.to_string(),
            state: None,
        },
    ]
}

/// The task records of a task-config update (the commit follows separately).
pub(crate) fn task_records(connector: &str, tasks: Vec<Properties>) -> Vec<ConfigRecord> {
    tasks
        .into_iter()
        .zip(0u32..)
        .map(|(properties, task)| ConfigRecord::Task {
            connector: connector.to_string(),
            task,
            properties: Some(properties),
        })
        .collect()
}

/// The commit record applying `count` tasks.
pub(crate) fn commit_record(connector: &str, count: usize) -> ConfigRecord {
    ConfigRecord::Commit {
        connector: connector.to_string(),
        tasks: Some(u32::try_from(count).unwrap_or(u32::MAX)),
    }
}

/// The replayed topic and the channel its changes go out on, shared by both implementations.
#[derive(Debug)]
pub(crate) struct ReplayedConfig {
    pub(crate) state: ConfigState,
    pub(crate) changes: broadcast::Sender<ConfigChange>,
}

impl ReplayedConfig {
    pub(crate) fn new() -> Self {
        ReplayedConfig {
            state: ConfigState::new(),
            changes: broadcast::channel(CHANGES_CAPACITY).0,
        }
    }

    /// Applies the record at `offset` and announces what changed.
    pub(crate) fn apply_record(&mut self, offset: i64, record: ConfigRecord) {
        let change = self.state.apply(offset, record);
        if change != ConfigChange::None {
            // No subscriber is not an error.
            let _ = self.changes.send(change);
        }
    }
}
