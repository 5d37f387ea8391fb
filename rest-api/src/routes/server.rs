//! `GET /` and `GET /health` (KIP-1017).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::router::AppState;
use crate::{Health, Result, ServerInfo, WorkerStatus};

/// `GET /`.
pub(crate) async fn root(State(s): State<AppState>) -> Result<Json<ServerInfo>> {
    Ok(Json(s.call(s.herder.server_info()).await?))
}

/// `GET /health`: 200 healthy, 503 starting, 500 unhealthy (also when the herder does not
/// answer within the health-check timeout). The body is a `WorkerStatus`, not an error body,
/// in every case, as in Kafka.
pub(crate) async fn health(State(s): State<AppState>) -> Response {
    let health = tokio::time::timeout(s.config.health_check_timeout, s.herder.health())
        .await
        .unwrap_or_else(|_| {
            Health::Unhealthy(
                "Worker was unable to handle this request and may be unable to handle other \
                 requests."
                    .into(),
            )
        });
    let (code, status, message) = match health {
        Health::Ready => (
            StatusCode::OK,
            "healthy",
            "Worker has completed startup and is ready to handle requests.".to_owned(),
        ),
        Health::Starting => (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting",
            "Worker is still starting up.".to_owned(),
        ),
        Health::Unhealthy(m) => (StatusCode::INTERNAL_SERVER_ERROR, "unhealthy", m),
    };
    (
        code,
        Json(WorkerStatus {
            status: status.to_owned(),
            message,
        }),
    )
        .into_response()
}
