//! Schemas read from JSON, keyed by their exact bytes (hash, then full equality: the map's own
//! lookup), plus the last one used: the records of one topic nearly always share a schema, and one
//! comparison with it is much cheaper than scanning and hashing a few kilobytes.
//!
//! Only bytes the full parser accepted and `decode::schema` turned into a schema (so a JSON object
//! or `null`) are ever inserted; the envelope fast path relies on this (see `envelope`).

use std::collections::HashMap;
use std::sync::Arc;

use sluice_api::Schema;

/// A schema (`None` for JSON `null`) by its JSON bytes; emptied when `capacity` is reached
/// (simpler than an LRU, and schemas change rarely). A capacity of 0 caches nothing.
#[derive(Debug)]
pub(crate) struct SchemaCache {
    capacity: usize,
    by_bytes: HashMap<Arc<[u8]>, Option<Schema>>,
    last: Option<(Arc<[u8]>, Option<Schema>)>,
}

impl SchemaCache {
    pub(crate) fn new(capacity: usize) -> Self {
        SchemaCache {
            capacity,
            by_bytes: HashMap::new(),
            last: None,
        }
    }

    /// The schema read from exactly these bytes, if cached; it becomes the last one used.
    pub(crate) fn get(&mut self, bytes: &[u8]) -> Option<Option<Schema>> {
        if let Some((last, schema)) = &self.last
            && **last == *bytes
        {
            return Some(schema.clone());
        }
        let (key, schema) = self.by_bytes.get_key_value(bytes)?;
        self.last = Some((key.clone(), schema.clone()));
        Some(schema.clone())
    }

    /// The bytes and schema of the last schema used, if any.
    pub(crate) fn last(&self) -> Option<(&[u8], &Option<Schema>)> {
        self.last.as_ref().map(|(bytes, schema)| (&**bytes, schema))
    }

    /// Remembers the schema read from `bytes` (which the full parser accepted).
    pub(crate) fn insert(&mut self, bytes: &[u8], schema: Option<Schema>) {
        if self.capacity == 0 {
            return;
        }
        if self.by_bytes.len() >= self.capacity {
            self.by_bytes.clear();
        }
        let key: Arc<[u8]> = bytes.into();
        self.last = Some((key.clone(), schema.clone()));
        self.by_bytes.insert(key, schema);
    }
}
