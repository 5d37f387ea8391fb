//! What the worker gives connectors and tasks to talk back to it: [`ConnectorContext`],
//! [`SourceTaskContext`] (with an [`OffsetReader`]) and [`SinkTaskContext`].
//!
//! They are cheap, cloneable handles the task keeps for its lifetime. None of them needs an
//! async runtime: offset look-ups return a [`BoxFuture`] the task awaits on whatever runtime
//! drives it, connector requests go through a callback the worker supplies, and sink requests
//! are recorded behind a `std` mutex that the worker drains between calls
//! ([`SinkTaskContext::take_requests`]). The mutex is never held across an `.await`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::error::{ConnectError, ConnectResult};
use super::types::{BoxFuture, TopicPartition};
use crate::record::OffsetMap;

/// Looks up the source offsets the worker has durably stored for this connector (Kafka's
/// `OffsetStorageReader`). Answers reflect only offsets that were committed, never records
/// still in flight: a task resuming from them replays, it never skips.
pub trait OffsetReader: Send + Sync + fmt::Debug {
    /// The stored offset of `partition`, `None` if there is none. The partition is matched by
    /// its exact serialized form, so keys must be in the order the task writes them.
    fn offset<'a>(
        &'a self,
        partition: &'a OffsetMap,
    ) -> BoxFuture<'a, ConnectResult<Option<OffsetMap>>>;

    /// The stored offsets of several partitions, in the order asked.
    fn offsets<'a>(
        &'a self,
        partitions: &'a [OffsetMap],
    ) -> BoxFuture<'a, ConnectResult<Vec<Option<OffsetMap>>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(partitions.len());
            for p in partitions {
                out.push(self.offset(p).await?);
            }
            Ok(out)
        })
    }
}

/// Which task a context belongs to: the labels of the metrics a task registers (the
/// `connector` and `task` tags of Kafka's `PluginMetrics`, KIP-877).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TaskIdentity {
    /// The connector's name.
    pub connector: String,
    /// The task's number, from 0.
    pub task: u32,
}

/// What a source task receives at `start` (Kafka's `SourceTaskContext`).
#[derive(Debug, Clone)]
pub struct SourceTaskContext {
    offsets: Arc<dyn OffsetReader>,
    identity: Option<TaskIdentity>,
}

impl SourceTaskContext {
    /// A context whose offsets come from `offsets`.
    pub fn new(offsets: Arc<dyn OffsetReader>) -> Self {
        SourceTaskContext {
            offsets,
            identity: None,
        }
    }

    /// Worker side: tells the task which connector and task number it runs as.
    pub fn with_identity(mut self, identity: TaskIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// The connector and task number this task runs as, when the worker said so.
    pub fn identity(&self) -> Option<&TaskIdentity> {
        self.identity.as_ref()
    }

    /// The reader of this connector's stored offsets.
    pub fn offset_reader(&self) -> &dyn OffsetReader {
        self.offsets.as_ref()
    }
}

/// A request a connector makes of the worker through its [`ConnectorContext`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectorRequest {
    /// The connector's task configurations changed (e.g. new tables): call `task_configs`
    /// again and restart the tasks if the answer differs.
    ReconfigureTasks,
    /// The connector failed in the background; it should be marked `FAILED`.
    Failed(ConnectError),
}

type RequestSink = Arc<dyn Fn(ConnectorRequest) + Send + Sync>;

/// What a connector receives at `start` (Kafka's `ConnectorContext`).
#[derive(Clone)]
pub struct ConnectorContext {
    on_request: RequestSink,
}

impl fmt::Debug for ConnectorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorContext").finish_non_exhaustive()
    }
}

impl ConnectorContext {
    /// A context that hands each request to `on_request` (the worker forwards it to its herder;
    /// the callback must not block).
    pub fn new(on_request: impl Fn(ConnectorRequest) + Send + Sync + 'static) -> Self {
        ConnectorContext {
            on_request: Arc::new(on_request),
        }
    }

