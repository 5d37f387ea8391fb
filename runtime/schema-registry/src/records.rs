//! The records of the schemas topic, in Confluent Schema Registry's format, so a topic written
//! by either can be read by the other.
//!
//! Keys and values are JSON (Confluent serializes its `SchemaRegistryKey`/`…Value` classes with
//! Jackson, `NON_EMPTY` inclusion, properties in the order below):
//!
//! | Key | Value |
//! |---|---|
//! | `{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}` | `{"subject":s,"version":v,"id":n,["schemaType":t,]"schema":text,"deleted":b}`; tombstone = hard delete |
//! | `{"keytype":"CONFIG","subject":s,"magic":0}` (no `subject`: global) | `{"subject":s,"compatibilityLevel":"FULL"}`; tombstone = delete |
//! | `{"keytype":"DELETE_SUBJECT","subject":s,"magic":0}` | `{"subject":s,"version":v}`: versions ≤ v are soft-deleted |
//! | `{"keytype":"NOOP","magic":0}` | none (Confluent writes it to find the end of the topic) |
//!
//! `schemaType` is written only for non-Avro schemas, as Confluent 5.5–7.x do (8.x writes
//! `"AVRO"` too; both read either). Reading is lenient like Confluent's: unknown properties and
//! key types (`MODE`, `CONTEXT`, …) are ignored, missing `deleted` is `false`, a value without
//! `subject` takes the key's.

use serde_json::{Value, json};

/// The key of a record, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    Schema {
        subject: String,
        version: i32,
    },
    Config {
        subject: Option<String>,
    },
    DeleteSubject {
        subject: String,
    },
    Noop,
    /// A key type this registry does not use.
    Other(String),
}

/// A registered schema version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaValue {
    pub(crate) subject: String,
    pub(crate) version: i32,
    pub(crate) id: i32,
    pub(crate) schema_type: String,
    pub(crate) schema: String,
    pub(crate) deleted: bool,
}

/// A decoded record of the topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Record {
    /// A version registered or soft-deleted (`Some`), or hard-deleted (`None`).
    Schema {
        subject: String,
        version: i32,
        value: Option<SchemaValue>,
    },
    /// A compatibility level set (`Some`) or removed (`None`), for a subject or globally.
    Config {
        subject: Option<String>,
        level: Option<String>,
    },
    /// Versions up to `version` of `subject` soft-deleted.
    DeleteSubject { subject: String, version: i32 },
    /// Nothing to apply.
    Ignored,
}

/// Avro's `schemaType`.
pub(crate) const AVRO: &str = "AVRO";

impl Key {
    /// The key's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let json = match self {
            Key::Schema { subject, version } => {
                json!({"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1})
            }
            Key::Config {
                subject: Some(subject),
            } => json!({"keytype": "CONFIG", "subject": subject, "magic": 0}),
            Key::Config { subject: None } => json!({"keytype": "CONFIG", "magic": 0}),
            Key::DeleteSubject { subject } => {
                json!({"keytype": "DELETE_SUBJECT", "subject": subject, "magic": 0})
            }
            Key::Noop => json!({"keytype": "NOOP", "magic": 0}),
            Key::Other(keytype) => json!({"keytype": keytype, "magic": 0}),
        };
        json.to_string().into_bytes()
    }

    fn decode(bytes: &[u8]) -> Result<Key, String> {
        let json: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("the key is not JSON: {e}"))?;
        let keytype = json
            .get("keytype")
            .and_then(Value::as_str)
            .ok_or("the key has no \"keytype\"")?;
        let subject = json
            .get("subject")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(match keytype {
            "SCHEMA" => {
                let magic = json.get("magic").and_then(Value::as_i64).unwrap_or(0);
                if magic != 0 && magic != 1 {
                    return Err(format!(
                        "a SCHEMA key with magic {magic} (only 0 and 1 are known)"
                    ));
                }
                Key::Schema {
                    subject: subject.ok_or("a SCHEMA key without \"subject\"")?,
                    version: int(&json, "version").ok_or("a SCHEMA key without \"version\"")?,
                }
            }
            "CONFIG" => Key::Config { subject },
            "DELETE_SUBJECT" => Key::DeleteSubject {
                subject: subject.ok_or("a DELETE_SUBJECT key without \"subject\"")?,
            },
            "NOOP" => Key::Noop,
            other => Key::Other(other.to_string()),
        })
    }
}

fn int(json: &Value, key: &str) -> Option<i32> {
    json.get(key)
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
}

impl SchemaValue {
    /// The value's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut obj = serde_json::Map::new();
        obj.insert("subject".into(), self.subject.clone().into());
        obj.insert("version".into(), self.version.into());
        obj.insert("id".into(), self.id.into());
        if self.schema_type != AVRO {
            obj.insert("schemaType".into(), self.schema_type.clone().into());
        }
        obj.insert("schema".into(), self.schema.clone().into());
        obj.insert("deleted".into(), self.deleted.into());
        Value::Object(obj).to_string().into_bytes()
    }
}

/// A compatibility level's value bytes.
pub(crate) fn encode_config(subject: Option<&str>, level: &str) -> Vec<u8> {
    match subject {
        Some(subject) => json!({"subject": subject, "compatibilityLevel": level}),
        None => json!({"compatibilityLevel": level}),
    }
    .to_string()
    .into_bytes()
}

/// A subject soft-delete's value bytes.
pub(crate) fn encode_delete_subject(subject: &str, version: i32) -> Vec<u8> {
    json!({"subject": subject, "version": version})
        .to_string()
        .into_bytes()
}

/// Decodes a record of the topic. Errors say what is wrong; the caller skips such records
/// (as Confluent's reader does).
pub(crate) fn decode(key: &[u8], value: Option<&[u8]>) -> Result<Record, String> {
    let key = Key::decode(key)?;
    let value = match value {
        Some(bytes) => Some(
            serde_json::from_slice::<Value>(bytes)
                .map_err(|e| format!("the value is not JSON: {e}"))?,
        ),
        None => None,
    };
    Ok(match key {
        Key::Schema { subject, version } => {
            let value = match value {
                None => None,
                Some(v) => Some(SchemaValue {
                    subject: v
                        .get("subject")
                        .and_then(Value::as_str)
                        .map_or_else(|| subject.clone(), str::to_string),
                    version: int(&v, "version").unwrap_or(version),
                    id: int(&v, "id").ok_or("a SCHEMA value without \"id\"")?,
                    schema_type: v
                        .get("schemaType")
                        .and_then(Value::as_str)
                        .unwrap_or(AVRO)
                        .to_string(),
                    schema: v
                        .get("schema")
                        .and_then(Value::as_str)
                        .ok_or("a SCHEMA value without \"schema\"")?
                        .to_string(),
                    deleted: v.get("deleted").and_then(Value::as_bool).unwrap_or(false),
                }),
            };
            Record::Schema {
                subject,
                version,
                value,
            }
        }
        Key::Config { subject } => Record::Config {
            level: value
                .as_ref()
                .and_then(|v| v.get("compatibilityLevel"))
                .and_then(Value::as_str)
                .map(str::to_string),
            subject,
        },
        Key::DeleteSubject { subject } => match value {
            Some(v) => Record::DeleteSubject {
                version: int(&v, "version").ok_or("a DELETE_SUBJECT value without \"version\"")?,
                subject,
            },
            None => Record::Ignored,
        },
        Key::Noop | Key::Other(_) => Record::Ignored,
    })
}
