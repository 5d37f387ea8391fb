//! The task traits: [`SourceTask`] and [`SinkTask`] (Kafka's `SourceTask`, `SinkTask`), where
//! the data moves. See the lifecycle and threading contract in the [module
//! doc](crate::connector).

use std::fmt::Debug;
use std::future::{Future, ready};

use super::context::{SinkTaskContext, SourceTaskContext};
use super::error::ConnectResult;
use super::types::{CommitOffsets, RecordMetadata, TaskConfig, TopicPartition};
use crate::record::{SinkRecord, SourceRecord};

/// A task that reads from an external system (see the [module doc](crate::connector)).
pub trait SourceTask: Send + Debug + 'static {
    /// Starts the task with its configuration (one of `SourceConnector::task_configs`). The
    /// task looks up where to resume with `ctx.offset_reader()` (here or on its first poll).
    fn start(
        &mut self,
        props: TaskConfig,
        ctx: SourceTaskContext,
    ) -> impl Future<Output = ConnectResult<()>> + Send;

    /// The next records, each carrying its source partition and offset. May wait for data,
    /// but should return within about a second when there is none (an empty `Vec` is fine),
    /// so that commits and stop requests are not delayed.
    ///
    /// **Cancel safety**: the worker may drop a pending `poll` future (to stop the task, or to
    /// commit). Records read from upstream but not yet returned must then stay in the task
    /// and be returned by the next `poll`, never lost.
    fn poll(&mut self) -> impl Future<Output = ConnectResult<Vec<SourceRecord>>> + Send;

    /// The offsets of every record polled so far that Kafka acknowledged were durably stored
    /// in the offsets topic: the task may now confirm its position upstream (PostgreSQL:
    /// advance the slot). Optional.
    fn commit(&mut self) -> impl Future<Output = ConnectResult<()>> + Send {
        ready(Ok(()))
    }

    /// `record` was acknowledged by Kafka (`metadata`), or dropped by a transform (`None`).
    /// Called in the order records were acknowledged, between polls. Must be quick. Optional.
    ///
    /// Unlike Java's `commitRecord`, the record arrives without its key and value (both
    /// [`Value::Null`](crate::Value::Null), their schemas `None`): the worker drops them once
    /// the record is converted, so the records waiting for their acknowledgement hold only
    /// their topic, partitions, offsets, timestamp and headers. A change event's value tree
    /// is several times the size of its encoded bytes, and up to the whole in-flight window
    /// waits for acknowledgements.
    fn commit_record(
        &mut self,
        record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> ConnectResult<()> {
        let _ = (record, metadata);
        Ok(())
    }

    /// Stops the task and releases its resources. Called once; the instance is dropped after.
    fn stop(&mut self) -> impl Future<Output = ConnectResult<()>> + Send;
}

/// A task that writes records consumed from Kafka (see the [module doc](crate::connector)).
pub trait SinkTask: Send + Debug + 'static {
    /// Starts the task with its configuration (one of `SinkConnector::task_configs`).
    fn start(
        &mut self,
        props: TaskConfig,
        ctx: SinkTaskContext,
    ) -> impl Future<Output = ConnectResult<()>> + Send;

    /// `partitions` were assigned to the task (after a rebalance); records of them follow.
    fn open(
        &mut self,
        partitions: &[TopicPartition],
    ) -> impl Future<Output = ConnectResult<()>> + Send {
        let _ = partitions;
        ready(Ok(()))
    }

    /// Writes (or buffers) `records`, in offset order per partition. Also called with no
    /// records when nothing was fetched, so time-based flushes can fire. A retriable error
    /// makes the worker redeliver the same batch after `SinkTaskContext::set_timeout`.
    ///
    /// The batch is lent, not given (Kafka Connect hands over a collection): the worker keeps
    /// it to redeliver after a retriable error, so no copy is made per `put`. A task that
    /// buffers records past the call clones what it keeps.
    fn put(&mut self, records: &[SinkRecord]) -> impl Future<Output = ConnectResult<()>> + Send;

    /// Whether `put` may receive records whose value is kept encoded
    /// ([`SinkRecord::encoded_value`](crate::SinkRecord) set, `value` null; see
    /// [`crate::EncodedValue`]). Asked once, after `start`. A task that answers `true` must
    /// tell tombstones with [`SinkRecord::has_null_value`](crate::SinkRecord::has_null_value) and
    /// read values through [`SinkRecord::value_decoded`](crate::SinkRecord::value_decoded).
    /// The default is `false`: every value arrives decoded.
    fn accepts_encoded_values(&self) -> bool {
        false
    }

    /// Makes everything given to `put` durable (Kafka's `flush`). Optional; the default
    /// `pre_commit` calls it.
    fn flush(&mut self, offsets: &CommitOffsets) -> impl Future<Output = ConnectResult<()>> + Send {
        let _ = offsets;
        ready(Ok(()))
    }

    /// Given the offsets after the last records passed to `put` per partition, answers the
    /// offsets that are safe to commit: only up to data that is durably written. A partition
    /// left out is not committed this round. The default flushes, then answers all of them.
    fn pre_commit(
        &mut self,
        offsets: CommitOffsets,
    ) -> impl Future<Output = ConnectResult<CommitOffsets>> + Send {
        async move {
            self.flush(&offsets).await?;
            Ok(offsets)
        }
    }

    /// `partitions` are being taken away (rebalance or stop): drop their buffered state; the
    /// next owner resumes from the last committed offset.
    fn close(
        &mut self,
        partitions: &[TopicPartition],
    ) -> impl Future<Output = ConnectResult<()>> + Send {
        let _ = partitions;
        ready(Ok(()))
    }

    /// Stops the task and releases its resources. Called once, after `close`.
    fn stop(&mut self) -> impl Future<Output = ConnectResult<()>> + Send;
}
