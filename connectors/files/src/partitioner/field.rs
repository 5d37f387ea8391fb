//! Confluent's `FieldPartitioner`: `<field>=<value>` per configured field of the value struct,
//! joined by `directory.delim`.
//!
//! As in Java, only struct values are accepted, the field's value is read with its schema
//! default applied, and only integer (int8–int64), string and boolean fields may partition;
//! anything else is a definite [`crate::Error::Partition`]. A null string prints as `null`
//! (Java's string concatenation); a null number or boolean is an error (Java fails on it too).

use sluice_api::{SinkRecord, Type, Value};

use super::{PARTITION_FIELD_NAME_CONFIG, Partitioner};
use crate::{Error, Result};

/// Encodes a record by the values of some of its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPartitioner {
    fields: Vec<String>,
    delim: String,
}

impl FieldPartitioner {
    /// A partitioner over `fields` (top-level field names of the value struct).
    pub fn new(fields: Vec<String>, delim: impl Into<String>) -> Result<Self> {
        if fields.is_empty() {
            return Err(Error::config(
                PARTITION_FIELD_NAME_CONFIG,
                "FieldPartitioner needs at least one field name",
            ));
        }
        Ok(FieldPartitioner {
            fields,
            delim: delim.into(),
        })
    }
}

impl Partitioner for FieldPartitioner {
    fn encode_partition(&self, record: &SinkRecord, _now_ms: i64) -> Result<String> {
        let value = record
            .value_decoded()
            .map_err(|e| Error::partition(record, e))?;
        let Value::Struct(s) = value.as_ref() else {
            return Err(Error::partition(
                record,
                format!(
                    "FieldPartitioner needs a Struct value, got {}",
                    value.kind()
                ),
            ));
        };
        let mut parts = Vec::with_capacity(self.fields.len());
        for name in &self.fields {
            let Some(field) = s.schema().field(name) else {
                return Err(Error::partition(
                    record,
                    format!("the value has no field '{name}' (partition.field.name)"),
                ));
            };
            let value = s
                .get(name)
                .map_err(|e| Error::partition(record, e.to_string()))?;
            let text = match (field.schema().ty(), value) {
                (_, Value::Int8(v)) => v.to_string(),
                (_, Value::Int16(v)) => v.to_string(),
                (_, Value::Int32(v)) => v.to_string(),
                (_, Value::Int64(v)) => v.to_string(),
                (_, Value::String(v)) => v.to_string(),
                (_, Value::Boolean(v)) => v.to_string(),
                (Type::String, Value::Null) => "null".to_string(),
                (ty, Value::Null) => {
                    return Err(Error::partition(
                        record,
                        format!("field '{name}' ({}) is null", ty.name()),
                    ));
                }
                (ty, v) => {
                    return Err(Error::partition(
                        record,
                        format!(
                            "field '{name}' has type {} ({}); only integer, string and boolean \
                             fields can partition",
                            ty.name(),
                            v.kind()
                        ),
                    ));
                }
            };
            parts.push(format!("{name}={text}"));
        }
        Ok(parts.join(&self.delim))
    }

    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String {
        format!("{topic}{}{encoded_partition}", self.delim)
    }
}
