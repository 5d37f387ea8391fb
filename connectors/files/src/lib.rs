//! The file-sink core shared by the S3, Azure Blob and Snowflake sinks: output formats, partitioners,
//! rotation, deterministic object names and the commit protocol, written against the [`ObjectStore`]
//! trait so it stays independent of any one store.
//!
//! Never depends on a cloud SDK (the store crates implement the trait), the worker or Kafka.
//!
//! ```text
//! SinkRecord ─▶ Partitioner ─▶ encoded partition ─▶ ObjectNaming ─▶ object key
//!            └▶ Rotation (flush.size / rotate.interval.ms / schedule + timer)
//!            └▶ RecordWriter (JSON lines, Avro OCF, Parquet, ByteArray) ─▶ bytes ─▶ ObjectStore
//! ```
//!
//! [`FileSink`] (module [`sink`]) puts the stages together into the commit protocol a sink task
//! delegates to: per topic partition buffering and rotation, background (multipart) uploads,
//! the offsets safe to commit, recovery after a restart, and the memory budget.
//!
//! Each stage is a pure function of its inputs (the caller passes the clock), which is what
//! makes the names and file boundaries reproducible on replay with a deterministic
//! configuration (Default/Field partitioner, or time-based with the `Record`/`RecordField`
//! extractor, and no scheduled rotation).

mod config;
mod error;
pub mod format;
pub mod memory_store;
pub mod naming;
pub mod partitioner;
pub mod rotation;
pub mod sink;
pub mod store;
pub mod zone;

pub use config::Props;
pub use error::{Error, Result};
#[cfg(feature = "parquet")]
pub use format::ParquetRecordWriter;
pub use format::{
    Appended, AvroRecordWriter, ByteArrayRecordWriter, JsonRecordWriter, RecordWriter,
    WriterFactory,
};
pub use memory_store::MemoryStore;
pub use naming::{Compression, FileFormat, ObjectNaming, file_extension};
pub use partitioner::{Partitioner, partitioner_from_props};
pub use rotation::{RotateReason, Rotation, RotationPolicy};
pub use sink::{FileSink, SinkMetrics, SinkSettings};
pub use store::{MultipartUpload, ObjectMeta, ObjectStore};
pub use zone::TimeZone;