    /// Asks the worker to fetch new task configurations (Kafka's
    /// `requestTaskReconfiguration`).
    pub fn request_task_reconfiguration(&self) {
        (self.on_request)(ConnectorRequest::ReconfigureTasks);
    }

    /// Reports a failure of the connector's background work (Kafka's `raiseError`).
    pub fn raise_error(&self, error: ConnectError) {
        (self.on_request)(ConnectorRequest::Failed(error));
    }
}

/// What a sink task asked of the worker since the last [`SinkTaskContext::take_requests`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkRequests {
    /// Rewind or skip: the next record consumed from each partition is at this offset.
    pub offsets: BTreeMap<TopicPartition, i64>,
    /// Redeliver the last batch after this pause, on a retriable `put` error.
    pub timeout: Option<Duration>,
    /// Stop fetching from these partitions.
    pub pause: BTreeSet<TopicPartition>,
    /// Fetch again from these partitions.
    pub resume: BTreeSet<TopicPartition>,
    /// Commit offsets as soon as possible (a `pre_commit` round).
    pub commit: bool,
}

#[derive(Debug, Default)]
struct SinkState {
    assignment: BTreeSet<TopicPartition>,
    requests: SinkRequests,
}

/// What a sink task receives at `start` (Kafka's `SinkTaskContext`): its assignment, and the
/// requests it can make (offset resets, pause/resume, retry timeout, commit). Requests are
/// recorded and acted upon by the worker after the current call returns.
#[derive(Debug, Clone, Default)]
pub struct SinkTaskContext {
    state: Arc<Mutex<SinkState>>,
    identity: Option<TaskIdentity>,
}

impl SinkTaskContext {
    /// A context with an empty assignment and no requests.
    pub fn new() -> Self {
        Self::default()
    }

    /// Worker side: tells the task which connector and task number it runs as.
    pub fn with_identity(mut self, identity: TaskIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// The connector and task number this task runs as, when the worker said so.
    pub fn identity(&self) -> Option<&TaskIdentity> {
        self.identity.as_ref()
    }

    fn lock(&self) -> MutexGuard<'_, SinkState> {
        // A panic while holding this lock leaves plain data that is still consistent (every
        // update is a single insert or assignment), so a poisoned lock is safe to reuse.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The partitions currently assigned to the task.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.lock().assignment.iter().cloned().collect()
    }

    /// Asks the worker to consume `partition` from `offset` next (Kafka's `offset(tp, o)`).
    pub fn reset_offset(&self, partition: TopicPartition, offset: i64) {
        self.lock().requests.offsets.insert(partition, offset);
    }

    /// Asks for the retry pause before the worker redelivers a batch whose `put` failed with a
    /// retriable error (Kafka's `timeout(ms)`).
    pub fn set_timeout(&self, timeout: Duration) {
        self.lock().requests.timeout = Some(timeout);
    }

    /// Stops fetching from `partitions` until they are resumed.
    pub fn pause(&self, partitions: &[TopicPartition]) {
        let mut s = self.lock();
        for p in partitions {
            s.requests.resume.remove(p);
            s.requests.pause.insert(p.clone());
        }
    }

    /// Resumes fetching from paused `partitions`.
    pub fn resume(&self, partitions: &[TopicPartition]) {
        let mut s = self.lock();
        for p in partitions {
            s.requests.pause.remove(p);
            s.requests.resume.insert(p.clone());
        }
    }

    /// Asks for an offset commit (a `pre_commit` round) as soon as possible.
    pub fn request_commit(&self) {
        self.lock().requests.commit = true;
    }

    /// Worker side: replaces the assignment (before `open`, after `close`).
    pub fn set_assignment(&self, partitions: impl IntoIterator<Item = TopicPartition>) {
        self.lock().assignment = partitions.into_iter().collect();
    }

    /// Worker side: takes the requests recorded since the last call.
    pub fn take_requests(&self) -> SinkRequests {
        std::mem::take(&mut self.lock().requests)
    }
}
