//! The status store in memory (Kafka Connect's `MemoryStatusBackingStore`): standalone mode and
//! tests. A `put` is applied when it returns; clones are handles to the same statuses.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::lock;
use super::status::{StatusSnapshot, StatusStore, StatusUpdate};
use crate::Result;

/// A status store held in memory; clones share it.
#[derive(Debug, Clone, Default)]
pub struct MemoryStatusStore {
    statuses: Arc<Mutex<StatusSnapshot>>,
}

impl MemoryStatusStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StatusStore for MemoryStatusStore {
    async fn start(&mut self) -> Result<()> {
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    async fn put(&self, update: StatusUpdate) -> Result<()> {
        lock(&self.statuses).apply(update, None);
        Ok(())
    }

    async fn refresh(&self, _timeout: Duration) -> Result<()> {
        Ok(())
    }

    fn snapshot(&self) -> StatusSnapshot {
        lock(&self.statuses).clone()
    }
}
