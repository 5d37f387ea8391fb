//! The type-erased side of the SPI: [`DynSourceConnector`], [`DynSinkConnector`],
//! [`DynSourceTask`] and [`DynSinkTask`], implemented for every typed connector and task.
//!
//! Authors implement the typed traits (`async fn` in traits, associated task types); the
//! worker and the plugin registry hold `Box<dyn DynSourceConnector>` / `Box<dyn DynSourceTask>`
//! chosen at run time from `connector.class`. The blanket impls below bridge the two by boxing
//! each future; the cost (one allocation per call) is negligible next to a `poll` or `put` of a
//! batch.
//!
//! Why not the `async-trait` crate on the typed traits: it would box every future for authors
//! too and add a proc-macro dependency to this leaf crate, while native `async fn` in traits
//! (with `+ Send` futures) plus these few lines give authors plain `async fn`s and the worker
//! trait objects. The erased traits live here rather than in the worker so that every connector
//! crate, the registry and the worker agree on one definition without depending on each other.

use std::fmt::Debug;

use super::context::{ConnectorContext, SinkTaskContext, SourceTaskContext};
use super::error::ConnectResult;
use super::plugin::{Connector, SinkConnector, SourceConnector};
use super::task::{SinkTask, SourceTask};
use super::types::{
    BoxFuture, CommitOffsets, ExactlyOnceSupport, Properties, RecordMetadata, TaskConfig,
    TopicPartition,
};
use crate::config::{ConfigDef, ConfigValue};
use crate::record::{OffsetMap, SinkRecord, SourceRecord};

/// [`Connector`] as a trait object.
pub trait DynConnector: Send + Sync + Debug {
    /// See [`Connector::version`].
    fn version(&self) -> String;
    /// See [`Connector::config_def`].
    fn config_def(&self) -> ConfigDef;
    /// See [`Connector::validate`].
    fn validate<'a>(&'a self, props: &'a Properties) -> BoxFuture<'a, Vec<ConfigValue>>;
    /// See [`Connector::start`].
    fn start(
        &mut self,
        props: Properties,
        ctx: ConnectorContext,
    ) -> BoxFuture<'_, ConnectResult<()>>;
    /// See [`Connector::task_configs`].
    fn task_configs(&self, max_tasks: usize) -> ConnectResult<Vec<TaskConfig>>;
    /// See [`Connector::stop`].
    fn stop(&mut self) -> BoxFuture<'_, ConnectResult<()>>;
}

impl<C: Connector> DynConnector for C {
    fn version(&self) -> String {
        Connector::version(self)
    }
    fn config_def(&self) -> ConfigDef {
        Connector::config_def(self)
    }
    fn validate<'a>(&'a self, props: &'a Properties) -> BoxFuture<'a, Vec<ConfigValue>> {
        Box::pin(Connector::validate(self, props))
    }
    fn start(
        &mut self,
        props: Properties,
        ctx: ConnectorContext,
    ) -> BoxFuture<'_, ConnectResult<()>> {
        Box::pin(Connector::start(self, props, ctx))
    }
    fn task_configs(&self, max_tasks: usize) -> ConnectResult<Vec<TaskConfig>> {
        Connector::task_configs(self, max_tasks)
    }
    fn stop(&mut self) -> BoxFuture<'_, ConnectResult<()>> {
        Box::pin(Connector::stop(self))
    }
}

/// [`SourceConnector`] as a trait object.
pub trait DynSourceConnector: DynConnector {
    /// See [`SourceConnector::create_task`].
    fn create_task(&self) -> Box<dyn DynSourceTask>;
    /// See [`SourceConnector::exactly_once_support`].
    fn exactly_once_support(&self, props: &Properties) -> ExactlyOnceSupport;
    /// See [`SourceConnector::alter_offsets`].
    fn alter_offsets(
        &self,
        props: &Properties,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> ConnectResult<bool>;
}

impl<C: SourceConnector> DynSourceConnector for C {
    fn create_task(&self) -> Box<dyn DynSourceTask> {
        Box::new(SourceConnector::create_task(self))
    }
    fn exactly_once_support(&self, props: &Properties) -> ExactlyOnceSupport {
        SourceConnector::exactly_once_support(self, props)
    }
    fn alter_offsets(
        &self,
        props: &Properties,
        offsets: &[(OffsetMap, Option<OffsetMap>)],
    ) -> ConnectResult<bool> {
        SourceConnector::alter_offsets(self, props, offsets)
    }
}

/// [`SinkConnector`] as a trait object.
pub trait DynSinkConnector: DynConnector {
    /// See [`SinkConnector::create_task`].
    fn create_task(&self) -> Box<dyn DynSinkTask>;
    /// See [`SinkConnector::alter_offsets`].
    fn alter_offsets(
        &self,
        props: &Properties,
        offsets: &[(TopicPartition, Option<i64>)],
    ) -> ConnectResult<bool>;
}

impl<C: SinkConnector> DynSinkConnector for C {
    fn create_task(&self) -> Box<dyn DynSinkTask> {
        Box::new(SinkConnector::create_task(self))
    }
    fn alter_offsets(
        &self,
        props: &Properties,
        offsets: &[(TopicPartition, Option<i64>)],
    ) -> ConnectResult<bool> {
        SinkConnector::alter_offsets(self, props, offsets)
    }
}

/// [`SourceTask`] as a trait object.
pub trait DynSourceTask: Send + Debug {
    /// See [`SourceTask::start`].
    fn start(
        &mut self,
        props: TaskConfig,
        ctx: SourceTaskContext,
    ) -> BoxFuture<'_, ConnectResult<()>>;
    /// See [`SourceTask::poll`] (cancel-safe).
    fn poll(&mut self) -> BoxFuture<'_, ConnectResult<Vec<SourceRecord>>>;
    /// See [`SourceTask::commit`].
    fn commit(&mut self) -> BoxFuture<'_, ConnectResult<()>>;
    /// See [`SourceTask::commit_record`].
    fn commit_record(
        &mut self,
        record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> ConnectResult<()>;
    /// See [`SourceTask::stop`].
    fn stop(&mut self) -> BoxFuture<'_, ConnectResult<()>>;
}

impl<T: SourceTask> DynSourceTask for T {
    fn start(
        &mut self,
        props: TaskConfig,
        ctx: SourceTaskContext,
    ) -> BoxFuture<'_, ConnectResult<()>> {
        Box::pin(SourceTask::start(self, props, ctx))
    }
    fn poll(&mut self) -> BoxFuture<'_, ConnectResult<Vec<SourceRecord>>> {
        Box::pin(SourceTask::poll(self))
    }
    fn commit(&mut self) -> BoxFuture<'_, ConnectResult<()>> {
        Box::pin(SourceTask::commit(self))
    }
    fn commit_record(
        &mut self,
        record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> ConnectResult<()> {
        SourceTask::commit_record(self, record, metadata)
    }
    fn stop(&mut self) -> BoxFuture<'_, ConnectResult<()>> {
        Box::pin(SourceTask::stop(self))
    }
}

