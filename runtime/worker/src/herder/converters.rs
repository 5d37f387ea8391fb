//! The converters of a source task, chosen as Kafka Connect chooses them: `key.converter`,
//! `value.converter` and `header.converter` from the connector configuration when set there
//! (with their `<key>.*` properties from the connector configuration too), else from the worker
//! properties; the header converter defaults to `SimpleHeaderConverter`, the key and value
//! converters to `JsonConverter`.
//!
//! (Sink tasks choose theirs inside `task::sink`, from the same keys with the same rules.)

use std::collections::HashMap;
use std::sync::Arc;

use sluice_converters::{
    AvroConverter, ByteArrayConverter, Converter, HeaderConverter, JsonConverter,
    SimpleHeaderConverter, StringConverter,
};

use crate::kafka::Properties;
use crate::task::source::RecordConverters;
use crate::{Error, Result};

const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";
const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const BYTES: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";
const AVRO: &str = "io.confluent.connect.avro.AvroConverter";
const SIMPLE_HEADER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// The key/value converter classes Sluice has (full Java names; simple names are accepted too).
pub const RECORD_CONVERTERS: &[&str] = &[JSON, STRING, BYTES, AVRO];
/// The header converter classes Sluice has.
pub const HEADER_CONVERTERS: &[&str] = &[SIMPLE_HEADER, JSON];

/// The full class name `class` (full or simple name) stands for among `known`.
pub(crate) fn canonical(class: &str, known: &[&'static str]) -> Option<&'static str> {
    let class = class.trim();
    known
        .iter()
        .copied()
        .find(|c| *c == class || c.rsplit('.').next() == Some(class))
}

/// `ConfigDef` check of `key.converter`/`value.converter`.
pub(crate) fn check_record_converter(raw: &str) -> std::result::Result<(), String> {
    match canonical(raw, RECORD_CONVERTERS) {
        Some(_) => Ok(()),
        None => Err(format!(
            "Class {raw} could not be found; use one of {}",
            RECORD_CONVERTERS.join(", ")
        )),
    }
}

/// `ConfigDef` check of `header.converter`.
pub(crate) fn check_header_converter(raw: &str) -> std::result::Result<(), String> {
    match canonical(raw, HEADER_CONVERTERS) {
        Some(_) => Ok(()),
        None => Err(format!(
            "Class {raw} could not be found; use one of {}",
            HEADER_CONVERTERS.join(", ")
        )),
    }
}

/// The class named by `key` and its properties (`<key>.<prop>`, prefix removed): from the
/// connector configuration when it sets `key`, else from the worker.
fn spec(
    connector_entries: &[(String, String)],
    worker: &Properties,
    key: &str,
    default: &str,
) -> (String, HashMap<String, String>) {
    let prefix = format!("{key}.");
    let strip = |entries: &mut dyn Iterator<Item = (&String, &String)>| {
        entries
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|p| (p.to_string(), v.clone())))
            .collect::<HashMap<_, _>>()
    };
    let set = connector_entries
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v);
    match set {
        Some(class) => (
            class.to_string(),
            strip(&mut connector_entries.iter().map(|(k, v)| (k, v))),
        ),
        None => match worker.get(key) {
            Some(class) => (class.clone(), strip(&mut worker.iter())),
            None => (default.to_string(), HashMap::new()),
        },
    }
}

fn config_error(key: &str, message: impl Into<String>) -> Error {
    Error::Config {
        key: key.to_string(),
        message: message.into(),
    }
}

/// The configured converters of a source task of a connector with configuration `connector`.
pub fn source_converters(
    connector: &[(String, Option<String>)],
    worker: &Properties,
) -> Result<RecordConverters> {
    let entries: Vec<(String, String)> = connector
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
        .collect();
    let record = |key: &str, is_key: bool| -> Result<Arc<dyn Converter>> {
        let (class, props) = spec(&entries, worker, key, JSON);
        let mut c: Box<dyn Converter> = match canonical(&class, RECORD_CONVERTERS) {
            Some(JSON) => Box::new(JsonConverter::default()),
            Some(STRING) => Box::new(StringConverter::new()),
            Some(BYTES) => Box::new(ByteArrayConverter::new()),
            Some(AVRO) => Box::new(AvroConverter::default()),
            _ => {
                return Err(config_error(
                    key,
                    check_record_converter(&class).err().unwrap_or_default(),
                ));
            }
        };
        c.configure(&props, is_key)
            .map_err(|e| config_error(key, e.to_string()))?;
        Ok(Arc::from(c))
    };
    let key = record("key.converter", true)?;
    let value = record("value.converter", false)?;
    let (class, props) = spec(&entries, worker, "header.converter", SIMPLE_HEADER);
    let mut header: Box<dyn HeaderConverter> = match canonical(&class, HEADER_CONVERTERS) {
        Some(SIMPLE_HEADER) => Box::new(SimpleHeaderConverter),
        Some(JSON) => Box::new(JsonConverter::default()),
        _ => {
            return Err(config_error(
                "header.converter",
                check_header_converter(&class).err().unwrap_or_default(),
            ));
        }
    };
    header
        .configure_header(&props)
        .map_err(|e| config_error("header.converter", e.to_string()))?;
    Ok(RecordConverters::new(key, value, Arc::from(header)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_and_full_names_are_accepted() {
        assert!(check_record_converter("StringConverter").is_ok());
        assert!(check_record_converter(STRING).is_ok());
        assert!(check_record_converter("com.example.Nope").is_err());
        assert!(check_header_converter("SimpleHeaderConverter").is_ok());
    }

    #[test]
    fn connector_converters_win_over_the_worker() {
        let worker: Properties = [
            ("key.converter".to_string(), "Nope".to_string()),
            ("value.converter".to_string(), "Nope".to_string()),
        ]
        .into();
        let connector = vec![
            ("key.converter".to_string(), Some(STRING.to_string())),
            (
                "value.converter".to_string(),
                Some("JsonConverter".to_string()),
            ),
            (
                "value.converter.schemas.enable".to_string(),
                Some("false".to_string()),
            ),
        ];
        assert!(source_converters(&connector, &worker).is_ok());
        let e = source_converters(&[], &worker).unwrap_err();
        assert!(e.to_string().contains("key.converter"), "{e}");
    }
}
