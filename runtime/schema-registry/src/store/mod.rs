//! The Kafka store: the schemas topic read into a [`State`], and the single writer that changes
//! it.
//!
//! # Reading
//! A consumer assigned to partition 0 from the beginning (no group, no commits). At start-up it
//! reads until librdkafka reports the partition's end (`PARTITION_EOF`: the fetch position
//! reached the high watermark of a Fetch response), so the state holds every record written
//! before the registry started. "The end" deliberately comes from the Fetch high watermark and
//! never from ListOffsets(latest), which some brokers (Tansu) answer wrongly.
//!
//! # Writing
//! One task owns the producer, the consumer and all writes ([`Store::mutate`] sends it a
//! message). For each change it plans the records against the current state
//! ([`crate::plan`]), produces them (acks=all), then keeps consuming until the last one's
//! offset is applied, and only then answers. So:
//! - a reply never runs ahead of the topic: what a client was told is what a restarted registry
//!   will rebuild;
//! - changes are serialized: concurrent registrations of one new schema get one id (the second
//!   plan sees the first one's version).
//!
//! Between writes the task keeps applying what it reads, so records other processes write show
//! up too. The registry assumes it is the only writer of the topic (Confluent elects a leader
//! for that; Sluice serves one registry per topic).

mod topic;

use std::fmt;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use rdkafka::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, ConsumerContext, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::config::RegistryConfig;
use crate::plan::{self, Mutation, Outcome};
use crate::records;
use crate::state::State;
use crate::{Error, Result};

/// The base client configuration: the cluster, then the caller's properties.
pub(crate) fn client_config(config: &RegistryConfig) -> ClientConfig {
    let mut cc = ClientConfig::new();
    cc.set("bootstrap.servers", &config.bootstrap_servers);
    for (k, v) in &config.client_properties {
        cc.set(k, v);
    }
    cc
}

fn millis(d: Duration) -> String {
    d.as_millis().max(1).to_string()
}

struct Command {
    mutation: Mutation,
    reply: oneshot::Sender<Result<Outcome>>,
}

/// A handle on the store task.
pub(crate) struct Store {
    state: Arc<RwLock<State>>,
    commands: mpsc::Sender<Command>,
    stop: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Creates or checks the topic, reads it to the end and starts the writer task.
    pub(crate) async fn open(config: &RegistryConfig) -> Result<Store> {
        topic::ensure_topic(config).await?;
        let consumer = open_consumer(config)?;
        let producer = open_producer(config)?;
        let state = Arc::new(RwLock::new(State::default()));
        let task = StoreTask {
            config: config.clone(),
            consumer,
            producer,
            state: Arc::clone(&state),
        };
        task.read_to_end(config.init_timeout).await?;
        {
            let s = task.read();
            tracing::info!(
                topic = %config.topic, subjects = s.subjects.len(), schemas = s.schemas.len(), next_offset = s.next_offset,
                "Read the schemas topic to the end."
            );
        }
        let (commands, rx) = mpsc::channel(256);
        let (stop, stop_rx) = oneshot::channel();
        let handle = tokio::spawn(task.run(rx, stop_rx));
        Ok(Store {
            state,
            commands,
            stop: Mutex::new(Some(stop)),
            task: Mutex::new(Some(handle)),
        })
    }

    /// The current state, for reads. Never hold it across an `.await`.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Applies `mutation` through the topic and answers once it is read back.
    pub(crate) async fn mutate(&self, mutation: Mutation) -> Result<Outcome> {
        let (reply, rx) = oneshot::channel();
        self.commands
            .send(Command { mutation, reply })
            .await
            .map_err(|_| Error::StoreStopped)?;
        rx.await.map_err(|_| Error::StoreStopped)?
    }

    /// Stops the writer task (pending changes are answered first).
    pub(crate) async fn close(&self) {
        let stop = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// The store consumer's client context. End-of-partition is how the store knows it has read
/// everything, not a failure; librdkafka also hands EOF events to the error callback when they
/// arrive while the stream is not polled, and the default context logs each one at ERROR (at
/// every start of a worker serving the registry). Those are logged at TRACE here; every other
/// error as before. (The worker's topic reader does the same for its own consumers; this crate
/// does not depend on the worker.)
struct StoreContext;

impl ClientContext for StoreContext {
    fn error(&self, error: KafkaError, reason: &str) {
        match error {
            KafkaError::Global(RDKafkaErrorCode::PartitionEOF) | KafkaError::PartitionEOF(_) => {
                tracing::trace!(%reason, "librdkafka reported an end of partition.");
            }
            error => tracing::error!("librdkafka: {error}: {reason}"),
        }
    }
}

impl ConsumerContext for StoreContext {}

fn open_consumer(config: &RegistryConfig) -> Result<StreamConsumer<StoreContext>> {
    let mut cc = client_config(config);
    // librdkafka refuses assign() without a group id; the group is never joined nor committed.
    cc.set_if_absent("group.id", "sluice-schema-registry");
    cc.set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "true")
        .set("auto.offset.reset", "earliest")
        // Writes wait for their record to come back: keep fetch waits short.
        .set_if_absent("fetch.wait.max.ms", "20");
    let consumer: StreamConsumer<StoreContext> =
        cc.create_with_context(StoreContext)
            .map_err(|source| Error::ClientConfig {
                client: "consumer",
                source,
            })?;
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&config.topic, 0, Offset::Beginning)
        .map_err(|e| Error::store(format!("assign topic '{}'", config.topic), e))?;
    consumer
        .assign(&tpl)
        .map_err(|e| Error::store(format!("assign topic '{}'", config.topic), e))?;
    Ok(consumer)
}

