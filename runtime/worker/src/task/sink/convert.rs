//! From consumed Kafka records to [`SinkRecord`]s: the key, value and header converters chosen
//! by class name, and the per-record conversion that says which stage failed.
//!
//! The converters are plain synchronous calls (as in Kafka Connect); an Avro converter that
//! misses its schema cache blocks briefly on its own I/O thread, bounded by the registry
//! client's timeouts.

use sluice_api::{Headers, SinkRecord, TimestampType};
use sluice_converters::{
    AvroConverter, ByteArrayConverter, Converter, ConverterConfig, HeaderConverter, JsonConverter,
    SimpleHeaderConverter, StringConverter,
};

use super::config::ConverterSpec;
use crate::kafka::Record;
use crate::{Error, Result};

/// Kafka's `Stage`: where in a record's processing a failure happened (the values of the
/// `__connect.errors.stage` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the record from Kafka.
    KafkaConsume,
    /// The key converter.
    KeyConverter,
    /// The value converter.
    ValueConverter,
    /// The header converter.
    HeaderConverter,
    /// The task's `put`.
    TaskPut,
}

impl Stage {
    /// Kafka's name of the stage.
    pub fn name(self) -> &'static str {
        match self {
            Stage::KafkaConsume => "KAFKA_CONSUME",
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::TaskPut => "TASK_PUT",
        }
    }
}

/// A record that a converter could not read.
#[derive(Debug)]
pub struct ConversionFailure {
    /// Which converter failed.
    pub stage: Stage,
    /// That converter's (Java) class name.
    pub class: &'static str,
    /// Its error.
    pub error: sluice_converters::Error,
}

const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";
const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const BYTES: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";
const AVRO: &str = "io.confluent.connect.avro.AvroConverter";
const SIMPLE_HEADER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// The Java class name a configured class (full or simple name) stands for.
fn canonical(class: &str) -> Option<&'static str> {
    [JSON, STRING, BYTES, AVRO, SIMPLE_HEADER]
        .into_iter()
        .find(|c| *c == class || c.rsplit('.').next() == Some(class))
}

fn config_error(key: &str, e: sluice_converters::Error) -> Error {
    Error::Config {
        key: key.to_string(),
        message: e.to_string(),
    }
}

fn record_converter(
    spec: &ConverterSpec,
    key: &str,
    is_key: bool,
) -> Result<(Box<dyn Converter>, &'static str)> {
    let configs: ConverterConfig = spec.configs.clone().into_iter().collect();
    let class = canonical(&spec.class).ok_or_else(|| Error::Config {
        key: key.to_string(),
        message: format!(
            "unknown converter class '{}'; use one of {JSON}, {STRING}, {BYTES}, {AVRO}",
            spec.class
        ),
    })?;
    let mut converter: Box<dyn Converter> = match class {
        JSON => Box::new(JsonConverter::default()),
        STRING => Box::new(StringConverter::new()),
        BYTES => Box::new(ByteArrayConverter::new()),
        AVRO => Box::new(AvroConverter::default()),
        _ => {
            return Err(Error::Config {
                key: key.to_string(),
                message: format!(
                    "'{}' is a header converter, not a key/value converter",
                    spec.class
                ),
            });
        }
    };
    converter
        .configure(&configs, is_key)
        .map_err(|e| config_error(key, e))?;
    Ok((converter, class))
}

/// The task's three converters, configured.
#[derive(Debug)]
pub struct Converters {
    key: Box<dyn Converter>,
    key_class: &'static str,
    value: Box<dyn Converter>,
    value_class: &'static str,
    header: Box<dyn HeaderConverter>,
    header_class: &'static str,
    /// Whether the value converter may keep values encoded (the task accepts them).
    keep_encoded_values: bool,
}

impl Converters {
    /// Builds and configures the converters; an unknown class or a bad property is a
    /// configuration error naming the key.
    pub fn new(key: &ConverterSpec, value: &ConverterSpec, header: &ConverterSpec) -> Result<Self> {
        let (key, key_class) = record_converter(key, "key.converter", true)?;
        let (value, value_class) = record_converter(value, "value.converter", false)?;
        let configs: ConverterConfig = header.configs.clone().into_iter().collect();
        let (mut h, header_class): (Box<dyn HeaderConverter>, _) = match canonical(&header.class) {
            Some(SIMPLE_HEADER) => (Box::new(SimpleHeaderConverter), SIMPLE_HEADER),
            Some(JSON) => (Box::new(JsonConverter::default()), JSON),
            _ => {
                return Err(Error::Config {
                    key: "header.converter".into(),
                    message: format!(
                        "unsupported header converter class '{}'; use {SIMPLE_HEADER} or {JSON}",
                        header.class
                    ),
                });
            }
        };
        h.configure_header(&configs)
            .map_err(|e| config_error("header.converter", e))?;
        Ok(Converters {
            key,
            key_class,
            value,
            value_class,
            header: h,
            header_class,
            keep_encoded_values: false,
        })
    }

    /// Lets the value converter hand values over still encoded, for a task that
    /// [accepts them](sluice_api::connector::SinkTask::accepts_encoded_values).
    pub fn keep_encoded_values(&mut self, keep: bool) {
        self.keep_encoded_values = keep;
    }

    /// Converts one consumed record, in Kafka Connect's order: key, value, headers. On success
    /// the record's topic moves into the [`SinkRecord`] (one allocation per record fewer); a
    /// record that fails is left whole for the error handler.
    pub fn convert(
        &self,
        record: &mut Record,
        timestamp_type: TimestampType,
    ) -> Result<SinkRecord, ConversionFailure> {
        let topic = record.topic.as_str();
        let key = self
            .key
            .to_connect(topic, record.key.as_deref())
            .map_err(|error| ConversionFailure {
                stage: Stage::KeyConverter,
                class: self.key_class,
                error,
            })?;
        let converted = if self.keep_encoded_values {
            self.value.to_connect_encoded(topic, record.value.as_ref())
        } else {
            self.value
                .to_connect(topic, record.value.as_deref())
                .map(|v| (v, None))
        };
        let (value, encoded_value) = converted.map_err(|error| ConversionFailure {
            stage: Stage::ValueConverter,
            class: self.value_class,
            error,
        })?;
        let mut headers = Headers::new();
        for (name, bytes) in &record.headers {
            let h = self
                .header
                .to_connect_header(topic, name, bytes.as_deref())
                .map_err(|error| ConversionFailure {
                    stage: Stage::HeaderConverter,
                    class: self.header_class,
                    error,
                })?;
            headers.add(name.clone(), h.schema, h.value);
        }
        Ok(SinkRecord {
            topic: std::mem::take(&mut record.topic),
            kafka_partition: record.partition,
            kafka_offset: record.offset,
            timestamp: record.timestamp,
            timestamp_type,
            key_schema: key.schema,
            key: key.value,
            value_schema: value.schema,
            value: value.value,
            encoded_value,
            headers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_and_aliases() {
        assert_eq!(canonical("JsonConverter"), Some(JSON));
        assert_eq!(canonical(STRING), Some(STRING));
        assert_eq!(canonical("com.example.Nope"), None);
        let spec = |c: &str| ConverterSpec {
            class: c.into(),
            configs: Default::default(),
        };
        let e = Converters::new(
            &spec("Nope"),
            &spec("StringConverter"),
            &spec("SimpleHeaderConverter"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("key.converter"), "{e}");
    }
}
