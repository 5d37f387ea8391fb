//! The settings of a source task loop, read from the worker properties and the connector
//! configuration with Kafka Connect's key names and defaults.
//!
//! | Key | Where | Default | Meaning |
//! |---|---|---|---|
//! | `offset.flush.interval.ms` | worker | 60000 | how often acknowledged offsets are stored |
//! | `offset.flush.timeout.ms` | worker | 5000 | at stop, how long to wait for outstanding acks |
//! | `errors.tolerance` | connector | `none` | `none`: a record that cannot be converted fails the task; `all`: it is skipped and logged |
//! | `topic.creation.enable` | worker | `true` | whether `topic.creation.default.*` is honoured |
//! | `topic.creation.default.partitions`, `…replication.factor`, `…<topic config>` | connector | unset | create missing topics (KIP-158, default group only) |
//! | `sluice.source.max.in.flight.records` | worker or connector | 10000 | records sent and not yet acknowledged |
//! | `sluice.source.max.in.flight.bytes` | worker or connector | 16777216 | their key + value + header bytes |
//!
//! The two in-flight limits are Sluice's own (Java bounds memory with the producer's
//! `buffer.memory` alone): they bound what a task holds for offset tracking and
//! `commit_record`, whatever the producer's queue size. 16 MiB keeps ~55 ms of the broker's
//! ceiling in flight for large records (JsonConverter change events of ~3.9 KB: 4,300
//! records) while small records stay bounded by the record count; with 64 MiB the PostgreSQL
//! JSON benchmark peaked at 165 MB of RSS, with 16 MiB at ~120 MB at the same rate.

use std::collections::BTreeMap;
use std::time::Duration;

use sluice_api::config::ConfigSource;
use sluice_api::connector::Properties as ConnectorProperties;

use crate::{Error, Result};

/// `offset.flush.interval.ms`.
pub const OFFSET_FLUSH_INTERVAL_MS: &str = "offset.flush.interval.ms";
/// `offset.flush.timeout.ms`.
pub const OFFSET_FLUSH_TIMEOUT_MS: &str = "offset.flush.timeout.ms";
/// `errors.tolerance`.
pub const ERRORS_TOLERANCE: &str = "errors.tolerance";
/// `topic.creation.enable`.
pub const TOPIC_CREATION_ENABLE: &str = "topic.creation.enable";
/// Prefix of the default topic-creation group's keys.
pub const TOPIC_CREATION_DEFAULT_PREFIX: &str = "topic.creation.default.";
/// `sluice.source.max.in.flight.records`.
pub const MAX_IN_FLIGHT_RECORDS: &str = "sluice.source.max.in.flight.records";
/// `sluice.source.max.in.flight.bytes`.
pub const MAX_IN_FLIGHT_BYTES: &str = "sluice.source.max.in.flight.bytes";

/// What to do with a record that cannot be converted (`errors.tolerance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorTolerance {
    /// Fail the task.
    #[default]
    None,
    /// Skip the record (logged), and go on.
    All,
}

/// How to create a topic the task writes to that does not exist (KIP-158's `default` group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicCreation {
    /// Partitions (`-1`: the broker's default).
    pub partitions: i32,
    /// Replication factor (`-1`: the broker's default).
    pub replication_factor: i32,
    /// Topic configs (`cleanup.policy`, `retention.ms`, …).
    pub configs: BTreeMap<String, String>,
}

/// The settings of one source task loop (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceTaskSettings {
    /// How often offsets are flushed.
    pub offset_flush_interval: Duration,
    /// How long the final flush waits for outstanding acknowledgements.
    pub offset_flush_timeout: Duration,
    /// What to do with records that cannot be converted.
    pub errors_tolerance: ErrorTolerance,
    /// Topic creation, `None` to rely on the broker's auto-creation.
    pub topic_creation: Option<TopicCreation>,
    /// Most records in flight.
    pub max_in_flight_records: usize,
    /// Most bytes in flight (a single larger record is still sent, alone).
    pub max_in_flight_bytes: usize,
}

impl Default for SourceTaskSettings {
    fn default() -> Self {
        SourceTaskSettings {
            offset_flush_interval: Duration::from_millis(60_000),
            offset_flush_timeout: Duration::from_millis(5_000),
            errors_tolerance: ErrorTolerance::None,
            topic_creation: None,
            max_in_flight_records: 10_000,
            max_in_flight_bytes: 16 << 20,
        }
    }
}

fn number<T: std::str::FromStr>(key: &str, raw: Option<&str>, default: T, what: &str) -> Result<T> {
    match raw {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| Error::Config {
            key: key.to_string(),
            message: format!("'{v}' is not {what}"),
        }),
    }
}

