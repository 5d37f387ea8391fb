//! Record views: which part of a record a file holds — the value (the data file), the key (the
//! `.keys` side file of `store.kafka.keys`) or the headers (the `.headers` side file of
//! `store.kafka.headers`), as Confluent's `RecordViews`.
//!
//! A writer encodes a record's value, so a side file's writer is handed a *projection*: a record
//! whose value (and value schema) is the key, or the headers as an array of
//! `{key: string, value: string}` structs (each value in `Values.convertToString`'s text, as
//! Confluent writes them). Formats that need a struct at the top wrap the view the way Confluent
//! does: Parquet wraps keys in `RecordKey {key}` and headers in `RecordHeaders {headers}`, JSON
//! wraps headers only. Avro and ByteArray write the view as it is.
//!
//! Side files share the data file's name with the view's infix before the extension of their
//! own format: `t+0+0000000042.keys.avro` next to `t+0+0000000042.snappy.parquet`.

use std::borrow::Cow;
use std::sync::OnceLock;

use sluice_api::{Headers, Schema, SchemaBuilder, SinkRecord, Struct, Value};
use sluice_converters::Values;

use crate::naming::FileFormat;
use crate::{Error, Result};

/// The part of a record a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordView {
    /// The value: the data file.
    Value,
    /// The key (`store.kafka.keys`).
    Key,
    /// The headers (`store.kafka.headers`).
    Headers,
}

impl RecordView {
    /// The infix before the format's extension (`""`, `.keys`, `.headers`).
    pub fn infix(self) -> &'static str {
        match self {
            RecordView::Value => "",
            RecordView::Key => ".keys",
            RecordView::Headers => ".headers",
        }
    }

    /// The record as the writer of this view in `format` sees it (see the module doc).
    pub fn project<'a>(
        self,
        record: &'a SinkRecord,
        format: FileFormat,
    ) -> Result<Cow<'a, SinkRecord>> {
        let (schema, value) = match self {
            RecordView::Value => return Ok(Cow::Borrowed(record)),
            RecordView::Key => {
                if matches!(record.key, Value::Null) {
                    // Confluent fails such a record too: a keys file must stay aligned with
                    // its data file, record for record.
                    return Err(Error::format(
                        "keys",
                        record,
                        "the record has no key, and store.kafka.keys=true writes every record's \
                         key; set store.kafka.keys=false for topics with null keys",
                    ));
                }
                let (schema, value) = (record.key_schema.clone(), record.key.clone());
                if format == FileFormat::Parquet {
                    envelop("keys", "RecordKey", "key", schema, value, record)?
                } else {
                    (schema, value)
                }
            }
            RecordView::Headers => {
                let value = headers_value(&record.headers, record)?;
                let schema = Some(header_array_schema().clone());
                if matches!(format, FileFormat::Parquet | FileFormat::Json) {
                    envelop("headers", "RecordHeaders", "headers", schema, value, record)?
                } else {
                    (schema, value)
                }
            }
        };
        Ok(Cow::Owned(SinkRecord {
            topic: record.topic.clone(),
            kafka_partition: record.kafka_partition,
            kafka_offset: record.kafka_offset,
            timestamp: record.timestamp,
            timestamp_type: record.timestamp_type,
            key_schema: None,
            key: Value::Null,
            value_schema: schema,
            value,
            encoded_value: None,
            headers: Headers::new(),
        }))
    }
}

/// `{key: string, value: string}`, one header.
fn header_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        SchemaBuilder::struct_()
            .field("key", Schema::string())
            .field("value", Schema::string())
            .build()
            .expect("a struct of two string fields is a valid schema")
    })
}

/// The array of [`header_schema`] a headers file holds per record.
fn header_array_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        SchemaBuilder::array(header_schema().clone())
            .build()
            .expect("an array of structs is a valid schema")
    })
}

/// A record's headers as the array a headers file holds. A record without headers gets an
/// empty array, where Confluent's sink fails the task ("Headers cannot be null"): the array
/// keeps the files aligned and says exactly what the record had, so failing would only stop
/// the pipeline on ordinary records.
fn headers_value(headers: &Headers, record: &SinkRecord) -> Result<Value> {
    let mut items = Vec::with_capacity(headers.len());
    for h in headers.iter() {
        // Connect's `Values.convertToString` gives null only for a null value, which the
        // headers file's required string cannot hold (Confluent fails the same way).
        let text = Values::convert_to_string(&h.value).ok_or_else(|| {
            Error::format(
                "headers",
                record,
                format!(
                    "header '{}' is null, and a headers file holds every header value as a \
                     string; drop the header with a transform or set store.kafka.headers=false",
                    h.key
                ),
            )
        })?;
        let item = Struct::from_values(
            header_schema().clone(),
            vec![
                Value::String(h.key.as_str().into()),
                Value::String(text.into()),
            ],
        )
        .map_err(|e| Error::format("headers", record, e.to_string()))?;
        items.push(Value::Struct(item));
    }
    Ok(Value::Array(items))
}

