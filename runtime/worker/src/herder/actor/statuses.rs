//! Writing statuses: the actor's connector and task states as Kafka Connect writes them
//! (`status-connector-<c>`, `status-task-<c>-<n>`), stamped with this worker's id and the group
//! generation it holds (0 in standalone mode). A failed write is logged: statuses are reports,
//! and the next change of state writes again.

use sluice_protocol::{State, Status};

use super::Actor;
use crate::stores::{StatusStore, StatusUpdate};

impl Actor {
    /// The group generation statuses are written with.
    pub(crate) fn generation(&self) -> i32 {
        self.cluster.as_ref().map_or(0, |c| c.generation())
    }

    /// The version the statuses of `connector` show.
    fn version(&self, connector: &str) -> Option<String> {
        self.running
            .get(connector)
            .map(|r| r.plugin.version.clone())
    }

    fn status(&self, state: State, trace: Option<String>, version: Option<String>) -> Status {
        Status {
            state,
            trace,
            worker_id: self.config.worker_id.clone(),
            generation: self.generation(),
            version,
        }
    }

    /// Writes a connector's status.
    pub(crate) async fn put_connector_status(
        &self,
        connector: &str,
        state: State,
        trace: Option<String>,
    ) {
        let status = self.status(state, trace, self.version(connector));
        let update = StatusUpdate::Connector {
            connector: connector.to_string(),
            status: Some(status),
        };
        if let Err(e) = self.statuses.put(update).await {
            tracing::warn!(connector, error = %e, "Could not write the connector's status.");
        }
    }

    /// Writes a task's status.
    pub(crate) async fn put_task_status(
        &self,
        connector: &str,
        task: u32,
        state: State,
        trace: Option<String>,
    ) {
        let update = self.task_update(connector, task, state, trace);
        if let Err(e) = self.statuses.put(update).await {
            tracing::warn!(connector, task, error = %e, "Could not write the task's status.");
        }
    }

    fn task_update(
        &self,
        connector: &str,
        task: u32,
        state: State,
        trace: Option<String>,
    ) -> StatusUpdate {
        let version = match state {
            State::Unassigned => None,
            _ => self.version(connector),
        };
        StatusUpdate::Task {
            connector: connector.to_string(),
            task,
            status: Some(self.status(state, trace, version)),
        }
    }

    /// Writes `UNASSIGNED` for what this worker stopped and no longer runs, unless another
    /// worker of a newer generation already wrote the instance's status (Kafka Connect's
    /// `putSafe` on shutdown and revocation).
    pub(crate) async fn put_unassigned(&self, connector: &str, instance: bool, tasks: &[u32]) {
        let mut updates: Vec<StatusUpdate> = tasks
            .iter()
            .map(|t| self.task_update(connector, *t, State::Unassigned, None))
            .collect();
        if instance {
            updates.push(StatusUpdate::Connector {
                connector: connector.to_string(),
                status: Some(self.status(State::Unassigned, None, self.version(connector))),
            });
        }
        for update in updates {
            if let Err(e) = self.statuses.put_safe(update).await {
                tracing::warn!(connector, error = %e, "Could not write an UNASSIGNED status.");
            }
        }
    }

    /// Removes the statuses of `connector`'s tasks numbered `from` and above (a tombstone per
    /// task, as Kafka Connect writes; see `stores::status`).
    pub(crate) async fn remove_task_statuses(&self, connector: &str, from: u32) {
        let snapshot = self.statuses.snapshot();
        for (task, _) in snapshot.tasks(connector) {
            if task < from {
                continue;
            }
            let update = StatusUpdate::Task {
                connector: connector.to_string(),
                task,
                status: None,
            };
            if let Err(e) = self.statuses.put(update).await {
                tracing::warn!(connector, task, error = %e, "Could not remove the task's status.");
            }
        }
    }
}
