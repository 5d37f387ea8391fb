//! Applying what the config store announces ([`ConfigChange`]), Kafka Connect's
//! `ConfigUpdateListener` callbacks: a new or replaced connector config restarts the connector,
//! committed task configs (re)start the tasks whose config changed, a target state or restart
//! request is acted on, a deletion stops everything and removes the statuses.
//!
//! Each change is applied from the store's current snapshot, not from the change itself, so
//! applying the same change twice, or a stale one, only converges on what the store holds.
//! [`Actor::resync`] does the same for every connector at once: after the actor fell behind
//! the announcements, and after a new assignment of the worker group.

use sluice_protocol::TargetState;

use super::Actor;
use crate::config_state::ConfigChange;
use crate::stores::{ConfigStore, StatusStore, StatusUpdate};

impl Actor {
    /// Applies one change (see the module doc).
    pub(crate) async fn apply_change(&mut self, change: ConfigChange) {
        tracing::debug!(?change, "Applying a config change.");
        match change {
            ConfigChange::ConnectorUpdated(name) => {
                self.work_changed();
                // The instance and its tasks restart with the new config; the plugin is looked
                // up again from it.
                self.stop_tasks(&name).await;
                self.stop_instance(&name).await;
                self.running.remove(&name);
                self.reconcile(&name).await;
            }
            ConfigChange::ConnectorRemoved(name) => {
                self.work_changed();
                self.remove_connector(&name).await;
            }
            ConfigChange::TasksCommitted(name) => {
                self.work_changed();
                let started = self
                    .stored(&name)
                    .is_some_and(|c| c.target_state == TargetState::Started);
                if started && self.running.contains_key(&name) {
                    self.start_tasks(&name).await;
                }
            }
            ConfigChange::TasksInconsistent(name) => {
                tracing::warn!(connector = %name, "The stored task configs are incomplete; asking the connector for new ones.");
                if self.owns_connector(&name) {
                    let started = self
                        .running
                        .get(&name)
                        .is_some_and(|r| r.instance.is_some());
                    if started {
                        self.regenerate_tasks(&name, true).await;
                    } else {
                        self.reconcile(&name).await;
                    }
                }
            }
            ConfigChange::TargetStateChanged(name) => self.reconcile(&name).await,
            ConfigChange::RestartRequested(name) => self.process_restart(&name).await,
            ConfigChange::SessionKeyUpdated => tracing::debug!("The session key changed."),
            ConfigChange::LoggerLevel(namespace) => self.apply_cluster_logger_level(&namespace),
            ConfigChange::None => {}
        }
    }

    /// A connector was deleted: stops what runs of it here; its owner removes its task, topic
    /// and connector statuses (tombstones, as Kafka Connect writes).
    async fn remove_connector(&mut self, name: &str) {
        let responsible = self.owns_connector(name);
        self.release(name).await;
        self.running.remove(name);
        if !responsible {
            return;
        }
        self.remove_task_statuses(name, 0).await;
        // Kafka Connect forgets a deleted connector's topics too (tombstones in the golden
        // status topic).
        self.remove_topic_statuses(name).await;
        let tombstone = StatusUpdate::Connector {
            connector: name.to_string(),
            status: None,
        };
        if let Err(e) = self.statuses.put(tombstone).await {
            tracing::warn!(connector = name, error = %e, "Could not remove the connector's status.");
        }
        tracing::info!(connector = name, "Connector deleted.");
    }

    /// Makes everything match the store's snapshot and this worker's ownership: stops what is
    /// deleted, changed or no longer owned here, then reconciles every connector.
    pub(crate) async fn resync(&mut self) {
        let snapshot = self.configs.snapshot();
        let names: Vec<String> = self.running.keys().cloned().collect();
        for name in names {
            let Some(stored) = snapshot.connector(&name) else {
                self.remove_connector(&name).await;
                continue;
            };
            let changed = self
                .running
                .get(&name)
                .is_some_and(|r| r.instance.is_some() && r.config != stored.config);
            if changed {
                self.stop_tasks(&name).await;
                self.stop_instance(&name).await;
                self.running.remove(&name);
                continue;
            }
            self.release_unowned(&name).await;
        }
        for name in snapshot.connector_names() {
            self.reconcile(name).await;
        }
    }

    /// Stops the instance and task loops of `name` this worker no longer owns.
    async fn release_unowned(&mut self, name: &str) {
        let Some(r) = self.running.get(name) else {
            return;
        };
        let tasks: Vec<u32> = r
            .tasks
            .keys()
            .copied()
            .filter(|t| !self.owns_task(name, *t))
            .collect();
        let instance = r.instance.is_some() && !self.owns_connector(name);
        for task in &tasks {
            self.stop_task(name, *task).await;
        }
        if instance {
            self.stop_instance(name).await;
        }
        if !tasks.is_empty() || instance {
            tracing::info!(connector = name, instance, tasks = ?tasks, "Released work assigned elsewhere.");
            self.put_unassigned(name, instance, &tasks).await;
        }
    }

    /// Tells the worker group that the set of connectors or tasks changed (its leader then
    /// rebalances when other workers could take some of it).
    fn work_changed(&self) {
        if let Some(cluster) = &self.cluster {
            cluster.work_changed();
        }
    }
}
