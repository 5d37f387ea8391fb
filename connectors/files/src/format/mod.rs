//! Output formats: a [`RecordWriter`] turns the values of a file's records into the bytes of
//! one object — JSON lines, Avro container files, raw bytes, and (with the `parquet` feature)
//! Parquet files.
//!
//! Writers are sans-io: [`RecordWriter::append`] encodes into an internal buffer,
//! [`RecordWriter::take_ready`] hands out the bytes already final (so a sink can stream them
//! as multipart parts and keep memory bounded), and [`RecordWriter::finish`] returns the rest.
//! The concatenation of every `take_ready` result and the `finish` result is the object.
//!
//! A file holds records of one value schema. Like Confluent's sinks with
//! `schema.compatibility=NONE`, a record whose value schema differs from the file's is not
//! written: `append` answers [`Appended::SchemaChanged`] and the sink must finish the file
//! (rotate) and append the record to a new writer.

mod avro;
mod bytearray;
mod decimal_text;
mod json;
mod ocf;
#[cfg(feature = "parquet")]
mod parquet;
mod view;

use std::fmt::Debug;

use sluice_api::{Schema, SinkRecord};

#[cfg(feature = "parquet")]
pub use self::parquet::{
    DEFAULT_ROW_GROUP_BYTES, ParquetCodec, ParquetOptions, ParquetRecordWriter,
};
pub use avro::{
    AVRO_CODEC_CONFIG, AVRO_PASSTHROUGH_CONFIG, AvroCodec, AvroOptions, AvroRecordWriter,
};
pub use bytearray::{BYTEARRAY_SEPARATOR_CONFIG, ByteArrayOptions, ByteArrayRecordWriter};
pub use decimal_text::{DECIMAL_FORMAT_CONFIG, DecimalEncoding, plain_string};
pub use json::{
    COMPRESSION_LEVEL_CONFIG, JSON_DECIMAL_FORMAT_CONFIG, JsonOptions, JsonRecordWriter,
};
pub use ocf::sync_marker_for;
pub use view::RecordView;

use crate::Result;
use crate::config::Props;
use crate::naming::FileFormat;

/// What [`RecordWriter::append`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a schema change means the record was not written and the file must rotate"]
pub enum Appended {
    /// The record was encoded into the file.
    Written,
    /// The record's value schema differs from the file's: nothing was written; finish this
    /// file and write the record to a new one.
    SchemaChanged,
}

/// Encodes the records of one output file.
pub trait RecordWriter: Send + Debug {
    /// Encodes `record`'s value, unless its schema differs from the file's.
    fn append(&mut self, record: &SinkRecord) -> Result<Appended>;

    /// Whether `append` would write `record` rather than answer
    /// [`Appended::SchemaChanged`] (checked for every view of a file before any is written).
    fn accepts(&self, record: &SinkRecord) -> bool {
        let _ = record;
        true
    }

    /// Records written so far.
    fn record_count(&self) -> u64;

    /// Memory held by the bytes produced so far and not yet taken (buffer capacities, which is
    /// what the sink's memory budget must count, not just their lengths).
    fn buffered_bytes(&self) -> usize;

    /// Removes and returns the bytes already final (may be empty).
    fn take_ready(&mut self) -> Vec<u8>;

    /// A hint, given before the first record, that the file will take about `bytes`: a writer
    /// may allocate its output buffer once instead of growing it by doubling (which copies the
    /// bytes again at every step and touches fresh pages). Writers may ignore it.
    fn reserve(&mut self, bytes: usize) {
        let _ = bytes;
    }

    /// Completes the file and returns its remaining bytes.
    fn finish(self: Box<Self>) -> Result<Vec<u8>>;
}

/// The value schema a file was started with, and the check of later records against it
/// (Connect schema equality, as Confluent's `StorageSchemaCompatibility.NONE`).
#[derive(Debug, Clone, Default)]
pub(crate) struct FileSchema {
    first: Option<Option<Schema>>,
}

impl FileSchema {
    /// Whether `record` may go into this file; the first record fixes the schema.
    pub(crate) fn accepts(&mut self, record: &SinkRecord) -> bool {
        match &self.first {
            None => {
                self.first = Some(record.value_schema.clone());
                true
            }
            Some(schema) => *schema == record.value_schema,
        }
    }

    /// Whether [`FileSchema::accepts`] would take `record`, without fixing the schema.
    pub(crate) fn would_accept(&self, record: &SinkRecord) -> bool {
        self.first
            .as_ref()
            .is_none_or(|schema| *schema == record.value_schema)
    }
}

/// The settings of one output format, read once per task: makes a fresh [`RecordWriter`] for
/// every file.
#[derive(Debug, Clone)]
pub enum WriterFactory {
    /// Avro object container files.
    Avro(AvroOptions),
    /// JSON lines.
    Json(JsonOptions),
    /// Raw value bytes.
    ByteArray(ByteArrayOptions),
    /// Parquet files.
    #[cfg(feature = "parquet")]
    Parquet(ParquetOptions),
}

impl WriterFactory {
    /// Reads the settings of `format` from the connector properties.
    pub fn from_props(format: FileFormat, props: &Props) -> Result<Self> {
        Ok(match format {
            FileFormat::Avro => WriterFactory::Avro(AvroOptions::from_props(props)?),
            FileFormat::Json => WriterFactory::Json(JsonOptions::from_props(props)?),
            FileFormat::ByteArray => WriterFactory::ByteArray(ByteArrayOptions::from_props(props)?),
            #[cfg(feature = "parquet")]
            FileFormat::Parquet => WriterFactory::Parquet(ParquetOptions::from_props(props)?),
            #[cfg(not(feature = "parquet"))]
            FileFormat::Parquet => {
                return Err(crate::Error::config(
                    crate::naming::FORMAT_CLASS_CONFIG,
                    "ParquetFormat is not in this build (sluice-files was built without its \
                     `parquet` feature); use a build with it, or AvroFormat or JsonFormat",
                ));
            }
        })
    }

    /// A writer for the new object `key` (the key seeds the Avro sync marker, so a replayed
    /// file is byte-identical to the first attempt).
    pub fn writer(&self, key: &str) -> Box<dyn RecordWriter> {
        match self {
            WriterFactory::Avro(o) => Box::new(AvroRecordWriter::new(*o, sync_marker_for(key))),
            WriterFactory::Json(o) => Box::new(JsonRecordWriter::new(*o)),
            WriterFactory::ByteArray(o) => Box::new(ByteArrayRecordWriter::new(o)),
            #[cfg(feature = "parquet")]
            WriterFactory::Parquet(o) => Box::new(ParquetRecordWriter::new(*o)),
        }
    }
}
