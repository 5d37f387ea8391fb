//! Creating the topics a source task writes to (KIP-158, the `default` group only).
//!
//! When the connector sets `topic.creation.default.partitions` and
//! `topic.creation.default.replication.factor` (and the worker has `topic.creation.enable`,
//! the default), the first record for a topic the task has not written to yet makes it create
//! the topic with those settings and the other `topic.creation.default.*` entries as topic
//! configs; a topic that already exists is left as it is. Otherwise topics are left to the
//! broker's auto-creation (`auto.create.topics.enable`), as in Kafka Connect.
//!
//! Not supported yet: named groups (`topic.creation.groups`, with `include`/`exclude`
//! patterns); their keys are ignored with a warning by the settings.

use std::collections::HashSet;

use super::config::TopicCreation;
use crate::Result;
use crate::kafka::Admin;

/// Creates missing topics once per topic (see the module doc).
#[derive(Debug)]
pub(crate) struct TopicCreator {
    creation: Option<(TopicCreation, Admin)>,
    known: HashSet<String>,
}

impl TopicCreator {
    /// A creator that creates with `creation` through `admin`; `None` creates nothing.
    pub(crate) fn new(creation: Option<(TopicCreation, Admin)>) -> Self {
        TopicCreator {
            creation,
            known: HashSet::new(),
        }
    }

    /// Makes sure `topic` exists before the first record is sent to it.
    pub(crate) async fn ensure(&mut self, topic: &str) -> Result<()> {
        let Some((creation, admin)) = &self.creation else {
            return Ok(());
        };
        if self.known.contains(topic) {
            return Ok(());
        }
        let configs: Vec<(&str, &str)> = creation
            .configs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let created = admin
            .create_topic(
                topic,
                creation.partitions,
                creation.replication_factor,
                &configs,
            )
            .await?;
        if created {
            tracing::info!(
                topic,
                partitions = creation.partitions,
                replication_factor = creation.replication_factor,
                "Created the topic the task writes to."
            );
        }
        self.known.insert(topic.to_string());
        Ok(())
    }
}
