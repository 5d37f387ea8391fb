//! The axum [`Router`]: every path of Kafka Connect's REST API, the JSON 404/405 fallbacks, the
//! request timeout, and serving on a listener with graceful shutdown.
//!
//! Handlers live in `routes/`; each is a thin translation: extract (path, query, JSON body,
//! all rejections are [`Error`]s), call the [`Herder`] under the request timeout, choose Kafka's
//! status code. No cluster logic here.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post, put};

use crate::routes::metrics::MetricsRender;
use crate::routes::{connectors, metrics, plugins, server};
use crate::{Error, Herder, Result};

/// Settings of the REST layer.
#[derive(Debug, Clone)]
pub struct RestConfig {
    /// How long a request may wait for the herder before 500 `Request timed out`
    /// (Kafka's `DEFAULT_REST_REQUEST_TIMEOUT_MS`, 90 s).
    pub request_timeout: Duration,
    /// How long `GET /health` waits for the herder before answering `unhealthy` (10 s).
    pub health_check_timeout: Duration,
    /// `access.control.allow.origin` (empty: no CORS headers), see [`crate::cors`].
    pub allow_origin: String,
    /// `access.control.allow.methods` (empty: `GET,POST,HEAD`).
    pub allow_methods: String,
    /// Serves `GET /metrics` (Prometheus text format) from this callback; `None`: no such path.
    pub metrics: Option<MetricsRender>,
}

impl Default for RestConfig {
    fn default() -> Self {
        RestConfig {
            request_timeout: Duration::from_secs(90),
            health_check_timeout: Duration::from_secs(10),
            allow_origin: String::new(),
            allow_methods: String::new(),
            metrics: None,
        }
    }
}

/// What every handler receives: the herder and the settings.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) herder: Arc<dyn Herder>,
    pub(crate) config: RestConfig,
}

impl AppState {
    /// Runs a herder call under the request timeout.
    pub(crate) async fn call<T>(&self, fut: impl Future<Output = Result<T>>) -> Result<T> {
        match tokio::time::timeout(self.config.request_timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(Error::request_timed_out()),
        }
    }
}

/// The REST API over `herder`, with the default [`RestConfig`].
pub fn router(herder: Arc<dyn Herder>) -> Router {
    routes(herder, RestConfig::default())
}

/// The REST API over `herder` with explicit settings. Fails on an invalid CORS setting, with a
/// message naming the key.
pub fn router_with(
    herder: Arc<dyn Herder>,
    config: RestConfig,
) -> std::result::Result<Router, String> {
    let cors = crate::cors::cors_layer(&config.allow_origin, &config.allow_methods)?;
    let router = routes(herder, config);
    Ok(match cors {
        Some(layer) => router.layer(layer),
        None => router,
    })
}

fn routes(herder: Arc<dyn Herder>, config: RestConfig) -> Router {
    let with_metrics = config.metrics.is_some();
    let state = AppState { herder, config };
    let router = Router::new();
    let router = if with_metrics {
        router.route("/metrics", get(metrics::metrics))
    } else {
        router
    };
    router
        .route("/", get(server::root))
        .route("/health", get(server::health))
        .route(
            "/connectors",
            get(connectors::list).post(connectors::create),
        )
        .route(
            "/connectors/{c}",
            get(connectors::info).delete(connectors::delete),
        )
        .route(
            "/connectors/{c}/config",
            get(connectors::config)
                .put(connectors::put_config)
                .patch(connectors::patch_config),
        )
        .route("/connectors/{c}/status", get(connectors::status))
        .route("/connectors/{c}/tasks", get(connectors::tasks))
        .route(
            "/connectors/{c}/tasks/{n}/status",
            get(connectors::task_status),
        )
        .route(
            "/connectors/{c}/tasks/{n}/restart",
            post(connectors::restart_task),
        )
        .route("/connectors/{c}/restart", post(connectors::restart))
        .route("/connectors/{c}/pause", put(connectors::pause))
        .route("/connectors/{c}/resume", put(connectors::resume))
        .route("/connectors/{c}/stop", put(connectors::stop))
        .route(
            "/connectors/{c}/offsets",
            get(connectors::offsets)
                .patch(connectors::alter_offsets)
                .delete(connectors::reset_offsets),
        )
        .route("/connectors/{c}/topics", get(connectors::topics))
        .route(
            "/connectors/{c}/topics/reset",
            put(connectors::reset_topics),
        )
        .route("/connector-plugins", get(plugins::list))
        .route("/connector-plugins/{plugin}/config", get(plugins::config))
        .route(
            "/connector-plugins/{plugin}/config/validate",
            put(plugins::validate),
        )
        .route("/admin/loggers", get(plugins::loggers))
        .route(
            "/admin/loggers/{name}",
            get(plugins::logger).put(plugins::set_logger),
        )
        .fallback(|| async { Error::unknown_path() })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "The REST API is listening.");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
