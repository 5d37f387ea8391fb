//! The actor's loggers (`/admin/loggers`, KIP-495): a table of levels (`root` at `INFO`, plus
//! what was set through the REST API, with its time), answered as Kafka does.
//!
//! With a [`LogLevels`](crate::herder::LogLevels) handle (what `sluice standalone` passes), a
//! `PUT` first changes the process's `tracing` levels and records the level only if that
//! succeeded, so the table never claims a level the process does not apply. Without one, the
//! table is only a record.
//!
//! A cluster-scope `PUT` (KIP-976) in a worker group writes `logger-cluster-<namespace>` to the
//! config store; every worker, this one included, applies the level when it reads the record
//! ([`Actor::apply_cluster_logger_level`]). A standalone worker is the whole cluster and sets
//! its own level directly.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use sluice_rest::{Error as RestError, LogLevel, LoggerLevel};

use crate::stores::ConfigStore;

use super::{Actor, internal};

impl Actor {
    /// `GET /admin/loggers`.
    pub(crate) fn loggers(&self) -> BTreeMap<String, LoggerLevel> {
        self.loggers.clone()
    }

    /// `GET /admin/loggers/{name}`.
    pub(crate) fn logger(&self, name: &str) -> Result<LoggerLevel, RestError> {
        self.loggers
            .get(name)
            .cloned()
            .ok_or_else(|| RestError::NotFound(format!("Logger {name} not found.")))
    }

    /// `PUT /admin/loggers/{namespace}`: sets `namespace` and every known logger below it
    /// (`root`: every logger); answers their names, sorted. A name the process's log filter
    /// rejects is a 400 and changes nothing.
    pub(crate) fn set_logger_level(
        &mut self,
        namespace: &str,
        level: LogLevel,
    ) -> Result<Vec<String>, RestError> {
        if let Some(levels) = &self.log_levels {
            levels
                .set(namespace, level)
                .map_err(RestError::BadRequest)?;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        // Kafka's names nest with `.`, tracing targets with `::`: both count as "below".
        let below = [format!("{namespace}."), format!("{namespace}::")];
        let mut affected: Vec<String> = self
            .loggers
            .keys()
            .filter(|k| {
                namespace == "root" || *k == namespace || below.iter().any(|b| k.starts_with(b))
            })
            .cloned()
            .collect();
        if !affected.iter().any(|k| k == namespace) {
            affected.push(namespace.to_string());
        }
        affected.sort();
        for name in &affected {
            self.loggers.insert(
                name.clone(),
                LoggerLevel {
                    level: level.as_str().to_string(),
                    last_modified: Some(now),
                },
            );
        }
        tracing::info!(
            logger = namespace,
            level = level.as_str(),
            "Set a logger level."
        );
        Ok(affected)
    }

    /// `PUT /admin/loggers/{namespace}?scope=cluster`.
    pub(crate) async fn set_cluster_logger_level(
        &mut self,
        namespace: String,
        level: LogLevel,
    ) -> Result<(), RestError> {
        if self.cluster.is_none() {
            return self.set_logger_level(&namespace, level).map(|_| ());
        }
        self.configs
            .put_logger_level(&namespace, level.as_str())
            .await
            .map_err(internal)?;
        self.apply_pending_changes().await;
        Ok(())
    }

    /// Applies the cluster-wide level of `namespace` read from the config store.
    pub(crate) fn apply_cluster_logger_level(&mut self, namespace: &str) {
        let Some(level) = self
            .configs
            .snapshot()
            .logger_levels()
            .get(namespace)
            .cloned()
        else {
            return;
        };
        match level.parse::<LogLevel>() {
            Ok(level) => {
                if let Err(e) = self.set_logger_level(namespace, level) {
                    tracing::warn!(logger = namespace, error = %e, "Could not apply a cluster-wide logger level.");
                }
            }
            Err(()) => {
                tracing::warn!(
                    logger = namespace,
                    level,
                    "Ignoring a cluster-wide logger level that is not a level."
                );
            }
        }
    }
}
