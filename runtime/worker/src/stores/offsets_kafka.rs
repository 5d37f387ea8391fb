//! The offset store on the offsets topic (`offset.storage.topic`, 25 partitions by default,
//! compacted): Kafka Connect's `KafkaOffsetBackingStore`.
//!
//! Records are keyed by `OffsetKey::encode`, byte-identical to Java's, and partitioned by the
//! producer's murmur2 partitioner like Java's, so an offset Sluice writes lands on the partition
//! (and under the key) where a Java worker or Debezium looks for it, and compaction replaces
//! Java's older records of the same source partition.
//!
//! At start the whole topic is read; records Kafka Connect skips (junk keys, non-object values)
//! are skipped. A background reader then keeps the table current with other workers' writes, and
//! [`OffsetStore::get`] reads to the end before answering, as Java does, so a task that moved
//! from another worker resumes from that worker's last committed offset.
//!
//! [`OffsetStore::set`] sends the batch concurrently (librdkafka batches it), waits for every
//! acknowledgement, and only then applies the acknowledged records to the table, each with its
//! topic position, so the background reader meeting them again changes nothing (see
//! `versioned.rs`). If some records fail, the acknowledged ones are applied (they are durable)
//! and the first error is returned.

use std::sync::{Arc, Mutex};

use super::kafka_log::{KafkaLog, KafkaStoreSettings, LogSink};
use super::lock;
use super::offsets::{
    OffsetStore, OffsetTable, OffsetWrite, SourceOffset, SourcePartition, encode_batch,
};
use crate::kafka::Record;
use crate::{Error, Result};

impl LogSink for OffsetTable {
    fn apply(&mut self, record: &Record) {
        match record.key.as_deref() {
            Some(key) => self.apply_raw(
                key,
                record.value.as_deref(),
                Some((record.partition, record.offset)),
            ),
            None => tracing::debug!(
                partition = record.partition,
                offset = record.offset,
                "Skipping an offsets record without a key."
            ),
        }
    }
}

/// The offset store on a Kafka topic.
#[derive(Debug)]
pub struct KafkaOffsetStore {
    settings: KafkaStoreSettings,
    table: Arc<Mutex<OffsetTable>>,
    log: Option<KafkaLog<OffsetTable>>,
}

impl KafkaOffsetStore {
    /// A store on `settings.topic` (see [`KafkaStoreSettings::offsets_from_worker`]); nothing is
    /// read or created before [`OffsetStore::start`].
    pub fn new(settings: KafkaStoreSettings) -> Self {
        KafkaOffsetStore {
            settings,
            table: Arc::new(Mutex::new(OffsetTable::default())),
            log: None,
        }
    }

    fn log(&self) -> Result<&KafkaLog<OffsetTable>> {
        self.log.as_ref().ok_or(Error::StoreNotRunning {
            store: "Kafka offset store",
        })
    }

    async fn read_to_end(&self) -> Result<()> {
        let log = self.log()?;
        log.refresh(log.read_timeout()).await
    }
}

impl OffsetStore for KafkaOffsetStore {
    async fn start(&mut self) -> Result<()> {
        if self.log.is_none() {
            *lock(&self.table) = OffsetTable::default();
            self.log = Some(KafkaLog::start(&self.settings, Arc::clone(&self.table)).await?);
        }
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        if let Some(log) = self.log.take() {
            log.stop().await;
        }
        Ok(())
    }

    async fn get(
        &self,
        connector: &str,
        partition: &SourcePartition,
    ) -> Result<Option<SourceOffset>> {
        self.read_to_end().await?;
        Ok(lock(&self.table).get(connector, partition))
    }

    async fn set(&self, writes: Vec<OffsetWrite>) -> Result<()> {
        let log = self.log()?;
        let batch = encode_batch(&writes);
        let sends = batch.iter().map(|(key, value)| async move {
            let delivered = log.send(key, value.as_deref()).await;
            (key, value, delivered)
        });
        let results = futures::future::join_all(sends).await;
        let mut first_error = None;
        let mut table = lock(&self.table);
        for (key, value, delivered) in results {
            match delivered {
                Ok(d) => table.apply_raw(key, value.as_deref(), Some((d.partition, d.offset))),
                Err(e) => {
                    tracing::warn!(key = %String::from_utf8_lossy(key), error = %e, "Could not write a source offset.");
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn partitions(&self, connector: &str) -> Result<Vec<SourcePartition>> {
        self.read_to_end().await?;
        Ok(lock(&self.table).partitions(connector))
    }
}
