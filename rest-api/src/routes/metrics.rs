//! `GET /metrics`: the process's metrics in the Prometheus text format, from the render
//! callback the server was given ([`crate::RestConfig::metrics`]). Not part of Kafka Connect's
//! REST API (which exposes JMX instead); without a callback the path stays unknown (404).

use std::fmt;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use crate::router::AppState;

/// The `Content-Type` of the Prometheus text exposition format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders the process's metrics in the Prometheus text format (e.g. a
/// `metrics_exporter_prometheus::PrometheusHandle::render`). Called on every scrape, on the
/// request's task: it must not block for long.
#[derive(Clone)]
pub struct MetricsRender(Arc<dyn Fn() -> String + Send + Sync>);

impl MetricsRender {
    /// A callback that renders the metrics.
    pub fn new(render: impl Fn() -> String + Send + Sync + 'static) -> Self {
        MetricsRender(Arc::new(render))
    }

    /// The rendered text.
    pub fn render(&self) -> String {
        (self.0)()
    }
}

impl fmt::Debug for MetricsRender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsRender").finish_non_exhaustive()
    }
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(s): State<AppState>) -> Response {
    let body = s.config.metrics.as_ref().map(MetricsRender::render);
    ([(CONTENT_TYPE, PROMETHEUS_TEXT)], body.unwrap_or_default()).into_response()
}
