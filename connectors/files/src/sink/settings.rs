//! [`SinkSettings`]: everything the commit protocol needs from the connector config, read and
//! checked once when a task starts, with Confluent's key names and defaults (plus Sluice's own
//! `sluice.*` keys for what Confluent has no setting for: the memory budget and the number of
//! concurrent uploads).
//!
//! Store-specific settings (the part size, the retry backoff) have store-specific key names
//! (`s3.part.size`, …); the store crate reads them and sets them with the `with_*` methods.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{self, Props};
use crate::format::{RecordView, WriterFactory};
use crate::naming::{FORMAT_CLASS_CONFIG, FileFormat, ObjectNaming, file_extension};

/// The default of `keys.format.class` and `headers.format.class`.
const AVRO_FORMAT_CLASS: &str = "io.confluent.connect.s3.format.avro.AvroFormat";
use crate::partitioner::{Partitioner, partitioner_from_props};
use crate::rotation::RotationPolicy;
use crate::{Error, Result};

/// `behavior.on.null.values`: what to do with a record whose value is null (a tombstone).
pub const BEHAVIOR_ON_NULL_VALUES_CONFIG: &str = "behavior.on.null.values";
/// `schema.compatibility`: how value schema changes are handled (`NONE` rotates the file).
pub const SCHEMA_COMPATIBILITY_CONFIG: &str = "schema.compatibility";
/// `store.kafka.keys`: also write every record's key, in a `.keys` side file next to each data
/// file (same name, the infix `.keys` before the extension of `keys.format.class`).
pub const STORE_KAFKA_KEYS_CONFIG: &str = "store.kafka.keys";
/// `store.kafka.headers`: also write every record's headers, as `{key, value}` string pairs,
/// in a `.headers` side file next to each data file (format `headers.format.class`).
pub const STORE_KAFKA_HEADERS_CONFIG: &str = "store.kafka.headers";
/// `keys.format.class`: the format of the keys side files (default Avro).
pub const KEYS_FORMAT_CLASS_CONFIG: &str = "keys.format.class";
/// `headers.format.class`: the format of the headers side files (default Avro).
pub const HEADERS_FORMAT_CLASS_CONFIG: &str = "headers.format.class";
/// `tombstone.encoded.partition`: with `behavior.on.null.values=write`, the encoded partition
/// (directory) of the files of null-value records, which hold only their keys (and headers).
pub const TOMBSTONE_ENCODED_PARTITION_CONFIG: &str = "tombstone.encoded.partition";
/// `rotate.file.on.partition.change`: with `rotate.interval.ms`, a record of another encoded
/// partition closes the files (only `true`, Confluent's default, is supported).
pub const ROTATE_FILE_ON_PARTITION_CHANGE_CONFIG: &str = "rotate.file.on.partition.change";
/// `sluice.buffer.max.bytes`: the task's memory budget for buffered records and uploads in
/// flight (default 64 MiB). When it is reached the task streams large files as multipart parts,
/// closes the largest topic partition's files early, and if that is not enough pauses (its
/// `put` asks the worker to deliver the records again later) until uploads free memory.
pub const BUFFER_MAX_BYTES_CONFIG: &str = "sluice.buffer.max.bytes";
/// `sluice.upload.concurrency`: how many uploads (whole objects or parts) run at once per task
/// (default 4).
pub const UPLOAD_CONCURRENCY_CONFIG: &str = "sluice.upload.concurrency";

/// Default of [`BUFFER_MAX_BYTES_CONFIG`]: 64 MiB.
pub const DEFAULT_BUFFER_MAX_BYTES: usize = 64 << 20;
/// Default multipart part size (Confluent's `s3.part.size`): 25 MiB.
pub const DEFAULT_PART_SIZE: usize = 25 << 20;
/// The smallest part stores accept for every part but the last (S3: 5 MiB).
pub const MIN_PART_SIZE: usize = 5 << 20;

/// What to do with null values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullValues {
    /// Fail the task (Confluent's default).
    Fail,
    /// Skip the record (its offset still counts as written).
    Ignore,
    /// Write it: its key (and headers) go to the side files of a file in the
    /// `tombstone.encoded.partition` directory, which has no data file (needs
    /// `store.kafka.keys=true`).
    Write,
}

/// One of the objects each file is written as: the data file or a side file.
#[derive(Debug, Clone)]
pub struct ViewSettings {
    /// Which part of the records the object holds.
    pub view: RecordView,
    /// Its format.
    pub format: FileFormat,
    /// Makes its writers.
    pub writers: WriterFactory,
    /// Its extension, the view's infix included (`.avro`, `.keys.avro`, `.headers.json`).
    pub extension: String,
}