fn open_producer(config: &RegistryConfig) -> Result<FutureProducer> {
    let mut cc = client_config(config);
    cc.set("acks", "all")
        .set("enable.idempotence", "true")
        .set_if_absent("linger.ms", "0");
    cc.set_if_absent("message.timeout.ms", millis(config.store_timeout));
    cc.create().map_err(|source| Error::ClientConfig {
        client: "producer",
        source,
    })
}

trait SetIfAbsent {
    fn set_if_absent(&mut self, key: &str, value: impl Into<String>) -> &mut Self;
}

impl SetIfAbsent for ClientConfig {
    fn set_if_absent(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        if self.get(key).is_none() {
            self.set(key, value);
        }
        self
    }
}

struct StoreTask {
    config: RegistryConfig,
    consumer: StreamConsumer<StoreContext>,
    producer: FutureProducer,
    state: Arc<RwLock<State>>,
}

impl StoreTask {
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn run(self, mut commands: mpsc::Receiver<Command>, mut stop: oneshot::Receiver<()>) {
        loop {
            tokio::select! {
                biased;
                _ = &mut stop => break,
                command = commands.recv() => match command {
                    Some(Command { mutation, reply }) => {
                        let result = self.mutate(mutation).await;
                        let _ = reply.send(result);
                    }
                    None => break,
                },
                message = self.consumer.recv() => {
                    let message = message.map(|m| detach(&m));
                    self.on_message(message);
                }
            }
        }
        tracing::debug!(topic = %self.config.topic, "The schema registry's store task stopped.");
    }

    async fn mutate(&self, mutation: Mutation) -> Result<Outcome> {
        let plan = plan::plan(&self.read(), self.config.default_compatibility, &mutation)?;
        if plan.writes.is_empty() {
            return Ok(plan.outcome);
        }
        // Records are produced one after the other (one partition, idempotent producer: they
        // land in this order); the answer waits for the last one to be read back.
        let mut last_offset = 0;
        for write in &plan.writes {
            last_offset = self.produce(&write.key, write.value.as_deref()).await?;
        }
        tracing::debug!(
            records = plan.writes.len(),
            last_offset,
            "Wrote a change to the schemas topic."
        );
        self.catch_up(last_offset).await?;
        plan::confirm(&self.read(), &mutation, &plan.outcome)?;
        Ok(plan.outcome)
    }

    async fn produce(&self, key: &[u8], value: Option<&[u8]>) -> Result<i64> {
        let mut record = FutureRecord::<[u8], [u8]>::to(&self.config.topic)
            .partition(0)
            .key(key);
        if let Some(value) = value {
            record = record.payload(value);
        }
        let timeout = self.config.store_timeout;
        let operation = || format!("write to the schemas topic '{}'", self.config.topic);
        match tokio::time::timeout(timeout, self.producer.send(record, timeout)).await {
            Err(_) => Err(Error::Timeout {
                operation: operation(),
                after: timeout,
            }),
            Ok(Err((KafkaError::MessageProduction(RDKafkaErrorCode::MessageTimedOut), _))) => {
                Err(Error::Timeout {
                    operation: operation(),
                    after: timeout,
                })
            }
            Ok(Err((e, _))) => Err(Error::store(operation(), e)),
            Ok(Ok(delivery)) => Ok(delivery.offset),
        }
    }

    /// Consumes until the record at `offset` is applied.
    async fn catch_up(&self, offset: i64) -> Result<()> {
        let deadline = Instant::now() + self.config.store_timeout;
        while self.read().next_offset <= offset {
            let message = tokio::time::timeout_at(deadline, self.consumer.recv())
                .await
                .map_err(|_| Error::Timeout {
                    operation: format!(
                        "read back offset {offset} of the schemas topic '{}'",
                        self.config.topic
                    ),
                    after: self.config.store_timeout,
                })?;
            let message = message.map(|m| detach(&m));
            self.on_message(message);
        }
        Ok(())
    }

    /// Reads until the end of the partition at the time of the call.
    async fn read_to_end(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let message = tokio::time::timeout_at(deadline, self.consumer.recv())
                .await
                .map_err(|_| Error::Timeout {
                    operation: format!("read the schemas topic '{}' to its end", self.config.topic),
                    after: timeout,
                })?;
            match message {
                Err(KafkaError::PartitionEOF(_)) => return Ok(()),
                other => {
                    let message = other.map(|m| detach(&m));
                    self.on_message(message);
                }
            }
        }
    }

    fn on_message(&self, message: Result<Detached, KafkaError>) {
        match message {
            Ok(m) => {
                let record = match records::decode(&m.key, m.value.as_deref()) {
                    Ok(record) => record,
                    Err(e) => {
                        tracing::warn!(topic = %self.config.topic, offset = m.offset, error = %e, "Skipped a record of the schemas topic that is not in the registry's format.");
                        records::Record::Ignored
                    }
                };
                let mut state = self
                    .state
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                state.apply(record, m.offset);
            }
            Err(KafkaError::PartitionEOF(_)) => {}
            Err(e) => {
                tracing::warn!(topic = %self.config.topic, error = %e, "Reading the schemas topic failed; retrying.")
            }
        }
    }
}

/// A message's key, value and offset, owned (the borrowed message cannot outlive `recv`'s
/// borrow of the consumer, which `on_message` needs mutably).
struct Detached {
    key: Vec<u8>,
    value: Option<Vec<u8>>,
    offset: i64,
}

fn detach(m: &BorrowedMessage<'_>) -> Detached {
    Detached {
        key: m.key().unwrap_or_default().to_vec(),
        value: m.payload().map(<[u8]>::to_vec),
        offset: m.offset(),
    }
}
