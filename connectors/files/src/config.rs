//! Reading the file sinks' string properties (the connector config with Kafka Connect's key
//! names). Missing keys take Confluent's defaults; malformed values fail with [`Error::Config`]
//! naming the key, so an operator sees what to fix before any record is written.

use std::collections::HashMap;

use crate::{Error, Result};

/// Connector properties as given in the connector config (`key → value`).
pub type Props = HashMap<String, String>;

/// The value of `key`, trimmed, or `default` when unset.
pub(crate) fn string(props: &Props, key: &str, default: &str) -> String {
    props
        .get(key)
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| default.to_string())
}

/// The value of `key` as a 64-bit integer, or `default` when unset.
pub(crate) fn long(props: &Props, key: &str, default: i64) -> Result<i64> {
    match props.get(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| Error::config(key, format!("'{v}' is not an integer"))),
    }
}

/// The value of `key` as a comma-separated list (items trimmed, empty items dropped).
pub(crate) fn list(props: &Props, key: &str) -> Vec<String> {
    props
        .get(key)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
