//! [`SinkTaskRunner`]: what the herder creates to run one sink task, and its lifecycle —
//! set up (converters, dead-letter queue, consumer), `start`, the loop, the end — inside a
//! `task` span with `connector` and `task` fields, reporting each state change.

use sluice_api::connector::{
    DynSinkTask, Properties as ConnectorProperties, SinkTaskContext, TaskConfig, TaskIdentity,
};
use tokio::sync::watch;
use tracing::Instrument;

use super::config::SinkTaskConfig;
use super::consumer::SinkConsumer;
use super::convert::Converters;
use super::errors::ErrorHandler;
use super::work_loop::Loop;
use crate::Result;
use crate::kafka::Properties;
use crate::task::loop_metrics::SinkMetrics;
use crate::task::{ActiveTopics, TaskHandle, TaskId, TaskState, TopicTracking};

/// One sink task, ready to run (see the [module doc](super)).
#[derive(Debug)]
pub struct SinkTaskRunner {
    id: TaskId,
    config: SinkTaskConfig,
    worker: Properties,
    task_config: TaskConfig,
    task: Box<dyn DynSinkTask>,
    active_topics: ActiveTopics,
}

impl SinkTaskRunner {
    /// A runner for task `id` (an unstarted instance from the connector's `create_task`) with
    /// its `task_config`, the connector's configuration and the worker's properties. Fails
    /// with a configuration error naming the key to fix.
    pub fn new(
        id: TaskId,
        connector_config: &ConnectorProperties,
        task_config: TaskConfig,
        worker: &Properties,
        task: Box<dyn DynSinkTask>,
    ) -> Result<Self> {
        let config = SinkTaskConfig::parse(connector_config, worker)?;
        Ok(SinkTaskRunner {
            id,
            config,
            worker: worker.clone(),
            task_config,
            task,
            active_topics: ActiveTopics::disabled(),
        })
    }

    /// Reports each topic the task consumes from to `tracking` (KIP-558); without it,
    /// nothing is reported.
    pub fn with_topic_tracking(mut self, tracking: &TopicTracking) -> Self {
        self.active_topics = tracking.recorder();
        self
    }

    /// The task's configuration as the runner reads it.
    pub fn config(&self) -> &SinkTaskConfig {
        &self.config
    }

    /// Runs the task on the current tokio runtime; the handle stops it and reads its state.
    pub fn spawn(self) -> TaskHandle {
        TaskHandle::spawn("sink", move |stop, status| self.run(stop, status))
    }

    /// Runs the task until `stop` turns true (or its sender is dropped) or the task fails,
    /// publishing each state on `status`; returns the final state.
    pub async fn run(
        self,
        stop: watch::Receiver<bool>,
        status: watch::Sender<TaskState>,
    ) -> TaskState {
        let span = tracing::info_span!("task", connector = %self.id.connector, task = self.id.task);
        let metrics = SinkMetrics::new(&self.id);
        metrics.task.status(&TaskState::Unassigned);
        let state = self
            .run_inner(stop, &status, metrics.clone())
            .instrument(span)
            .await;
        metrics.task.status(&state);
        status.send_replace(state.clone());
        state
    }

    async fn run_inner(
        self,
        stop: watch::Receiver<bool>,
        status: &watch::Sender<TaskState>,
        metrics: SinkMetrics,
    ) -> TaskState {
        let SinkTaskRunner {
            id,
            config,
            worker,
            task_config,
            mut task,
            active_topics,
        } = self;
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            let trace = format!("{what}: {e}");
            tracing::error!(error = %trace, "The sink task failed.");
            TaskState::Failed { trace }
        };
        let mut converters = match Converters::new(
            &config.key_converter,
            &config.value_converter,
            &config.header_converter,
        ) {
            Ok(c) => c,
            Err(e) => return failed("Could not configure the converters", &e),
        };
        let errors = match ErrorHandler::new(
            config.errors.clone(),
            id.clone(),
            &worker,
            &config.producer_overrides,
        )
        .await
        {
            Ok(h) => h,
            Err(e) => return failed("Could not set up the dead-letter queue", &e),
        };
        let consumer = match SinkConsumer::new(
            &config.consumer_worker_properties(&worker),
            &config.group_id,
            &config.consumer_overrides,
        ) {
            Ok(c) => c,
            Err(e) => return failed("Could not create the consumer", &e),
        };
        let ctx = SinkTaskContext::new().with_identity(TaskIdentity {
            connector: id.connector.clone(),
            task: id.task,
        });
        if let Err(e) = task.start(task_config, ctx.clone()).await {
            consumer.close().await;
            return failed("The task failed to start", &e.report());
        }
        if let Err(e) = consumer.subscribe(&config.topics) {
            let _ = task.stop().await;
            consumer.close().await;
            return failed("Could not subscribe", &e);
        }
        // Sinks run no transforms, so a task that accepts encoded values gets them as read.
        let encoded = task.accepts_encoded_values();
        converters.keep_encoded_values(encoded);
        tracing::info!(group = %config.group_id, topics = ?config.topics, encoded_values = encoded,
            "The sink task is running.");
        metrics.task.status(&TaskState::Running);
        status.send_replace(TaskState::Running);
        let mut work = Loop::new(
            id, config, task, ctx, consumer, converters, errors, stop, metrics,
        );
        work.active_topics = active_topics;
        let outcome = work.run().await;
        let finished = work.finish().await;
        match (outcome, finished) {
            (Err(trace), _) | (Ok(()), Err(trace)) => {
                tracing::error!(error = %trace, "The sink task failed.");
                TaskState::Failed { trace }
            }
            (Ok(()), Ok(())) => {
                tracing::info!("The sink task stopped.");
                TaskState::Stopped
            }
        }
    }
}
