//! Azure Blob Storage sink, compatible with Confluent's
//! `io.confluent.connect.azure.blob.AzureBlobStorageSinkConnector`: the file-sink core of
//! `sluice-files` writing through an Azure Blob [`sluice_files::ObjectStore`].
//!
//! Depends on the data model and `sluice-files`; never on the worker, a Kafka client or the REST API.

mod error;

pub use error::{Error, Result};
