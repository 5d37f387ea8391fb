//! Test helpers shared by the behaviour files: an in-memory offset reader and property lists.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sluice_api::OffsetMap;
use sluice_api::connector::{
    BoxFuture, ConnectResult, OffsetReader, Properties, SourceTaskContext,
};

/// Stored offsets as a worker would answer them after a commit.
#[derive(Debug, Default)]
pub(crate) struct MemoryOffsets {
    entries: Mutex<Vec<(OffsetMap, OffsetMap)>>,
}

impl MemoryOffsets {
    pub(crate) fn set(&self, partition: OffsetMap, offset: OffsetMap) {
        let mut e = self.entries.lock().unwrap();
        e.retain(|(p, _)| p != &partition);
        e.push((partition, offset));
    }
}

impl OffsetReader for MemoryOffsets {
    fn offset<'a>(
        &'a self,
        partition: &'a OffsetMap,
    ) -> BoxFuture<'a, ConnectResult<Option<OffsetMap>>> {
        let found = self
            .entries
            .lock()
            .unwrap()
            .iter()
            .find(|(p, _)| p == partition)
            .map(|(_, o)| o.clone());
        Box::pin(async move { Ok(found) })
    }
}

pub(crate) fn context(offsets: &Arc<MemoryOffsets>) -> SourceTaskContext {
    SourceTaskContext::new(offsets.clone())
}

pub(crate) fn props(kv: &[(&str, &str)]) -> Properties {
    kv.iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

/// A path in the temp directory no other test uses.
pub(crate) fn temp_path(prefix: &str) -> PathBuf {
    std::env::temp_dir().join(sluice_testkit::unique_name(prefix))
}

pub(crate) fn json_map(v: serde_json::Value) -> OffsetMap {
    match v {
        serde_json::Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}
