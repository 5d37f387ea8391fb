//! Partitioners: which directory under the topic a record's file goes to, as Confluent's
//! storage-common partitioners compute it (class names `io.confluent.connect.storage.partitioner.*`
//! accepted as `partitioner.class`).
//!
//! A partitioner turns a record into an *encoded partition* (`partition=3`,
//! `region=eu/shop=7`, `year=2024/month=05/day=01`); [`Partitioner::partitioned_path`] prefixes
//! the topic (Confluent's `generatePartitionedPath`), and [`crate::ObjectNaming::object_key`]
//! builds the key. Encoding is a pure function of the record (and, for the `Wallclock`
//! extractor only, of the `now` the caller passes), so replays produce the same keys.

mod default;
mod extractor;
mod field;
mod path_format;
mod time_based;

use std::fmt::Debug;

use sluice_api::SinkRecord;

pub use default::DefaultPartitioner;
pub use extractor::TimestampExtractor;
pub use field::FieldPartitioner;
pub use path_format::PathFormat;
pub use time_based::{TimeBasedConfig, TimeBasedPartitioner};

use crate::config::{self, Props};
use crate::naming::DIRECTORY_DELIM_CONFIG;
use crate::{Error, Result};

/// `partitioner.class`.
pub const PARTITIONER_CLASS_CONFIG: &str = "partitioner.class";
/// `partition.field.name`: the fields of [`FieldPartitioner`] (comma-separated).
pub const PARTITION_FIELD_NAME_CONFIG: &str = "partition.field.name";
/// `partition.duration.ms`: the time bucket width of [`TimeBasedPartitioner`].
pub const PARTITION_DURATION_MS_CONFIG: &str = "partition.duration.ms";
/// `path.format`: the Joda pattern of [`TimeBasedPartitioner`].
pub const PATH_FORMAT_CONFIG: &str = "path.format";
/// `locale`: required by time-based partitioners (only numeric fields are supported, so it
/// does not change the output).
pub const LOCALE_CONFIG: &str = "locale";
/// `timezone`: the zone time buckets are aligned to.
pub const TIMEZONE_CONFIG: &str = "timezone";
/// `timestamp.extractor`: `Wallclock` (default), `Record` or `RecordField`.
pub const TIMESTAMP_EXTRACTOR_CONFIG: &str = "timestamp.extractor";
/// `timestamp.field`: the field read by the `RecordField` extractor (default `timestamp`).
pub const TIMESTAMP_FIELD_CONFIG: &str = "timestamp.field";

const PACKAGE: &str = "io.confluent.connect.storage.partitioner.";

/// Maps a record to the encoded partition (directory) its file belongs to.
pub trait Partitioner: Send + Sync + Debug {
    /// The encoded partition of `record`; `now_ms` is the wall clock the caller uses for this
    /// batch (read only by the `Wallclock` extractor).
    fn encode_partition(&self, record: &SinkRecord, now_ms: i64) -> Result<String>;

    /// The directory under `topics.dir`: `<topic><directory.delim><encoded partition>`.
    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String;

    /// The timestamp extractor of a time-based partitioner; `rotate.interval.ms` applies only
    /// when there is one (as in Confluent's `TopicPartitionWriter`).
    fn timestamp_extractor(&self) -> Option<&TimestampExtractor> {
        None
    }
}

/// The partitioner named by `partitioner.class` (default `DefaultPartitioner`), configured from
/// the connector properties. Accepts Confluent's class names and their simple names.
pub fn partitioner_from_props(props: &Props) -> Result<Box<dyn Partitioner>> {
    let class = config::string(
        props,
        PARTITIONER_CLASS_CONFIG,
        "io.confluent.connect.storage.partitioner.DefaultPartitioner",
    );
    let simple = class.strip_prefix(PACKAGE).unwrap_or(&class);
    let delim = props
        .get(DIRECTORY_DELIM_CONFIG)
        .cloned()
        .unwrap_or_else(|| "/".to_string());
    Ok(match simple {
        "DefaultPartitioner" => Box::new(DefaultPartitioner::new(delim)),
        "FieldPartitioner" => {
            let fields = config::list(props, PARTITION_FIELD_NAME_CONFIG);
            Box::new(FieldPartitioner::new(fields, delim)?)
        }
        "TimeBasedPartitioner" => Box::new(TimeBasedPartitioner::new(
            TimeBasedConfig::from_props(props, None)?,
        )?),
        "DailyPartitioner" => Box::new(TimeBasedPartitioner::new(TimeBasedConfig::from_props(
            props,
            Some(Preset::Daily),
        )?)?),
        "HourlyPartitioner" => Box::new(TimeBasedPartitioner::new(TimeBasedConfig::from_props(
            props,
            Some(Preset::Hourly),
        )?)?),
        _ => {
            return Err(Error::config(
                PARTITIONER_CLASS_CONFIG,
                format!(
                    "'{class}' is not supported; use {PACKAGE}DefaultPartitioner, FieldPartitioner, \
                     TimeBasedPartitioner, DailyPartitioner or HourlyPartitioner"
                ),
            ));
        }
    })
}

/// The fixed-granularity time partitioners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// `DailyPartitioner`: one day, `'year'=YYYY/'month'=MM/'day'=dd`.
    Daily,
    /// `HourlyPartitioner`: one hour, `'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH`.
    Hourly,
}

impl Preset {
    /// The bucket width.
    pub fn duration_ms(self) -> i64 {
        match self {
            Preset::Daily => 86_400_000,
            Preset::Hourly => 3_600_000,
        }
    }

    /// The path format, with `delim` between the segments (as Confluent builds it).
    pub fn path_format(self, delim: &str) -> String {
        let day = format!("'year'=YYYY{delim}'month'=MM{delim}'day'=dd");
        match self {
            Preset::Daily => day,
            Preset::Hourly => format!("{day}{delim}'hour'=HH"),
        }
    }
}
