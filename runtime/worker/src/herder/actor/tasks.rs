//! Starting and stopping task loops: a source task gets its converters, a producer and the
//! offset store; a sink task its consumer group (inside `task::sink`). Each loop's state
//! changes are forwarded to the actor as events tagged with the loop's incarnation.

use std::time::Duration;

use sluice_protocol::State;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::{Actor, Event, Offsets};
use crate::herder::converters::source_converters;
use crate::herder::plugins::PluginConstructor;
use crate::kafka::{AckedProducer, Admin, Properties};
use crate::stores::ConfigStore;
use crate::task::sink::SinkTaskRunner;
use crate::task::source::{SourceTaskRunner, SourceTaskSettings};
use crate::task::{TaskHandle, TaskId, TaskState, TopicTracking};

/// Timeout of the admin client used to create a source task's missing topics.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(30);

const PRODUCER_OVERRIDE_PREFIX: &str = "producer.override.";

/// A running task loop.
#[derive(Debug)]
pub(crate) enum Handle {
    Source(TaskHandle),
    Sink(TaskHandle),
}

/// A task loop with the forwarder of its state changes.
#[derive(Debug)]
pub(crate) struct TaskRun {
    pub(super) handle: Handle,
    pub(super) incarnation: u64,
    /// The task config the loop runs with.
    pub(super) config: sluice_protocol::Properties,
    /// The loop's topic tracking (KIP-558), `None` when `topic.tracking.enable=false`.
    pub(super) topics: Option<TopicTracking>,
    forwarder: JoinHandle<()>,
}

/// Forwards `RUNNING` and `FAILED` of one loop to the actor until the loop ends.
fn forward(
    mut rx: watch::Receiver<TaskState>,
    events: mpsc::UnboundedSender<Event>,
    connector: String,
    task: u32,
    incarnation: u64,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let current = rx.borrow_and_update().clone();
            let (report, is_final) = report(&current);
            if let Some((state, trace)) = report {
                let event = Event::Task {
                    connector: connector.clone(),
                    task,
                    incarnation,
                    state,
                    trace,
                };
                if events.send(event).is_err() {
                    return;
                }
            }
            if is_final || rx.changed().await.is_err() {
                return;
            }
        }
    })
}

/// What to tell the actor about a loop's state, and whether the loop has ended.
fn report(s: &TaskState) -> (Option<(State, Option<String>)>, bool) {
    match s {
        TaskState::Running => (Some((State::Running, None)), false),
        TaskState::Failed { trace } => (Some((State::Failed, Some(trace.clone()))), true),
        TaskState::Stopped => (None, true),
        TaskState::Unassigned => (None, false),
    }
}

impl Actor {
    /// Starts task `task` of `connector` from its stored task config. A task that cannot be
    /// set up (bad converter, bad client property) is shown `FAILED` with the reason.
    pub(crate) async fn start_task(&mut self, connector: &str, task: u32) {
        let snapshot = self.configs.snapshot();
        let Some(stored) = snapshot.connector(connector) else {
            return;
        };
        let Some(task_config) = stored.tasks.get(task as usize).cloned() else {
            return;
        };
        let Some(plugin) = self.running.get(connector).map(|r| r.plugin.clone()) else {
            return;
        };
        let conn_config = stored.config.clone();
        self.next_incarnation += 1;
        let incarnation = self.next_incarnation;
        self.put_task_status(connector, task, State::Unassigned, None)
            .await;
        let tracking = self.topic_tracking(connector, task);
        let worker = &self.config.worker;
        let started: Result<(Handle, JoinHandle<()>), String> = match plugin.constructor {
            PluginConstructor::Source(make) => {
                let setup = || -> crate::Result<SourceTaskRunner<Offsets>> {
                    let converters = source_converters(&conn_config, worker)?;
                    let producer = AckedProducer::new(worker, &producer_overrides(&conn_config))?;
                    let settings = SourceTaskSettings::from_configs(worker, &conn_config)?;
                    let creates_topics = settings.topic_creation.is_some();
                    let mut runner = SourceTaskRunner::new(
                        TaskId::new(connector, task),
                        make().create_task(),
                        task_config.clone(),
                        converters,
                        producer,
                        self.offsets.clone(),
                        settings,
                    );
                    if let Some(t) = &tracking {
                        runner = runner.with_topic_tracking(t);
                    }
                    if creates_topics {
                        runner = runner.with_admin(Admin::new(
                            worker,
                            &Properties::new(),
                            ADMIN_TIMEOUT,
                        )?);
                    }
                    Ok(runner)
                };
                setup().map_err(|e| e.to_string()).map(|runner| {
                    let handle = runner.spawn();
                    let fwd = forward(
                        handle.subscribe(),
                        self.events.clone(),
                        connector.to_string(),
                        task,
                        incarnation,
                    );
                    (Handle::Source(handle), fwd)
                })
            }
            PluginConstructor::Sink(make) => SinkTaskRunner::new(
                TaskId::new(connector, task),
                &conn_config,
                task_config.clone(),
                worker,
                make().create_task(),
            )
            .map_err(|e| e.to_string())
            .map(|runner| {
                let runner = match &tracking {
                    Some(t) => runner.with_topic_tracking(t),
                    None => runner,
                };
                let handle = runner.spawn();
                let fwd = forward(
                    handle.subscribe(),
                    self.events.clone(),
                    connector.to_string(),
                    task,
                    incarnation,
                );
                (Handle::Sink(handle), fwd)
            }),
        };
        match started {
            Ok((handle, forwarder)) => {
                if let Some(r) = self.running.get_mut(connector) {
                    r.tasks.insert(
                        task,
                        TaskRun {
                            handle,
                            incarnation,
                            config: task_config,
                            topics: tracking,
                            forwarder,
                        },
                    );
                }
            }
            Err(reason) => {
                tracing::error!(connector, task, error = %reason, "The task could not be set up.");
                self.put_task_status(connector, task, State::Failed, Some(reason))
                    .await;
            }
        }
    }

