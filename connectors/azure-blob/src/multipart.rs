//! [`AzureBlockUpload`]: one block blob written block by block (Put Block, then Put Block List).
//!
//! Each [`MultipartUpload::put_part`] stages one block under a fresh block id and records it only
//! once Azure has acknowledged it; [`MultipartUpload::complete`] commits the recorded blocks, in
//! call order, with one Put Block List, which atomically makes the blob exactly their
//! concatenation. Until then readers see the previous blob of that name, or none.
//!
//! It uses `object_store`'s low-level `MultipartStore` API rather than its buffered upload so
//! that the block list is kept here: a failed block is simply not recorded, and a retried
//! `put_part` stages it again as the next block, leaving no gap in the list.
//!
//! Azure has no call to discard staged blocks: [`MultipartUpload::abort`] only forgets them, and
//! Azure garbage-collects uncommitted blocks after seven days.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use object_store::azure::MicrosoftAzure;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{MultipartId, PutPayload};
use sluice_files::{MultipartUpload, Result};
use tracing::debug;

use crate::classify::{Failure, Target, classify};

/// Azure allows at most this many committed blocks per blob.
const MAX_BLOCKS: usize = 50_000;

/// A block-blob upload in progress; created by [`crate::AzureBlobStore`]'s `start_upload`.
pub struct AzureBlockUpload {
    client: Arc<MicrosoftAzure>,
    container: String,
    key: String,
    path: Path,
    id: MultipartId,
    blocks: Vec<PartId>,
}

impl fmt::Debug for AzureBlockUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client is left out: its derived Debug would print the account key.
        f.debug_struct("AzureBlockUpload")
            .field("container", &self.container)
            .field("key", &self.key)
            .field("blocks", &self.blocks.len())
            .finish_non_exhaustive()
    }
}

impl AzureBlockUpload {
    pub(crate) fn new(
        client: Arc<MicrosoftAzure>,
        container: String,
        key: String,
        path: Path,
        id: MultipartId,
    ) -> Self {
        AzureBlockUpload {
            client,
            container,
            key,
            path,
            id,
            blocks: Vec::new(),
        }
    }

    fn target(&self, operation: &'static str) -> Target<'_> {
        Target {
            operation,
            container: &self.container,
            key: &self.key,
        }
    }
}

#[async_trait]
impl MultipartUpload for AzureBlockUpload {
    async fn put_part(&mut self, data: Bytes) -> Result<()> {
        if self.blocks.len() >= MAX_BLOCKS {
            return Err(sluice_files::Error::Store {
                store: crate::classify::STORE,
                operation: "put block",
                key: self.key.clone(),
                message: format!(
                    "Azure allows at most {MAX_BLOCKS} blocks per blob: use larger parts or \
                     smaller files"
                ),
                retriable: false,
            });
        }
        let index = self.blocks.len();
        let len = data.len();
        let block = self
            .client
            .put_part(&self.path, &self.id, index, PutPayload::from(data))
            .await
            .map_err(|e| classify(Failure::from_object_store(&e), self.target("put block")))?;
        self.blocks.push(block);
        debug!(container = %self.container, key = %self.key, index, bytes = len, "Staged Azure block.");
        Ok(())
    }

    async fn complete(self: Box<Self>) -> Result<()> {
        let count = self.blocks.len();
        self.client
            .complete_multipart(&self.path, &self.id, self.blocks.clone())
            .await
            .map_err(|e| {
                classify(
                    Failure::from_object_store(&e),
                    self.target("put block list"),
                )
            })?;
        debug!(container = %self.container, key = %self.key, blocks = count, "Committed Azure block list.");
        Ok(())
    }

    async fn abort(self: Box<Self>) -> Result<()> {
        debug!(container = %self.container, key = %self.key, blocks = self.blocks.len(),
            "Abandoned Azure block upload; Azure discards its uncommitted blocks after seven days.");
        Ok(())
    }
}
