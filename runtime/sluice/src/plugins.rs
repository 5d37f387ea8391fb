//! The connector plugins compiled into this binary, handed to the herder as a
//! [`PluginCatalog`]: the built-in connectors (FileStreamSource/Sink, the data generator) and,
//! behind their cargo features, the PostgreSQL source (and the other connector crates).
//! Connector crates that publish a plugin list are added here behind their cargo feature.

use sluice_builtin::{Constructor, PluginDesc, PluginRegistry, builtin_plugins};
use sluice_worker::herder::{Plugin, PluginCatalog, PluginConstructor};

/// The registry of this build.
#[derive(Debug)]
pub(crate) struct Plugins(PluginRegistry);

impl Plugins {
    /// Every plugin compiled in.
    pub(crate) fn compiled_in() -> Self {
        #[allow(unused_mut)]
        let mut plugins = builtin_plugins();
        #[cfg(feature = "postgres")]
        plugins.push(
            PluginDesc::source::<sluice_postgres::PostgresConnector>(
                sluice_postgres::connector::CLASS,
            )
            .with_task_class(sluice_postgres::connector::TASK_CLASS),
        );
        #[cfg(feature = "s3")]
        plugins.push(
            PluginDesc::sink::<sluice_s3::S3SinkConnector>(sluice_s3::CONNECTOR_CLASS)
                .with_task_class(sluice_s3::TASK_CLASS),
        );
        Plugins(PluginRegistry::new(plugins))
    }
}

fn plugin(p: &PluginDesc) -> Plugin {
    Plugin {
        class: p.class.clone(),
        version: p.version.clone(),
        config_def: p.config_def.clone(),
        task_class: p.task_class.clone(),
        constructor: match p.constructor() {
            Constructor::Source(f) => PluginConstructor::Source(f),
            Constructor::Sink(f) => PluginConstructor::Sink(f),
        },
    }
}

impl PluginCatalog for Plugins {
    fn plugins(&self) -> Vec<Plugin> {
        self.0.plugins().iter().map(plugin).collect()
    }

    fn lookup(&self, name: &str) -> Result<Plugin, String> {
        self.0.lookup(name).map(plugin).map_err(|e| e.to_string())
    }
}
