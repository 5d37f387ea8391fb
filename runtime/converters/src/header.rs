//! Header converters: [`HeaderConverter`], Kafka's `SimpleHeaderConverter` (partially) and the
//! JsonConverter as a header converter (as in Java, it is both).
//!
//! [`SimpleHeaderConverter`] writes primitives as Java's `Values.convertToString` does for them
//! (strings as they are, numbers and booleans in Java's spelling). Reading returns the header as an
//! optional string: Java's `Values.parseString` type inference (`"0"` → int8, `"[1,2]"` → array,
//! ISO dates → logical types) is NOT implemented yet, so a Java sink reading the same header gets a
//! typed value where Sluice gets its text.

use sluice_api::{Schema, SchemaAndValue, Value};

use crate::converter::{Converter, ConverterConfig};
use crate::error::{Error, Result};
use crate::json::JsonConverter;
use crate::text::java_to_string;

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

    /// Header bytes → a Connect value.
    fn to_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue>;
}

/// Kafka's default header converter, for primitives (see the module docs for what is missing).
#[derive(Debug, Clone, Default)]
pub struct SimpleHeaderConverter;

impl HeaderConverter for SimpleHeaderConverter {
    fn configure_header(&mut self, _configs: &ConverterConfig) -> Result<()> {
        Ok(())
    }

    fn from_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        if value.is_null() {
            return Ok(None);
        }
        let text = java_to_string(value).ok_or_else(|| Error::Serialize {
            topic: topic.to_string(),
            what: "header",
            message: format!(
                "header '{header_key}': SimpleHeaderConverter cannot yet write a {} value; use the JsonConverter as header converter",
                value.kind()
            ),
        })?;
        Ok(Some(text.into_bytes()))
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        Ok(match bytes {
            None => SchemaAndValue::NULL,
            Some(b) => SchemaAndValue::new(
                Some(Schema::optional_string()),
                Value::String(String::from_utf8_lossy(b).into_owned()),
            ),
        })
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