/// How uploads are run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSettings {
    /// Bytes per multipart part; files larger than this are streamed in parts.
    pub part_size: usize,
    /// Uploads (objects or parts) in flight at once.
    pub concurrency: usize,
    /// First pause after a retriable upload failure; doubled up to `max_backoff`.
    pub initial_backoff: Duration,
    /// Longest pause between retries.
    pub max_backoff: Duration,
    /// Whether published objects get tags with their first and last offsets and record count
    /// (`s3.object.tagging`), and what a failed tagging does.
    pub tagging: Tagging,
}

/// Object tagging after upload (Confluent's `s3.object.tagging` and
/// `s3.object.behavior.on.tagging.error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tagging {
    /// No tags (the default).
    #[default]
    Off,
    /// Tag; a failure is logged and the object stays (Confluent's default, `ignore`).
    IgnoreErrors,
    /// Tag; a failure fails the upload (`fail`), so its offsets are not committed.
    FailOnError,
}

impl Default for UploadSettings {
    fn default() -> Self {
        UploadSettings {
            part_size: DEFAULT_PART_SIZE,
            concurrency: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            tagging: Tagging::Off,
        }
    }
}

/// The checked settings of a file sink task.
#[derive(Debug, Clone)]
pub struct SinkSettings {
    /// How keys are built.
    pub naming: ObjectNaming,
    /// When files rotate.
    pub rotation: RotationPolicy,
    /// Where records go.
    pub partitioner: Arc<dyn Partitioner>,
    /// Null-value handling.
    pub null_values: NullValues,
    /// The objects of every file: the data file first, then the side files.
    pub views: Vec<ViewSettings>,
    /// `tombstone.encoded.partition` (used with [`NullValues::Write`]).
    pub tombstone_partition: String,
    /// The memory budget in bytes.
    pub buffer_max_bytes: usize,
    /// Upload settings.
    pub upload: UploadSettings,
}

impl SinkSettings {
    /// Reads and checks the settings; an error names the key to fix.
    pub fn from_props(props: &Props) -> Result<Self> {
        let naming = ObjectNaming::from_props(props)?;
        let partitioner: Arc<dyn Partitioner> = Arc::from(partitioner_from_props(props)?);
        let rotation =
            RotationPolicy::from_props(props, partitioner.timestamp_extractor().is_some())?;
        let null_values = match config::string(props, BEHAVIOR_ON_NULL_VALUES_CONFIG, "fail")
            .to_ascii_lowercase()
            .as_str()
        {
            "fail" => NullValues::Fail,
            "ignore" => NullValues::Ignore,
            "write" => NullValues::Write,
            other => {
                return Err(Error::config(
                    BEHAVIOR_ON_NULL_VALUES_CONFIG,
                    format!("'{other}' is not one of fail, ignore, write"),
                ));
            }
        };
        let mut views = vec![ViewSettings::from_props(
            RecordView::Value,
            FORMAT_CLASS_CONFIG,
            props,
        )?];
        for (view, flag_key, class_key) in [
            (
                RecordView::Key,
                STORE_KAFKA_KEYS_CONFIG,
                KEYS_FORMAT_CLASS_CONFIG,
            ),
            (
                RecordView::Headers,
                STORE_KAFKA_HEADERS_CONFIG,
                HEADERS_FORMAT_CLASS_CONFIG,
            ),
        ] {
            if flag(props, flag_key, false)? {
                views.push(ViewSettings::from_props(view, class_key, props)?);
            }
        }
        if null_values == NullValues::Write && !views.iter().any(|v| v.view == RecordView::Key) {
            return Err(Error::config(
                BEHAVIOR_ON_NULL_VALUES_CONFIG,
                "'write' keeps a null-value record by writing its key, so it needs \
                 store.kafka.keys=true; set that too, or use 'ignore' or 'fail'",
            ));
        }
        let tombstone_partition =
            config::string(props, TOMBSTONE_ENCODED_PARTITION_CONFIG, "tombstone");
        if tombstone_partition.is_empty() {
            return Err(Error::config(
                TOMBSTONE_ENCODED_PARTITION_CONFIG,
                "must not be empty",
            ));
        }
        if !flag(props, ROTATE_FILE_ON_PARTITION_CHANGE_CONFIG, true)? {
            return Err(Error::config(
                ROTATE_FILE_ON_PARTITION_CHANGE_CONFIG,
                "only true (the default) is supported",
            ));
        }
        match config::string(props, SCHEMA_COMPATIBILITY_CONFIG, "NONE")
            .to_ascii_uppercase()
            .as_str()
        {
            "NONE" => {}
            c @ ("BACKWARD" | "FORWARD" | "FULL") => tracing::warn!(
                schema_compatibility = c,
                "schema.compatibility is handled as NONE: every value schema change closes the \
                 open files instead of projecting records to one schema; no record is lost or \
                 changed, there are only more files."
            ),
            other => {
                return Err(Error::config(
                    SCHEMA_COMPATIBILITY_CONFIG,
                    format!("'{other}' is not one of NONE, BACKWARD, FORWARD, FULL"),
                ));
            }
        }
        let budget = config::long(
            props,
            BUFFER_MAX_BYTES_CONFIG,
            DEFAULT_BUFFER_MAX_BYTES as i64,
        )?;
        if budget < (1 << 20) {
            return Err(Error::config(
                BUFFER_MAX_BYTES_CONFIG,
                format!("{budget} is too small; use at least 1048576 (1 MiB)"),
            ));
        }
        let concurrency = config::long(props, UPLOAD_CONCURRENCY_CONFIG, 4)?;
        if !(1..=64).contains(&concurrency) {
            return Err(Error::config(
                UPLOAD_CONCURRENCY_CONFIG,
                format!("{concurrency} is out of range; use 1 to 64"),
            ));
        }
        Ok(SinkSettings {
            naming,
            rotation,
            partitioner,
            null_values,
            views,
            tombstone_partition,
            buffer_max_bytes: usize::try_from(budget).unwrap_or(usize::MAX),
            upload: UploadSettings {
                concurrency: concurrency.unsigned_abs() as usize,
                ..UploadSettings::default()
            },
        })
    }

