//! The plugin registry: which connector a `connector.class` names, with Kafka Connect's alias
//! rules, and how to construct it.
//!
//! A plugin is found by its full class name (`org.apache.kafka.connect.file.FileStreamSourceConnector`),
//! its simple name (`FileStreamSourceConnector`), its simple name without the `Connector` suffix
//! (`FileStreamSource`), or an explicit extra alias (`sluice.datagen`). As in Kafka, a name that
//! matches several plugins is refused with the list of their classes (the user must give the
//! full class name), and an unknown name is refused with the list of available classes.
//!
//! The registry is assembled from explicit lists of [`PluginDesc`]s — [`builtin_plugins`] here,
//! and one function per connector crate behind its cargo feature in the binary — never by
//! scanning, so what a build can run is visible in one place.

use std::fmt;

use sluice_api::ConfigDef;
use sluice_api::connector::{
    ConnectorKind, DynSinkConnector, DynSourceConnector, SinkConnector, SourceConnector,
};

use crate::datagen::{self, DatagenConnector};
use crate::error::{Error, Result};
use crate::file_sink::{self, FileStreamSinkConnector};
use crate::file_source::{self, FileStreamSourceConnector};

/// How to make a new connector instance.
#[derive(Clone, Copy)]
pub enum Constructor {
    /// A source connector.
    Source(fn() -> Box<dyn DynSourceConnector>),
    /// A sink connector.
    Sink(fn() -> Box<dyn DynSinkConnector>),
}

impl fmt::Debug for Constructor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Constructor::Source(_) => "Constructor::Source",
            Constructor::Sink(_) => "Constructor::Sink",
        })
    }
}

/// A connector plugin: its names, kind, version, configuration and constructor.
#[derive(Debug, Clone)]
pub struct PluginDesc {
    /// The canonical (Java) class name.
    pub class: String,
    /// Extra aliases beyond the simple and pruned names derived from `class`.
    pub aliases: Vec<String>,
    /// Source or sink.
    pub kind: ConnectorKind,
    /// The plugin's version.
    pub version: String,
    /// The connector's own configuration keys.
    pub config_def: ConfigDef,
    /// The task class name Kafka Connect writes as `task.class` in every task config
    /// (derived from `class`: `…Connector` → `…Task`; override with
    /// [`PluginDesc::with_task_class`]).
    pub task_class: String,
    constructor: Constructor,
}

/// Kafka's convention for a connector's task class: `…Connector` → `…Task`.
fn derived_task_class(class: &str) -> String {
    match class.strip_suffix("Connector") {
        Some(base) => format!("{base}Task"),
        None => format!("{class}Task"),
    }
}

fn new_source<C: SourceConnector + Default>() -> Box<dyn DynSourceConnector> {
    Box::new(C::default())
}

fn new_sink<C: SinkConnector + Default>() -> Box<dyn DynSinkConnector> {
    Box::new(C::default())
}

impl PluginDesc {
    /// A source plugin of class `class` made by `C::default()`.
    pub fn source<C: SourceConnector + Default>(class: impl Into<String>) -> Self {
        let c = C::default();
        let class = class.into();
        PluginDesc {
            task_class: derived_task_class(&class),
            class,
            aliases: Vec::new(),
            kind: ConnectorKind::Source,
            version: c.version(),
            config_def: c.config_def(),
            constructor: Constructor::Source(new_source::<C>),
        }
    }

    /// A sink plugin of class `class` made by `C::default()`.
    pub fn sink<C: SinkConnector + Default>(class: impl Into<String>) -> Self {
        let c = C::default();
        let class = class.into();
        PluginDesc {
            task_class: derived_task_class(&class),
            class,
            aliases: Vec::new(),
            kind: ConnectorKind::Sink,
            version: c.version(),
            config_def: c.config_def(),
            constructor: Constructor::Sink(new_sink::<C>),
        }
    }

