//! The status store: the state of every connector and task (`RUNNING`, `FAILED` with its
//! trace, …) and the topics each connector used (KIP-558), as the status topic holds them
//! (spec/internals.md §4). The REST API's `/status` and `/topics` answers come from here.
//!
//! # Readers and writers
//! A reader applies every record in topic order, last value per key wins (Kafka Connect's
//! `KafkaStatusBackingStore.read`): a tombstone of a connector removes the connector's status
//! and its tasks' statuses; a tombstone of a task or topic removes that one.
//!
//! Order holds only within a partition, and a connector's and its tasks' keys are on different
//! partitions: a worker replaying the topic may meet a task's old `RUNNING` after the connector's
//! tombstone and show the task again (Java's reader too). So deleting a connector must also
//! write a tombstone per task, as Kafka Connect's herder does (the golden status topic shows
//! them); the connector's tombstone alone only clears the tasks for readers that already had them.
//!
//! The generation rule is a **writer's** rule (`putSafe`): a worker that stops an instance writes
//! `UNASSIGNED` with [`StatusStore::put_safe`], which does not write when the current status
//! was written by **another** worker in a **newer** generation — that worker owns the instance
//! now, and the stale `UNASSIGNED` would hide its `RUNNING`. The same worker, or an equal or
//! newer generation, may overwrite. (This is Java's `CacheEntry.canWriteSafely`; the golden
//! status topic shows a worker's own `UNASSIGNED` following its `RUNNING` of the same
//! generation and taking effect, so readers must not drop it.)
//!
//! A `put` returns once the record is durable (Kafka: acknowledged) and applied to
//! [`StatusStore::snapshot`].

use std::future::Future;
use std::time::Duration;

use sluice_protocol::{State, Status, StatusKey, TopicStatus};

use super::versioned::{Position, Versioned};
use crate::Result;

/// One write to the status store; a `None` status is a tombstone (deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusUpdate {
    /// A connector's status (`status-connector-<name>`).
    Connector {
        /// Connector name.
        connector: String,
        /// Its status; `None` (or a `DESTROYED` status) deletes it and its tasks' statuses.
        status: Option<Status>,
    },
    /// A task's status (`status-task-<name>-<n>`).
    Task {
        /// Connector name.
        connector: String,
        /// Task number.
        task: u32,
        /// Its status; `None` (or `DESTROYED`) deletes it.
        status: Option<Status>,
    },
    /// A topic a connector used (`status-topic-<topic>:connector-<name>`).
    Topic {
        /// Connector name.
        connector: String,
        /// The topic.
        topic: String,
        /// When it was first used; `None` forgets it (topic reset).
        status: Option<TopicStatus>,
    },
}

impl StatusUpdate {
    /// The record key.
    pub fn key(&self) -> StatusKey {
        match self {
            StatusUpdate::Connector { connector, .. } => StatusKey::Connector(connector.clone()),
            StatusUpdate::Task {
                connector, task, ..
            } => StatusKey::Task {
                connector: connector.clone(),
                task: *task,
            },
            StatusUpdate::Topic {
                connector, topic, ..
            } => StatusKey::Topic {
                topic: topic.clone(),
                connector: connector.clone(),
            },
        }
    }

    /// The record value, `None` for a tombstone. A `DESTROYED` status is written as a tombstone,
    /// as Kafka Connect does.
    pub fn encode_value(&self) -> Option<Vec<u8>> {
        match self {
            StatusUpdate::Connector { status, .. } | StatusUpdate::Task { status, .. } => status
                .as_ref()
                .filter(|s| s.state != State::Destroyed)
                .map(Status::encode),
            StatusUpdate::Topic { status, .. } => status.as_ref().map(TopicStatus::encode),
        }
    }

    /// Decodes a record; `None` (logged) for what Kafka Connect discards.
    pub(crate) fn decode(key: &str, value: Option<&[u8]>) -> Option<StatusUpdate> {
        let Some(parsed) = StatusKey::parse(key) else {
            tracing::warn!(key, "Discarding a status record with an invalid key.");
            return None;
        };
        let status = |bytes: &[u8]| match Status::decode(bytes) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(key, error = %e, "Discarding a status record that cannot be decoded.");
                None
            }
        };
        Some(match parsed {
            StatusKey::Connector(connector) => StatusUpdate::Connector {
                connector,
                status: match value {
                    Some(v) => Some(status(v)?),
                    None => None,
                },
            },
            StatusKey::Task { connector, task } => StatusUpdate::Task {
                connector,
                task,
                status: match value {
                    Some(v) => Some(status(v)?),
                    None => None,
                },
            },
            StatusKey::Topic { topic, connector } => StatusUpdate::Topic {
                connector,
                topic,
                status: match value {
                    Some(v) => match TopicStatus::decode(v) {
                        Ok(t) => Some(t),
                        Err(e) => {
                            tracing::warn!(key, error = %e, "Discarding a topic status record that cannot be decoded.");
                            return None;
                        }
                    },
                    None => None,
                },
            },
        })
    }
}

