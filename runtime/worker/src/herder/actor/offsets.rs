//! Connector offsets (KIP-875) on the actor.
//!
//! - Source connectors: read from the offset store, the same table the tasks resume from.
//!   Altering and resetting need the connector STOPPED (no task can write concurrently, the
//!   actor serialises the rest); the connector's `alter_offsets` is asked first on a fresh
//!   instance, as Kafka Connect does, then the writes go to the store in one durable batch.
//! - Sink connectors: read as the consumer group's committed offsets
//!   (`connect-<connector>` unless overridden), for `topics` lists. `PATCH` commits the given
//!   offsets for the group (the connector is STOPPED, so the group has no member and the
//!   commit is a plain group offset commit); `DELETE` deletes the group and so every committed
//!   offset, as Kafka Connect's reset does. Resetting single partitions (a `null` offset in a
//!   `PATCH`) needs the OffsetDelete API and is refused with a 400 saying to reset them all.

use std::time::Duration;

use serde_json::{Map, json};
use sluice_protocol::TargetState;
use sluice_rest::{ConnectorOffset, ConnectorOffsets, Error as RestError, Message};

use super::{Actor, internal};
use crate::herder::plugins::PluginConstructor;
use crate::kafka::{Admin, GroupConsumer, Properties};
use crate::stores::{OffsetStore, OffsetWrite, SourceOffset, SourcePartition};
use crate::task::sink::{SinkTaskConfig, TopicSelection};

/// How long reading a sink connector's committed offsets may take.
const SINK_OFFSETS_TIMEOUT: Duration = Duration::from_secs(30);

const ALTERED: &str = "The Connect framework-managed offsets for this connector have been altered \
     successfully. However, if this connector manages offsets externally, they will need to be \
     manually altered in the system that the connector uses.";
const RESET: &str = "The Connect framework-managed offsets for this connector have been reset \
     successfully. However, if this connector manages offsets externally, they will need to be \
     manually reset in the system that the connector uses.";

impl Actor {
    /// `GET /connectors/{c}/offsets`.
    pub(crate) async fn offsets(&mut self, name: String) -> Result<ConnectorOffsets, RestError> {
        let stored = self
            .stored(&name)
            .ok_or_else(|| RestError::connector_not_found(&name))?;
        // A connector whose plugin this worker lacks (written by another worker) can only
        // have offsets in the offset store.
        let sink = self
            .plugin_of(&name)
            .is_ok_and(|p| matches!(p.constructor, PluginConstructor::Sink(_)));
        if sink {
            return self.sink_offsets(&stored.config).await;
        }
        let mut offsets = Vec::new();
        for partition in self.offsets.partitions(&name).await.map_err(internal)? {
            if let Some(offset) = self
                .offsets
                .get(&name, &partition)
                .await
                .map_err(internal)?
            {
                offsets.push(ConnectorOffset {
                    partition,
                    offset: Some(offset),
                });
            }
        }
        Ok(ConnectorOffsets { offsets })
    }

    async fn sink_offsets(
        &self,
        config: &[(String, Option<String>)],
    ) -> Result<ConnectorOffsets, RestError> {
        let worker = &self.config.worker;
        let parsed = SinkTaskConfig::parse(&config.to_vec(), worker).map_err(internal)?;
        let TopicSelection::List(topics) = &parsed.topics else {
            return Err(RestError::BadRequest(
                "Reading the offsets of a sink connector that uses topics.regex is not \
                 supported by Sluice yet; list its topics in 'topics'"
                    .into(),
            ));
        };
        let admin =
            Admin::new(worker, &Properties::new(), SINK_OFFSETS_TIMEOUT).map_err(internal)?;
        let consumer =
            GroupConsumer::new(worker, &parsed.group_id, &Properties::new()).map_err(internal)?;
        let mut offsets = Vec::new();
        for topic in topics {
            let count = admin.partition_count(topic).await.map_err(internal)?;
            let partitions: Vec<i32> = (0..count).collect();
            let committed = consumer
                .committed(topic, &partitions, SINK_OFFSETS_TIMEOUT)
                .await
                .map_err(internal)?;
            for (partition, offset) in committed {
                let Some(offset) = offset else { continue };
                let mut p = Map::new();
                p.insert("kafka_topic".into(), json!(topic));
                p.insert("kafka_partition".into(), json!(partition));
                let mut o = Map::new();
                o.insert("kafka_offset".into(), json!(offset));
                offsets.push(ConnectorOffset {
                    partition: p,
                    offset: Some(o),
                });
            }
        }
        Ok(ConnectorOffsets { offsets })
    }

