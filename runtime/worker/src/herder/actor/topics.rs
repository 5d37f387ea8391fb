//! Active topic tracking (KIP-558) on the actor: the worker settings, recording
//! the topics task loops report as `TopicStatus` records of the status store
//! (`status-topic-<topic>:connector-<name>`, spec/internals.md §4), `GET /connectors/{c}/topics`
//! and `PUT /connectors/{c}/topics/reset`.
//!
//! # Once per topic per connector
//! Each loop reports a topic once (then again after a reset, see `task::active_topics`), and
//! [`Actor::record_topic`] writes it only when the status store has no record for that
//! connector and topic, so tasks of one connector sharing a topic write one record, with the
//! task and time of the first report. The actor handles events one at a time, so the check
//! and the write cannot interleave with another report or a reset.
//!
//! # Reset
//! The loops' trackers are reset first, then each recorded topic is tombstoned; a report the
//! actor handles afterwards records the topic again, which is how the set is rebuilt as tasks
//! keep using topics (Kafka Connect's behaviour). Kafka Connect answers an unknown connector
//! with an empty list and resets it with 202 (it only reads the status store), and so does
//! this herder.

use std::time::{SystemTime, UNIX_EPOCH};

use sluice_protocol::TopicStatus;
use sluice_rest::Error as RestError;

use super::{Actor, Event, internal};
use crate::kafka::Properties;
use crate::stores::{StatusStore, StatusUpdate};
use crate::task::TopicTracking;
use crate::{Error, Result};

/// `topic.tracking.enable`: whether tasks' topics are recorded and listed (default `true`).
pub(crate) const TOPIC_TRACKING_ENABLE: &str = "topic.tracking.enable";
/// `topic.tracking.allow.reset`: whether `PUT /connectors/{c}/topics/reset` is allowed
/// (default `true`).
pub(crate) const TOPIC_TRACKING_ALLOW_RESET: &str = "topic.tracking.allow.reset";

/// The worker's topic tracking settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TrackingConfig {
    /// `topic.tracking.enable`.
    pub(crate) enabled: bool,
    /// `topic.tracking.allow.reset`.
    pub(crate) allow_reset: bool,
}

impl TrackingConfig {
    /// Reads both settings from the worker properties; a value other than `true`/`false`
    /// (any case) is a configuration error naming the key.
    pub(crate) fn from_worker(worker: &Properties) -> Result<Self> {
        let flag = |key: &str| -> Result<bool> {
            match worker.get(key).map(|v| v.trim().to_ascii_lowercase()) {
                None => Ok(true),
                Some(v) if v == "true" => Ok(true),
                Some(v) if v == "false" => Ok(false),
                Some(v) => Err(Error::Config {
                    key: key.to_string(),
                    message: format!("'{v}' is not a boolean; use true or false"),
                }),
            }
        };
        Ok(TrackingConfig {
            enabled: flag(TOPIC_TRACKING_ENABLE)?,
            allow_reset: flag(TOPIC_TRACKING_ALLOW_RESET)?,
        })
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Actor {
    /// The tracking for a new loop of `connector`'s task `task`: reports become
    /// [`Event::Topic`]s; `None` when tracking is disabled.
    pub(crate) fn topic_tracking(&self, connector: &str, task: u32) -> Option<TopicTracking> {
        if !self.tracking.enabled {
            return None;
        }
        let events = self.events.clone();
        let connector = connector.to_string();
        Some(TopicTracking::new(move |topic| {
            // Fails only once the actor stopped, when nothing is recorded any more.
            let _ = events.send(Event::Topic {
                connector: connector.clone(),
                task,
                topic: topic.to_string(),
                discovered: now_ms(),
            });
        }))
    }

    /// Writes a reported topic unless the connector is gone or the topic already recorded.
    pub(crate) async fn record_topic(
        &self,
        connector: String,
        task: u32,
        topic: String,
        discovered: i64,
    ) {
        if !self.tracking.enabled || !self.running.contains_key(&connector) {
            return;
        }
        let known = self
            .statuses
            .snapshot()
            .topics(&connector)
            .iter()
            .any(|t| t.topic == topic);
        if known {
            return;
        }
        let status = TopicStatus {
            topic: topic.clone(),
            connector: connector.clone(),
            task: i32::try_from(task).unwrap_or(i32::MAX),
            discover_timestamp: discovered,
        };
        let update = StatusUpdate::Topic {
            connector: connector.clone(),
            topic: topic.clone(),
            status: Some(status),
        };
        match self.statuses.put(update).await {
            Ok(()) => tracing::debug!(connector, task, topic, "Recorded an active topic."),
            Err(e) => {
                tracing::warn!(connector, topic, error = %e, "Could not record the active topic.")
            }
        }
    }

    /// `GET /connectors/{c}/topics`: the recorded topics, sorted.
    pub(crate) fn active_topics(&self, connector: &str) -> Result<Vec<String>, RestError> {
        if !self.tracking.enabled {
            return Err(RestError::topic_tracking_disabled());
        }
        let mut topics: Vec<String> = self
            .statuses
            .snapshot()
            .topics(connector)
            .into_iter()
            .map(|t| t.topic.clone())
            .collect();
        topics.sort();
        topics.dedup();
        Ok(topics)
    }

    /// `PUT /connectors/{c}/topics/reset`: forgets the connector's topics (see the module doc).
    pub(crate) async fn reset_active_topics(&self, connector: String) -> Result<(), RestError> {
        if !self.tracking.enabled {
            return Err(RestError::topic_tracking_disabled());
        }
        if !self.tracking.allow_reset {
            return Err(RestError::topic_tracking_reset_disabled());
        }
        if let Some(r) = self.running.get(&connector) {
            for run in r.tasks.values() {
                if let Some(t) = &run.topics {
                    t.reset();
                }
            }
        }
        let topics = self.active_topics(&connector)?;
        for topic in topics {
            let tombstone = StatusUpdate::Topic {
                connector: connector.clone(),
                topic,
                status: None,
            };
            self.statuses.put(tombstone).await.map_err(internal)?;
        }
        tracing::info!(connector, "Active topics reset.");
        Ok(())
    }

    /// Tombstones every recorded topic of `connector` (it is being deleted).
    pub(crate) async fn remove_topic_statuses(&self, connector: &str) {
        let topics: Vec<String> = self
            .statuses
            .snapshot()
            .topics(connector)
            .into_iter()
            .map(|t| t.topic.clone())
            .collect();
        for topic in topics {
            let update = StatusUpdate::Topic {
                connector: connector.to_string(),
                topic: topic.clone(),
                status: None,
            };
            if let Err(e) = self.statuses.put(update).await {
                tracing::warn!(connector, topic, error = %e, "Could not remove the active topic.");
            }
        }
    }
}
