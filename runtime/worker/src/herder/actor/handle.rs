//! [`HerderHandle`]: the sending half of the actor's queue, and the REST API's [`Herder`] over
//! it. Each call becomes a [`Job`] run on the actor's state with a `oneshot` reply, so the REST
//! layer never touches state directly (see the parent module doc). One implementation serves
//! both modes; the type parameter only tells them apart ([`StandaloneHerder`],
//! [`DistributedHerder`]) so each has its own constructor.
//!
//! [`StandaloneHerder`]: crate::herder::StandaloneHerder
//! [`DistributedHerder`]: crate::herder::DistributedHerder

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use async_trait::async_trait;
use futures::future::BoxFuture;
use sluice_api::config::ConfigDef;
use sluice_rest::{
    ConfigInfos, ConfigPatch, ConfigUpdate, ConnectorConfig, ConnectorInfo, ConnectorOffsets,
    ConnectorStateInfo, ConnectorTaskId, Error as RestError, Health, Herder, InitialState,
    LogLevel, LoggerLevel, Message, PluginInfo, RestartRequest, ServerInfo, TaskInfo, TaskState,
};
use tokio::sync::{mpsc, oneshot};

use super::Actor;

/// How many requests may wait for the actor before callers wait to enqueue.
pub(crate) const QUEUE: usize = 64;

/// A message for the actor: runs on its state, replies through a `oneshot` it captured.
pub(crate) type Job = Box<dyn for<'a> FnOnce(&'a mut Actor) -> BoxFuture<'a, ()> + Send>;

/// A herder (see the module doc). Cheap to clone and share: it is the sending half of the
/// actor's queue. `M` is the mode's marker type.
pub struct HerderHandle<M> {
    jobs: mpsc::Sender<Job>,
    mode: PhantomData<fn() -> M>,
}

impl<M> Clone for HerderHandle<M> {
    fn clone(&self) -> Self {
        HerderHandle {
            jobs: self.jobs.clone(),
            mode: PhantomData,
        }
    }
}

impl<M> fmt::Debug for HerderHandle<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HerderHandle")
            .field("mode", &std::any::type_name::<M>())
            .field("running", &!self.jobs.is_closed())
            .finish()
    }
}

impl<M> HerderHandle<M> {
    /// Starts `actor` on its own task and answers the handle to it.
    pub(crate) fn spawn(actor: Actor) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUE);
        tokio::spawn(actor.run(rx));
        HerderHandle {
            jobs,
            mode: PhantomData,
        }
    }

    /// Runs `f` on the actor and returns its answer.
    async fn call<T, F>(&self, f: F) -> Result<T, RestError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Actor) -> BoxFuture<'a, Result<T, RestError>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |actor| {
            Box::pin(async move {
                let _ = tx.send(f(actor).await);
            })
        });
        let stopped = || RestError::Unavailable("The worker is shutting down.".into());
        self.jobs.send(job).await.map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Graceful shutdown: stops every task (source offsets flushed, sink offsets committed) and
    /// every connector, leaves the worker group (distributed), then stops the actor. Later
    /// calls answer 503.
    pub async fn shutdown(&self) {
        if let Err(e) = self.call(|a| Box::pin(a.shutdown())).await {
            tracing::debug!(error = %e, "The herder was already stopped.");
        }
    }
}

