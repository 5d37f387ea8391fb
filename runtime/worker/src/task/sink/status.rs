//! The state a sink task loop reports, and the handle the herder keeps to stop it and watch its
//! state.
//!
//! The loop publishes every change on a `watch` channel; the herder reads the latest state
//! ([`SinkTaskHandle::status`]) or awaits changes ([`SinkTaskHandle::subscribe`]) and writes
//! them to the status store. The loop never writes statuses itself, so the herder alone decides
//! generations and worker ids. (Same shape as the source loop's handle, so the herder treats
//! both alike.)

use std::fmt;

use sluice_protocol::State;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A task's identity: its connector and its number (Kafka's `ConnectorTaskId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    /// The connector's name.
    pub connector: String,
    /// The task number, from 0.
    pub task: i32,
}

impl TaskId {
    /// Task `task` of `connector`.
    pub fn new(connector: impl Into<String>, task: i32) -> Self {
        TaskId {
            connector: connector.into(),
            task,
        }
    }
}

impl fmt::Display for TaskId {
    /// Kafka's form, `connector-task`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// The state of a sink task loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkTaskState {
    /// Created; `start` not finished yet.
    Unassigned,
    /// Started: consuming and putting.
    Running,
    /// Failed; `trace` is the error with its causes, for the status topic.
    Failed {
        /// The error and its causes.
        trace: String,
    },
    /// Stopped on request, after its final commit.
    Stopped,
}

impl SinkTaskState {
    /// The status-topic state the herder writes for it (a stopped task is `UNASSIGNED`, as
    /// Kafka Connect writes when a worker stops a task).
    pub fn state(&self) -> State {
        match self {
            SinkTaskState::Unassigned | SinkTaskState::Stopped => State::Unassigned,
            SinkTaskState::Running => State::Running,
            SinkTaskState::Failed { .. } => State::Failed,
        }
    }

    /// The trace of a failed task.
    pub fn trace(&self) -> Option<&str> {
        match self {
            SinkTaskState::Failed { trace } => Some(trace),
            _ => None,
        }
    }

    /// Whether the loop has ended (failed or stopped).
    pub fn is_final(&self) -> bool {
        matches!(self, SinkTaskState::Failed { .. } | SinkTaskState::Stopped)
    }
}

/// The herder's handle on a running sink task loop (from
/// [`SinkTaskRunner::spawn`](super::SinkTaskRunner::spawn)). Dropping it stops the task.
#[derive(Debug)]
pub struct SinkTaskHandle {
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) status: watch::Receiver<SinkTaskState>,
    pub(crate) join: JoinHandle<SinkTaskState>,
}

impl SinkTaskHandle {
    /// Asks the loop to stop: it finishes the current `put`, commits what `pre_commit` answers,
    /// calls `close` and `stop`, and leaves the group. Returns at once; see
    /// [`SinkTaskHandle::join`].
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// The current state.
    pub fn status(&self) -> SinkTaskState {
        self.status.borrow().clone()
    }

    /// A receiver of every state change.
    pub fn subscribe(&self) -> watch::Receiver<SinkTaskState> {
        self.status.clone()
    }

    /// Waits for the loop to end and returns its final state.
    pub async fn join(self) -> SinkTaskState {
        let SinkTaskHandle { stop, status, join } = self;
        let result = join.await;
        drop(stop);
        match result {
            Ok(state) => state,
            Err(e) => {
                let last = status.borrow().clone();
                if last.is_final() {
                    last
                } else {
                    SinkTaskState::Failed {
                        trace: format!("The sink task loop ended abnormally: {e}"),
                    }
                }
            }
        }
    }

    /// [`SinkTaskHandle::stop`], then [`SinkTaskHandle::join`].
    pub async fn stop_and_join(self) -> SinkTaskState {
        self.stop();
        self.join().await
    }
}
