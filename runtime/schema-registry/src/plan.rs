//! What each change to the registry writes to the schemas topic, decided from the current state
//! with Confluent's rules, and what the client is answered once those records are read back.
//!
//! Pure: the store runs one plan at a time against a state that includes every earlier write
//! (single writer), so two concurrent registrations of the same new schema cannot both get a
//! new id — the second one's plan finds the first one's version and writes nothing.

use std::sync::Arc;

use crate::avro::AvroSchema;
use crate::compat::{self, CompatibilityLevel, Previous};
use crate::records::{AVRO, Key, SchemaValue, encode_config, encode_delete_subject};
use crate::state::{State, StoredSchema, identity};
use crate::{Error, Result};

/// A version as given in a path: a number in [1, 2^31-1], or `latest` (or -1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    /// The newest version.
    Latest,
    /// This version.
    Number(i32),
}

impl VersionSpec {
    /// Parses a version as Confluent's `VersionId` does (42202 otherwise).
    pub fn parse(s: &str) -> Result<VersionSpec> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("latest") {
            return Ok(VersionSpec::Latest);
        }
        match t.parse::<i32>() {
            Ok(-1) => Ok(VersionSpec::Latest),
            Ok(v) if v > 0 => Ok(VersionSpec::Number(v)),
            _ => Err(Error::InvalidVersion(s.to_string())),
        }
    }
}

/// A change asked of the registry.
#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    Register {
        subject: String,
        schema: Box<AvroSchema>,
    },
    DeleteSubject {
        subject: String,
        permanent: bool,
    },
    DeleteVersion {
        subject: String,
        version: VersionSpec,
        permanent: bool,
    },
    SetLevel {
        subject: Option<String>,
        level: CompatibilityLevel,
    },
    DeleteLevel {
        subject: Option<String>,
    },
}

/// What the client is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Registered { id: i32, version: i32 },
    Versions(Vec<i32>),
    Version(i32),
    Level(CompatibilityLevel),
}

/// One record to produce.
#[derive(Debug, Clone)]
pub(crate) struct Write {
    pub(crate) key: Vec<u8>,
    pub(crate) value: Option<Vec<u8>>,
}

/// The records to produce, in order, and the answer once they are applied.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) writes: Vec<Write>,
    pub(crate) outcome: Outcome,
}

/// Decides what `mutation` writes.
pub(crate) fn plan(
    state: &State,
    default_level: CompatibilityLevel,
    mutation: &Mutation,
) -> Result<Plan> {
    match mutation {
        Mutation::Register { subject, schema } => register(state, default_level, subject, schema),
        Mutation::DeleteSubject { subject, permanent } => {
            delete_subject(state, subject, *permanent)
        }
        Mutation::DeleteVersion {
            subject,
            version,
            permanent,
        } => delete_version(state, subject, *version, *permanent),
        Mutation::SetLevel { subject, level } => Ok(Plan {
            writes: vec![Write {
                key: Key::Config {
                    subject: subject.clone(),
                }
                .encode(),
                value: Some(encode_config(subject.as_deref(), level.as_str())),
            }],
            outcome: Outcome::Level(*level),
        }),
        Mutation::DeleteLevel { subject } => {
            let old = match subject {
                Some(s) => *state
                    .subject_levels
                    .get(s)
                    .ok_or_else(|| Error::SubjectNotFound(s.clone()))?,
                None => state.global_level.unwrap_or(default_level),
            };
            Ok(Plan {
                writes: vec![Write {
                    key: Key::Config {
                        subject: subject.clone(),
                    }
                    .encode(),
                    value: None,
                }],
                outcome: Outcome::Level(old),
            })
        }
    }
}

/// Checks, once the plan's records are applied, that the state says what the plan promised
/// (it does unless another process wrote to the topic meanwhile).
pub(crate) fn confirm(state: &State, mutation: &Mutation, outcome: &Outcome) -> Result<()> {
    if let (Mutation::Register { subject, .. }, Outcome::Registered { id, version }) =
        (mutation, outcome)
    {
        let applied = state
            .subjects
            .get(subject)
            .and_then(|v| v.get(version))
            .map(|e| e.id);
        if applied != Some(*id) {
            return Err(Error::Conflict(format!(
                "Registering version {version} of subject '{subject}' with id {id} was written to the schemas topic, \
                 but the topic now says otherwise ({applied:?}); is another registry writing to the same topic?"
            )));
        }
    }
    Ok(())
}

fn schema_write(
    subject: &str,
    version: i32,
    schema_type: &str,
    stored_text: &str,
    id: i32,
    deleted: bool,
) -> Write {
    let value = SchemaValue {
        subject: subject.to_string(),
        version,
        id,
        schema_type: schema_type.to_string(),
        schema: stored_text.to_string(),
        deleted,
    };
    Write {
        key: Key::Schema {
            subject: subject.to_string(),
            version,
        }
        .encode(),
        value: Some(value.encode()),
    }
}

fn tombstone(subject: &str, version: i32) -> Write {
    Write {
        key: Key::Schema {
            subject: subject.to_string(),
            version,
        }
        .encode(),
        value: None,
    }
}

