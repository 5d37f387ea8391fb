//! What the herder needs from the plugin registry: find a connector plugin by the name a
//! `connector.class` gives, list them all, and make new instances.
//!
//! The registry itself (alias rules, the compiled-in connector lists) lives with the connectors
//! (`sluice-builtin`'s `PluginRegistry`); the worker never depends on a connector crate
//! (DESIGN.md §2), so the binary hands the herder an implementation of [`PluginCatalog`]
//! (a few lines over `PluginRegistry`).

use std::fmt;

use sluice_api::config::ConfigDef;
use sluice_api::connector::{ConnectorKind, DynSinkConnector, DynSourceConnector};

/// How to make a new connector instance.
#[derive(Clone, Copy)]
pub enum PluginConstructor {
    /// A source connector.
    Source(fn() -> Box<dyn DynSourceConnector>),
    /// A sink connector.
    Sink(fn() -> Box<dyn DynSinkConnector>),
}

impl fmt::Debug for PluginConstructor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PluginConstructor::Source(_) => "PluginConstructor::Source",
            PluginConstructor::Sink(_) => "PluginConstructor::Sink",
        })
    }
}

/// One connector plugin as the herder sees it.
#[derive(Debug, Clone)]
pub struct Plugin {
    /// The canonical (Java) class name, shown by `GET /connector-plugins`.
    pub class: String,
    /// The plugin's version (shown in statuses and plugin lists).
    pub version: String,
    /// The connector's own configuration keys.
    pub config_def: ConfigDef,
    /// The task class name written as `task.class` in every task config, as Kafka Connect does.
    pub task_class: String,
    /// How to make an instance.
    pub constructor: PluginConstructor,
}

impl Plugin {
    /// Source or sink.
    pub fn kind(&self) -> ConnectorKind {
        match self.constructor {
            PluginConstructor::Source(_) => ConnectorKind::Source,
            PluginConstructor::Sink(_) => ConnectorKind::Sink,
        }
    }
}

/// The connector plugins a worker can run.
pub trait PluginCatalog: Send + Sync + fmt::Debug + 'static {
    /// Every plugin.
    fn plugins(&self) -> Vec<Plugin>;

    /// The plugin `name` designates (class name or alias); `Err` holds a sentence for the user
    /// (unknown name with the available classes, or an ambiguous alias with its candidates).
    fn lookup(&self, name: &str) -> Result<Plugin, String>;
}
