//! The registry's state: a pure function of the records of the schemas topic, applied in
//! offset order. Rebuilding it at start-up and keeping it current afterwards are the same code,
//! so a restarted registry sees exactly what the previous one saw.
//!
//! Rules, as Confluent's `KafkaStoreMessageHandler` applies them:
//! - a schema value for `(subject, version)` sets it (registered or soft-deleted); a tombstone
//!   removes it (hard delete);
//! - ids are global: every version holding id `n` holds the same schema. A value claiming an id
//!   already held by a *different* schema is ignored with a warning (Confluent does the same);
//! - the next new id is the largest id ever read + 1, so ids are never reused while the records
//!   that used them are in the topic;
//! - a subject soft delete marks every version up to its watermark as deleted;
//! - a compatibility config sets or (tombstone) removes the subject's or the global level.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::avro::AvroSchema;
use crate::compat::CompatibilityLevel;
use crate::records::{AVRO, Record, SchemaValue};

/// A schema with an id.
#[derive(Debug)]
pub(crate) struct StoredSchema {
    pub(crate) id: i32,
    pub(crate) schema_type: String,
    /// The text, byte for byte as first registered under this id.
    pub(crate) text: String,
    /// The parsed schema (Avro schemas that parse; `None` for other types).
    pub(crate) avro: Option<AvroSchema>,
}

impl StoredSchema {
    fn new(id: i32, schema_type: &str, text: &str) -> StoredSchema {
        let avro = if schema_type == AVRO {
            AvroSchema::parse(text).ok()
        } else {
            None
        };
        StoredSchema {
            id,
            schema_type: schema_type.to_string(),
            text: text.to_string(),
            avro,
        }
    }

    /// What makes two schemas the same: the type and the canonical string (the text when it
    /// cannot be parsed).
    pub(crate) fn identity(&self) -> (String, String) {
        identity(
            &self.schema_type,
            self.avro.as_ref().map_or(&self.text, |a| a.canonical()),
        )
    }
}

pub(crate) fn identity(schema_type: &str, canonical: &str) -> (String, String) {
    (schema_type.to_string(), canonical.to_string())
}

/// One version of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VersionEntry {
    pub(crate) id: i32,
    pub(crate) deleted: bool,
}

/// Everything the topic says.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) subjects: BTreeMap<String, BTreeMap<i32, VersionEntry>>,
    pub(crate) schemas: HashMap<i32, Arc<StoredSchema>>,
    pub(crate) ids: HashMap<(String, String), i32>,
    pub(crate) subject_levels: BTreeMap<String, CompatibilityLevel>,
    pub(crate) global_level: Option<CompatibilityLevel>,
    pub(crate) max_id: i32,
    /// The offset of the next record to apply.
    pub(crate) next_offset: i64,
}

impl State {
    /// Applies the record at `offset`.
    pub(crate) fn apply(&mut self, record: Record, offset: i64) {
        self.next_offset = self.next_offset.max(offset + 1);
        match record {
            Record::Schema {
                subject,
                version,
                value: Some(value),
            } => self.put_version(subject, version, value),
            Record::Schema {
                subject,
                version,
                value: None,
            } => self.remove_version(&subject, version),
            Record::DeleteSubject { subject, version } => {
                if let Some(versions) = self.subjects.get_mut(&subject) {
                    for (_, entry) in versions.range_mut(..=version) {
                        entry.deleted = true;
                    }
                }
            }
            Record::Config { subject, level } => {
                let level = level.and_then(|l| l.parse::<CompatibilityLevel>().ok());
                match (subject, level) {
                    (Some(subject), Some(level)) => {
                        self.subject_levels.insert(subject, level);
                    }
                    (Some(subject), None) => {
                        self.subject_levels.remove(&subject);
                    }
                    (None, level) => self.global_level = level,
                }
            }
            Record::Ignored => {}
        }
    }

