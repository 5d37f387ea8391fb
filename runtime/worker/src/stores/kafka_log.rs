//! A compacted internal topic read to the end and kept current in the background, with a
//! producer to write to it: Kafka Connect's `KafkaBasedLog`, shared by the three Kafka stores.
//!
//! - [`KafkaLog::start`] makes sure the topic exists and is compacted
//!   ([`Admin::ensure_internal_topic`], which refuses a non-compacted topic with an error telling
//!   the operator how to fix it), reads it to the end and hands every record to the store's
//!   [`LogSink`], then starts a background task that reads to the end again every
//!   `poll_interval`.
//! - [`KafkaLog::refresh`] reads to the end now: when it returns, every record acknowledged before
//!   it was called has been applied.
//! - [`KafkaLog::send`] writes one record and returns once the broker acknowledged it.
//!
//! Records are applied in offset order per partition, each exactly once: the log remembers the
//! next offset to apply per partition and skips anything below it. After a failed read the log
//! opens a fresh reader from the beginning (the old one may be broken), and the skip rule
//! discards what was already applied. ([`TopicReader::read_to_end`] itself never loses records
//! across a failed call; the skip rule is what makes starting over from the beginning safe.)

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::lock;
use crate::kafka::{
    Admin, Delivered, InternalTopic, ProduceRecord, Producer, Properties, Record, TopicReader,
};
use crate::{Error, Result};

/// Producer settings of Kafka Connect for its internal topics: no idempotence (the records are
/// keyed last-value-wins, a duplicate is harmless) and `acks=all` (a write returns only once every
/// in-sync replica has it).
pub const INTERNAL_PRODUCER_OVERRIDES: &[(&str, &str)] =
    &[("enable.idempotence", "false"), ("acks", "all")];

/// Where a Kafka store keeps its records and how it reads them.
#[derive(Debug, Clone)]
pub struct KafkaStoreSettings {
    /// Worker properties (`bootstrap.servers`, security, `producer.*`, `consumer.*`, `admin.*`).
    pub worker: Properties,
    /// The topic, with the partitions and replication factor to create it with.
    pub topic: InternalTopic,
    /// Bound on creating/checking the topic, on reading it to the end at start, and on the
    /// read-back after a config write (Kafka Connect's 30 s `READ_WRITE_TOTAL_TIMEOUT_MS`).
    pub read_timeout: Duration,
    /// Pause between two background reads to the end.
    pub poll_interval: Duration,
}

impl KafkaStoreSettings {
    /// Settings for `topic` with a 30 s read timeout and a 500 ms background poll.
    pub fn new(worker: Properties, topic: InternalTopic) -> Self {
        KafkaStoreSettings {
            worker,
            topic,
            read_timeout: Duration::from_secs(30),
            poll_interval: Duration::from_millis(500),
        }
    }

    /// The config store's settings from `config.storage.topic` and
    /// `config.storage.replication.factor` (default 3, `-1` = broker default).
    pub fn config_from_worker(worker: &Properties) -> Result<Self> {
        let name = required(worker, "config.storage.topic")?;
        let rf = int(worker, "config.storage.replication.factor", 3)?;
        Ok(Self::new(
            worker.clone(),
            InternalTopic::config_topic(name, rf),
        ))
    }

    /// The offset store's settings from `offset.storage.topic`, `offset.storage.partitions`
    /// (default 25) and `offset.storage.replication.factor` (default 3).
    pub fn offsets_from_worker(worker: &Properties) -> Result<Self> {
        let name = required(worker, "offset.storage.topic")?;
        let partitions = int(worker, "offset.storage.partitions", 25)?;
        let rf = int(worker, "offset.storage.replication.factor", 3)?;
        Ok(Self::new(
            worker.clone(),
            InternalTopic::offsets_topic(name, partitions, rf),
        ))
    }

    /// The status store's settings from `status.storage.topic`, `status.storage.partitions`
    /// (default 5) and `status.storage.replication.factor` (default 3).
    pub fn status_from_worker(worker: &Properties) -> Result<Self> {
        let name = required(worker, "status.storage.topic")?;
        let partitions = int(worker, "status.storage.partitions", 5)?;
        let rf = int(worker, "status.storage.replication.factor", 3)?;
        Ok(Self::new(
            worker.clone(),
            InternalTopic::status_topic(name, partitions, rf),
        ))
    }
}

fn required(worker: &Properties, key: &str) -> Result<String> {
    match worker.get(key).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(Error::Config {
            key: key.into(),
            message: "missing; distributed workers need a topic name for it (the same on every \
                      worker of the cluster)"
                .into(),
        }),
    }
}

fn int(worker: &Properties, key: &str, default: i32) -> Result<i32> {
    match worker.get(key) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<i32>() {
            Ok(n) if n > 0 || n == -1 => Ok(n),
            _ => Err(Error::Config {
                key: key.into(),
                message: format!("'{v}' is not a positive integer or -1 (the broker's default)"),
            }),
        },
    }
}