/// Wraps a view in a one-field struct named `name` (Confluent's enveloped views).
fn envelop(
    view: &'static str,
    name: &str,
    field: &str,
    schema: Option<Schema>,
    value: Value,
    record: &SinkRecord,
) -> Result<(Option<Schema>, Value)> {
    let fail = |e: sluice_api::Error| Error::format(view, record, e.to_string());
    let inner = schema.ok_or_else(|| {
        Error::format(
            view,
            record,
            "the key has no schema, and a Parquet keys file needs one; use a converter with \
             schemas for keys, or keys.format.class=AvroFormat or JsonFormat",
        )
    })?;
    let schema = SchemaBuilder::struct_()
        .name(name)
        .field(field, inner)
        .build()
        .map_err(fail)?;
    let value = Struct::from_values(schema.clone(), vec![value]).map_err(fail)?;
    Ok((Some(schema), Value::Struct(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> SinkRecord {
        let mut headers = Headers::new();
        headers
            .add_string("h", "one")
            .add("n", Some(Schema::int32()), Value::Int32(7));
        SinkRecord {
            topic: "t".into(),
            kafka_partition: 0,
            kafka_offset: 5,
            timestamp: Some(1),
            timestamp_type: sluice_api::TimestampType::CreateTime,
            key_schema: Some(Schema::string()),
            key: Value::String("k".into()),
            value_schema: Some(Schema::int64()),
            value: Value::Int64(9),
            encoded_value: None,
            headers,
        }
    }

    fn strings(v: &Value) -> Vec<(String, String)> {
        let Value::Array(items) = v else {
            panic!("not an array: {v:?}")
        };
        items
            .iter()
            .map(|i| {
                let Value::Struct(s) = i else {
                    panic!("not a struct")
                };
                match (s.get("key").ok(), s.get("value").ok()) {
                    (Some(Value::String(k)), Some(Value::String(v))) => {
                        (k.to_string(), v.to_string())
                    }
                    other => panic!("unexpected {other:?}"),
                }
            })
            .collect()
    }

    #[test]
    fn keys_are_the_value_of_the_projection_and_parquet_wraps_them() {
        let r = record();
        let p = RecordView::Key.project(&r, FileFormat::Avro).unwrap();
        assert_eq!(p.value, Value::String("k".into()));
        assert_eq!(p.value_schema, Some(Schema::string()));
        assert_eq!(p.kafka_offset, 5);
        let p = RecordView::Key.project(&r, FileFormat::Parquet).unwrap();
        let schema = p.value_schema.clone().unwrap();
        assert_eq!(schema.name(), Some("RecordKey"));
        let Value::Struct(s) = &p.value else { panic!() };
        assert_eq!(s.get("key").ok(), Some(&Value::String("k".into())));
    }

    #[test]
    fn headers_become_strings_and_json_wraps_them() {
        let r = record();
        let p = RecordView::Headers.project(&r, FileFormat::Avro).unwrap();
        assert_eq!(
            strings(&p.value),
            vec![("h".into(), "one".into()), ("n".into(), "7".into())]
        );
        let p = RecordView::Headers.project(&r, FileFormat::Json).unwrap();
        let Value::Struct(s) = &p.value else { panic!() };
        assert_eq!(
            p.value_schema.as_ref().unwrap().name(),
            Some("RecordHeaders")
        );
        assert_eq!(strings(s.get("headers").unwrap()).len(), 2);
        let mut bare = record();
        bare.headers = Headers::new();
        let p = RecordView::Headers
            .project(&bare, FileFormat::Avro)
            .unwrap();
        assert_eq!(p.value, Value::Array(vec![]));
    }

    #[test]
    fn null_keys_and_null_header_values_are_refused_with_the_key_to_change() {
        let mut r = record();
        r.key = Value::Null;
        let e = RecordView::Key.project(&r, FileFormat::Avro).unwrap_err();
        assert!(e.to_string().contains("store.kafka.keys"), "{e}");
        let mut r = record();
        r.headers.add("gone", None, Value::Null);
        let e = RecordView::Headers
            .project(&r, FileFormat::Avro)
            .unwrap_err();
        assert!(e.to_string().contains("'gone'"), "{e}");
        assert!(RecordView::Value.project(&r, FileFormat::Avro).is_ok());
    }
}
