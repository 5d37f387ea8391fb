//! The actor's view of the worker group ([`Cluster`]): the generation it holds, what it owns,
//! whether it leads; and how the actor acts on what the membership task reports
//! ([`ClusterEvent`]).
//!
//! # Ownership
//! Before its first assignment a worker owns nothing: REST writes reach the config topic but
//! nothing starts. An assignment gives it a set of connector instances and tasks. The only
//! member of a group, as leader, owns **everything** in the config topic
//! ([`Ownership::All`]): a connector created, or task configs committed, between rebalances
//! are its own at once, with no rebalance (Kafka Connect rebalances for each, which on the test
//! broker costs half a session timeout per create). In a larger group the leader asks for a
//! rebalance instead whenever the set of connectors or tasks changes, and the assignor places
//! the new work.
//!
//! # Acting on an assignment
//! The actor reads the config topic to the end (`worker.sync.timeout.ms`) so it acts on at
//! least what the leader assigned from, takes the new ownership, and resyncs: what it no
//! longer owns is stopped (`UNASSIGNED` written), everything it owns is reconciled, all in the
//! generation's name. With the eager protocol the actor stops all its work before each join
//! ([`ClusterEvent::PrepareJoin`]), so no unit can run on two workers; with the cooperative
//! ones it keeps running through rebalances and stops only what is revoked, then rejoins so
//! the revoked work can be placed.

use std::sync::Arc;
use std::time::Duration;

use sluice_protocol::{Assignment, SessionKey};
use sluice_rest::Health;
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinHandle;

use super::assignor::{self, CONFIG_MISMATCH, Work};
use super::config::{ConnectProtocol, DistributedSettings, HMAC_SHA256};
use super::session_key;
use crate::herder::actor::Actor;
use crate::stores::ConfigStore;

/// How long leaving the group may take at shutdown.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(15);

/// What the worker owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// Everything in the config topic (the only member of the group).
    All,
    /// What the assignments gave it.
    Assigned(Work),
}

/// One generation of the group as the membership task joined it.
#[derive(Debug)]
pub(crate) struct Generation {
    /// Generation id (statuses carry it).
    pub(crate) id: i32,
    /// Whether this worker leads it.
    pub(crate) leader: bool,
    /// How many members it has (known to the leader only; 0 for followers).
    pub(crate) members: usize,
    /// The sub-protocol's metadata version: 0 eager, 1/2 cooperative.
    pub(crate) version: i16,
    /// This worker's assignment.
    pub(crate) assignment: Assignment,
}

/// What the membership task tells the actor.
#[derive(Debug)]
pub(crate) enum ClusterEvent {
    /// The worker is about to join: answer its config offset and what it owns (its metadata);
    /// with `eager`, stop all work first.
    PrepareJoin {
        eager: bool,
        reply: oneshot::Sender<JoinInfo>,
    },
    /// A generation formed and this worker has its assignment.
    Assigned(Generation),
}

/// A worker's metadata ingredients for JoinGroup.
#[derive(Debug, Clone)]
pub(crate) struct JoinInfo {
    /// The offset of the last config record read (-1: none).
    pub(crate) config_offset: i64,
    /// What the worker runs, as an assignment (cooperative protocols).
    pub(crate) allocation: Option<Assignment>,
}

/// The actor's group state (see the module doc).
#[derive(Debug)]
pub(crate) struct Cluster {
    settings: Arc<DistributedSettings>,
    generation: i32,
    ownership: Ownership,
    /// What the worker reported it owned when it last joined (what a cooperative assignment's
    /// `assigned`/`revoked` apply to).
    reported: Work,
    leader: bool,
    members: usize,
    /// The last assignment (its leader and offsets go into the next metadata).
    last: Option<Assignment>,
    /// Whether the worker holds an assignment (health).
    ready: bool,
    rejoin: Arc<Notify>,
    stop: watch::Sender<bool>,
    membership: Option<JoinHandle<()>>,
}

