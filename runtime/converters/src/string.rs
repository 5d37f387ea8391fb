//! Kafka's `org.apache.kafka.connect.storage.StringConverter`.
//!
//! Writing: `null` → Kafka `null`, otherwise the value's Java `toString()` in UTF-8 (strings as
//! they are, numbers and booleans as Java prints them); collections, structs, bytes and dates are
//! refused because Java's text for them is not meaningful. Reading: the bytes as a string (invalid
//! UTF-8 replaced by U+FFFD, as Java's decoder does), with the optional string schema even for a
//! Kafka `null`, as Java. Only the UTF-8 `converter.encoding` is supported.

use sluice_api::{CompactString, Schema, SchemaAndValue, Value};

use crate::converter::{Converter, ConverterConfig, ConverterType, converter_type};
use crate::error::{Error, Result};
use crate::text::java_to_string;

/// The configuration key for the character set (Kafka's `converter.encoding`, default `UTF8`).
pub const ENCODING_CONFIG: &str = "converter.encoding";

/// Converts Connect strings (and primitives) to and from UTF-8 bytes.
#[derive(Debug, Clone, Default)]
pub struct StringConverter {
    converter_type: ConverterType,
}

impl StringConverter {
    /// A value converter with the default (UTF-8) encoding.
    pub fn new() -> Self {
        StringConverter::default()
    }
}

impl Converter for StringConverter {
    fn configure(&mut self, configs: &ConverterConfig, is_key: bool) -> Result<()> {
        if let Some(enc) = configs.get(ENCODING_CONFIG) {
            let normalized = enc.trim().to_ascii_uppercase().replace(['-', '_'], "");
            if normalized != "UTF8" {
                return Err(Error::Config {
                    key: ENCODING_CONFIG.to_string(),
                    message: format!("'{enc}' is not supported; Sluice supports UTF8 only"),
                });
            }
        }
        self.converter_type = converter_type(configs, Some(is_key))?;
        Ok(())
    }

    fn from_connect(
        &self,
        topic: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        if value.is_null() {
            return Ok(None);
        }
        let text = java_to_string(value).ok_or_else(|| Error::Serialize {
            topic: topic.to_string(),
            what: self.converter_type.name(),
            message: format!(
                "StringConverter cannot write a {} value; use the JsonConverter or a transform",
                value.kind()
            ),
        })?;
        Ok(Some(text.into_bytes()))
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue> {
        let value = match bytes {
            None => Value::Null,
            Some(b) => Value::String(CompactString::from_utf8_lossy(b)),
        };
        Ok(SchemaAndValue::new(Some(Schema::optional_string()), value))
    }
}
