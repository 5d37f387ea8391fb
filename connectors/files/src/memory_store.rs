//! [`MemoryStore`]: an [`ObjectStore`] held in memory — the reference implementation of the
//! trait's semantics (objects appear only when a put or a multipart upload completes; listings
//! are in key order) for the commit protocol's own tests and for the sinks built on this core.
//!
//! It can simulate an outage ([`MemoryStore::set_down`]): every call then fails with a
//! retriable store error, as a store that does not answer would, so the retry and
//! back-pressure paths are exercised without a network.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};

use crate::store::{MultipartUpload, ObjectMeta, ObjectStore};
use crate::{Error, Result};

const STORE: &str = "memory";

#[derive(Debug, Default)]
struct Inner {
    objects: Mutex<BTreeMap<String, Bytes>>,
    tags: Mutex<BTreeMap<String, Vec<(String, String)>>>,
    down: AtomicBool,
    puts: AtomicUsize,
}

/// An in-memory bucket; clones share the same objects.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn objects(&self) -> MutexGuard<'_, BTreeMap<String, Bytes>> {
        // Every update is a single insert, so a poisoned map is still consistent.
        self.inner
            .objects
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every object, by key.
    pub fn snapshot(&self) -> BTreeMap<String, Bytes> {
        self.objects().clone()
    }

    /// The tags of object `key`, if it was tagged.
    pub fn tags(&self, key: &str) -> Option<Vec<(String, String)>> {
        self.inner
            .tags
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// Simulates an outage (`true`) or its end (`false`).
    pub fn set_down(&self, down: bool) {
        self.inner.down.store(down, Ordering::SeqCst);
    }

    /// How many objects were published (puts and completed multipart uploads).
    pub fn publish_count(&self) -> usize {
        self.inner.puts.load(Ordering::SeqCst)
    }

    fn check(&self, operation: &'static str, key: &str) -> Result<()> {
        if self.inner.down.load(Ordering::SeqCst) {
            return Err(Error::Store {
                store: STORE,
                operation,
                key: key.to_string(),
                message: "the store is down (simulated outage)".into(),
                retriable: true,
            });
        }
        Ok(())
    }

    fn publish(&self, key: &str, body: Bytes) {
        self.objects().insert(key.to_string(), body);
        self.inner.puts.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl ObjectStore for MemoryStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    async fn put(&self, key: &str, body: Bytes) -> Result<()> {
        self.check("put", key)?;
        self.publish(key, body);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Bytes> {
        self.check("get", key)?;
        self.objects()
            .get(key)
            .cloned()
            .ok_or_else(|| Error::NotFound {
                store: STORE,
                key: key.to_string(),
            })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        self.check("list", prefix)?;
        Ok(self
            .objects()
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| ObjectMeta {
                key: k.clone(),
                size: v.len() as u64,
            })
            .collect())
    }

    async fn tag(&self, key: &str, tags: &[(String, String)]) -> Result<()> {
        self.check("tag object", key)?;
        self.inner
            .tags
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_string(), tags.to_vec());
        Ok(())
    }

    async fn start_upload(&self, key: &str) -> Result<Box<dyn MultipartUpload>> {
        self.check("start multipart upload", key)?;
        Ok(Box::new(MemoryUpload {
            store: self.clone(),
            key: key.to_string(),
            data: BytesMut::new(),
        }))
    }
}

/// A multipart upload into a [`MemoryStore`].
#[derive(Debug)]
struct MemoryUpload {
    store: MemoryStore,
    key: String,
    data: BytesMut,
}

#[async_trait]
impl MultipartUpload for MemoryUpload {
    async fn put_part(&mut self, data: Bytes) -> Result<()> {
        self.store.check("upload part", &self.key)?;
        self.data.extend_from_slice(&data);
        Ok(())
    }

    async fn complete(self: Box<Self>) -> Result<()> {
        self.store.check("complete multipart upload", &self.key)?;
        self.store.publish(&self.key, self.data.freeze());
        Ok(())
    }

    async fn abort(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}