impl SourceTaskSettings {
    /// Reads the settings from the worker properties and the connector configuration; an
    /// error names the key to fix.
    pub fn from_configs(
        worker: &impl ConfigSource,
        connector: &ConnectorProperties,
    ) -> Result<Self> {
        let d = SourceTaskSettings::default();
        let either = |key: &str| connector.get_raw(key).or_else(|| worker.get_raw(key));
        let millis = |key: &str, default: Duration| -> Result<Duration> {
            let ms: u64 = number(
                key,
                worker.get_raw(key),
                default.as_millis() as u64,
                "a non-negative number of milliseconds",
            )?;
            Ok(Duration::from_millis(ms))
        };
        let errors_tolerance = match connector.get_raw(ERRORS_TOLERANCE).map(str::trim) {
            None => ErrorTolerance::None,
            Some(v) if v.eq_ignore_ascii_case("none") => ErrorTolerance::None,
            Some(v) if v.eq_ignore_ascii_case("all") => ErrorTolerance::All,
            Some(v) => {
                return Err(Error::Config {
                    key: ERRORS_TOLERANCE.into(),
                    message: format!("'{v}' is not one of none, all"),
                });
            }
        };
        let max_in_flight_records: usize = number(
            MAX_IN_FLIGHT_RECORDS,
            either(MAX_IN_FLIGHT_RECORDS),
            d.max_in_flight_records,
            "a positive number of records",
        )?;
        let max_in_flight_bytes: usize = number(
            MAX_IN_FLIGHT_BYTES,
            either(MAX_IN_FLIGHT_BYTES),
            d.max_in_flight_bytes,
            "a positive number of bytes",
        )?;
        for (key, v) in [
            (MAX_IN_FLIGHT_RECORDS, max_in_flight_records),
            (MAX_IN_FLIGHT_BYTES, max_in_flight_bytes),
        ] {
            if v == 0 {
                return Err(Error::Config {
                    key: key.into(),
                    message: "must be at least 1".into(),
                });
            }
        }
        Ok(SourceTaskSettings {
            offset_flush_interval: millis(OFFSET_FLUSH_INTERVAL_MS, d.offset_flush_interval)?,
            offset_flush_timeout: millis(OFFSET_FLUSH_TIMEOUT_MS, d.offset_flush_timeout)?,
            errors_tolerance,
            topic_creation: topic_creation(worker, connector)?,
            max_in_flight_records,
            max_in_flight_bytes,
        })
    }
}

/// The `default` topic-creation group, when enabled on the worker and both its required keys
/// are set (as Kafka Connect: without them, topics are left to the broker's auto-creation).
fn topic_creation(
    worker: &impl ConfigSource,
    connector: &ConnectorProperties,
) -> Result<Option<TopicCreation>> {
    let enabled = match worker.get_raw(TOPIC_CREATION_ENABLE).map(str::trim) {
        None => true,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(Error::Config {
                key: TOPIC_CREATION_ENABLE.into(),
                message: format!("'{v}' is not a boolean; expected true or false"),
            });
        }
    };
    if let Some(groups) = connector.get_raw("topic.creation.groups")
        && !groups.trim().is_empty()
    {
        tracing::warn!(
            groups,
            "topic.creation.groups is not supported yet: only the default group (topic.creation.default.*) is used."
        );
    }
    let partitions_key = format!("{TOPIC_CREATION_DEFAULT_PREFIX}partitions");
    let rf_key = format!("{TOPIC_CREATION_DEFAULT_PREFIX}replication.factor");
    let (Some(p), Some(rf)) = (
        connector.get_raw(&partitions_key),
        connector.get_raw(&rf_key),
    ) else {
        return Ok(None);
    };
    if !enabled {
        tracing::warn!(
            "The connector sets topic.creation.default.* but the worker has \
             topic.creation.enable=false, so missing topics are left to the broker."
        );
        return Ok(None);
    }
    let partitions = number(
        &partitions_key,
        Some(p),
        -1,
        "a partition count (-1: broker default)",
    )?;
    let replication_factor = number(
        &rf_key,
        Some(rf),
        -1,
        "a replication factor (-1: broker default)",
    )?;
    let configs = connector
        .iter()
        .filter_map(|(key, value)| {
            let name = key.strip_prefix(TOPIC_CREATION_DEFAULT_PREFIX)?;
            if matches!(
                name,
                "partitions" | "replication.factor" | "include" | "exclude"
            ) {
                return None;
            }
            Some((name.to_string(), value.clone()?))
        })
        .collect();
    Ok(Some(TopicCreation {
        partitions,
        replication_factor,
        configs,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn conn(entries: &[(&str, &str)]) -> ConnectorProperties {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect()
    }

    #[test]
    fn defaults_and_overrides() {
        let s = SourceTaskSettings::from_configs(&props(&[]), &conn(&[])).unwrap();
        assert_eq!(s, SourceTaskSettings::default());
        let s = SourceTaskSettings::from_configs(
            &props(&[
                (OFFSET_FLUSH_INTERVAL_MS, "250"),
                (MAX_IN_FLIGHT_RECORDS, "5"),
            ]),
            &conn(&[
                (ERRORS_TOLERANCE, "ALL"),
                (MAX_IN_FLIGHT_RECORDS, "7"),
                ("topic.creation.default.partitions", "3"),
                ("topic.creation.default.replication.factor", "-1"),
                ("topic.creation.default.cleanup.policy", "compact"),
            ]),
        )
        .unwrap();
        assert_eq!(s.offset_flush_interval, Duration::from_millis(250));
        assert_eq!(s.errors_tolerance, ErrorTolerance::All);
        assert_eq!(s.max_in_flight_records, 7);
        let tc = s.topic_creation.unwrap();
        assert_eq!((tc.partitions, tc.replication_factor), (3, -1));
        assert_eq!(tc.configs, props(&[("cleanup.policy", "compact")]));
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = SourceTaskSettings::from_configs(&props(&[]), &conn(&[(ERRORS_TOLERANCE, "some")]))
            .unwrap_err();
        assert!(e.to_string().contains(ERRORS_TOLERANCE), "{e}");
        let e = SourceTaskSettings::from_configs(
            &props(&[(OFFSET_FLUSH_INTERVAL_MS, "soon")]),
            &conn(&[]),
        )
        .unwrap_err();
        assert!(e.to_string().contains(OFFSET_FLUSH_INTERVAL_MS), "{e}");
    }
}
