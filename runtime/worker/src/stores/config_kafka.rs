//! The config store on the config topic (`config.storage.topic`, one partition, compacted):
//! Kafka Connect's `KafkaConfigBackingStore`.
//!
//! Keys are the plain strings of `sluice_protocol::ConfigRecord::key`, values its byte-exact
//! JSON, so Java workers and Sluice workers read each other's records (see
//! `tests/store_config.rs`, which checks that Sluice writes the very records Java wrote).
//!
//! Every record read from the topic — our own writes included — goes through
//! [`ConfigState::apply`](crate::config_state::ConfigState::apply) in topic order; writes never
//! touch the state directly. A write sends its records one after another, each awaited, so they
//! reach the single partition in the order Kafka Connect writes them even if the producer
//! retries (a retried batch cannot overtake the next record, which is not sent yet); then it
//! reads the topic to the end. When a write returns, its records are acknowledged by every
//! in-sync replica and applied to the snapshot, in their place among other workers' writes.
//! Task configs are read back before their commit is written, as Kafka Connect does, so the
//! commit can only follow task records that are on the topic.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sluice_protocol::{ConfigRecord, Properties, SessionKey, TargetState};
use tokio::sync::broadcast;

use super::config::{
    ConfigStore, ReplayedConfig, commit_record, connector_records, removal_records, task_records,
};
use super::kafka_log::{KafkaLog, KafkaStoreSettings, LogSink};
use super::lock;
use crate::config_state::{ConfigChange, ConfigState, RestartRequest};
use crate::kafka::Record;
use crate::{Error, Result};

impl LogSink for ReplayedConfig {
    fn apply(&mut self, record: &Record) {
        let Some(key) = record
            .key
            .as_deref()
            .and_then(|k| std::str::from_utf8(k).ok())
        else {
            tracing::warn!(
                offset = record.offset,
                "Skipping a config topic record without a UTF-8 key."
            );
            return;
        };
        match ConfigRecord::decode(key, record.value.as_deref()) {
            Ok(Some(rec)) => self.apply_record(record.offset, rec),
            Ok(None) => {
                tracing::warn!(key, "Skipping a config topic record with an unknown key.");
                // Still counts for the config offset: it was read.
                self.state.next_offset = self.state.next_offset.max(record.offset + 1);
            }
            Err(e) => {
                tracing::error!(key, error = %e, "Skipping a config topic record that cannot be decoded.");
                self.state.next_offset = self.state.next_offset.max(record.offset + 1);
            }
        }
    }
}

/// The config store on a Kafka topic.
#[derive(Debug)]
pub struct KafkaConfigStore {
    settings: KafkaStoreSettings,
    replayed: Arc<Mutex<ReplayedConfig>>,
    log: Option<KafkaLog<ReplayedConfig>>,
}

impl KafkaConfigStore {
    /// A store on `settings.topic` (see [`KafkaStoreSettings::config_from_worker`]); nothing is
    /// read or created before [`ConfigStore::start`].
    pub fn new(settings: KafkaStoreSettings) -> Self {
        KafkaConfigStore {
            settings,
            replayed: Arc::new(Mutex::new(ReplayedConfig::new())),
            log: None,
        }
    }

    fn log(&self) -> Result<&KafkaLog<ReplayedConfig>> {
        self.log.as_ref().ok_or(Error::StoreNotRunning {
            store: "Kafka config store",
        })
    }

    /// Sends `records` one by one, each acknowledged before the next is sent.
    async fn send(&self, records: impl IntoIterator<Item = ConfigRecord>) -> Result<()> {
        let log = self.log()?;
        for record in records {
            let key = record.key();
            let value = record.encode_value();
            log.send(key.as_bytes(), value.as_deref()).await?;
        }
        Ok(())
    }

    /// Sends `records`, then reads the topic back to the end.
    async fn write(&self, records: impl IntoIterator<Item = ConfigRecord>) -> Result<()> {
        self.send(records).await?;
        let log = self.log()?;
        log.refresh(log.read_timeout()).await
    }
}

impl ConfigStore for KafkaConfigStore {
    async fn start(&mut self) -> Result<()> {
        if self.log.is_none() {
            // A restarted store replays the topic from the beginning into a fresh state.
            lock(&self.replayed).state = ConfigState::new();
            self.log = Some(KafkaLog::start(&self.settings, Arc::clone(&self.replayed)).await?);
        }
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        if let Some(log) = self.log.take() {
            log.stop().await;
        }
        Ok(())
    }

    async fn put_connector_config(
        &self,
        connector: &str,
        properties: Properties,
        initial_state: Option<TargetState>,
    ) -> Result<()> {
        self.write(connector_records(connector, properties, initial_state))
            .await
    }

    async fn remove_connector_config(&self, connector: &str) -> Result<()> {
        self.write(removal_records(connector)).await
    }

    async fn put_task_configs(&self, connector: &str, tasks: Vec<Properties>) -> Result<()> {
        let count = tasks.len();
        self.write(task_records(connector, tasks)).await?;
        self.write([commit_record(connector, count)]).await
    }

    async fn put_target_state(&self, connector: &str, state: TargetState) -> Result<()> {
        self.write([ConfigRecord::TargetState {
            connector: connector.to_string(),
            state: Some(state),
        }])
        .await
    }

    async fn put_restart_request(&self, connector: &str, request: RestartRequest) -> Result<()> {
        self.write([ConfigRecord::Restart {
            connector: connector.to_string(),
            include_tasks: request.include_tasks,
            only_failed: request.only_failed,
        }])
        .await
    }

    async fn put_session_key(&self, key: SessionKey) -> Result<()> {
        self.write([ConfigRecord::SessionKey(key)]).await
    }

    async fn put_logger_level(&self, namespace: &str, level: &str) -> Result<()> {
        self.write([ConfigRecord::LoggerLevel {
            namespace: namespace.to_string(),
            level: level.to_string(),
        }])
        .await
    }

    async fn refresh(&self, timeout: Duration) -> Result<()> {
        self.log()?.refresh(timeout).await
    }

    fn snapshot(&self) -> ConfigState {
        lock(&self.replayed).state.clone()
    }

    fn subscribe(&self) -> broadcast::Receiver<ConfigChange> {
        lock(&self.replayed).changes.subscribe()
    }
}
