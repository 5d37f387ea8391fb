//! Turning a [`SourceRecord`] into the bytes of a Kafka record with the task's key, value and
//! header converters.
//!
//! Converters are synchronous and take `&self` (one configured instance serves the whole loop);
//! the Avro converter blocks on its Schema Registry only the first time it meets a schema.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use sluice_api::SourceRecord;
use sluice_converters::{Converter, HeaderConverter};

use crate::{Error, Result};

/// A record converted to bytes, ready to produce. Header names, and header values whose
/// bytes are the value's own (strings), are borrowed from the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertedRecord<'r> {
    /// Key bytes, `None` for a null key.
    pub key: Option<Vec<u8>>,
    /// Value bytes, `None` for a tombstone.
    pub value: Option<Vec<u8>>,
    /// Headers in order (name, value).
    pub headers: Vec<(&'r str, Option<Cow<'r, [u8]>>)>,
}

impl ConvertedRecord<'_> {
    /// Key, value and header bytes: what the record weighs against the in-flight budget.
    pub fn size(&self) -> usize {
        let len = |b: &Option<Vec<u8>>| b.as_ref().map_or(0, Vec::len);
        len(&self.key)
            + len(&self.value)
            + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.as_ref().map_or(0, |v| v.len()))
                .sum::<usize>()
    }
}

/// The key, value and header converters of a task (`key.converter`, `value.converter`,
/// `header.converter`, already configured).
#[derive(Clone)]
pub struct RecordConverters {
    key: Arc<dyn Converter>,
    value: Arc<dyn Converter>,
    header: Arc<dyn HeaderConverter>,
}

impl fmt::Debug for RecordConverters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordConverters")
            .field("key", &self.key)
            .field("value", &self.value)
            .field("header", &self.header)
            .finish()
    }
}

impl RecordConverters {
    /// Converters configured for keys, values and headers respectively.
    pub fn new(
        key: Arc<dyn Converter>,
        value: Arc<dyn Converter>,
        header: Arc<dyn HeaderConverter>,
    ) -> Self {
        RecordConverters { key, value, header }
    }

    /// Converts `record`; the error names the part that failed, the topic and the record's
    /// source partition and offset.
    pub fn convert<'r>(&self, record: &'r SourceRecord) -> Result<ConvertedRecord<'r>> {
        let topic = record.topic.as_str();
        let fail = |what: String, source| Error::Conversion {
            topic: topic.to_string(),
            what,
            record: format!(
                "source partition {}, offset {}",
                serde_json::Value::Object(record.source_partition.clone()),
                serde_json::Value::Object(record.source_offset.clone())
            ),
            source: Box::new(source),
        };
        let key = self
            .key
            .from_connect(topic, record.key_schema.as_ref(), &record.key)
            .map_err(|e| fail("key".into(), e))?;
        let value = self
            .value
            .from_connect(topic, record.value_schema.as_ref(), &record.value)
            .map_err(|e| fail("value".into(), e))?;
        let headers = record
            .headers
            .iter()
            .map(|h| {
                self.header
                    .from_connect_header_ref(topic, &h.key, h.schema.as_ref(), &h.value)
                    .map(|bytes| (h.key.as_str(), bytes))
                    .map_err(|e| fail(format!("header '{}'", h.key), e))
            })
            .collect::<Result<_>>()?;
        Ok(ConvertedRecord {
            key,
            value,
            headers,
        })
    }
}
