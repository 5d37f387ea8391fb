//! The REST API: Confluent Schema Registry's paths, bodies, status codes and
//! `{"error_code","message"}` errors, over [`Registry`].
//!
//! Requests may be `application/vnd.schemaregistry.v1+json`, `application/vnd.schemaregistry+json`,
//! `application/json` or `application/octet-stream` (or carry no content type); responses are
//! `application/vnd.schemaregistry.v1+json`. Nothing a client sends can panic a handler: bodies
//! are parsed by hand into typed requests, with 400 for bodies that are not JSON and 422 for
//! JSON of the wrong shape (Confluent's Jackson mappers answer the same).

mod body;
mod handlers;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::{Error, Registry};

/// The content type of every response.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// The router of the REST API.
pub(crate) fn router(registry: Registry) -> Router {
    use handlers::*;
    Router::new()
        .route("/", get(root).post(root))
        .route("/subjects", get(list_subjects))
        .route("/subjects/{subject}", post(lookup).delete(delete_subject))
        .route(
            "/subjects/{subject}/versions",
            get(list_versions).post(register),
        )
        .route(
            "/subjects/{subject}/versions/{version}",
            get(get_version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(get_version_schema),
        )
        .route("/schemas/types", get(schema_types))
        .route("/schemas/ids/{id}", get(schema_by_id))
        .route("/schemas/ids/{id}/schema", get(schema_by_id_raw))
        .route("/schemas/ids/{id}/versions", get(versions_of_id))
        .route(
            "/config",
            get(get_global_config)
                .put(put_global_config)
                .delete(delete_global_config),
        )
        .route(
            "/config/{subject}",
            get(get_subject_config)
                .put(put_subject_config)
                .delete(delete_subject_config),
        )
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(check_all),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(check_version),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(registry)
}

/// A JSON response with the registry's content type.
pub(crate) fn reply(status: StatusCode, body: &Value) -> Response {
    raw(status, body.to_string())
}

/// A response whose body is `text` as is (the `…/schema` endpoints).
pub(crate) fn raw(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::warn!(error = %self, "A schema registry request failed.");
        }
        reply(
            status,
            &json!({"error_code": self.error_code(), "message": self.to_string()}),
        )
    }
}

async fn not_found() -> Response {
    reply(
        StatusCode::NOT_FOUND,
        &json!({"error_code": 404, "message": "HTTP 404 Not Found"}),
    )
}

async fn method_not_allowed() -> Response {
    reply(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({"error_code": 405, "message": "HTTP 405 Method Not Allowed"}),
    )
}
