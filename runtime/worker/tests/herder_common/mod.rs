//! Shared set-up of the herder tests: the built-in plugins as a `PluginCatalog`, a standalone
//! herder on the test broker, connector configs, and waiting for a condition.

#![allow(dead_code)] // each test file uses a different subset

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_builtin::registry::{Constructor, PluginRegistry, builtin_plugins};
use sluice_rest::ConnectorConfig;
use sluice_worker::herder::{
    Plugin, PluginCatalog, PluginConstructor, StandaloneConfig, StandaloneHerder,
};
use sluice_worker::kafka::Properties;

/// Generous bound on waits (consumer groups on the test broker take ~5 s per round).
pub(crate) const WAIT: Duration = Duration::from_secs(90);

/// The built-in connectors, as the binary registers them.
#[derive(Debug)]
pub(crate) struct Builtins(pub(crate) PluginRegistry);

fn plugin(p: &sluice_builtin::registry::PluginDesc) -> Plugin {
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

impl PluginCatalog for Builtins {
    fn plugins(&self) -> Vec<Plugin> {
        self.0.plugins().iter().map(plugin).collect()
    }

    fn lookup(&self, name: &str) -> Result<Plugin, String> {
        self.0.lookup(name).map(plugin).map_err(|e| e.to_string())
    }
}

pub(crate) fn temp_path(prefix: &str, ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.{ext}", sluice_testkit::unique_name(prefix)))
}

/// Worker properties for the test broker, offsets in `offsets_file`, 100 ms offset flushes.
pub(crate) fn worker(offsets_file: &Path) -> Properties {
    [
        (
            "bootstrap.servers",
            sluice_testkit::services().kafka().bootstrap.as_str(),
        ),
        (
            "offset.storage.file.filename",
            offsets_file.to_str().unwrap(),
        ),
        ("offset.flush.interval.ms", "100"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A started standalone herder with the built-in plugins.
pub(crate) async fn herder(offsets_file: &Path) -> StandaloneHerder {
    herder_with(offsets_file, &[]).await
}

/// [`herder`] with `extra` worker properties added (or overriding the defaults).
pub(crate) async fn herder_with(offsets_file: &Path, extra: &[(&str, &str)]) -> StandaloneHerder {
    let mut worker = worker(offsets_file);
    worker.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let config = StandaloneConfig {
        worker,
        worker_id: "127.0.0.1:8083".into(),
        kafka_cluster_id: "test-cluster".into(),
    };
    StandaloneHerder::start(
        config,
        Arc::new(Builtins(PluginRegistry::new(builtin_plugins()))),
    )
    .await
    .unwrap()
}

pub(crate) fn config(entries: &[(&str, &str)]) -> ConnectorConfig {
    entries.iter().map(|(k, v)| (*k, *v)).collect()
}

/// Polls `check` every 100 ms until it answers `Some`, or panics after `WAIT` naming `what`.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) fn lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}
