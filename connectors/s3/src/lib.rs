//! Amazon S3 sink, compatible with Confluent's `io.confluent.connect.s3.S3SinkConnector`: the
//! file-sink core of `sluice-files` writing through an S3 [`sluice_files::ObjectStore`].
//!
//! Depends on the data model and `sluice-files`; never on the worker, a Kafka client or the REST API.
//!
//! Modules:
//! - [`store`]: [`S3Store`], one bucket as an [`sluice_files::ObjectStore`] (PutObject, GetObject,
//!   paginated ListObjectsV2, multipart uploads), built from an [`S3StoreConfig`];
//! - `multipart`: [`S3MultipartUpload`], the part bookkeeping of one multipart upload;
//! - `classify`: the single function turning SDK errors into retriable or definite
//!   [`sluice_files::Error`]s with a hint for the operator.

mod classify;
mod error;
mod multipart;
pub mod store;

pub use error::{Error, Result};
pub use multipart::S3MultipartUpload;
pub use store::{S3Credentials, S3Store, S3StoreConfig};
