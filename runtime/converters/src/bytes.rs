//! Kafka's `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through unchanged.
//!
//! Writing accepts no schema or a `bytes` schema and a bytes (or null) value; reading gives the
//! optional bytes schema, as Java.

use sluice_api::{Schema, SchemaAndValue, Type, Value};

use crate::converter::{Converter, ConverterConfig, ConverterType, converter_type};
use crate::error::{Error, Result};

/// Passes record bytes through as Connect `bytes`.
#[derive(Debug, Clone, Default)]
pub struct ByteArrayConverter {
    converter_type: ConverterType,
}

impl ByteArrayConverter {
    /// A value converter.
    pub fn new() -> Self {
        ByteArrayConverter::default()
    }
}

impl Converter for ByteArrayConverter {
    fn configure(&mut self, configs: &ConverterConfig, is_key: bool) -> Result<()> {
        self.converter_type = converter_type(configs, Some(is_key))?;
        Ok(())
    }

    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let fail = |message: String| Error::Serialize {
            topic: topic.to_string(),
            what: self.converter_type.name(),
            message,
        };
        if let Some(s) = schema
            && s.ty() != Type::Bytes
        {
            return Err(fail(format!(
                "invalid schema type for ByteArrayConverter: {}",
                s.ty()
            )));
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            other => Err(fail(format!(
                "ByteArrayConverter is not compatible with {} values",
                other.kind()
            ))),
        }
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue> {
        Ok(SchemaAndValue::new(
            Some(Schema::optional_bytes()),
            bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
        ))
    }
}