    /// `PATCH /connectors/{c}/offsets` (`Some`) and `DELETE /connectors/{c}/offsets` (`None`).
    pub(crate) async fn alter_offsets(
        &mut self,
        name: String,
        offsets: Option<ConnectorOffsets>,
    ) -> Result<Message, RestError> {
        let stored = self
            .stored(&name)
            .ok_or_else(|| RestError::connector_not_found(&name))?;
        if stored.target_state != TargetState::Stopped {
            return Err(RestError::offsets_need_stopped(&name));
        }
        let plugin = self.plugin_of(&name).map_err(|reason| {
            RestError::BadRequest(format!(
                "The offsets of connector {name} cannot be changed by this worker: {reason}"
            ))
        })?;
        let PluginConstructor::Source(make) = plugin.constructor else {
            return self
                .alter_sink_offsets(&name, &stored.config, offsets)
                .await;
        };
        let reset = offsets.is_none();
        let changes: Vec<(SourcePartition, Option<SourceOffset>)> = match offsets {
            Some(o) => o
                .offsets
                .into_iter()
                .map(|o| (o.partition, o.offset))
                .collect(),
            None => self
                .offsets
                .partitions(&name)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|p| (p, None))
                .collect(),
        };
        match make().alter_offsets(&stored.config, &changes) {
            Ok(_) => {}
            Err(e) => {
                return Err(RestError::BadRequest(format!(
                    "The connector refused the offsets: {}",
                    e.report()
                )));
            }
        }
        let writes: Vec<OffsetWrite> = changes
            .into_iter()
            .map(|(partition, offset)| OffsetWrite {
                connector: name.clone(),
                partition,
                offset,
            })
            .collect();
        if !writes.is_empty() {
            self.offsets.set(writes).await.map_err(internal)?;
        }
        tracing::info!(connector = %name, reset, "Connector offsets changed.");
        Ok(Message {
            message: if reset { RESET } else { ALTERED }.to_string(),
        })
    }

    /// `PATCH`/`DELETE` of a stopped sink connector's consumer group offsets.
    async fn alter_sink_offsets(
        &self,
        name: &str,
        config: &[(String, Option<String>)],
        offsets: Option<ConnectorOffsets>,
    ) -> Result<Message, RestError> {
        let worker = &self.config.worker;
        let parsed = SinkTaskConfig::parse(&config.to_vec(), worker).map_err(internal)?;
        let group = parsed.group_id.clone();
        let Some(offsets) = offsets else {
            let admin =
                Admin::new(worker, &Properties::new(), SINK_OFFSETS_TIMEOUT).map_err(internal)?;
            admin.delete_group(&group).await.map_err(internal)?;
            tracing::info!(connector = %name, %group, "Sink connector offsets reset (consumer group deleted).");
            return Ok(Message {
                message: RESET.to_string(),
            });
        };
        let mut commits = Vec::new();
        for o in offsets.offsets {
            let topic = o.partition.get("kafka_topic").and_then(|t| t.as_str());
            let partition = o.partition.get("kafka_partition").and_then(|p| p.as_i64());
            let (Some(topic), Some(partition)) = (topic, partition) else {
                return Err(RestError::BadRequest(format!(
                    "A sink connector's partition must be {{\"kafka_topic\": <string>, \"kafka_partition\": <integer>}}; got {}",
                    serde_json::Value::Object(o.partition.clone())
                )));
            };
            let partition = i32::try_from(partition)
                .ok()
                .filter(|p| *p >= 0)
                .ok_or_else(|| {
                    RestError::BadRequest(
                        "Kafka partitions must be valid numbers and may not be negative".into(),
                    )
                })?;
            let Some(offset) = o.offset else {
                return Err(RestError::BadRequest(format!(
                    "Resetting the offset of a single partition ({topic}-{partition}) of a sink \
                     connector is not supported by Sluice yet; reset all of them with DELETE \
                     /connectors/{name}/offsets"
                )));
            };
            let value = offset
                .get("kafka_offset")
                .and_then(|v| v.as_i64())
                .filter(|v| *v >= 0);
            let Some(value) = value else {
                return Err(RestError::BadRequest(
                    "Kafka offsets must be valid numbers and may not be negative".into(),
                ));
            };
            commits.push(crate::kafka::PartitionOffset {
                topic: topic.to_string(),
                partition,
                offset: value,
            });
        }
        if !commits.is_empty() {
            let consumer =
                GroupConsumer::new(worker, &group, &Properties::new()).map_err(internal)?;
            consumer.commit(&commits).await.map_err(internal)?;
        }
        tracing::info!(connector = %name, %group, partitions = commits.len(), "Sink connector offsets altered.");
        Ok(Message {
            message: ALTERED.to_string(),
        })
    }
}
