//! The file-sink core shared by the S3, Azure Blob and Snowflake sinks: output formats, partitioners,
//! rotation, deterministic object names and the commit protocol, written against the [`ObjectStore`]
//! trait so it stays independent of any one store.
//!
//! Never depends on a cloud SDK (the store crates implement the trait), the worker or Kafka.

mod error;

pub use error::{Error, Result};
pub mod store;

pub use store::{MultipartUpload, ObjectMeta, ObjectStore};