/// What a store does with each record of its topic.
pub(crate) trait LogSink: Send + 'static {
    /// Applies one record (called in offset order per partition, once per record).
    fn apply(&mut self, record: &Record);
}

/// The reader side, behind one async lock so the background task and `refresh` take turns.
struct ReaderState {
    /// `None` after a failed read: the next read opens a fresh reader.
    reader: Option<TopicReader>,
    /// Partition → next offset to apply.
    applied: BTreeMap<i32, i64>,
    worker: Properties,
    topic: String,
}

impl ReaderState {
    /// Reads to the end and applies what is new, within `timeout`.
    async fn read<S: LogSink>(&mut self, sink: &Mutex<S>, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let mut reader = match self.reader.take() {
            Some(r) => r,
            None => open_reader(&self.worker, &self.topic, deadline).await?,
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        // On error the reader is dropped: a fresh one starts over and the skip rule dedups.
        let records = reader.read_to_end(remaining).await?;
        self.reader = Some(reader);
        let mut sink = lock(sink);
        for record in &records {
            let next = self.applied.entry(record.partition).or_insert(0);
            if record.offset >= *next {
                *next = record.offset + 1;
                sink.apply(record);
            }
        }
        Ok(())
    }
}

/// Opens a reader, retrying while the topic is not in the metadata yet (just created).
async fn open_reader(worker: &Properties, topic: &str, deadline: Instant) -> Result<TopicReader> {
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match TopicReader::open(worker, topic, &Properties::new(), remaining).await {
            Ok(r) => return Ok(r),
            Err(e @ (Error::Topic { .. } | Error::Kafka { .. }))
                if Instant::now() + Duration::from_millis(200) < deadline =>
            {
                tracing::debug!(topic, error = %e, "The topic is not readable yet; retrying.");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A topic read to the end and kept current (see the module doc).
pub(crate) struct KafkaLog<S> {
    topic: String,
    producer: Producer,
    sink: Arc<Mutex<S>>,
    reader: Arc<AsyncMutex<ReaderState>>,
    read_timeout: Duration,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl<S> fmt::Debug for KafkaLog<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaLog")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl<S: LogSink> KafkaLog<S> {
    /// Ensures the topic, reads it to the end into `sink`, starts the background reader.
    pub(crate) async fn start(settings: &KafkaStoreSettings, sink: Arc<Mutex<S>>) -> Result<Self> {
        let topic = settings.topic.name.clone();
        let admin = Admin::new(&settings.worker, &Properties::new(), settings.read_timeout)?;
        admin.ensure_internal_topic(&settings.topic).await?;
        let overrides: Properties = INTERNAL_PRODUCER_OVERRIDES
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let producer = Producer::new(&settings.worker, &overrides)?;
        let deadline = Instant::now() + settings.read_timeout;
        let mut state = ReaderState {
            reader: Some(open_reader(&settings.worker, &topic, deadline).await?),
            applied: BTreeMap::new(),
            worker: settings.worker.clone(),
            topic: topic.clone(),
        };
        state.read(&sink, settings.read_timeout).await?;
        tracing::info!(topic = %topic, "Read the internal topic to the end.");
        let reader = Arc::new(AsyncMutex::new(state));
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(poll(
            Arc::clone(&reader),
            Arc::clone(&sink),
            settings.poll_interval,
            settings.read_timeout,
            rx,
        ));
        Ok(KafkaLog {
            topic,
            producer,
            sink,
            reader,
            read_timeout: settings.read_timeout,
            shutdown,
            task: Some(task),
        })
    }

    /// The timeout for read-backs after writes.
    pub(crate) fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// Reads to the end now; every record acknowledged before the call is applied on return.
    pub(crate) async fn refresh(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let timed_out = || Error::Timeout {
            operation: format!("read topic '{}' to the end", self.topic),
            after: timeout,
        };
        let mut state = tokio::time::timeout_at(deadline, self.reader.lock())
            .await
            .map_err(|_| timed_out())?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        state.read(&self.sink, remaining).await
    }

    /// Writes one record (`value: None` is a tombstone) and waits for the acknowledgement.
    pub(crate) async fn send(&self, key: &[u8], value: Option<&[u8]>) -> Result<Delivered> {
        self.producer
            .send(ProduceRecord {
                topic: &self.topic,
                key: Some(key),
                value,
                ..Default::default()
            })
            .await
    }

    /// Stops the background reader (after its current read, if any).
    pub(crate) async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::warn!(topic = %self.topic, error = %e, "The background reader ended abnormally.");
        }
    }
}

async fn poll<S: LogSink>(
    reader: Arc<AsyncMutex<ReaderState>>,
    sink: Arc<Mutex<S>>,
    interval: Duration,
    timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            // A stop request, or the log was dropped.
            _ = shutdown.changed() => return,
            () = tokio::time::sleep(interval) => {}
        }
        let mut state = reader.lock().await;
        if let Err(e) = state.read(&sink, timeout).await {
            tracing::warn!(topic = %state.topic, error = %e, "Could not read the internal topic to the end; retrying.");
        }
    }
}
