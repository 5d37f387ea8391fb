//! Confluent's `TimeBasedPartitioner` (and the Daily/Hourly presets): the record's time,
//! truncated to `partition.duration.ms` in the configured zone, formatted with `path.format`.
//!
//! Bucketing reproduces Java's `getPartition` exactly: shift to local time, truncate with
//! integer division (toward zero, as Java's `/`), shift back to UTC, then format in the zone.

use sluice_api::SinkRecord;

use super::{
    LOCALE_CONFIG, PARTITION_DURATION_MS_CONFIG, PATH_FORMAT_CONFIG, Partitioner, PathFormat,
    Preset, TIMEZONE_CONFIG, TimestampExtractor,
};
use crate::config::{self, Props};
use crate::naming::DIRECTORY_DELIM_CONFIG;
use crate::zone::TimeZone;
use crate::{Error, Result};

/// The settings of a time-based partitioner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeBasedConfig {
    /// `partition.duration.ms`: the bucket width (> 0).
    pub duration_ms: i64,
    /// `path.format` (a trailing `directory.delim` already removed).
    pub path_format: String,
    /// `locale` (required, non-blank).
    pub locale: String,
    /// `timezone`.
    pub timezone: TimeZone,
    /// `timestamp.extractor`.
    pub extractor: TimestampExtractor,
    /// `directory.delim`.
    pub delim: String,
}

impl TimeBasedConfig {
    /// Reads the settings; a preset fixes the duration and path format, as Confluent's
    /// `DailyPartitioner`/`HourlyPartitioner` do.
    pub fn from_props(props: &Props, preset: Option<Preset>) -> Result<Self> {
        let delim = props
            .get(DIRECTORY_DELIM_CONFIG)
            .cloned()
            .unwrap_or_else(|| "/".to_string());
        let (duration_ms, mut path_format) = match preset {
            Some(p) => (p.duration_ms(), p.path_format(&delim)),
            None => (
                config::long(props, PARTITION_DURATION_MS_CONFIG, -1)?,
                props.get(PATH_FORMAT_CONFIG).cloned().unwrap_or_default(),
            ),
        };
        // Java rejects negatives at configure time and divides by zero on the first record;
        // both are configuration mistakes, so both are rejected here.
        if duration_ms <= 0 {
            return Err(Error::config(
                PARTITION_DURATION_MS_CONFIG,
                format!("{duration_ms}: the partition duration must be positive (e.g. 3600000)"),
            ));
        }
        if path_format.trim().is_empty() || path_format == delim {
            return Err(Error::config(
                PATH_FORMAT_CONFIG,
                "Path format cannot be empty; e.g. 'year'=YYYY/'month'=MM/'day'=dd",
            ));
        }
        if !delim.trim().is_empty() && path_format.ends_with(&delim) {
            path_format.truncate(path_format.len() - delim.len());
        }
        let locale = config::string(props, LOCALE_CONFIG, "");
        if locale.is_empty() {
            return Err(Error::config(
                LOCALE_CONFIG,
                "Locale cannot be empty; set e.g. en-US",
            ));
        }
        let timezone =
            TimeZone::parse(TIMEZONE_CONFIG, &config::string(props, TIMEZONE_CONFIG, ""))?;
        Ok(TimeBasedConfig {
            duration_ms,
            path_format,
            locale,
            timezone,
            extractor: TimestampExtractor::from_props(props)?,
            delim,
        })
    }
}

/// Partitions records into time buckets.
#[derive(Debug, Clone)]
pub struct TimeBasedPartitioner {
    config: TimeBasedConfig,
    format: PathFormat,
}

impl TimeBasedPartitioner {
    /// Compiles the path format.
    pub fn new(config: TimeBasedConfig) -> Result<Self> {
        let format = PathFormat::parse(&config.path_format)
            .map_err(|m| Error::config(PATH_FORMAT_CONFIG, m))?;
        Ok(TimeBasedPartitioner { config, format })
    }

    /// The settings in use.
    pub fn config(&self) -> &TimeBasedConfig {
        &self.config
    }

    /// Java's `TimeBasedPartitioner.getPartition`: the UTC start of the bucket of `timestamp`.
    pub fn bucket_start(duration_ms: i64, timestamp: i64, zone: &TimeZone) -> i64 {
        let local = zone.utc_to_local(timestamp);
        zone.local_to_utc((local / duration_ms) * duration_ms)
    }

    /// The encoded partition of an instant.
    pub fn encode_timestamp(&self, timestamp: i64) -> std::result::Result<String, String> {
        let zone = &self.config.timezone;
        let bucket = Self::bucket_start(self.config.duration_ms, timestamp, zone);
        self.format.format(zone.utc_to_local(bucket))
    }
}

impl Partitioner for TimeBasedPartitioner {
    fn encode_partition(&self, record: &SinkRecord, now_ms: i64) -> Result<String> {
        let ts = self.config.extractor.extract(record, now_ms)?;
        self.encode_timestamp(ts)
            .map_err(|m| Error::partition(record, m))
    }

    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String {
        format!("{topic}{}{encoded_partition}", self.config.delim)
    }

    fn timestamp_extractor(&self) -> Option<&TimestampExtractor> {
        Some(&self.config.extractor)
    }
}
