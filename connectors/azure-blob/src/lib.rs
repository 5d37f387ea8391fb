//! Azure Blob Storage sink, compatible with Confluent's
//! `io.confluent.connect.azure.blob.AzureBlobStorageSinkConnector`: the file-sink core of
//! `sluice-files` writing through an Azure Blob [`sluice_files::ObjectStore`].
//!
//! Depends on the data model and `sluice-files`; never on the worker, a Kafka client or the REST API.
//!
//! Modules:
//! - [`store`]: [`AzureBlobStore`], one container as an [`sluice_files::ObjectStore`] (on the
//!   `object_store` crate), built from an [`AzureBlobStoreConfig`], plus container creation;
//! - `multipart`: [`AzureBlockUpload`], a block blob staged block by block (Put Block, Put Block List);
//! - `container`: container creation, which `object_store` does not offer;
//! - `shared_key`: SharedKey request signing for the requests `object_store` does not make;
//! - `classify`: the single function turning failures into retriable or definite
//!   [`sluice_files::Error`]s with a hint for the operator.

mod classify;
mod container;
mod error;
mod multipart;
mod shared_key;
pub mod store;

pub use error::{Error, Result};
pub use multipart::AzureBlockUpload;
pub use store::{AzureBlobStore, AzureBlobStoreConfig};
