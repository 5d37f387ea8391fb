//! The state a source task loop reports, and the handle the herder keeps to stop it and watch
//! its state.
//!
//! The loop publishes every change on a `watch` channel: the herder reads the latest state at
//! any time ([`SourceTaskHandle::status`]) or awaits changes ([`SourceTaskHandle::subscribe`])
//! and writes them to the status store. The loop never writes statuses itself, so the herder
//! alone decides generations and worker ids (Kafka Connect's `TaskStatus.Listener` role).

use sluice_protocol::State;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The state of a source task loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// Created, not started yet (or `start` still running).
    Unassigned,
    /// Started: polling and producing.
    Running,
    /// Failed; `trace` is the error with its causes, for the status topic.
    Failed {
        /// The error and its causes, one after the other.
        trace: String,
    },
    /// Stopped on request, after its final offset flush.
    Stopped,
}

impl TaskState {
    /// The status-topic state the herder writes for it (a stopped task is `UNASSIGNED`, as
    /// Kafka Connect writes when a worker stops a task).
    pub fn state(&self) -> State {
        match self {
            TaskState::Unassigned | TaskState::Stopped => State::Unassigned,
            TaskState::Running => State::Running,
            TaskState::Failed { .. } => State::Failed,
        }
    }

    /// The trace of a failed task.
    pub fn trace(&self) -> Option<&str> {
        match self {
            TaskState::Failed { trace } => Some(trace),
            _ => None,
        }
    }

    /// Whether the loop has ended (failed or stopped).
    pub fn is_final(&self) -> bool {
        matches!(self, TaskState::Failed { .. } | TaskState::Stopped)
    }
}

/// The herder's handle on a running source task loop (from
/// [`SourceTaskRunner::spawn`](super::SourceTaskRunner::spawn)). Dropping it stops the task.
#[derive(Debug)]
pub struct SourceTaskHandle {
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) status: watch::Receiver<TaskState>,
    pub(crate) join: JoinHandle<TaskState>,
}

impl SourceTaskHandle {
    /// Asks the loop to stop: it stops polling, waits (up to `offset.flush.timeout.ms`) for
    /// the records in flight, flushes offsets, calls the task's `commit` and `stop`. Returns at
    /// once; [`SourceTaskHandle::join`] waits for the end.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Abandons the loop at once, without the final offset flush nor the task's `stop` (Kafka
    /// Connect's cancel of a task that does not stop in time; also what a crash does). Records
    /// after the last stored offsets are sent again by the task's next run.
    pub fn cancel(&self) {
        self.join.abort();
    }

    /// The current state.
    pub fn status(&self) -> TaskState {
        self.status.borrow().clone()
    }

    /// A receiver of every state change (the latest state is always readable).
    pub fn subscribe(&self) -> watch::Receiver<TaskState> {
        self.status.clone()
    }

    /// Waits for the loop to end and returns its final state.
    pub async fn join(self) -> TaskState {
        let SourceTaskHandle { stop, status, join } = self;
        let result = join.await;
        drop(stop);
        match result {
            Ok(state) => state,
            Err(e) => {
                let last = status.borrow().clone();
                if last.is_final() {
                    last
                } else {
                    TaskState::Failed {
                        trace: format!("The source task loop ended abnormally: {e}"),
                    }
                }
            }
        }
    }

    /// [`SourceTaskHandle::stop`], then [`SourceTaskHandle::join`].
    pub async fn stop_and_join(self) -> TaskState {
        self.stop();
        self.join().await
    }
}
