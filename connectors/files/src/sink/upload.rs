//! Uploads run in the background, so encoding the next records overlaps with the network:
//! [`Uploader::put`] publishes a whole file, [`Uploader::start_parts`] opens a multipart upload
//! that an open file feeds part by part ([`PartStream`]) and completes when it closes.
//!
//! Each upload is a spawned tokio task (in the caller's tracing span); at most
//! `sluice.upload.concurrency` requests run at once (a semaphore). A retriable store error
//! (timeouts, 5xx, throttling, a server that is down) is retried with exponential backoff
//! (`s3.retry.backoff.ms` doubling up to 30 s) for as long as it takes; a definite one (bad
//! credentials, missing bucket) ends the upload with that error, which the sink reports from
//! its next `put` so the task fails with it. Nothing is lost while retrying: the file's offsets
//! are not committed until its upload succeeds, and the bytes stay counted against the memory
//! budget, which pauses the task if the outage lasts.
//!
//! Bytes handed to an upload are counted in a shared in-flight counter until the request that
//! carries them finished (an [`InFlight`] guard, released on drop, so an aborted or failed
//! upload cannot leak budget).

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tracing::{Instrument, debug, warn};

use super::metrics::SinkStats;
use super::settings::{Tagging, UploadSettings};
use crate::store::ObjectStore;
use crate::{Error, Result};

/// Bytes handed to an upload and not yet stored; subtracted from the in-flight count on drop.
#[derive(Debug)]
struct InFlight {
    counter: Arc<AtomicUsize>,
    bytes: usize,
}

impl InFlight {
    fn new(counter: &Arc<AtomicUsize>, bytes: usize) -> Self {
        counter.fetch_add(bytes, Ordering::SeqCst);
        InFlight {
            counter: counter.clone(),
            bytes,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.counter.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

/// What an object holds, for its tags (`s3.object.tagging`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileSummary {
    /// The offset of its first record.
    pub(crate) start_offset: i64,
    /// The offset of its last record.
    pub(crate) end_offset: i64,
    /// How many records it holds.
    pub(crate) records: u64,
}

impl FileSummary {
    /// The tags Confluent's S3 sink puts on an object.
    pub(crate) fn tags(&self) -> Vec<(String, String)> {
        vec![
            ("startOffset".into(), self.start_offset.to_string()),
            ("endOffset".into(), self.end_offset.to_string()),
            ("recordCount".into(), self.records.to_string()),
        ]
    }
}

/// Starts uploads on the store; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Uploader {
    store: Arc<dyn ObjectStore>,
    permits: Arc<Semaphore>,
    in_flight: Arc<AtomicUsize>,
    settings: UploadSettings,
    stats: Arc<SinkStats>,
    last_error: Arc<Mutex<Option<String>>>,
}

impl Uploader {
    pub(crate) fn new(
        store: Arc<dyn ObjectStore>,
        settings: UploadSettings,
        stats: Arc<SinkStats>,
    ) -> Self {
        Uploader {
            store,
            permits: Arc::new(Semaphore::new(settings.concurrency)),
            in_flight: Arc::new(AtomicUsize::new(0)),
            settings,
            stats,
            last_error: Arc::default(),
        }
    }

    /// The store uploads go to.
    pub(crate) fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// Bytes handed to uploads and not yet stored.
    pub(crate) fn in_flight_bytes(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// The last retriable upload error, while uploads keep failing (cleared by a success).
    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn note_error(&self, error: Option<String>) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = error;
    }

    /// Publishes `body` as the whole object `key` in the background.
    pub(crate) fn put(&self, key: String, summary: FileSummary, body: Vec<u8>) -> Upload {
        let guard = InFlight::new(&self.in_flight, body.capacity());
        let body = Bytes::from(body);
        let this = self.clone();
        let task_key = key.clone();
        let handle = tokio::spawn(
            async move {
                let _guard = guard;
                let started = Instant::now();
                let len = body.len();
                let _permit = this.permits.acquire().await;
                this.retry("put", &task_key, || this.store.put(&task_key, body.clone()))
                    .await?;
                this.tag(&task_key, &summary).await?;
                this.stats.object_published(len, started.elapsed());
                debug!(key = %task_key, bytes = len, "Uploaded a file.");
                Ok(())
            }
            .in_current_span(),
        );
        Upload {
            key,
            start_offset: summary.start_offset,
            handle,
        }
    }

    /// Tags the published object `key` as `s3.object.tagging` asks: with
    /// `s3.object.behavior.on.tagging.error=ignore` one attempt whose failure is logged, with
    /// `fail` retried like an upload and definite failures returned.
    async fn tag(&self, key: &str, summary: &FileSummary) -> Result<()> {
        match self.settings.tagging {
            Tagging::Off => Ok(()),
            Tagging::IgnoreErrors => {
                if let Err(e) = self.store.tag(key, &summary.tags()).await {
                    warn!(key, error = %e, "Tagging the object failed; it stays untagged \
                        (s3.object.behavior.on.tagging.error=ignore).");
                }
                Ok(())
            }
            Tagging::FailOnError => {
                let tags = summary.tags();
                self.retry("tagging", key, || self.store.tag(key, &tags))
                    .await
            }
        }
    }

    /// Opens a multipart upload of `key`, fed by the returned stream.
    pub(crate) fn start_parts(&self, key: &str) -> PartStream {
        let (tx, rx) = mpsc::unbounded_channel();
        let this = self.clone();
        let task_key = key.to_string();
        let handle = tokio::spawn(this.run_parts(task_key, rx).in_current_span());
        PartStream {
            tx,
            handle,
            in_flight: self.in_flight.clone(),
        }
    }

