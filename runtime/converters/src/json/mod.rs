//! Kafka's `org.apache.kafka.connect.json.JsonConverter`, byte for byte.
//!
//! With `schemas.enable=true` (the default) every key or value is the envelope
//! `{"schema":<schema JSON>,"payload":<value JSON>}`; with `false` it is the bare value JSON and
//! reading infers a schemaless value. A Connect `null` with no schema is a Kafka `null`
//! (tombstone), and a Kafka `null` reads back as the null schema and value.
//!
//! Writing goes straight to bytes (`encode`, `write`); the schema part of the envelope is
//! the same for every record of a table, so its bytes are cached per schema object (keyed by the
//! `Arc` address, the schema kept alive in the cache so the address cannot be reused). Reading
//! parses into a borrowed tree (`parse`) and converts it (`decode`); parsed schemas are cached
//! by their exact JSON bytes. With `schemas.enable=true` a record is first split into its
//! `schema` and `payload` spans without parsing (`envelope`); when the schema bytes are cached,
//! only the payload is parsed (the schema is most of a Debezium event). Both caches hold at most
//! `schemas.cache.size` entries and are emptied when full (simpler than an LRU, and schemas change
//! rarely).
//!
//! Byte-exactness with Java is checked by `tests/json_golden.rs` against every record Debezium's
//! PostgreSQL and MySQL connectors wrote through Kafka's JsonConverter.

mod config;
mod decode;
mod encode;
mod envelope;
#[cfg(test)]
mod fast_path_tests;
mod parse;
mod schema_cache;
mod write;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sluice_api::{Schema, SchemaAndValue, Value};

pub use config::{
    DECIMAL_FORMAT_CONFIG, DecimalFormat, JsonConverterConfig, REPLACE_NULL_WITH_DEFAULT_CONFIG,
    SCHEMAS_CACHE_SIZE_CONFIG, SCHEMAS_ENABLE_CONFIG,
};

pub(crate) use write::{
    java_double_text, java_float_text, write_f32, write_f64, write_i64, write_str,
};
// The Avro converter reads schema text from the registry with the same strict reader.
pub(crate) use parse::{Node as JsonNode, parse as parse_json};

use crate::converter::{Converter, ConverterConfig};
use crate::error::{Error, Result};
use encode::Encoder;
use schema_cache::SchemaCache;

/// A conversion problem and the JSON path where it was found (built innermost first).
#[derive(Debug)]
pub(crate) struct Problem {
    message: String,
    path: Vec<String>,
}

impl Problem {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            path: Vec::new(),
        }
    }

    /// Adds an enclosing path segment (a field name or `[index]`).
    pub(crate) fn at(mut self, segment: impl Into<String>) -> Self {
        self.path.push(segment.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        let mut path = String::new();
        for seg in self.path.iter().rev() {
            if !path.is_empty() && !seg.starts_with('[') {
                path.push('.');
            }
            path.push_str(seg);
        }
        write!(f, "at '{path}': {}", self.message)
    }
}

const ENVELOPE_MESSAGE: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";

/// Schema JSON keyed by the schema's address; the schema is kept so the address stays taken.
type SchemaJsonCache = HashMap<usize, (Schema, Arc<[u8]>)>;

/// Kafka Connect's JSON converter (see the module docs).
pub struct JsonConverter {
    config: JsonConverterConfig,
    /// Schema JSON by schema identity.
    schema_json: Mutex<SchemaJsonCache>,
    /// Parsed schemas by their exact JSON bytes (only spans the full parser accepted).
    schemas: Mutex<SchemaCache>,
    /// Size of the last output, to allocate the next one once.
    size_hint: AtomicUsize,
}

impl fmt::Debug for JsonConverter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonConverter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for JsonConverter {
    /// Kafka's defaults, converting values.
    fn default() -> Self {
        JsonConverter::new(JsonConverterConfig::default())
    }
}

impl JsonConverter {
    /// A converter with this configuration.
    pub fn new(config: JsonConverterConfig) -> Self {
        let schemas = Mutex::new(SchemaCache::new(config.schemas_cache_size));
        JsonConverter {
            config,
            schema_json: Mutex::new(HashMap::new()),
            schemas,
            size_hint: AtomicUsize::new(256),
        }
    }

    /// A converter configured from properties (`converter.type` required, as in Kafka).
    pub fn from_config(configs: &ConverterConfig) -> Result<Self> {
        Ok(JsonConverter::new(JsonConverterConfig::parse(
            configs, None,
        )?))
    }

    /// The configuration in use.
    pub fn config(&self) -> &JsonConverterConfig {
        &self.config
    }