fn register(
    state: &State,
    default_level: CompatibilityLevel,
    subject: &str,
    schema: &AvroSchema,
) -> Result<Plan> {
    let identity = identity(AVRO, schema.canonical());
    if let Some((version, id)) = state.find(subject, &identity, false) {
        return Ok(Plan {
            writes: Vec::new(),
            outcome: Outcome::Registered { id, version },
        });
    }
    let existing: Option<Arc<StoredSchema>> = state
        .ids
        .get(&identity)
        .and_then(|id| state.schemas.get(id))
        .cloned();
    let id = match &existing {
        Some(stored) => stored.id,
        None => state.max_id.checked_add(1).ok_or_else(|| {
            Error::Conflict(
                "every schema id up to 2^31-1 is used; no new schema can be registered".into(),
            )
        })?,
    };
    let all = state.versions(subject, true);
    let version = all.last().map_or(1, |(v, _)| v + 1);

    let level = state.level(subject, default_level);
    let previous: Vec<(i32, Arc<StoredSchema>)> = all
        .iter()
        .filter(|(_, e)| !e.deleted)
        .filter_map(|(v, e)| state.schemas.get(&e.id).map(|s| (*v, Arc::clone(s))))
        .collect();
    let previous: Vec<Previous<'_>> = previous
        .iter()
        .filter_map(|(v, s)| {
            s.avro.as_ref().map(|schema| Previous {
                version: *v,
                schema,
            })
        })
        .collect();
    let messages = compat::check(level, schema, &previous);
    if !messages.is_empty() {
        return Err(Error::IncompatibleSchema {
            subject: subject.to_string(),
            messages,
        });
    }

    // Re-registering a schema whose older versions here were soft-deleted: those versions go
    // for good (Confluent tombstones them too), so one (subject, id) pair stays one version.
    let mut writes: Vec<Write> = all
        .iter()
        .filter(|(v, e)| e.deleted && e.id == id && *v < version)
        .map(|(v, _)| tombstone(subject, *v))
        .collect();
    let text = existing.as_ref().map_or(schema.text(), |s| s.text.as_str());
    writes.push(schema_write(subject, version, AVRO, text, id, false));
    Ok(Plan {
        writes,
        outcome: Outcome::Registered { id, version },
    })
}

fn delete_subject(state: &State, subject: &str, permanent: bool) -> Result<Plan> {
    let all = state.versions(subject, true);
    if all.is_empty() {
        return Err(Error::SubjectNotFound(subject.to_string()));
    }
    let live: Vec<i32> = all
        .iter()
        .filter(|(_, e)| !e.deleted)
        .map(|(v, _)| *v)
        .collect();
    if !permanent {
        let Some(&watermark) = live.last() else {
            return Err(Error::SubjectSoftDeleted(subject.to_string()));
        };
        let writes = vec![Write {
            key: Key::DeleteSubject {
                subject: subject.to_string(),
            }
            .encode(),
            value: Some(encode_delete_subject(subject, watermark)),
        }];
        return Ok(Plan {
            writes,
            outcome: Outcome::Versions(live),
        });
    }
    if !live.is_empty() {
        return Err(Error::SubjectNotSoftDeleted(subject.to_string()));
    }
    let mut writes: Vec<Write> = all
        .iter()
        .rev()
        .map(|(v, _)| tombstone(subject, *v))
        .collect();
    if state.subject_levels.contains_key(subject) {
        writes.push(Write {
            key: Key::Config {
                subject: Some(subject.to_string()),
            }
            .encode(),
            value: None,
        });
    }
    Ok(Plan {
        writes,
        outcome: Outcome::Versions(all.iter().map(|(v, _)| *v).collect()),
    })
}

fn delete_version(
    state: &State,
    subject: &str,
    spec: VersionSpec,
    permanent: bool,
) -> Result<Plan> {
    let all = state.versions(subject, true);
    if all.is_empty() {
        return Err(Error::SubjectNotFound(subject.to_string()));
    }
    let found = match spec {
        VersionSpec::Number(v) => all.iter().find(|(n, _)| *n == v).copied(),
        // Soft: the newest live version, else the newest (soft-deleted already); permanent:
        // the newest.
        VersionSpec::Latest if !permanent => all
            .iter()
            .rev()
            .find(|(_, e)| !e.deleted)
            .or(all.last())
            .copied(),
        VersionSpec::Latest => all.last().copied(),
    };
    let (version, entry) = match (found, spec) {
        (Some(found), _) => found,
        (None, VersionSpec::Number(v)) => return Err(Error::VersionNotFound(v)),
        (None, VersionSpec::Latest) => return Err(Error::VersionNotFound(-1)),
    };
    let owned = || subject.to_string();
    if !permanent && entry.deleted {
        return Err(Error::VersionSoftDeleted {
            subject: owned(),
            version,
        });
    }
    if permanent && !entry.deleted {
        return Err(Error::VersionNotSoftDeleted {
            subject: owned(),
            version,
        });
    }
    let writes = if permanent {
        let mut writes = vec![tombstone(subject, version)];
        if all.len() == 1 && state.subject_levels.contains_key(subject) {
            writes.push(Write {
                key: Key::Config {
                    subject: Some(owned()),
                }
                .encode(),
                value: None,
            });
        }
        writes
    } else {
        let stored = state
            .schemas
            .get(&entry.id)
            .ok_or_else(|| Error::SchemaNotFound(Some(entry.id)))?;
        vec![schema_write(
            subject,
            version,
            &stored.schema_type,
            &stored.text,
            entry.id,
            true,
        )]
    };
    Ok(Plan {
        writes,
        outcome: Outcome::Version(version),
    })
}
