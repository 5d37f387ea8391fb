//! Amazon S3 sink, compatible with Confluent's `io.confluent.connect.s3.S3SinkConnector`: the
//! file-sink core of `sluice-files` writing through an S3 [`sluice_files::ObjectStore`].
//!
//! A user POSTs the connector config they run with Confluent's sink and gets the same objects
//! under the same names (`<topics.dir>/<encoded partition>/<topic>+<partition>+<start offset>
//! <ext>`), exactly once: offsets are committed only up to stored objects, and a restart
//! rewrites the objects stored after the last commit under the same names (see
//! `sluice_files::sink`).
//!
//! Depends on the data model and `sluice-files`; never on the worker, a Kafka client or the REST API.
//!
//! Modules:
//! - [`config`]: the connector's keys with Confluent's defaults and [`S3SinkConfig`];
//! - [`connector`]: [`S3SinkConnector`]; `task`: [`S3SinkTask`];
//! - [`store`]: [`S3Store`], one bucket as an [`sluice_files::ObjectStore`] (PutObject, GetObject,
//!   paginated ListObjectsV2, multipart uploads), built from an [`S3StoreConfig`];
//! - `multipart`: [`S3MultipartUpload`], the part bookkeeping of one multipart upload;
//! - `metrics`: the file sink's metrics exported with the task's labels;
//! - `classify`: the single function turning SDK errors into retriable or definite
//!   [`sluice_files::Error`]s with a hint for the operator.

mod classify;
pub mod config;
pub mod connector;
mod error;
mod metrics;
mod multipart;
pub mod store;
mod task;

pub use config::S3SinkConfig;
pub use connector::{CONNECTOR_CLASS, S3SinkConnector, TASK_CLASS};
pub use error::{Error, Result};
pub use multipart::S3MultipartUpload;
pub use store::{PayloadSigning, S3Credentials, S3Store, S3StoreConfig, Sse, SseCustomerKey};
pub use task::S3SinkTask;
