//! The [`Converter`] trait every converter implements, and the parsing of converter configs.
//!
//! As in Kafka Connect, a converter is configured once from string properties (the
//! `key.converter.*`/`value.converter.*` worker or connector settings with the prefix removed) and
//! whether it converts keys or values, then turns Connect data into bytes for a topic and back.
//! Conversions take `&self` so one configured converter can serve a task's whole loop.

use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;
use sluice_api::{EncodedValue, Schema, SchemaAndValue, Value};

use crate::error::{Error, Result};

/// Converter configuration properties, keys as in Kafka (`schemas.enable`, `decimal.format`, …).
pub type ConverterConfig = HashMap<String, String>;

/// The configuration key selecting what a converter converts (Kafka's `converter.type`).
pub const CONVERTER_TYPE_CONFIG: &str = "converter.type";

/// What a converter converts (Kafka's `ConverterType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConverterType {
    /// Record keys.
    Key,
    /// Record values.
    #[default]
    Value,
    /// Header values.
    Header,
}

impl ConverterType {
    /// Kafka's name: `key`, `value` or `header`.
    pub fn name(self) -> &'static str {
        match self {
            ConverterType::Key => "key",
            ConverterType::Value => "value",
            ConverterType::Header => "header",
        }
    }

    /// Parses Kafka's name, case-insensitively.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "key" => Some(ConverterType::Key),
            "value" => Some(ConverterType::Value),
            "header" => Some(ConverterType::Header),
            _ => None,
        }
    }

    /// The type for `configure(…, is_key)`.
    pub fn from_is_key(is_key: bool) -> Self {
        if is_key {
            ConverterType::Key
        } else {
            ConverterType::Value
        }
    }
}

impl fmt::Display for ConverterType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Converts between Kafka Connect data and the bytes of a Kafka record key, value or header.
pub trait Converter: Send + Sync + fmt::Debug {
    /// Configures the converter from its properties; `is_key` tells keys from values (it sets
    /// `converter.type`). Fails with [`Error::Config`] naming the first bad key.
    fn configure(&mut self, configs: &ConverterConfig, is_key: bool) -> Result<()>;

    /// Connect data → bytes; `None` for a Kafka `null` (a tombstone).
    // Named after Kafka's `fromConnectData`, so it reads as the Java API it mirrors.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>>;

    /// Bytes (`None` for a Kafka `null`) → Connect data.
    fn to_connect(&self, topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue>;

    /// Like [`Converter::to_connect`], but the converter may keep the value encoded: it then
    /// answers the schema with a null value and the [`EncodedValue`] (see
    /// [`sluice_api::EncodedValue`]). For sinks that accept encoded values. The default decodes.
    fn to_connect_encoded(
        &self,
        topic: &str,
        bytes: Option<&Bytes>,
    ) -> Result<(SchemaAndValue, Option<EncodedValue>)> {
        Ok((self.to_connect(topic, bytes.map(|b| &b[..]))?, None))
    }
}

/// Reads a boolean property as Kafka's `ConfigDef` does (`true`/`false`, any case, trimmed).
pub(crate) fn bool_config(configs: &ConverterConfig, key: &str, default: bool) -> Result<bool> {
    match configs.get(key) {
        None => Ok(default),
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Error::Config {
                key: key.to_string(),
                message: format!("'{v}' is not a boolean; expected true or false"),
            }),
        },
    }
}

/// Reads an integer property (trimmed).
pub(crate) fn int_config(configs: &ConverterConfig, key: &str, default: i32) -> Result<i32> {
    match configs.get(key) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| Error::Config {
            key: key.to_string(),
            message: format!("'{v}' is not a 32-bit integer"),
        }),
    }
}

/// Reads `converter.type`, unless `is_key` decided it.
pub(crate) fn converter_type(
    configs: &ConverterConfig,
    is_key: Option<bool>,
) -> Result<ConverterType> {
    if let Some(is_key) = is_key {
        return Ok(ConverterType::from_is_key(is_key));
    }
    let v = configs
        .get(CONVERTER_TYPE_CONFIG)
        .ok_or_else(|| Error::Config {
            key: CONVERTER_TYPE_CONFIG.to_string(),
            message: "missing; expected key, value or header".to_string(),
        })?;
    ConverterType::parse(v).ok_or_else(|| Error::Config {
        key: CONVERTER_TYPE_CONFIG.to_string(),
        message: format!("'{v}' is not one of key, value, header"),
    })
}
