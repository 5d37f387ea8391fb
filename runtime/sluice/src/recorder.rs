//! The process's metrics recorder: the `metrics` facade's global recorder is a Prometheus one
//! (`metrics-exporter-prometheus`, render-only), installed before the worker starts so every
//! handle a task registers reaches it, and rendered by the REST API's `GET /metrics`
//! (see `docs/metrics.md` for the metrics).
//!
//! Durations (`*_seconds`) and `sluice_batch_size` are Prometheus histograms with fixed
//! buckets, so they can be aggregated over tasks and workers; other histograms would be
//! summaries. Upkeep (draining histogram samples) runs every five seconds.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sluice_rest::MetricsRender;

/// Buckets of the `*_seconds` histograms: 1 ms to 1 min.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// Buckets of `sluice_batch_size` (records per poll or put).
const BATCH_BUCKETS: &[f64] = &[
    1.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0,
];
/// How often histogram samples are folded in.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder as the process's global recorder (once; later calls do
/// nothing). Must run inside the Tokio runtime, before any task registers a metric.
pub(crate) fn install() -> anyhow::Result<()> {
    if HANDLE.get().is_some() {
        return Ok(());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Full("sluice_batch_size".into()), BATCH_BUCKETS)
        })
        .context("invalid metric buckets")?
        .install_recorder()
        .context("cannot install the Prometheus metrics recorder")?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    metrics::describe_gauge!(
        "sluice_build_info",
        "Always 1; the version label is the running Sluice's."
    );
    metrics::gauge!("sluice_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    let _ = HANDLE.set(handle);
    Ok(())
}

/// The REST API's `GET /metrics` callback, once [`install`] ran.
pub(crate) fn render() -> Option<MetricsRender> {
    let handle = HANDLE.get()?.clone();
    Some(MetricsRender::new(move || handle.render()))
}