    /// The multipart actor: starts the upload, stores each part in order (retrying each), and
    /// completes on [`PartMsg::Complete`]; a closed channel without it aborts the upload.
    async fn run_parts(self, key: String, mut rx: mpsc::UnboundedReceiver<PartMsg>) -> Result<()> {
        let started = Instant::now();
        let mut upload = match self
            .retry("start multipart upload", &key, || {
                self.store.start_upload(&key)
            })
            .await
        {
            Ok(u) => u,
            Err(e) => {
                rx.close();
                return Err(e);
            }
        };
        let mut total = 0usize;
        while let Some(msg) = rx.recv().await {
            let (part, _guard) = match msg {
                PartMsg::Part(part, guard) => (part, guard),
                PartMsg::Complete(summary) => {
                    self.complete(upload, &key).await?;
                    self.tag(&key, &summary).await?;
                    self.stats.object_published(total, started.elapsed());
                    debug!(key = %key, bytes = total, "Completed a multipart upload.");
                    return Ok(());
                }
            };
            let _permit = self.permits.acquire().await;
            let mut backoff = self.settings.initial_backoff;
            loop {
                match upload.put_part(part.clone()).await {
                    Ok(()) => {
                        self.note_error(None);
                        break;
                    }
                    Err(e) if e.is_retriable() => {
                        self.backoff("upload part", &key, &e, &mut backoff).await;
                    }
                    Err(e) => {
                        rx.close();
                        if let Err(abort) = upload.abort().await {
                            warn!(key = %key, error = %abort, "Could not abort a failed multipart upload.");
                        }
                        return Err(e);
                    }
                }
            }
            total += part.len();
        }
        // The sender was dropped without completing: the file was abandoned.
        if let Err(e) = upload.abort().await {
            warn!(key = %key, error = %e, "Could not abort an abandoned multipart upload; its parts stay until a lifecycle rule removes them.");
        }
        Ok(())
    }

    async fn complete(
        &self,
        upload: Box<dyn crate::store::MultipartUpload>,
        key: &str,
    ) -> Result<()> {
        // `complete` consumes the upload (and aborts it on failure), so it cannot be retried
        // as such; a failed completion is definite for this upload and the sink reports it.
        let _permit = self.permits.acquire().await;
        upload.complete().await.inspect_err(|e| {
            warn!(key, error = %e, "Completing a multipart upload failed.");
        })
    }

    async fn retry<T, F, Fut>(&self, what: &'static str, key: &str, mut op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut backoff = self.settings.initial_backoff;
        loop {
            match op().await {
                Ok(v) => {
                    self.note_error(None);
                    return Ok(v);
                }
                Err(e) if e.is_retriable() => self.backoff(what, key, &e, &mut backoff).await,
                Err(e) => return Err(e),
            }
        }
    }

    async fn backoff(&self, what: &str, key: &str, error: &Error, backoff: &mut Duration) {
        warn!(key, error = %error, retry_in = ?*backoff,
            "The {what} failed with a retriable error; retrying. The task's offsets stay \
             uncommitted until it succeeds.");
        self.note_error(Some(error.to_string()));
        self.stats.upload_retried();
        tokio::time::sleep(*backoff).await;
        *backoff = (*backoff * 2).min(self.settings.max_backoff);
    }
}

/// A message to the multipart actor.
#[derive(Debug)]
enum PartMsg {
    /// The next part, with its in-flight accounting.
    Part(Bytes, InFlight),
    /// No more parts: publish the object (which holds what the summary says).
    Complete(FileSummary),
}

/// The feeding end of a multipart upload.
#[derive(Debug)]
pub(crate) struct PartStream {
    tx: mpsc::UnboundedSender<PartMsg>,
    handle: JoinHandle<Result<()>>,
    in_flight: Arc<AtomicUsize>,
}

impl PartStream {
    /// Queues the next part (at least the store's minimum part size unless it is the last).
    pub(crate) fn send(&self, part: Vec<u8>) {
        let guard = InFlight::new(&self.in_flight, part.capacity());
        // A send fails only when the actor already ended with an error; the error surfaces
        // from the upload's handle when the file closes.
        let _ = self.tx.send(PartMsg::Part(Bytes::from(part), guard));
    }

    /// No more parts: the object is published once every part is stored.
    pub(crate) fn complete(self, key: String, summary: FileSummary) -> Upload {
        let _ = self.tx.send(PartMsg::Complete(summary));
        Upload {
            key,
            start_offset: summary.start_offset,
            handle: self.handle,
        }
    }

    /// Abandons the upload: the actor aborts it; nothing is published.
    pub(crate) fn abandon(self) {
        drop(self.tx);
    }
}

/// A closed file on its way to the store.
#[derive(Debug)]
pub(crate) struct Upload {
    /// The object key.
    pub(crate) key: String,
    /// The offset of the file's first record.
    pub(crate) start_offset: i64,
    handle: JoinHandle<Result<()>>,
}

impl Upload {
    /// Whether the upload ended (successfully or not).
    pub(crate) fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// Waits for the upload's outcome.
    pub(crate) async fn outcome(self) -> Result<()> {
        match self.handle.await {
            Ok(r) => r,
            Err(e) if e.is_cancelled() => Err(Error::Store {
                store: "sink",
                operation: "upload",
                key: self.key,
                message: "the upload was cancelled".into(),
                retriable: true,
            }),
            Err(e) => Err(Error::Store {
                store: "sink",
                operation: "upload",
                key: self.key,
                message: format!("the upload task panicked: {e}"),
                retriable: false,
            }),
        }
    }

    /// Cancels the upload (a request already sent may still complete on the server).
    pub(crate) fn abort(&self) {
        self.handle.abort();
    }
}