    /// Sets the task class name written as `task.class` (when it does not follow `…Task`).
    pub fn with_task_class(mut self, task_class: impl Into<String>) -> Self {
        self.task_class = task_class.into();
        self
    }

    /// Adds an explicit alias.
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.aliases.push(alias.into());
        self
    }

    /// The class name after the last `.` (Kafka's simple name).
    pub fn simple_name(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(&self.class)
    }

    /// The simple name without a `Connector` suffix (Kafka's pruned name), if it has one.
    pub fn pruned_name(&self) -> Option<&str> {
        self.simple_name()
            .strip_suffix("Connector")
            .filter(|p| !p.is_empty())
    }

    /// Whether `name` names this plugin (class, simple name, pruned name or explicit alias).
    pub fn matches(&self, name: &str) -> bool {
        self.class == name
            || self.simple_name() == name
            || self.pruned_name() == Some(name)
            || self.aliases.iter().any(|a| a == name)
    }

    /// How to construct the connector.
    pub fn constructor(&self) -> Constructor {
        self.constructor
    }

    /// A new source connector, `None` for a sink plugin.
    pub fn new_source(&self) -> Option<Box<dyn DynSourceConnector>> {
        match self.constructor {
            Constructor::Source(f) => Some(f()),
            Constructor::Sink(_) => None,
        }
    }

    /// A new sink connector, `None` for a source plugin.
    pub fn new_sink(&self) -> Option<Box<dyn DynSinkConnector>> {
        match self.constructor {
            Constructor::Sink(f) => Some(f()),
            Constructor::Source(_) => None,
        }
    }
}

/// The connector plugins a worker can run (see the module doc).
#[derive(Debug, Clone, Default)]
pub struct PluginRegistry {
    plugins: Vec<PluginDesc>,
}

impl PluginRegistry {
    /// A registry of `plugins`, listed in class-name order (as `GET /connector-plugins`).
    pub fn new(plugins: impl IntoIterator<Item = PluginDesc>) -> Self {
        let mut plugins: Vec<PluginDesc> = plugins.into_iter().collect();
        plugins.sort_by(|a, b| a.class.cmp(&b.class));
        plugins.dedup_by(|a, b| a.class == b.class);
        PluginRegistry { plugins }
    }

    /// Adds plugins (a plugin whose class is already registered replaces it).
    pub fn extend(&mut self, plugins: impl IntoIterator<Item = PluginDesc>) {
        let mut all = std::mem::take(&mut self.plugins);
        for p in plugins {
            all.retain(|q| q.class != p.class);
            all.push(p);
        }
        *self = PluginRegistry::new(all);
    }

    /// Every plugin, in class-name order.
    pub fn plugins(&self) -> &[PluginDesc] {
        &self.plugins
    }

    /// The plugin `name` designates: an exact class name first, then a unique alias.
    pub fn lookup(&self, name: &str) -> Result<&PluginDesc> {
        let name = name.trim();
        if let Some(p) = self.plugins.iter().find(|p| p.class == name) {
            return Ok(p);
        }
        let found: Vec<&PluginDesc> = self.plugins.iter().filter(|p| p.matches(name)).collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::UnknownPlugin {
                name: name.into(),
                available: self.classes(self.plugins.iter()),
            }),
            many => Err(Error::AmbiguousPlugin {
                name: name.into(),
                classes: self.classes(many.iter().copied()),
            }),
        }
    }

    fn classes<'a>(&self, plugins: impl Iterator<Item = &'a PluginDesc>) -> String {
        plugins
            .map(|p| p.class.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The built-in connectors of this crate.
pub fn builtin_plugins() -> Vec<PluginDesc> {
    vec![
        PluginDesc::source::<FileStreamSourceConnector>(file_source::CLASS),
        PluginDesc::sink::<FileStreamSinkConnector>(file_sink::CLASS),
        PluginDesc::source::<DatagenConnector>(datagen::CLASS).with_alias(datagen::ALIAS),
    ]
}