    /// The data files' format (`format.class`).
    pub fn format(&self) -> FileFormat {
        self.views[0].format
    }

    /// The views written for a record of `encoded`: all of them, but no data file for the
    /// null values in the tombstone directory (Confluent's `KeyValueHeaderRecordWriterProvider`
    /// decides that by the file name containing the tombstone partition, so a topic named
    /// `tombstones` loses its data files there; Sluice compares the encoded partition).
    pub fn views_for(&self, encoded: &str) -> &[ViewSettings] {
        // (`accepts_encoded_values` below relies on the value view coming first.)
        if self.null_values == NullValues::Write && encoded == self.tombstone_partition {
            &self.views[1..]
        } else {
            &self.views
        }
    }

    /// Whether records may arrive with their value kept encoded
    /// ([`sluice_api::EncodedValue`]): when the data files are Avro and
    /// `sluice.avro.passthrough` is on, so Avro bodies can be copied as they are. Partitioners
    /// and other formats decode such values when they need them, so this only decides where
    /// the saving is worth it.
    pub fn accepts_encoded_values(&self) -> bool {
        self.views.first().is_some_and(|v| {
            v.view == RecordView::Value
                && matches!(&v.writers, WriterFactory::Avro(o) if o.passthrough)
        })
    }

    /// Sets the multipart part size (checked by the store crate against its own limits).
    pub fn with_part_size(mut self, part_size: usize) -> Self {
        self.upload.part_size = part_size.max(MIN_PART_SIZE);
        self
    }

    /// Sets object tagging (the store crate reads its own keys for it).
    pub fn with_tagging(mut self, tagging: Tagging) -> Self {
        self.upload.tagging = tagging;
        self
    }

    /// Sets the first retry pause after a failed upload.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.upload.initial_backoff = backoff;
        self
    }

    /// Whether a replay of the same records produces the same files by itself (Default or
    /// Field partitioner, or a time-based one with a record-time extractor, and no scheduled
    /// rotation). The recovery scan makes replays exact in the other cases too, except for
    /// the `Wallclock` extractor, which can put a replayed record in another directory.
    pub fn deterministic(&self) -> bool {
        self.rotation.schedule_interval_ms.is_none()
            && self
                .partitioner
                .timestamp_extractor()
                .is_none_or(|e| e.is_deterministic())
    }
}

impl ViewSettings {
    /// The settings of `view`'s files, whose format is `class_key` (`format.class` for the
    /// data file, which is required; the side files' keys default to Avro).
    fn from_props(view: RecordView, class_key: &str, props: &Props) -> Result<Self> {
        let default = (view != RecordView::Value).then_some(AVRO_FORMAT_CLASS);
        let format = FileFormat::from_key(props, class_key, default)?;
        Ok(ViewSettings {
            view,
            format,
            writers: WriterFactory::from_props(format, props)?,
            extension: format!("{}{}", view.infix(), file_extension(format, props)?),
        })
    }
}

fn flag(props: &Props, key: &str, default: bool) -> Result<bool> {
    match config::string(props, key, if default { "true" } else { "false" })
        .to_ascii_lowercase()
        .as_str()
    {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(Error::config(
            key,
            format!("'{other}' is not true or false"),
        )),
    }
}