impl Cluster {
    /// The state of a worker that has not joined yet; `membership` is the task that will, told
    /// to rejoin through `rejoin` and to leave through `stop`.
    pub(crate) fn new(
        settings: Arc<DistributedSettings>,
        rejoin: Arc<Notify>,
        stop: watch::Sender<bool>,
        membership: JoinHandle<()>,
    ) -> Self {
        Cluster {
            settings,
            generation: -1,
            ownership: Ownership::Assigned(Work::new()),
            reported: Work::new(),
            leader: false,
            members: 0,
            last: None,
            ready: false,
            rejoin,
            stop,
            membership: Some(membership),
        }
    }

    /// The generation this worker acts in (-1 before the first).
    pub(crate) fn generation(&self) -> i32 {
        self.generation
    }

    /// Whether this worker owns `unit` of `connector` (-1: its instance).
    pub(crate) fn owns(&self, connector: &str, unit: i32) -> bool {
        match &self.ownership {
            Ownership::All => true,
            Ownership::Assigned(work) => work.get(connector).is_some_and(|u| u.contains(&unit)),
        }
    }

    /// `GET /health`: starting until the first assignment.
    pub(crate) fn health(&self) -> Health {
        if self.ready {
            Health::Ready
        } else {
            Health::Starting
        }
    }

    /// The set of connectors or tasks changed: a leader of several members rebalances.
    pub(crate) fn work_changed(&self) {
        if self.leader && self.ownership != Ownership::All {
            tracing::info!("The connectors or tasks changed; rebalancing the group.");
            self.rejoin.notify_one();
        }
    }

    /// Leaves the group (the membership task sends LeaveGroup) and waits for it.
    pub(crate) async fn leave(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.membership.take() {
            match tokio::time::timeout(LEAVE_TIMEOUT, task).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "The group membership task ended abnormally.")
                }
                Err(_) => tracing::warn!("Leaving the worker group timed out."),
            }
        }
    }

    fn is_cooperative(version: i16) -> bool {
        version >= 1
    }
}

impl Actor {
    /// Handles a report of the membership task.
    pub(crate) async fn on_cluster_event(&mut self, event: ClusterEvent) {
        match event {
            ClusterEvent::PrepareJoin { eager, reply } => {
                let info = self.prepare_join(eager).await;
                // The membership task is gone only at shutdown.
                let _ = reply.send(info);
            }
            ClusterEvent::Assigned(generation) => self.apply_generation(generation).await,
        }
    }

    /// What this worker owns, spelled out (for [`Ownership::All`], from the config snapshot).
    fn owned_work(&self) -> Work {
        let Some(cluster) = &self.cluster else {
            return Work::new();
        };
        match &cluster.ownership {
            Ownership::All => assignor::configured_work(&self.configs.snapshot()),
            Ownership::Assigned(work) => work.clone(),
        }
    }

    async fn prepare_join(&mut self, eager: bool) -> JoinInfo {
        if eager {
            let names: Vec<String> = self.running.keys().cloned().collect();
            for name in names {
                self.release(&name).await;
            }
            if let Some(c) = self.cluster.as_mut() {
                c.ownership = Ownership::Assigned(Work::new());
            }
        }
        let owned = self.owned_work();
        let config_offset = self.configs.snapshot().next_offset - 1;
        let Some(cluster) = self.cluster.as_mut() else {
            return JoinInfo {
                config_offset,
                allocation: None,
            };
        };
        cluster.reported = owned.clone();
        let base = cluster.last.clone();
        let allocation = Assignment {
            version: 1,
            error: 0,
            leader: base.as_ref().map(|a| a.leader.clone()).unwrap_or_default(),
            leader_url: base
                .as_ref()
                .map(|a| a.leader_url.clone())
                .unwrap_or_default(),
            config_offset: base.as_ref().map_or(config_offset, |a| a.config_offset),
            assigned: assignor::to_wire(&owned),
            revoked: Vec::new(),
            delay: 0,
        };
        JoinInfo {
            config_offset,
            allocation: Some(allocation),
        }
    }