    /// Stops one task loop (final offset flush or commit) and waits for it; `None` if it was
    /// not running. Its state reports stop at once: the caller writes the next status.
    pub(crate) async fn stop_task(&mut self, connector: &str, task: u32) -> Option<State> {
        let run = self.running.get_mut(connector)?.tasks.remove(&task)?;
        run.forwarder.abort();
        let state = match run.handle {
            Handle::Source(h) => h.stop_and_join().await.state(),
            Handle::Sink(h) => h.stop_and_join().await.state(),
        };
        Some(state)
    }

    /// Stops every task loop of `connector` (all asked first, then awaited, so their final
    /// flushes overlap).
    pub(crate) async fn stop_tasks(&mut self, connector: &str) {
        let Some(r) = self.running.get_mut(connector) else {
            return;
        };
        let runs = std::mem::take(&mut r.tasks);
        for run in runs.values() {
            run.forwarder.abort();
            match &run.handle {
                Handle::Source(h) => h.stop(),
                Handle::Sink(h) => h.stop(),
            }
        }
        for (task, run) in runs {
            let state = match run.handle {
                Handle::Source(h) => h.join().await.state(),
                Handle::Sink(h) => h.join().await.state(),
            };
            tracing::debug!(connector, task, ?state, "The task stopped.");
        }
    }

    /// Starts every stored task of `connector` this worker owns that has no loop, after
    /// stopping the loops of tasks that no longer exist, moved elsewhere, or whose stored config
    /// changed (those start again with the new one). A loop that ended (a `FAILED` task) stays
    /// until it is restarted.
    pub(crate) async fn start_tasks(&mut self, connector: &str) {
        let tasks = self
            .configs
            .snapshot()
            .connector(connector)
            .map(|c| c.tasks.clone())
            .unwrap_or_default();
        let stale: Vec<u32> = self
            .running
            .get(connector)
            .map(|r| {
                r.tasks
                    .iter()
                    .filter(|(t, run)| {
                        tasks.get(**t as usize) != Some(&run.config)
                            || !self.owns_task(connector, **t)
                    })
                    .map(|(t, _)| *t)
                    .collect()
            })
            .unwrap_or_default();
        for task in stale {
            self.stop_task(connector, task).await;
        }
        for task in 0..tasks.len() as u32 {
            let running = self
                .running
                .get(connector)
                .is_some_and(|r| r.tasks.contains_key(&task));
            if !running && self.owns_task(connector, task) {
                self.start_task(connector, task).await;
            }
        }
    }
}

/// The producer's `producer.override.*` properties of a connector config.
fn producer_overrides(config: &[(String, Option<String>)]) -> Properties {
    config
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix(PRODUCER_OVERRIDE_PREFIX)?;
            Some((key.to_string(), v.clone()?))
        })
        .collect()
}