/// [`SinkTask`] as a trait object.
pub trait DynSinkTask: Send + Debug {
    /// See [`SinkTask::start`].
    fn start(
        &mut self,
        props: TaskConfig,
        ctx: SinkTaskContext,
    ) -> BoxFuture<'_, ConnectResult<()>>;
    /// See [`SinkTask::open`].
    fn open<'a>(&'a mut self, partitions: &'a [TopicPartition])
    -> BoxFuture<'a, ConnectResult<()>>;
    /// See [`SinkTask::put`].
    fn put<'a>(&'a mut self, records: &'a [SinkRecord]) -> BoxFuture<'a, ConnectResult<()>>;
    /// See [`SinkTask::accepts_encoded_values`].
    fn accepts_encoded_values(&self) -> bool;
    /// See [`SinkTask::flush`].
    fn flush<'a>(&'a mut self, offsets: &'a CommitOffsets) -> BoxFuture<'a, ConnectResult<()>>;
    /// See [`SinkTask::pre_commit`].
    fn pre_commit(&mut self, offsets: CommitOffsets)
    -> BoxFuture<'_, ConnectResult<CommitOffsets>>;
    /// See [`SinkTask::close`].
    fn close<'a>(
        &'a mut self,
        partitions: &'a [TopicPartition],
    ) -> BoxFuture<'a, ConnectResult<()>>;
    /// See [`SinkTask::stop`].
    fn stop(&mut self) -> BoxFuture<'_, ConnectResult<()>>;
}

impl<T: SinkTask> DynSinkTask for T {
    fn start(
        &mut self,
        props: TaskConfig,
        ctx: SinkTaskContext,
    ) -> BoxFuture<'_, ConnectResult<()>> {
        Box::pin(SinkTask::start(self, props, ctx))
    }
    fn open<'a>(
        &'a mut self,
        partitions: &'a [TopicPartition],
    ) -> BoxFuture<'a, ConnectResult<()>> {
        Box::pin(SinkTask::open(self, partitions))
    }
    fn put<'a>(&'a mut self, records: &'a [SinkRecord]) -> BoxFuture<'a, ConnectResult<()>> {
        Box::pin(SinkTask::put(self, records))
    }
    fn accepts_encoded_values(&self) -> bool {
        SinkTask::accepts_encoded_values(self)
    }
    fn flush<'a>(&'a mut self, offsets: &'a CommitOffsets) -> BoxFuture<'a, ConnectResult<()>> {
        Box::pin(SinkTask::flush(self, offsets))
    }
    fn pre_commit(
        &mut self,
        offsets: CommitOffsets,
    ) -> BoxFuture<'_, ConnectResult<CommitOffsets>> {
        Box::pin(SinkTask::pre_commit(self, offsets))
    }
    fn close<'a>(
        &'a mut self,
        partitions: &'a [TopicPartition],
    ) -> BoxFuture<'a, ConnectResult<()>> {
        Box::pin(SinkTask::close(self, partitions))
    }
    fn stop(&mut self) -> BoxFuture<'_, ConnectResult<()>> {
        Box::pin(SinkTask::stop(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn require_send<T: Send>(_: &T) {}

    /// Compile-time check: the futures a worker builds around the erased traits are `Send`,
    /// so they can be spawned on a multi-threaded runtime.
    #[allow(dead_code)]
    fn worker_futures_are_send(
        mut source: Box<dyn DynSourceConnector>,
        mut task: Box<dyn DynSourceTask>,
        mut sink: Box<dyn DynSinkTask>,
        props: Properties,
        ctx: ConnectorContext,
    ) {
        let f = async move {
            let _ = source.validate(&props).await;
            let _ = source.start(props.clone(), ctx).await;
            let _ = source.task_configs(1);
            let _ = task.poll().await;
            let _ = task.commit().await;
            let _ = sink.put(&[]).await;
            let _ = sink.pre_commit(CommitOffsets::new()).await;
            let _ = source.stop().await;
        };
        require_send(&f);
    }
}
