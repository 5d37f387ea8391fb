//! The status store on the status topic (`status.storage.topic`, 5 partitions by default,
//! compacted): Kafka Connect's `KafkaStatusBackingStore`.
//!
//! Keys and values are `sluice_protocol`'s byte-exact status records; the producer's murmur2
//! partitioner puts each key on the partition Java's would. A `put` waits for the broker's
//! acknowledgement (Kafka Connect sends statuses asynchronously and retries in the background;
//! a caller that must not wait can spawn the call) and then applies the record with its topic
//! position, so the background reader meeting it again changes nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::kafka_log::{KafkaLog, KafkaStoreSettings, LogSink};
use super::lock;
use super::status::{StatusSnapshot, StatusStore, StatusUpdate};
use crate::kafka::Record;
use crate::{Error, Result};

impl LogSink for StatusSnapshot {
    fn apply(&mut self, record: &Record) {
        let Some(key) = record
            .key
            .as_deref()
            .and_then(|k| std::str::from_utf8(k).ok())
        else {
            tracing::warn!(
                partition = record.partition,
                offset = record.offset,
                "Discarding a status record without a UTF-8 key."
            );
            return;
        };
        if let Some(update) = StatusUpdate::decode(key, record.value.as_deref()) {
            StatusSnapshot::apply(self, update, Some((record.partition, record.offset)));
        }
    }
}

/// The status store on a Kafka topic.
#[derive(Debug)]
pub struct KafkaStatusStore {
    settings: KafkaStoreSettings,
    statuses: Arc<Mutex<StatusSnapshot>>,
    log: Option<KafkaLog<StatusSnapshot>>,
}

impl KafkaStatusStore {
    /// A store on `settings.topic` (see [`KafkaStoreSettings::status_from_worker`]); nothing is
    /// read or created before [`StatusStore::start`].
    pub fn new(settings: KafkaStoreSettings) -> Self {
        KafkaStatusStore {
            settings,
            statuses: Arc::new(Mutex::new(StatusSnapshot::default())),
            log: None,
        }
    }

    fn log(&self) -> Result<&KafkaLog<StatusSnapshot>> {
        self.log.as_ref().ok_or(Error::StoreNotRunning {
            store: "Kafka status store",
        })
    }
}

impl StatusStore for KafkaStatusStore {
    async fn start(&mut self) -> Result<()> {
        if self.log.is_none() {
            *lock(&self.statuses) = StatusSnapshot::default();
            self.log = Some(KafkaLog::start(&self.settings, Arc::clone(&self.statuses)).await?);
        }
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        if let Some(log) = self.log.take() {
            log.stop().await;
        }
        Ok(())
    }

    async fn put(&self, update: StatusUpdate) -> Result<()> {
        let log = self.log()?;
        let key = update.key().to_string();
        let value = update.encode_value();
        let delivered = log.send(key.as_bytes(), value.as_deref()).await?;
        lock(&self.statuses).apply(update, Some((delivered.partition, delivered.offset)));
        Ok(())
    }

    async fn refresh(&self, timeout: Duration) -> Result<()> {
        self.log()?.refresh(timeout).await
    }

    fn snapshot(&self) -> StatusSnapshot {
        lock(&self.statuses).clone()
    }
}