    fn put_version(&mut self, subject: String, version: i32, value: SchemaValue) {
        let id = value.id;
        match self.schemas.get(&id) {
            Some(existing)
                if existing.text != value.schema || existing.schema_type != value.schema_type =>
            {
                let candidate = StoredSchema::new(id, &value.schema_type, &value.schema);
                if existing.identity() != candidate.identity() {
                    tracing::warn!(
                        id, subject = %subject, version,
                        "Ignored a record of the schemas topic that gives id {id} to a different schema than the one \
                         registered with it; another process may be writing to the topic."
                    );
                    return;
                }
            }
            Some(_) => {}
            None => {
                let stored = Arc::new(StoredSchema::new(id, &value.schema_type, &value.schema));
                self.ids.entry(stored.identity()).or_insert(id);
                self.schemas.insert(id, stored);
            }
        }
        self.max_id = self.max_id.max(id);
        let previous = self.subjects.entry(subject).or_default().insert(
            version,
            VersionEntry {
                id,
                deleted: value.deleted,
            },
        );
        if let Some(previous) = previous.filter(|p| p.id != id) {
            self.forget_if_unused(previous.id);
        }
    }

    fn remove_version(&mut self, subject: &str, version: i32) {
        let Some(versions) = self.subjects.get_mut(subject) else {
            return;
        };
        let removed = versions.remove(&version);
        if versions.is_empty() {
            self.subjects.remove(subject);
        }
        if let Some(removed) = removed {
            self.forget_if_unused(removed.id);
        }
    }

    /// Drops schema `id` once no version holds it (its id may then only come back with a new
    /// registration, under a new id).
    fn forget_if_unused(&mut self, id: i32) {
        let used = self
            .subjects
            .values()
            .any(|versions| versions.values().any(|e| e.id == id));
        if !used && let Some(stored) = self.schemas.remove(&id) {
            let key = stored.identity();
            if self.ids.get(&key) == Some(&id) {
                self.ids.remove(&key);
            }
        }
    }

    /// The subject's versions, oldest first (`include_deleted`: soft-deleted ones too).
    pub(crate) fn versions(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> Vec<(i32, VersionEntry)> {
        self.subjects
            .get(subject)
            .map(|versions| {
                versions
                    .iter()
                    .filter(|(_, e)| include_deleted || !e.deleted)
                    .map(|(v, e)| (*v, *e))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the subject has a version (`include_deleted`: even a soft-deleted one).
    pub(crate) fn has_subject(&self, subject: &str, include_deleted: bool) -> bool {
        !self.versions(subject, include_deleted).is_empty()
    }

    /// The version of `subject` holding the schema with this identity (newest first).
    pub(crate) fn find(
        &self,
        subject: &str,
        identity: &(String, String),
        include_deleted: bool,
    ) -> Option<(i32, i32)> {
        let id = *self.ids.get(identity)?;
        self.versions(subject, include_deleted)
            .into_iter()
            .rev()
            .find(|(_, e)| e.id == id)
            .map(|(v, e)| (v, e.id))
    }

    /// The subjects, sorted (`include_deleted`: also those whose versions are all soft-deleted).
    pub(crate) fn subject_names(&self, include_deleted: bool) -> Vec<String> {
        self.subjects
            .iter()
            .filter(|(_, versions)| include_deleted || versions.values().any(|e| !e.deleted))
            .map(|(s, _)| s.clone())
            .collect()
    }

    /// The level that applies to `subject`: its own, else the global one, else `default`.
    pub(crate) fn level(&self, subject: &str, default: CompatibilityLevel) -> CompatibilityLevel {
        self.subject_levels
            .get(subject)
            .copied()
            .or(self.global_level)
            .unwrap_or(default)
    }

    /// The (subject, version) pairs holding schema `id`.
    pub(crate) fn versions_of_id(&self, id: i32, include_deleted: bool) -> Vec<(String, i32)> {
        self.subjects
            .iter()
            .flat_map(|(s, versions)| {
                versions
                    .iter()
                    .filter(move |(_, e)| e.id == id && (include_deleted || !e.deleted))
                    .map(move |(v, _)| (s.clone(), *v))
            })
            .collect()
    }
}
