//! The config store in memory (Kafka Connect's `MemoryConfigBackingStore`): standalone mode and
//! tests.
//!
//! An in-memory "topic": records are applied to the [`ConfigState`] in the order they are
//! written, with increasing offsets, exactly as a reader of the Kafka topic would apply them, so
//! both implementations share every reader rule. A write is durable for the life of the process
//! and visible to every handle when it returns. Clones are handles to the same store, like
//! several workers on one topic; [`MemoryConfigStore::append`] writes a raw record as another
//! worker (or Java Kafka Connect) would.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sluice_protocol::{ConfigRecord, Properties, SessionKey, TargetState};
use tokio::sync::broadcast;

use super::config::{
    ConfigStore, ReplayedConfig, commit_record, connector_records, removal_records, task_records,
};
use super::lock;
use crate::Result;
use crate::config_state::{ConfigChange, ConfigState, RestartRequest};

/// A config store held in memory; clones share it.
#[derive(Debug, Clone)]
pub struct MemoryConfigStore {
    inner: Arc<Mutex<ReplayedConfig>>,
}

impl Default for MemoryConfigStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryConfigStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryConfigStore {
            inner: Arc::new(Mutex::new(ReplayedConfig::new())),
        }
    }

    /// Appends records at the next offsets and applies them, atomically with respect to other
    /// writers of this store.
    pub fn append(&self, records: impl IntoIterator<Item = ConfigRecord>) {
        let mut inner = lock(&self.inner);
        for record in records {
            let offset = inner.state.next_offset;
            inner.apply_record(offset, record);
        }
    }
}

impl ConfigStore for MemoryConfigStore {
    async fn start(&mut self) -> Result<()> {
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    async fn put_connector_config(
        &self,
        connector: &str,
        properties: Properties,
        initial_state: Option<TargetState>,
    ) -> Result<()> {
        self.append(connector_records(connector, properties, initial_state));
        Ok(())
    }

    async fn remove_connector_config(&self, connector: &str) -> Result<()> {
        self.append(removal_records(connector));
        Ok(())
    }

    async fn put_task_configs(&self, connector: &str, tasks: Vec<Properties>) -> Result<()> {
        let count = tasks.len();
        self.append(task_records(connector, tasks));
        self.append([commit_record(connector, count)]);
        Ok(())
    }

    async fn put_target_state(&self, connector: &str, state: TargetState) -> Result<()> {
        self.append([ConfigRecord::TargetState {
            connector: connector.to_string(),
            state: Some(state),
        }]);
        Ok(())
    }

    async fn put_restart_request(&self, connector: &str, request: RestartRequest) -> Result<()> {
        self.append([ConfigRecord::Restart {
            connector: connector.to_string(),
            include_tasks: request.include_tasks,
            only_failed: request.only_failed,
        }]);
        Ok(())
    }

    async fn put_session_key(&self, key: SessionKey) -> Result<()> {
        self.append([ConfigRecord::SessionKey(key)]);
        Ok(())
    }

    async fn put_logger_level(&self, namespace: &str, level: &str) -> Result<()> {
        self.append([ConfigRecord::LoggerLevel {
            namespace: namespace.to_string(),
            level: level.to_string(),
        }]);
        Ok(())
    }

    async fn refresh(&self, _timeout: Duration) -> Result<()> {
        // Every write is applied before it returns: nothing to catch up on.
        Ok(())
    }

    fn snapshot(&self) -> ConfigState {
        lock(&self.inner).state.clone()
    }

    fn subscribe(&self) -> broadcast::Receiver<ConfigChange> {
        lock(&self.inner).changes.subscribe()
    }
}
