//! The connector SPI: what a connector plugin implements and what the worker calls, with Kafka
//! Connect's semantics (`org.apache.kafka.connect.{connector,source,sink}`).
//!
//! | Java | Sluice |
//! |---|---|
//! | `Connector` | [`Connector`] |
//! | `SourceConnector`, `SinkConnector` | [`SourceConnector`], [`SinkConnector`] |
//! | `SourceTask`, `SinkTask` | [`SourceTask`], [`SinkTask`] |
//! | `ConnectorContext` | [`ConnectorContext`] |
//! | `SourceTaskContext`, `OffsetStorageReader` | [`SourceTaskContext`], [`OffsetReader`] |
//! | `SinkTaskContext` | [`SinkTaskContext`] |
//! | `ConnectException`, `RetriableException` | [`ConnectError`] (definite / retriable) |
//! | task configs (`List<Map<String,String>>`) | `Vec<`[`TaskConfig`]`>` |
//!
//! Authors implement the typed traits with plain `async fn`s; the worker drives them through
//! the type-erased [`DynSourceConnector`], [`DynSinkConnector`], [`DynSourceTask`] and
//! [`DynSinkTask`], implemented for every typed connector and task (see `erased.rs` for why).
//! Nothing here depends on an async runtime: futures are `Send` and run on whatever drives
//! them; a task that needs timers or I/O brings its own runtime dependency.
//!
//! # Lifecycle
//!
//! ```text
//! connector:  [validate]  start(props, ctx) → task_configs(max)* → stop()
//! source task: start(props, ctx) → { poll() → commit_record(r, meta)* → commit()? }* → stop()
//! sink task:   start(props, ctx) → open(parts) → { put(records) → pre_commit(offsets)? }*
//!                                 → close(parts) → [open(parts) …] → stop()
//! ```
//!
//! - `validate` runs on a fresh instance that is never started. `start` is called at most once
//!   per instance, `stop` exactly once after a successful `start` (also after a failed `poll`
//!   or `put`), and nothing after `stop`. A failed `start` is followed by nothing (drop).
//! - A task instance is created by its connector's `create_task` on an instance that may never
//!   have been started; all it knows comes from its [`TaskConfig`].
//! - A source task's records are produced in `poll` order. When Kafka acknowledges a record the
//!   worker calls `commit_record` (in acknowledgement order); after the offsets of acknowledged
//!   records are durably written to the offsets topic it calls `commit`. Offsets never run
//!   ahead of acknowledged records, so a crash replays and never skips (at-least-once).
//! - A sink task only sees records of partitions it was told about in `open`. The worker
//!   commits consumer offsets only as far as `pre_commit` answers (default: after `flush`).
//!   On a rebalance it calls `close` with the revoked partitions, then `open` with new ones.
//!
//! # Threading contract
//!
//! A connector or task instance is owned by one worker task and its methods are called
//! **sequentially, never concurrently** (they take `&mut self`): `commit`, `commit_record`,
//! `pre_commit` happen between `poll`s or `put`s, not during them. Hence `poll` must return
//! within about a second when idle, and the worker may also **drop a pending `poll` future**
//! to stop or commit promptly, which is why `poll` must be cancel-safe (see
//! [`SourceTask::poll`]). Futures must be `Send`: the worker runs tasks on a multi-threaded
//! runtime, one task per future; a task blocking a thread (synchronous file or socket I/O)
//! should move that work to a blocking pool.

mod context;
mod erased;
mod error;
mod plugin;
mod task;
mod types;

pub use context::{
    ConnectorContext, ConnectorRequest, OffsetReader, SinkRequests, SinkTaskContext,
    SourceTaskContext, TaskIdentity,
};
pub use erased::{DynConnector, DynSinkConnector, DynSinkTask, DynSourceConnector, DynSourceTask};
pub use error::{BoxError, ConnectError, ConnectResult};
pub use plugin::{Connector, SinkConnector, SourceConnector};
pub use task::{SinkTask, SourceTask};
pub use types::{
    BoxFuture, CommitOffsets, ConnectorKind, ExactlyOnceSupport, OffsetAndMetadata, Properties,
    RecordMetadata, TaskConfig, TopicPartition,
};
