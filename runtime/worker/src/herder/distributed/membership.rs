//! The group membership task: owns the [`GroupMember`] and keeps the worker in the group,
//! apart from the actor so that heartbeats go out every `heartbeat.interval.ms` even while the
//! actor is busy (stopping a task can take `offset.flush.timeout.ms`), as Kafka's heartbeat
//! thread does.
//!
//! ```text
//!  ┌► ask the actor for the metadata (eager: it stops all work first)
//!  │  JoinGroup(connect: sessioned|compatible|default) ── leader? ─► read config to the end,
//!  │                                                                assign (assignor.rs)
//!  │  SyncGroup ──► the actor applies the assignment
//!  │  heartbeat every heartbeat.interval.ms ── until: the coordinator asks to rejoin,
//!  └───────────────────────────────────────────────── the actor asks (work changed / revoked)
//!     stop ──► LeaveGroup (the group rebalances at once instead of after the session timeout)
//! ```
//!
//! A failed round (broker unreachable, an error code the member cannot retry itself) is logged
//! and retried after a pause; the actor keeps running what it owns meanwhile.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use sluice_protocol::{Assignment, WorkerMetadata};
use tokio::sync::{Notify, mpsc, oneshot, watch};

use super::assignor::{self, Member};
use super::cluster::{ClusterEvent, Generation, JoinInfo};
use super::config::{ConnectProtocol, DistributedSettings};
use crate::herder::actor::{Configs, Event};
use crate::kafka::{GroupMember, HeartbeatOutcome, ProtocolMetadata, SyncOutcome};
use crate::stores::ConfigStore;
use crate::{Error, Result};

/// Pause after a failed round before joining again.
const RETRY_PAUSE: Duration = Duration::from_secs(2);

/// What ended a generation.
enum Next {
    Rejoin,
    Stop,
}

/// The membership task's state (see the module doc).
pub(crate) struct Membership {
    pub(crate) member: GroupMember,
    pub(crate) settings: Arc<DistributedSettings>,
    /// This worker's advertised REST URL, sent in its metadata.
    pub(crate) url: String,
    pub(crate) configs: Arc<Configs>,
    pub(crate) events: mpsc::UnboundedSender<Event>,
    pub(crate) rejoin: Arc<Notify>,
    pub(crate) stop: watch::Receiver<bool>,
}

impl Membership {
    /// Runs until told to stop, then leaves the group.
    pub(crate) async fn run(mut self) {
        loop {
            if *self.stop.borrow() {
                break;
            }
            match self.generation().await {
                Ok(Next::Rejoin) => {}
                Ok(Next::Stop) => break,
                Err(e) => {
                    tracing::warn!(group = %self.settings.group.group_id, error = %e,
                        "Lost the worker group; joining again.");
                    tokio::select! {
                        () = tokio::time::sleep(RETRY_PAUSE) => {}
                        _ = self.stop.changed() => break,
                    }
                }
            }
        }
        if let Err(e) = self.member.leave().await {
            tracing::warn!(error = %e, "Could not leave the worker group; it rebalances after the session timeout instead.");
        }
    }

    /// Joins, syncs, hands the assignment to the actor and heartbeats until the generation ends.
    async fn generation(&mut self) -> Result<Next> {
        let Some(info) = self.prepare().await else {
            return Ok(Next::Stop);
        };
        let protocols = self.offered(&info);
        let joined = tokio::select! {
            joined = self.member.join(&protocols) => joined?,
            _ = self.stop.changed() => return Ok(Next::Stop),
        };
        let version =
            ConnectProtocol::version_of(&joined.protocol).ok_or_else(|| Error::Protocol {
                operation: "JoinGroup".into(),
                broker: String::new(),
                message: format!(
                    "the coordinator chose unknown protocol '{}'",
                    joined.protocol
                ),
            })?;
        let assignments = if joined.is_leader() {
            self.assign(&joined.leader_id, &joined.members, version)
                .await?
        } else {
            Vec::new()
        };
        let synced = tokio::select! {
            synced = self.member.sync(&assignments) => synced?,
            _ = self.stop.changed() => return Ok(Next::Stop),
        };
        let bytes = match synced {
            SyncOutcome::Assigned(bytes) => bytes,
            SyncOutcome::Rejoin(_) => return Ok(Next::Rejoin),
        };
        let assignment = Assignment::decode(&bytes).map_err(|e| Error::Protocol {
            operation: "SyncGroup".into(),
            broker: String::new(),
            message: format!("the leader's assignment cannot be read: {e}"),
        })?;
        let generation = Generation {
            id: joined.generation_id,
            leader: joined.is_leader(),
            members: joined.members.len(),
            version,
            assignment,
        };
        if self
            .events
            .send(Event::Cluster(ClusterEvent::Assigned(generation)))
            .is_err()
        {
            return Ok(Next::Stop);
        }
        let interval = self.settings.group.heartbeat_interval;
        loop {
            tokio::select! {
                () = tokio::time::sleep(interval) => {
                    if let HeartbeatOutcome::Rejoin(_) = self.member.heartbeat().await? {
                        return Ok(Next::Rejoin);
                    }
                }
                () = self.rejoin.notified() => return Ok(Next::Rejoin),
                _ = self.stop.changed() => return Ok(Next::Stop),
            }
        }
    }

    /// Asks the actor for the metadata; `None` if the actor is gone or the worker is stopping
    /// (a stopping actor answers nothing more).
    async fn prepare(&mut self) -> Option<JoinInfo> {
        let (reply, answer) = oneshot::channel();
        let eager = self.settings.protocol == ConnectProtocol::Eager;
        let event = Event::Cluster(ClusterEvent::PrepareJoin { eager, reply });
        self.events.send(event).ok()?;
        tokio::select! {
            info = answer => info.ok(),
            _ = self.stop.changed() => None,
        }
    }

    /// The sub-protocols to offer, each with this worker's metadata in its version.
    fn offered(&self, info: &JoinInfo) -> Vec<ProtocolMetadata> {
        self.settings
            .protocol
            .offered()
            .iter()
            .map(|(name, version)| {
                let metadata = WorkerMetadata {
                    version: *version,
                    url: self.url.clone(),
                    config_offset: info.config_offset,
                    allocation: info.allocation.clone(),
                };
                ProtocolMetadata {
                    name: (*name).to_string(),
                    metadata: Bytes::from(metadata.encode()),
                }
            })
            .collect()
    }

    /// The leader's assignments: reads the config topic to the end first, as Kafka Connect's
    /// leader does, so it assigns from the newest config it can.
    async fn assign(
        &self,
        leader: &str,
        members: &[crate::kafka::MemberMetadata],
        version: i16,
    ) -> Result<Vec<(String, Bytes)>> {
        if let Err(e) = self.configs.refresh(self.settings.sync_timeout).await {
            tracing::warn!(error = %e, "The leader could not read the config topic to the end; assigning from what it has.");
        }
        let mut decoded = Vec::with_capacity(members.len());
        for m in members {
            let metadata = WorkerMetadata::decode(&m.metadata).map_err(|e| Error::Protocol {
                operation: "JoinGroup".into(),
                broker: String::new(),
                message: format!("member {}'s metadata cannot be read: {e}", m.member_id),
            })?;
            decoded.push(Member {
                id: m.member_id.clone(),
                metadata,
            });
        }
        let snapshot = self.configs.snapshot();
        Ok(assignor::assign(leader, &decoded, &snapshot, version)
            .into_iter()
            .map(|(member, a)| (member, Bytes::from(a.encode())))
            .collect())
    }
}
