//! The offset store in memory (Kafka Connect's `MemoryOffsetBackingStore`): tests, and workers
//! that need no offsets to survive the process. A `set` is applied when it returns; clones are
//! handles to the same table.

use std::sync::{Arc, Mutex};

use super::lock;
use super::offsets::{
    OffsetStore, OffsetTable, OffsetWrite, SourceOffset, SourcePartition, encode_batch,
};
use crate::Result;

/// An offset store held in memory; clones share it.
#[derive(Debug, Clone, Default)]
pub struct MemoryOffsetStore {
    table: Arc<Mutex<OffsetTable>>,
}

impl MemoryOffsetStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl OffsetStore for MemoryOffsetStore {
    async fn start(&mut self) -> Result<()> {
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    async fn get(
        &self,
        connector: &str,
        partition: &SourcePartition,
    ) -> Result<Option<SourceOffset>> {
        Ok(lock(&self.table).get(connector, partition))
    }

    async fn set(&self, writes: Vec<OffsetWrite>) -> Result<()> {
        let batch = encode_batch(&writes);
        let mut table = lock(&self.table);
        for (key, value) in &batch {
            table.apply_raw(key, value.as_deref(), None);
        }
        Ok(())
    }

    async fn partitions(&self, connector: &str) -> Result<Vec<SourcePartition>> {
        Ok(lock(&self.table).partitions(connector))
    }
}
