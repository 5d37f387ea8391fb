//! [`S3MultipartUpload`]: one S3 multipart upload, part by part.
//!
//! Parts are numbered 1, 2, 3, … in the order [`MultipartUpload::put_part`] is called; each
//! part's ETag and CRC32 are kept, and CompleteMultipartUpload lists them in that order, so the
//! object is exactly the concatenation of the parts as handed in. Nothing is visible to readers
//! until completion.
//!
//! Failure handling:
//! - a failed part leaves the upload open; the caller may retry the part (the next call reuses
//!   the same part number, which S3 simply overwrites) or abort;
//! - a failed completion aborts the upload best-effort before returning the error: the trait
//!   consumes the upload, so no one could complete or abort it later, and its parts would
//!   otherwise be billed until a lifecycle rule removes them. If the completion did succeed and
//!   only its answer was lost, the abort fails with NoSuchUpload and the object stays;
//! - an upload dropped without `complete` or `abort` logs a warning (its parts stay until a
//!   lifecycle rule with `AbortIncompleteMultipartUpload` removes them).
//!
//! A completion without any part writes an empty object with PutObject, since S3 refuses to
//! complete an upload that has no parts.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use sluice_files::{Error, MultipartUpload, Result};
use tracing::{debug, warn};

use crate::classify::{STORE, Target, classify};
use crate::store::{S3StoreConfig, put_settings};

/// S3 allows at most this many parts per upload.
const MAX_PARTS: i32 = 10_000;

/// A multipart upload in progress; created by [`crate::S3Store`]'s `start_upload`.
pub struct S3MultipartUpload {
    client: Client,
    /// The store's settings: bucket, SSE-C key (sent with every part), and for an upload
    /// completed without parts, the settings of the empty object put instead.
    config: Arc<S3StoreConfig>,
    key: String,
    upload_id: String,
    parts: Vec<CompletedPart>,
    finished: bool,
}

impl fmt::Debug for S3MultipartUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The SDK client (and its credentials provider) is left out.
        f.debug_struct("S3MultipartUpload")
            .field("bucket", &self.config.bucket)
            .field("key", &self.key)
            .field("upload_id", &self.upload_id)
            .field("parts", &self.parts.len())
            .finish_non_exhaustive()
    }
}

impl S3MultipartUpload {
    pub(crate) fn new(
        client: Client,
        config: Arc<S3StoreConfig>,
        key: String,
        upload_id: String,
    ) -> Self {
        S3MultipartUpload {
            client,
            config,
            key,
            upload_id,
            parts: Vec::new(),
            finished: false,
        }
    }

    /// The upload id S3 assigned.
    pub fn upload_id(&self) -> &str {
        &self.upload_id
    }

    fn target(&self, operation: &'static str) -> Target<'_> {
        Target {
            operation,
            bucket: &self.config.bucket,
            key: &self.key,
        }
    }

    async fn abort_request(&self) -> Result<()> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.config.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .send()
            .await
            .map_err(|e| classify(e, self.target("abort multipart upload")))?;
        Ok(())
    }

    async fn complete_request(&self) -> Result<()> {
        if self.parts.is_empty() {
            self.abort_request().await?;
            let request = self
                .client
                .put_object()
                .bucket(&self.config.bucket)
                .key(&self.key)
                .body(ByteStream::from(Bytes::new()));
            put_settings(&self.config, request)
                .send()
                .await
                .map_err(|e| classify(e, self.target("put")))?;
            return Ok(());
        }
        self.client
            .complete_multipart_upload()
            .bucket(&self.config.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            // Needed because the parts carry checksums (S3's rule for SSE-C objects).
            .set_sse_customer_algorithm(self.config.sse_customer_algorithm())
            .set_sse_customer_key(self.config.sse_customer_key())
            .set_sse_customer_key_md5(self.config.sse_customer_key_md5())
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(self.parts.clone()))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| classify(e, self.target("complete multipart upload")))?;
        Ok(())
    }
}

#[async_trait]
impl MultipartUpload for S3MultipartUpload {
    async fn put_part(&mut self, data: Bytes) -> Result<()> {
        let part_number = i32::try_from(self.parts.len() + 1).unwrap_or(i32::MAX);
        if part_number > MAX_PARTS {
            return Err(Error::Store {
                store: STORE,
                operation: "upload part",
                key: self.key.clone(),
                message: format!(
                    "S3 allows at most {MAX_PARTS} parts per upload: use larger parts \
                     (s3.part.size) or smaller files"
                ),
                retriable: false,
            });
        }
        let len = data.len();
        let request = self
            .client
            .upload_part()
            .bucket(&self.config.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .part_number(part_number)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .set_sse_customer_algorithm(self.config.sse_customer_algorithm())
            .set_sse_customer_key(self.config.sse_customer_key())
            .set_sse_customer_key_md5(self.config.sse_customer_key_md5())
            .body(ByteStream::from(data))
            .customize();
        let request = if self.config.signs_payload() {
            request
        } else {
            request.disable_payload_signing()
        };
        let output = request
            .send()
            .await
            .map_err(|e| classify(e, self.target("upload part")))?;
        self.parts.push(
            CompletedPart::builder()
                .part_number(part_number)
                .set_e_tag(output.e_tag().map(str::to_owned))
                .set_checksum_crc32(output.checksum_crc32().map(str::to_owned))
                .build(),
        );
        debug!(bucket = %self.config.bucket, key = %self.key, part_number, bytes = len, "Uploaded S3 part.");
        Ok(())
    }

    async fn complete(mut self: Box<Self>) -> Result<()> {
        self.finished = true;
        match self.complete_request().await {
            Ok(()) => {
                debug!(bucket = %self.config.bucket, key = %self.key, parts = self.parts.len(), "Completed S3 multipart upload.");
                Ok(())
            }
            // An upload without parts was already aborted by `complete_request`.
            Err(e) if self.parts.is_empty() => Err(e),
            Err(e) => {
                if let Err(abort) = self.abort_request().await {
                    warn!(bucket = %self.config.bucket, key = %self.key, upload_id = %self.upload_id, error = %abort,
                        "Could not abort the S3 multipart upload after its completion failed; its parts stay until a lifecycle rule removes them.");
                }
                Err(e)
            }
        }
    }

    async fn abort(mut self: Box<Self>) -> Result<()> {
        self.finished = true;
        self.abort_request().await?;
        debug!(bucket = %self.config.bucket, key = %self.key, "Aborted S3 multipart upload.");
        Ok(())
    }
}

impl Drop for S3MultipartUpload {
    fn drop(&mut self) {
        if !self.finished {
            warn!(bucket = %self.config.bucket, key = %self.key, upload_id = %self.upload_id,
                "An S3 multipart upload was dropped without being completed or aborted; its parts stay until a lifecycle rule removes them.");
        }
    }
}