    fn what(&self) -> &'static str {
        self.config.converter_type.name()
    }

    fn encoder(&self) -> Encoder<'_> {
        Encoder {
            config: &self.config,
        }
    }

    /// The JSON of a schema as it appears in the envelope (Java's `asJsonSchema`), cached.
    pub fn schema_to_json(&self, schema: &Schema) -> Result<Arc<[u8]>> {
        let key = schema.addr();
        let mut cache = self
            .schema_json
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, bytes)) = cache.get(&key) {
            return Ok(bytes.clone());
        }
        let mut out = Vec::with_capacity(1024);
        self.encoder()
            .schema(&mut out, schema, None)
            .map_err(|p| Error::Serialize {
                topic: String::new(),
                what: self.what(),
                message: format!("cannot write schema {schema}: {p}"),
            })?;
        let bytes: Arc<[u8]> = out.into();
        if self.config.schemas_cache_size > 0 {
            if cache.len() >= self.config.schemas_cache_size {
                cache.clear();
            }
            cache.insert(key, (schema.clone(), bytes.clone()));
        }
        Ok(bytes)
    }

    /// Reads a schema from its JSON (Java's `asConnectSchema`); `None` for JSON `null`.
    pub fn schema_from_json(&self, json: &[u8]) -> Result<Option<Schema>> {
        let doc = parse::parse(json).map_err(|e| self.read_error("", e.to_string()))?;
        self.cached_schema(doc.text, &doc.root)
            .map_err(|p| self.read_error("", format!("invalid schema: {p}")))
    }

    fn cached_schema(&self, text: &str, node: &parse::Node<'_>) -> Result<Option<Schema>, Problem> {
        let mut cache = self.schemas.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(schema) = cache.get(text.as_bytes()) {
            return Ok(schema);
        }
        let schema = decode::schema(node, self.config.replace_null_with_default)?;
        cache.insert(text.as_bytes(), schema.clone());
        Ok(schema)
    }

    /// Reads an envelope whose schema bytes are already cached, parsing only the payload; `None`
    /// to take the full path (not an envelope, schema not cached, or the payload does not parse,
    /// so that the error is reported exactly as the full parse reports it). See `envelope` for
    /// why the result is the full path's.
    fn read_cached_envelope(&self, topic: &str, bytes: &[u8]) -> Option<Result<SchemaAndValue>> {
        let (schema, payload) = {
            let mut cache = self.schemas.lock().unwrap_or_else(PoisonError::into_inner);
            let known = cache.last().and_then(|(last, schema)| {
                envelope::payload_after(bytes, last).map(|payload| (schema.clone(), payload))
            });
            match known {
                Some(known) => known,
                None => {
                    let spans = envelope::split(bytes)?;
                    (cache.get(&bytes[spans.schema])?, spans.payload)
                }
            }
        };
        // Depth 1: the payload sits inside the envelope object.
        let doc = parse::parse_nested(&bytes[payload], 1).ok()?;
        let value = decode::value(
            schema.as_ref(),
            Some(&doc.root),
            self.config.replace_null_with_default,
        )
        .map_err(|p| self.read_error(topic, p.at("payload").to_string()));
        Some(value.map(|v| SchemaAndValue::new(schema, v)))
    }

    fn read_error(&self, topic: &str, message: String) -> Error {
        Error::Deserialize {
            topic: topic.to_string(),
            what: self.what(),
            message,
        }
    }

    fn write_error(&self, topic: &str, message: String) -> Error {
        Error::Serialize {
            topic: topic.to_string(),
            what: self.what(),
            message,
        }
    }
}

impl Converter for JsonConverter {
    fn configure(&mut self, configs: &ConverterConfig, is_key: bool) -> Result<()> {
        *self = JsonConverter::new(JsonConverterConfig::parse(configs, Some(is_key))?);
        Ok(())
    }

    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(self.size_hint.load(Ordering::Relaxed));
        if self.config.schemas_enable {
            out.extend_from_slice(b"{\"schema\":");
            match schema {
                Some(s) => {
                    let json = self.schema_to_json(s).map_err(|e| match e {
                        Error::Serialize { what, message, .. } => Error::Serialize {
                            topic: topic.to_string(),
                            what,
                            message,
                        },
                        other => other,
                    })?;
                    out.extend_from_slice(&json);
                }
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"payload\":");
            self.encoder()
                .value(&mut out, schema, value)
                .map_err(|p| self.write_error(topic, p.to_string()))?;
            out.push(b'}');
        } else {
            self.encoder()
                .value(&mut out, schema, value)
                .map_err(|p| self.write_error(topic, p.to_string()))?;
        }
        self.size_hint.store(out.len(), Ordering::Relaxed);
        Ok(Some(out))
    }

    fn to_connect(&self, topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        if self.config.schemas_enable
            && let Some(read) = self.read_cached_envelope(topic, bytes)
        {
            return read;
        }
        let doc = parse::parse(bytes).map_err(|e| self.read_error(topic, e.to_string()))?;
        let replace = self.config.replace_null_with_default;
        if !self.config.schemas_enable {
            let value = decode::value(None, Some(&doc.root), replace)
                .map_err(|p| self.read_error(topic, p.to_string()))?;
            return Ok(SchemaAndValue::new(None, value));
        }
        let parse::Node::Object(members) = &doc.root else {
            return Err(self.read_error(topic, ENVELOPE_MESSAGE.to_string()));
        };
        let position = |key: &str| members.iter().position(|(k, _)| k == key);
        let (Some(schema_at), Some(payload_at), 2) =
            (position("schema"), position("payload"), members.len())
        else {
            return Err(self.read_error(topic, ENVELOPE_MESSAGE.to_string()));
        };
        let (start, end) = doc.root_member_spans[schema_at];
        let schema = self
            .cached_schema(&doc.text[start..end], &members[schema_at].1)
            .map_err(|p| self.read_error(topic, format!("invalid schema: {}", p.at("schema"))))?;
        let value = decode::value(schema.as_ref(), Some(&members[payload_at].1), replace)
            .map_err(|p| self.read_error(topic, p.at("payload").to_string()))?;
        Ok(SchemaAndValue::new(schema, value))
    }
}