#[async_trait]
impl<M: Send + Sync + 'static> Herder for HerderHandle<M> {
    async fn server_info(&self) -> Result<ServerInfo, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.server_info()) }))
            .await
    }

    async fn health(&self) -> Health {
        match self.call(|a| Box::pin(async move { Ok(a.health()) })).await {
            Ok(health) => health,
            Err(e) => Health::Unhealthy(e.to_string()),
        }
    }

    async fn connectors(&self) -> Result<Vec<String>, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.connector_names()) }))
            .await
    }

    async fn connector_info(&self, connector: &str) -> Result<ConnectorInfo, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.connector_info(&c) }))
            .await
    }

    async fn connector_config(&self, connector: &str) -> Result<ConnectorConfig, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.connector_info(&c).map(|i| i.config) }))
            .await
    }

    async fn put_connector_config(
        &self,
        connector: &str,
        config: ConnectorConfig,
        allow_replace: bool,
        initial_state: Option<InitialState>,
    ) -> Result<ConfigUpdate, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.put_config(c, config, allow_replace, initial_state)))
            .await
    }

    async fn patch_connector_config(
        &self,
        connector: &str,
        patch: ConfigPatch,
    ) -> Result<ConnectorInfo, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.patch_config(c, patch))).await
    }

    async fn delete_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.delete(c))).await
    }

    async fn connector_status(&self, connector: &str) -> Result<ConnectorStateInfo, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.connector_status(&c) }))
            .await
    }

    async fn task_configs(&self, connector: &str) -> Result<Vec<TaskInfo>, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.task_infos(&c) }))
            .await
    }

    async fn task_status(&self, task: &ConnectorTaskId) -> Result<TaskState, RestError> {
        let t = task.clone();
        self.call(move |a| Box::pin(async move { a.task_status(&t) }))
            .await
    }

    async fn restart_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.restart_connector(c))).await
    }

    async fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> Result<ConnectorStateInfo, RestError> {
        self.call(move |a| Box::pin(a.restart_connector_and_tasks(request)))
            .await
    }

    async fn restart_task(&self, task: &ConnectorTaskId) -> Result<(), RestError> {
        let t = task.clone();
        self.call(move |a| Box::pin(a.restart_task(t))).await
    }

    async fn pause_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.set_target(c, InitialState::Paused)))
            .await
    }

    async fn resume_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.set_target(c, InitialState::Running)))
            .await
    }

    async fn stop_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.set_target(c, InitialState::Stopped)))
            .await
    }

    async fn connector_offsets(&self, connector: &str) -> Result<ConnectorOffsets, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.offsets(c))).await
    }

    async fn alter_connector_offsets(
        &self,
        connector: &str,
        offsets: ConnectorOffsets,
    ) -> Result<Message, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.alter_offsets(c, Some(offsets))))
            .await
    }

    async fn reset_connector_offsets(&self, connector: &str) -> Result<Message, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.alter_offsets(c, None))).await
    }

    async fn connector_active_topics(&self, connector: &str) -> Result<Vec<String>, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.active_topics(&c) }))
            .await
    }

    async fn reset_connector_active_topics(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.reset_active_topics(c))).await
    }

    async fn plugins(&self) -> Result<Vec<PluginInfo>, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.plugin_infos()) }))
            .await
    }

    async fn plugin_config(&self, plugin: &str) -> Result<ConfigDef, RestError> {
        let p = plugin.to_string();
        self.call(move |a| Box::pin(async move { a.plugin_config(&p) }))
            .await
    }

    async fn validate_connector_config(
        &self,
        plugin: &str,
        config: ConnectorConfig,
    ) -> Result<ConfigInfos, RestError> {
        let p = plugin.to_string();
        self.call(move |a| Box::pin(a.validate(p, config))).await
    }

    async fn loggers(&self) -> Result<BTreeMap<String, LoggerLevel>, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.loggers()) }))
            .await
    }

    async fn logger(&self, name: &str) -> Result<LoggerLevel, RestError> {
        let n = name.to_string();
        self.call(move |a| Box::pin(async move { a.logger(&n) }))
            .await
    }

    async fn set_worker_logger_level(
        &self,
        namespace: &str,
        level: LogLevel,
    ) -> Result<Vec<String>, RestError> {
        let n = namespace.to_string();
        self.call(move |a| Box::pin(async move { a.set_logger_level(&n, level) }))
            .await
    }

    async fn set_cluster_logger_level(
        &self,
        namespace: &str,
        level: LogLevel,
    ) -> Result<(), RestError> {
        let n = namespace.to_string();
        self.call(move |a| Box::pin(a.set_cluster_logger_level(n, level)))
            .await
    }
}
