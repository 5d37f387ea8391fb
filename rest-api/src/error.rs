//! The one error type of the REST layer and its mapping to HTTP answers.
//!
//! Every failure, whether raised by the [`Herder`](crate::Herder), by request parsing or by the
//! router itself (unknown path, wrong method, wrong content type), becomes an [`Error`], and every
//! [`Error`] is answered with Kafka Connect's `{"error_code","message"}` body whose `error_code`
//! equals the HTTP status. Kafka's fixed messages (rebalance 409s, "not found" 404s, the
//! offsets-need-STOPPED 400) are built by the constructors below so the herder implementation and
//! the router cannot drift apart from the reference wording.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Kafka Connect's REST error body: `{"error_code":<http status>,"message":"…"}`, field order
/// as Java's `ErrorMessage` serializes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The HTTP status code, repeated in the body.
    pub error_code: u16,
    /// A sentence telling the client what is wrong.
    pub message: String,
}

/// Errors the REST layer answers with; each maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 404: the connector, task, plugin, logger or path does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 400: the request is malformed or not allowed in the current state.
    #[error("{0}")]
    BadRequest(String),
    /// 409: a rebalance is in progress or the connector already exists.
    #[error("{0}")]
    Conflict(String),
    /// 403: the operation is disabled by the worker configuration (topic tracking).
    #[error("{0}")]
    Forbidden(String),
    /// 405: the path exists but not with this method.
    #[error("HTTP 405 Method Not Allowed")]
    MethodNotAllowed,
    /// 415: a request body that is not JSON.
    #[error("HTTP 415 Unsupported Media Type")]
    UnsupportedMediaType,
    /// 500: the herder did not answer within the request timeout (retriable).
    #[error("{0}")]
    Timeout(String),
    /// 503: the worker is still starting and cannot serve this request yet (retriable).
    #[error("{0}")]
    Unavailable(String),
    /// 500: an unexpected failure inside the worker.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The HTTP status Kafka Connect answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound(_) => 404,
            Error::BadRequest(_) => 400,
            Error::Conflict(_) => 409,
            Error::Forbidden(_) => 403,
            Error::MethodNotAllowed => 405,
            Error::UnsupportedMediaType => 415,
            Error::Timeout(_) | Error::Internal(_) => 500,
            Error::Unavailable(_) => 503,
        }
    }

    /// Whether the same request may succeed if the client retries it later (a rebalance, a
    /// timeout or a starting worker); every other error is definite until the request changes.
    pub fn is_retriable(&self) -> bool {
        matches!(self, Error::Conflict(m) if m.starts_with("Cannot complete request"))
            || matches!(self, Error::Timeout(_) | Error::Unavailable(_))
    }

    /// The JSON body Kafka Connect sends with this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error_code: self.status(),
            message: self.to_string(),
        }
    }

    /// 409 when a request reached a worker that is not (or no longer) the right target after the
    /// last forwarding hop.
    pub fn conflicting_operation() -> Self {
        Error::Conflict(
            "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
                .into(),
        )
    }

    /// 409 when no leader is known, typically during a rebalance.
    pub fn no_known_leader() -> Self {
        Error::Conflict(
            "Cannot complete request momentarily due to no known leader URL, likely because a \
             rebalance was underway."
                .into(),
        )
    }

    /// 409 when the herder knows its configuration snapshot is stale (`RebalanceNeededException`).
    pub fn stale_config() -> Self {
        Error::Conflict(
            "Cannot complete request momentarily due to stale configuration (typically caused by \
             a concurrent config change)"
                .into(),
        )
    }

    /// 409 on `POST /connectors` for a name already in use.
    pub fn already_exists(connector: &str) -> Self {
        Error::Conflict(format!("Connector {connector} already exists"))
    }

    /// 404 for an unknown connector on info, config, tasks, offsets and delete.
    pub fn connector_not_found(connector: &str) -> Self {
        Error::NotFound(format!("Connector {connector} not found"))
    }

    /// 404 for an unknown connector on pause, resume and stop.
    pub fn unknown_connector(connector: &str) -> Self {
        Error::NotFound(format!("Unknown connector {connector}"))
    }

    /// 404 for an unknown connector on restart.
    pub fn unknown_connector_restart(connector: &str) -> Self {
        Error::NotFound(format!("Unknown connector: {connector}"))
    }

    /// 404 for an unknown task on restart.
    pub fn unknown_task(connector: &str, task: u32) -> Self {
        Error::NotFound(format!("Unknown task: {connector}-{task}"))
    }

    /// 404 for a connector without a status.
    pub fn no_connector_status(connector: &str) -> Self {
        Error::NotFound(format!("No status found for connector {connector}"))
    }

    /// 404 for a task without a status.
    pub fn no_task_status(connector: &str, task: u32) -> Self {
        Error::NotFound(format!("No status found for task {connector}-{task}"))
    }

    /// 404 for a plugin name or alias the worker does not know.
    pub fn unknown_plugin(plugin: &str) -> Self {
        Error::NotFound(format!("Unknown plugin {plugin}."))
    }

    /// 400 for a config without `connector.class` (the config is shown as Java prints a map).
    pub fn no_connector_type(config: &crate::ConnectorConfig) -> Self {
        Error::BadRequest(format!(
            "Connector config {} contains no connector type",
            config.to_java_string()
        ))
    }

    /// 400 for a config that failed validation: every error, then where to see them per key.
    pub fn invalid_config(errors: &[String]) -> Self {
        let mut message = format!(
            "Connector configuration is invalid and contains the following {} error(s):\n",
            errors.len()
        );
        for e in errors {
            message.push_str(e);
            message.push('\n');
        }
        message.push_str(
            "You can also find the above list of errors at the endpoint \
             `/connector-plugins/{connectorType}/config/validate`",
        );
        Error::BadRequest(message)
    }

    /// 400 when offsets are altered or reset while the connector is not STOPPED.
    pub fn offsets_need_stopped(connector: &str) -> Self {
        Error::BadRequest(format!(
            "Connectors must be in the STOPPED state before their offsets can be modified. This \
             can be done for the specified connector by issuing a 'PUT' request to the \
             '/connectors/{connector}/stop' endpoint"
        ))
    }

    /// 403 when `topic.tracking.enable=false`.
    pub fn topic_tracking_disabled() -> Self {
        Error::Forbidden("Topic tracking is disabled.".into())
    }

    /// 403 when `topic.tracking.allow.reset=false`.
    pub fn topic_tracking_reset_disabled() -> Self {
        Error::Forbidden("Topic tracking reset is disabled.".into())
    }

    /// 404 for a path no endpoint serves (Jersey's wording).
    pub fn unknown_path() -> Self {
        Error::NotFound("HTTP 404 Not Found".into())
    }

    /// 500 when the herder did not answer in time.
    pub fn request_timed_out() -> Self {
        Error::Timeout("Request timed out".into())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), error = %self, "A REST request failed.");
        } else {
            tracing::debug!(status = status.as_u16(), error = %self, "A REST request was refused.");
        }
        (status, Json(self.body())).into_response()
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_bytes_match_kafka_connect() {
        // golden/rest/007_plugin_config_unknown_plugin.json
        let e = Error::unknown_plugin("NoSuchConnector");
        assert_eq!(
            serde_json::to_string(&e.body()).unwrap(),
            r#"{"error_code":404,"message":"Unknown plugin NoSuchConnector."}"#
        );
    }

    #[test]
    fn every_variant_maps_to_kafkas_status() {
        let cases = [
            (Error::connector_not_found("c"), 404),
            (Error::BadRequest("b".into()), 400),
            (Error::already_exists("c"), 409),
            (Error::topic_tracking_disabled(), 403),
            (Error::MethodNotAllowed, 405),
            (Error::UnsupportedMediaType, 415),
            (Error::request_timed_out(), 500),
            (Error::Unavailable("starting".into()), 503),
            (Error::Internal("boom".into()), 500),
        ];
        for (e, status) in cases {
            assert_eq!(e.status(), status, "{e:?}");
            assert_eq!(e.body().error_code, status);
            assert_eq!(e.clone().into_response().status().as_u16(), status);
        }
    }

    #[test]
    fn rebalance_conflicts_are_retriable_but_duplicates_are_not() {
        assert!(Error::no_known_leader().is_retriable());
        assert!(Error::stale_config().is_retriable());
        assert!(Error::conflicting_operation().is_retriable());
        assert!(Error::request_timed_out().is_retriable());
        assert!(!Error::already_exists("c").is_retriable());
        assert!(!Error::connector_not_found("c").is_retriable());
    }

    #[test]
    fn invalid_config_message_matches_the_reference() {
        // golden/rest/014_create_missing_name.json
        let e = Error::invalid_config(&[
            "Invalid value  for configuration name: String may not be empty".into(),
        ]);
        assert_eq!(
            e.to_string(),
            "Connector configuration is invalid and contains the following 1 error(s):\n\
             Invalid value  for configuration name: String may not be empty\n\
             You can also find the above list of errors at the endpoint \
             `/connector-plugins/{connectorType}/config/validate`"
        );
    }
}
