//! Output formats: a [`RecordWriter`] turns the values of a file's records into the bytes of
//! one object.
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
mod json;
mod ocf;

use std::fmt::Debug;

use sluice_api::{Schema, SinkRecord};

pub use avro::{AVRO_CODEC_CONFIG, AvroCodec, AvroOptions, AvroRecordWriter};
pub use json::{
    COMPRESSION_LEVEL_CONFIG, JSON_DECIMAL_FORMAT_CONFIG, JsonOptions, JsonRecordWriter,
};
pub use ocf::sync_marker_for;

use crate::Result;

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

    /// Records written so far.
    fn record_count(&self) -> u64;

    /// Bytes produced so far and not yet taken (including data still being compressed).
    fn buffered_bytes(&self) -> usize;

    /// Removes and returns the bytes already final (may be empty).
    fn take_ready(&mut self) -> Vec<u8>;

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
}