    /// Acts on a new generation (see the module doc).
    async fn apply_generation(&mut self, generation: Generation) {
        let Some(sync_timeout) = self.cluster.as_ref().map(|c| c.settings.sync_timeout) else {
            return;
        };
        let assignment = generation.assignment;
        tracing::info!(generation = generation.id, leader = generation.leader, members = generation.members,
            error = assignment.error, assigned = ?assignment.assigned, revoked = ?assignment.revoked,
            "Received an assignment.");
        if let Err(e) = self.configs.refresh(sync_timeout).await {
            tracing::warn!(error = %e, "Could not read the config topic to the end before acting on the assignment.");
        }
        let behind = self.configs.snapshot().next_offset - 1 < assignment.config_offset;
        if assignment.error == CONFIG_MISMATCH || behind {
            tracing::warn!(
                offset = assignment.config_offset,
                "This worker's config is behind the leader's; reading it again and rejoining."
            );
            if let Some(c) = &self.cluster {
                c.rejoin.notify_one();
            }
            return;
        }
        let Some(cluster) = self.cluster.as_mut() else {
            return;
        };
        let revoked = assignor::from_wire(&assignment.revoked);
        let assigned = assignor::from_wire(&assignment.assigned);
        cluster.generation = generation.id;
        cluster.leader = generation.leader;
        cluster.members = generation.members;
        cluster.ownership = if generation.leader && generation.members == 1 {
            Ownership::All
        } else if Cluster::is_cooperative(generation.version) {
            let kept = assignor::difference(&cluster.reported, &revoked);
            let mut owned = kept;
            for (connector, units) in assigned {
                owned.entry(connector).or_default().extend(units);
            }
            Ownership::Assigned(owned)
        } else {
            Ownership::Assigned(assigned)
        };
        cluster.last = Some(assignment);
        cluster.ready = true;
        let rejoin_after = Cluster::is_cooperative(generation.version) && !revoked.is_empty();
        let (leader, sessioned) = (
            cluster.leader,
            cluster.settings.protocol == ConnectProtocol::Sessioned && generation.version >= 2,
        );
        // The resync reads the newest snapshot, so what was announced before it is covered;
        // what the resync itself causes (task configs it commits) is applied after it.
        self.discard_pending_changes();
        self.resync().await;
        self.apply_pending_changes().await;
        if leader && sessioned {
            self.ensure_session_key().await;
        }
        if rejoin_after && let Some(c) = &self.cluster {
            c.rejoin.notify_one();
        }
    }

    /// Time-driven duties: the leader of a sessioned group renews an expiring session key.
    pub(crate) async fn on_tick(&mut self) {
        let renew = self.cluster.as_ref().is_some_and(|c| {
            c.leader
                && c.ready
                && c.settings.protocol == ConnectProtocol::Sessioned
                && c.last.as_ref().is_some_and(|a| a.version >= 2)
        });
        if renew {
            self.ensure_session_key().await;
        }
    }

    /// Writes a new session key (KIP-507) when there is none or it has expired.
    async fn ensure_session_key(&mut self) {
        let Some(settings) = self.cluster.as_ref().map(|c| Arc::clone(&c.settings)) else {
            return;
        };
        let now = session_key::now_ms();
        let ttl = i64::try_from(settings.key_ttl.as_millis()).unwrap_or(i64::MAX);
        let fresh = self
            .configs
            .snapshot()
            .session_key()
            .is_some_and(|k| k.creation_timestamp.saturating_add(ttl) > now);
        if fresh {
            return;
        }
        let record = SessionKey {
            key: session_key::generate(settings.key_bytes),
            algorithm: HMAC_SHA256.to_string(),
            creation_timestamp: now,
        };
        match self.configs.put_session_key(record).await {
            Ok(()) => tracing::info!("Wrote a new session key to the config topic."),
            Err(e) => tracing::warn!(error = %e, "Could not write a session key."),
        }
        self.apply_pending_changes().await;
    }
}
