//! What a task loop reports and the handle the herder keeps on it, shared by the source and sink
//! loops so the herder treats both alike.
//!
//! A loop publishes every state change on a `watch` channel: the herder reads the latest state at
//! any time ([`TaskHandle::status`]) or awaits changes ([`TaskHandle::subscribe`]) and writes them
//! to the status store. Loops never write statuses themselves, so the herder alone decides
//! generations and worker ids (Kafka Connect's `TaskStatus.Listener` role).

use std::fmt;

use sluice_protocol::State;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A task's identity: its connector and its number (Kafka's `ConnectorTaskId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    /// The connector's name.
    pub connector: String,
    /// The task's number, from 0.
    pub task: u32,
}

impl TaskId {
    /// Task `task` of `connector`.
    pub fn new(connector: impl Into<String>, task: u32) -> Self {
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

/// The state of a task loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// Created; `start` not finished yet.
    Unassigned,
    /// Started: polling and producing (source) or consuming and putting (sink).
    Running,
    /// Failed; `trace` is the error with its causes, for the status topic.
    Failed {
        /// The error and its causes, one after the other.
        trace: String,
    },
    /// Stopped on request, after its final offset flush or commit.
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

/// The herder's handle on a running task loop. Dropping it stops the task.
#[derive(Debug)]
pub struct TaskHandle {
    stop: watch::Sender<bool>,
    status: watch::Receiver<TaskState>,
    join: JoinHandle<TaskState>,
    /// "source" or "sink", for the trace of a loop that ended abnormally.
    kind: &'static str,
}

impl TaskHandle {
    /// Spawns `run` (a loop that watches `stop` and publishes on `status`) on the Tokio runtime.
    pub(crate) fn spawn<F>(
        kind: &'static str,
        run: impl FnOnce(watch::Receiver<bool>, watch::Sender<TaskState>) -> F,
    ) -> Self
    where
        F: Future<Output = TaskState> + Send + 'static,
    {
        let (stop, stop_rx) = watch::channel(false);
        let (status_tx, status) = watch::channel(TaskState::Unassigned);
        let join = tokio::spawn(run(stop_rx, status_tx));
        TaskHandle {
            stop,
            status,
            join,
            kind,
        }
    }

    /// Asks the loop to stop. A source loop stops polling, waits (up to
    /// `offset.flush.timeout.ms`) for the records in flight, flushes offsets and calls the task's
    /// `commit` and `stop`; a sink loop finishes the current `put`, commits what `pre_commit`
    /// answers, calls `close` and `stop` and leaves the group. Returns at once;
    /// [`TaskHandle::join`] waits for the end.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Abandons the loop at once, without the final flush nor the task's `stop` (Kafka Connect's
    /// cancel of a task that does not stop in time; also what a crash does). What came after the
    /// last stored offsets is delivered again by the task's next run.
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
        let TaskHandle {
            stop,
            status,
            join,
            kind,
        } = self;
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
                        trace: format!("The {kind} task loop ended abnormally: {e}"),
                    }
                }
            }
        }
    }

    /// [`TaskHandle::stop`], then [`TaskHandle::join`].
    pub async fn stop_and_join(self) -> TaskState {
        self.stop();
        self.join().await
    }
}
