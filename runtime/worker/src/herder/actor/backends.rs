//! The stores the actor runs on, one enum per store trait: memory and file in standalone mode,
//! the three Kafka topics in distributed mode. The enums only delegate, so the actor's code is
//! the same in both modes and each store keeps its own guarantees (see [`crate::stores`]).
//!
//! Enums rather than generics: the store traits return `impl Future`, which makes a generic
//! actor's `Send` bounds spread through every async method; two variants cost one `match`.

use std::time::Duration;

use sluice_protocol::{Properties, SessionKey, TargetState};
use tokio::sync::broadcast;

use crate::Result;
use crate::config_state::{ConfigChange, ConfigState, RestartRequest};
use crate::stores::{
    ConfigStore, FileOffsetStore, KafkaConfigStore, KafkaOffsetStore, KafkaStatusStore,
    MemoryConfigStore, MemoryStatusStore, OffsetStore, OffsetWrite, SourceOffset, SourcePartition,
    StatusSnapshot, StatusStore, StatusUpdate,
};

/// Runs `$body` with `$s` bound to whichever store `$self` holds.
macro_rules! delegate {
    ($self:expr, $ty:ident, $s:ident => $body:expr) => {
        match $self {
            $ty::Local($s) => $body,
            $ty::Kafka($s) => $body,
        }
    };
}

/// The config store: in memory (standalone) or on the config topic (distributed).
#[derive(Debug)]
pub(crate) enum Configs {
    Local(MemoryConfigStore),
    Kafka(KafkaConfigStore),
}

impl ConfigStore for Configs {
    async fn start(&mut self) -> Result<()> {
        delegate!(self, Configs, s => s.start().await)
    }

    async fn stop(&mut self) -> Result<()> {
        delegate!(self, Configs, s => s.stop().await)
    }

    async fn put_connector_config(
        &self,
        connector: &str,
        properties: Properties,
        initial_state: Option<TargetState>,
    ) -> Result<()> {
        delegate!(self, Configs, s => s.put_connector_config(connector, properties, initial_state).await)
    }

    async fn remove_connector_config(&self, connector: &str) -> Result<()> {
        delegate!(self, Configs, s => s.remove_connector_config(connector).await)
    }

    async fn put_task_configs(&self, connector: &str, tasks: Vec<Properties>) -> Result<()> {
        delegate!(self, Configs, s => s.put_task_configs(connector, tasks).await)
    }

    async fn put_target_state(&self, connector: &str, state: TargetState) -> Result<()> {
        delegate!(self, Configs, s => s.put_target_state(connector, state).await)
    }

    async fn put_restart_request(&self, connector: &str, request: RestartRequest) -> Result<()> {
        delegate!(self, Configs, s => s.put_restart_request(connector, request).await)
    }

    async fn put_session_key(&self, key: SessionKey) -> Result<()> {
        delegate!(self, Configs, s => s.put_session_key(key).await)
    }

    async fn put_logger_level(&self, namespace: &str, level: &str) -> Result<()> {
        delegate!(self, Configs, s => s.put_logger_level(namespace, level).await)
    }

    async fn refresh(&self, timeout: Duration) -> Result<()> {
        delegate!(self, Configs, s => s.refresh(timeout).await)
    }

    fn snapshot(&self) -> ConfigState {
        delegate!(self, Configs, s => s.snapshot())
    }

    fn subscribe(&self) -> broadcast::Receiver<ConfigChange> {
        delegate!(self, Configs, s => s.subscribe())
    }
}

/// The offset store: a file (standalone) or the offsets topic (distributed).
#[derive(Debug)]
pub(crate) enum Offsets {
    Local(FileOffsetStore),
    Kafka(KafkaOffsetStore),
}

impl OffsetStore for Offsets {
    async fn start(&mut self) -> Result<()> {
        delegate!(self, Offsets, s => s.start().await)
    }

    async fn stop(&mut self) -> Result<()> {
        delegate!(self, Offsets, s => s.stop().await)
    }

    async fn get(
        &self,
        connector: &str,
        partition: &SourcePartition,
    ) -> Result<Option<SourceOffset>> {
        delegate!(self, Offsets, s => s.get(connector, partition).await)
    }

    async fn set(&self, writes: Vec<OffsetWrite>) -> Result<()> {
        delegate!(self, Offsets, s => s.set(writes).await)
    }

    async fn partitions(&self, connector: &str) -> Result<Vec<SourcePartition>> {
        delegate!(self, Offsets, s => s.partitions(connector).await)
    }
}

/// The status store: in memory (standalone) or on the status topic (distributed).
#[derive(Debug)]
pub(crate) enum Statuses {
    Local(MemoryStatusStore),
    Kafka(KafkaStatusStore),
}

impl StatusStore for Statuses {
    async fn start(&mut self) -> Result<()> {
        delegate!(self, Statuses, s => s.start().await)
    }

    async fn stop(&mut self) -> Result<()> {
        delegate!(self, Statuses, s => s.stop().await)
    }

    async fn put(&self, update: StatusUpdate) -> Result<()> {
        delegate!(self, Statuses, s => s.put(update).await)
    }

    async fn refresh(&self, timeout: Duration) -> Result<()> {
        delegate!(self, Statuses, s => s.refresh(timeout).await)
    }

    fn snapshot(&self) -> StatusSnapshot {
        delegate!(self, Statuses, s => s.snapshot())
    }
}
