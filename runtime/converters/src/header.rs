//! Header converters: [`HeaderConverter`], Kafka's `SimpleHeaderConverter` and the JsonConverter
//! as a header converter (as in Java, it is both).
//!
//! [`SimpleHeaderConverter`] writes a value as Java's `Values.convertToString` does (strings as
//! they are, numbers and booleans in Java's spelling, arrays/maps/structs in Kafka's `[a,b]` /
//! `{"k":v}` form) and reads text back with `Values.parseString`'s type inference (`"0"` → INT8,
//! `"[1,2]"` → an array, ISO dates → logical types; see [`Values`]), so a Sluice sink sees the
//! same schema and value as a Java one for the same header bytes. Bytes that are not UTF-8 are
//! decoded with U+FFFD replacements, as Java's decoder does.

use std::borrow::Cow;

use sluice_api::{Schema, SchemaAndValue, Value};

use crate::converter::{Converter, ConverterConfig};
use crate::error::Result;
use crate::json::JsonConverter;
use crate::values::Values;

/// Converts header values to and from bytes (Kafka's `HeaderConverter`).
pub trait HeaderConverter: Send + Sync + std::fmt::Debug {
    /// Configures the converter from its properties.
    fn configure_header(&mut self, configs: &ConverterConfig) -> Result<()>;

    /// A header value → bytes (`None` for a null header value).
    #[allow(clippy::wrong_self_convention)]
    fn from_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>>;

    /// [`HeaderConverter::from_connect_header`], borrowing the bytes from `value` where the
    /// converter's output is exactly those bytes (a string under `SimpleHeaderConverter`):
    /// the source task loop converts every header of every record, and most are strings.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect_header_ref<'v>(
        &self,
        topic: &str,
        header_key: &str,
        schema: Option<&Schema>,
        value: &'v Value,
    ) -> Result<Option<Cow<'v, [u8]>>> {
        Ok(self
            .from_connect_header(topic, header_key, schema, value)?
            .map(Cow::Owned))
    }

    /// Header bytes → a Connect value.
    fn to_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue>;
}

/// Kafka's default header converter (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct SimpleHeaderConverter;

impl HeaderConverter for SimpleHeaderConverter {
    fn configure_header(&mut self, _configs: &ConverterConfig) -> Result<()> {
        Ok(())
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        Ok(Values::convert_to_string(value).map(String::into_bytes))
    }

    fn from_connect_header_ref<'v>(
        &self,
        _topic: &str,
        _header_key: &str,
        _schema: Option<&Schema>,
        value: &'v Value,
    ) -> Result<Option<Cow<'v, [u8]>>> {
        Ok(match value {
            // `Values.convertToString` of a string is the string itself.
            Value::String(s) => Some(Cow::Borrowed(s.as_bytes())),
            _ => Values::convert_to_string(value).map(|s| Cow::Owned(s.into_bytes())),
        })
    }

    /// Never fails: text that is no typed value reads as a string, and text nested deeper than
    /// [`Values::MAX_DEPTH`] keeps its raw bytes (BYTES), as Java does when parsing throws.
    fn to_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let text = String::from_utf8_lossy(bytes);
        Ok(Values::try_parse_string(&text).unwrap_or_else(|| {
            tracing::warn!(
                topic,
                header_key,
                max_depth = Values::MAX_DEPTH,
                "The header value nests arrays or maps too deeply to parse, so it is kept as bytes."
            );
            SchemaAndValue::new(Some(Schema::bytes()), Value::Bytes(bytes.to_vec()))
        }))
    }
}

impl HeaderConverter for JsonConverter {
    fn configure_header(&mut self, configs: &ConverterConfig) -> Result<()> {
        let mut configs = configs.clone();
        configs.insert(
            crate::CONVERTER_TYPE_CONFIG.to_string(),
            "header".to_string(),
        );
        *self = JsonConverter::from_config(&configs)?;
        Ok(())
    }

    fn from_connect_header(
        &self,
        topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        self.from_connect(topic, schema, value)
    }

    fn to_connect_header(
        &self,
        topic: &str,
        _header_key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        self.to_connect(topic, bytes)
    }
}