/// The statuses as a reader of the status topic sees them.
#[derive(Debug, Clone, Default)]
pub struct StatusSnapshot {
    connectors: Versioned<String, Status>,
    tasks: Versioned<(String, u32), Status>,
    topics: Versioned<(String, String), TopicStatus>,
}

impl StatusSnapshot {
    /// A connector's status.
    pub fn connector(&self, connector: &str) -> Option<&Status> {
        self.connectors.get(&connector.to_string())
    }

    /// A task's status.
    pub fn task(&self, connector: &str, task: u32) -> Option<&Status> {
        self.tasks.get(&(connector.to_string(), task))
    }

    /// A connector's task statuses, by task number.
    pub fn tasks(&self, connector: &str) -> Vec<(u32, &Status)> {
        let c = connector.to_string();
        self.tasks
            .range((c.clone(), 0)..=(c, u32::MAX))
            .map(|((_, t), s)| (*t, s))
            .collect()
    }

    /// The topics a connector used, by topic name.
    pub fn topics(&self, connector: &str) -> Vec<&TopicStatus> {
        self.topics
            .iter()
            .filter(|((c, _), _)| c == connector)
            .map(|(_, t)| t)
            .collect()
    }

    /// The connectors that have a status, sorted.
    pub fn connectors(&self) -> Vec<&str> {
        self.connectors.iter().map(|(c, _)| c.as_str()).collect()
    }

    /// Kafka Connect's `putSafe` check: may `update` overwrite the current status? Not when the
    /// current one was written by another worker in a newer generation (see the module doc).
    pub fn can_write_safely(&self, update: &StatusUpdate) -> bool {
        let (current, new) = match update {
            StatusUpdate::Connector {
                connector,
                status: Some(s),
            } => (self.connector(connector), s),
            StatusUpdate::Task {
                connector,
                task,
                status: Some(s),
            } => (self.task(connector, *task), s),
            _ => return true,
        };
        current.is_none_or(|c| c.worker_id == new.worker_id || c.generation <= new.generation)
    }

    /// Applies a record read at `position` (or written, unpositioned, to a memory store).
    pub(crate) fn apply(&mut self, update: StatusUpdate, position: Option<Position>) {
        let live = |s: Option<Status>| s.filter(|s| s.state != State::Destroyed);
        match update {
            StatusUpdate::Connector { connector, status } => {
                let status = live(status);
                let deleted = status.is_none();
                if self.connectors.apply(connector.clone(), status, position) && deleted {
                    let tasks: Vec<u32> = self.tasks(&connector).iter().map(|(t, _)| *t).collect();
                    for t in tasks {
                        self.tasks.clear(&(connector.clone(), t));
                    }
                }
            }
            StatusUpdate::Task {
                connector,
                task,
                status,
            } => {
                self.tasks.apply((connector, task), live(status), position);
            }
            StatusUpdate::Topic {
                connector,
                topic,
                status,
            } => {
                self.topics.apply((connector, topic), status, position);
            }
        }
    }
}

/// Connector, task and topic statuses (see the module doc).
pub trait StatusStore: Send + Sync {
    /// Makes the store usable: Kafka creates or checks the topic and reads it to the end.
    fn start(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// Stops background work; the store must not be used afterwards.
    fn stop(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// Writes a status; returns once it is durable and applied to the snapshot.
    fn put(&self, update: StatusUpdate) -> impl Future<Output = Result<()>> + Send;

    /// Writes a status unless it would overwrite another worker's newer one
    /// ([`StatusSnapshot::can_write_safely`]); returns whether it wrote.
    fn put_safe(&self, update: StatusUpdate) -> impl Future<Output = Result<bool>> + Send {
        async move {
            if !self.snapshot().can_write_safely(&update) {
                tracing::debug!(key = %update.key(), "Not writing a status superseded by another worker's newer generation.");
                return Ok(false);
            }
            self.put(update).await?;
            Ok(true)
        }
    }

    /// Applies everything written before the call (Kafka: reads to the end) within `timeout`.
    fn refresh(&self, timeout: Duration) -> impl Future<Output = Result<()>> + Send;

    /// A copy of the current statuses.
    fn snapshot(&self) -> StatusSnapshot;
}
