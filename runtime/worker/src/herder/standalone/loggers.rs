//! The actor's loggers (`/admin/loggers`, KIP-495): a table of levels (`root` at `INFO`, plus
//! what was set through the REST API, with its time), answered as Kafka does.
//!
//! With a [`LogLevels`](crate::herder::LogLevels) handle (what `sluice standalone` passes), a
//! `PUT` first changes the process's `tracing` levels and records the level only if that
//! succeeded, so the table never claims a level the process does not apply. Without one, the
//! table is only a record.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use sluice_rest::{Error as RestError, LogLevel, LoggerLevel};

use super::actor::Actor;

impl Actor {
    /// `GET /admin/loggers`.
    pub(super) fn loggers(&self) -> BTreeMap<String, LoggerLevel> {
        self.loggers.clone()
    }

    /// `GET /admin/loggers/{name}`.
    pub(super) fn logger(&self, name: &str) -> Result<LoggerLevel, RestError> {
        self.loggers
            .get(name)
            .cloned()
            .ok_or_else(|| RestError::NotFound(format!("Logger {name} not found.")))
    }

    /// `PUT /admin/loggers/{namespace}`: sets `namespace` and every known logger below it
    /// (`root`: every logger); answers their names, sorted. A name the process's log filter
    /// rejects is a 400 and changes nothing.
    pub(super) fn set_logger_level(
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
}
