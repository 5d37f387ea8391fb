//! What the connector tests share: an [`OffsetReader`] standing in for the worker's offset
//! store (the offsets a test says were stored), and a task started on it.
// Shared by several test binaries, each using only some of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use sluice_api::OffsetMap;
use sluice_api::connector::{BoxFuture, ConnectResult, OffsetReader};

/// The offsets the worker would have stored for the connector (`None`: nothing stored).
#[derive(Debug, Default, Clone)]
pub(crate) struct StoredOffsets(pub(crate) Arc<Mutex<Option<OffsetMap>>>);

impl StoredOffsets {
    /// Offsets holding `offset` for the connector's partition.
    pub(crate) fn holding(offset: OffsetMap) -> Self {
        StoredOffsets(Arc::new(Mutex::new(Some(offset))))
    }
}

impl OffsetReader for StoredOffsets {
    fn offset<'a>(&'a self, _p: &'a OffsetMap) -> BoxFuture<'a, ConnectResult<Option<OffsetMap>>> {
        let v = self.0.lock().unwrap().clone();
        Box::pin(async move { Ok(v) })
    }
}
