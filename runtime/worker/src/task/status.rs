//! What a task loop reports and the handle the herder keeps on it, shared by the source and sink
//! loops so the herder treats both alike.
//!
//! A loop publishes every state change on a `watch` channel: the herder reads the latest state at
//! any time ([`TaskHandle::status`]) or awaits changes ([`TaskHandle::subscribe`]) and writes them
//! to the status store. Loops never write statuses themselves, so the herder alone decides
//! generations and worker ids (Kafka Connect's `TaskStatus.Listener` role).

use std::fmt;
use std::time::Duration;

use sluice_protocol::State;
use tokio::sync::{oneshot, watch};
use tokio::task::AbortHandle;

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

/// How long a task thread's runtime waits, once the loop ended, for the blocking work its
/// tasks started (`spawn_blocking`) before it is abandoned.
const THREAD_SHUTDOWN: Duration = Duration::from_secs(10);

/// The herder's handle on a running task loop. Dropping it stops the task.
pub struct TaskHandle {
    stop: watch::Sender<bool>,
    status: watch::Receiver<TaskState>,
    /// The loop's end.
    join: Join,
    abort: AbortHandle,
    /// "source" or "sink", for the trace of a loop that ended abnormally.
    kind: &'static str,
}

/// Where a task loop's end is awaited: its Tokio task, or the thread running it.
enum Join {
    Task(tokio::task::JoinHandle<TaskState>),
    /// The final state, or why the loop ended abnormally (panicked or aborted).
    Thread(oneshot::Receiver<Result<TaskState, String>>),
}

impl Join {
    async fn wait(self) -> Result<TaskState, String> {
        match self {
            Join::Task(handle) => handle.await.map_err(|e| e.to_string()),
            Join::Thread(done) => done
                .await
                .unwrap_or_else(|_| Err("the task's thread ended without a result".into())),
        }
    }
}

impl fmt::Debug for TaskHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("kind", &self.kind)
            .field("status", &*self.status.borrow())
            .finish_non_exhaustive()
    }
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
        let handle = tokio::spawn(run(stop_rx, status_tx));
        TaskHandle {
            stop,
            status,
            abort: handle.abort_handle(),
            join: Join::Task(handle),
            kind,
        }
    }

    /// Like [`TaskHandle::spawn`], but runs the loop, and everything its task spawns (a
    /// connector's reader, its database connections), on a thread of its own named `name`,
    /// with a single-threaded Tokio runtime: Kafka Connect's thread per task.
    ///
    /// Why: a source task's records are built by its reader and converted and produced by the
    /// loop. On the shared multi-threaded runtime those two usually run on different cores, so
    /// every record is read from the other core's cache and freed on a thread other than the
    /// one that allocated it; on one thread both stay local. A task under load uses less than
    /// a core anyway (the rest is librdkafka's and the database's), so nothing is lost in
    /// parallelism, and one busy task cannot delay the REST API or another task's loop.
    ///
    /// Should the thread or its runtime not be created, the loop runs on the shared runtime
    /// (logged as a warning).
    pub(crate) fn spawn_on_thread<F>(
        kind: &'static str,
        name: String,
        run: impl FnOnce(watch::Receiver<bool>, watch::Sender<TaskState>) -> F,
    ) -> Self
    where
        F: Future<Output = TaskState> + Send + 'static,
    {
        type Job = (tokio::runtime::Runtime, tokio::task::JoinHandle<TaskState>);
        let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Job>(1);
        let (done_tx, done) = oneshot::channel();
        let thread = std::thread::Builder::new().name(name).spawn(move || {
            let Ok((runtime, handle)) = job_rx.recv() else {
                return;
            };
            let result = runtime.block_on(handle).map_err(|e| e.to_string());
            // What the task left running (a reader it did not stop) ends with the runtime.
            runtime.shutdown_timeout(THREAD_SHUTDOWN);
            let _ = done_tx.send(result);
        });
        let runtime = thread.and_then(|_| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        });
        let runtime = match runtime {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "Could not start a thread for the {kind} task; it runs on the shared runtime.");
                return Self::spawn(kind, run);
            }
        };
        let (stop, stop_rx) = watch::channel(false);
        let (status_tx, status) = watch::channel(TaskState::Unassigned);
        // Queued now, run once the thread drives the runtime.
        let handle = runtime.spawn(run(stop_rx, status_tx));
        let abort = handle.abort_handle();
        if job_tx.send((runtime, handle)).is_err() {
            // The thread is gone already: the loop's state says so.
            abort.abort();
        }
        TaskHandle {
            stop,
            status,
            abort,
            join: Join::Thread(done),
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
        self.abort.abort();
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
            ..
        } = self;
        let result = join.wait().await;
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
