//! The object-store interface the file sinks write through.
//!
//! Kept to what the commit protocol needs: whole-object puts for small files, multipart uploads
//! for large ones (so a file never has to sit whole in memory), gets and listings to recover
//! after a restart. S3 and Azure Blob implement it in their own crates.

use std::fmt::Debug;

use async_trait::async_trait;
use bytes::Bytes;

use crate::Result;

/// One object found by [`ObjectStore::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The object's key (path) inside the bucket or container.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A bucket (S3) or container (Azure Blob) that sinks write objects into.
#[async_trait]
pub trait ObjectStore: Send + Sync + Debug {
    /// A short name of the store kind for messages ("S3", "Azure Blob").
    fn kind(&self) -> &'static str;

    /// Writes `body` as the whole object `key`, replacing any object of that name.
    async fn put(&self, key: &str, body: Bytes) -> Result<()>;

    /// Reads the whole object `key`.
    async fn get(&self, key: &str) -> Result<Bytes>;

    /// Lists every object whose key starts with `prefix`, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>>;

    /// Lists the objects whose key starts with `prefix` and sorts strictly after `start_after`
    /// (byte order), in key order. Stores that can start a listing at a key (S3's `StartAfter`)
    /// override this; the default lists the whole prefix and filters.
    async fn list_after(&self, prefix: &str, start_after: &str) -> Result<Vec<ObjectMeta>> {
        let mut all = self.list(prefix).await?;
        all.retain(|o| o.key.as_str() > start_after);
        Ok(all)
    }

    /// Starts a multipart upload of `key`; the object appears only when it is completed.
    async fn start_upload(&self, key: &str) -> Result<Box<dyn MultipartUpload>>;

    /// Sets the tags of the existing object `key` (`s3.object.tagging`), replacing any. Stores
    /// without object tags ignore them (the default); no such store offers the option.
    async fn tag(&self, key: &str, tags: &[(String, String)]) -> Result<()> {
        let _ = (key, tags);
        Ok(())
    }
}

/// An object being uploaded in parts; invisible to readers until [`MultipartUpload::complete`].
#[async_trait]
pub trait MultipartUpload: Send + Debug {
    /// Uploads the next part. Every part but the last must meet the store's minimum part size
    /// (5 MiB on S3).
    async fn put_part(&mut self, data: Bytes) -> Result<()>;

    /// Publishes the object made of the parts uploaded so far, in order.
    async fn complete(self: Box<Self>) -> Result<()>;

    /// Abandons the upload and frees the parts already stored.
    async fn abort(self: Box<Self>) -> Result<()>;
}
