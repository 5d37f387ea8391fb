//! The task's view of its stored offsets: an [`OffsetReader`] over the worker's
//! [`OffsetStore`], scoped to one connector (Kafka's `OffsetStorageReaderImpl`).
//!
//! It answers only what the store holds, i.e. offsets whose records were acknowledged and then
//! durably written by an offset flush, so a task resuming from them replays, never skips.

use std::fmt;
use std::sync::Arc;

use sluice_api::OffsetMap;
use sluice_api::connector::{BoxFuture, ConnectError, ConnectResult, OffsetReader};

use crate::stores::OffsetStore;

/// Reads `connector`'s offsets from an offset store.
pub struct StoreOffsetReader<S> {
    store: Arc<S>,
    connector: String,
}

impl<S> StoreOffsetReader<S> {
    /// A reader of `connector`'s offsets in `store`.
    pub fn new(store: Arc<S>, connector: impl Into<String>) -> Self {
        StoreOffsetReader {
            store,
            connector: connector.into(),
        }
    }
}

impl<S> fmt::Debug for StoreOffsetReader<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOffsetReader")
            .field("connector", &self.connector)
            .finish_non_exhaustive()
    }
}

impl<S: OffsetStore + 'static> OffsetReader for StoreOffsetReader<S> {
    fn offset<'a>(
        &'a self,
        partition: &'a OffsetMap,
    ) -> BoxFuture<'a, ConnectResult<Option<OffsetMap>>> {
        Box::pin(async move {
            self.store
                .get(&self.connector, partition)
                .await
                .map_err(|e| {
                    let message = format!(
                        "Could not read the stored offset of connector '{}'",
                        self.connector
                    );
                    if e.is_retriable() {
                        ConnectError::retriable_with(message, e)
                    } else {
                        ConnectError::definite_with(message, e)
                    }
                })
        })
    }
}
