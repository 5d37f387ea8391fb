//! `/connectors/…` (Kafka's `ConnectorsResource`).

use axum::Json;
use axum::extract::State;
use axum::http::header::{HOST, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::router::AppState;
use crate::{
    ConfigPatch, ConnectorConfig, ConnectorInfo, ConnectorOffsets, ConnectorStateInfo,
    ConnectorTaskId, CreateConnectorRequest, Error, Message, RestartRequest, Result, TaskInfo,
    TaskState,
};

/// `GET /connectors[?expand=status][&expand=info]`.
pub(crate) async fn list(State(s): State<AppState>, q: QueryPairs) -> Result<Response> {
    let names = s.call(s.herder.connectors()).await?;
    let expand: Vec<&str> = q.all("expand").collect();
    if expand.is_empty() {
        return Ok(Json(names).into_response());
    }
    let (want_status, want_info) = (expand.contains(&"status"), expand.contains(&"info"));
    let mut out = Map::new();
    'connectors: for name in names {
        let mut entry = Map::new();
        // A connector deleted while we list is skipped, as in Kafka.
        if want_status {
            match s.call(s.herder.connector_status(&name)).await {
                Ok(status) => entry.insert("status".into(), to_value(&status)?),
                Err(Error::NotFound(_)) => continue 'connectors,
                Err(e) => return Err(e),
            };
        }
        if want_info {
            match s.call(s.herder.connector_info(&name)).await {
                Ok(info) => entry.insert("info".into(), to_value(&info)?),
                Err(Error::NotFound(_)) => continue 'connectors,
                Err(e) => return Err(e),
            };
        }
        out.insert(name, Value::Object(entry));
    }
    Ok(Json(out).into_response())
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(format!("Could not serialize: {e}")))
}

/// Kafka's `checkAndPutConnectorConfigName`: a `name` in the config must equal the URL's (or
/// request's) name; an absent one is added.
fn check_and_put_name(name: &str, config: &mut ConnectorConfig) -> Result<()> {
    match config.get("name") {
        Some(n) if n != name => Err(name_mismatch(n, name)),
        Some(_) => Ok(()),
        None => {
            config.insert("name", name);
            Ok(())
        }
    }
}

fn name_mismatch(in_config: &str, in_url: &str) -> Error {
    Error::BadRequest(format!(
        "Connector name configuration ({in_config}) doesn't match connector name in the URL \
         ({in_url})"
    ))
}

/// The absolute URL of a connector, from the request's `Host` (as Jersey's `UriInfo` builds it).
fn location(headers: &HeaderMap, name: &str) -> Option<HeaderValue> {
    let mut path = String::from("/connectors/");
    for b in name.bytes() {
        // Percent-encode everything but RFC 3986 unreserved characters, so any name is a
        // single, valid path segment.
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            path.push(char::from(b));
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    let url = match headers.get(HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("http://{host}{path}"),
        None => path,
    };
    HeaderValue::from_str(&url).ok()
}

fn created(headers: &HeaderMap, info: ConnectorInfo) -> Response {
    let mut resp = (StatusCode::CREATED, Json(&info)).into_response();
    if let Some(loc) = location(headers, &info.name) {
        resp.headers_mut().insert(LOCATION, loc);
    }
    resp
}

/// `POST /connectors`.
pub(crate) async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<CreateConnectorRequest>,
) -> Result<Response> {
    let name = req.name.unwrap_or_default();
    let Some(mut config) = req.config else {
        return Err(Error::BadRequest(
            "The request body has no \"config\" object; send {\"name\": …, \"config\": {…}}".into(),
        ));
    };
    check_and_put_name(&name, &mut config)?;
    let update = s
        .call(
            s.herder
                .put_connector_config(&name, config, false, req.initial_state),
        )
        .await?;
    Ok(created(&headers, update.info))
}

/// `GET /connectors/{c}`.
pub(crate) async fn info(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<Json<ConnectorInfo>> {
    Ok(Json(s.call(s.herder.connector_info(&c)).await?))
}

/// `DELETE /connectors/{c}`: 204.
pub(crate) async fn delete(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<StatusCode> {
    s.call(s.herder.delete_connector(&c)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{c}/config`.
pub(crate) async fn config(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<Json<ConnectorConfig>> {
    Ok(Json(s.call(s.herder.connector_config(&c)).await?))
}

/// `PUT /connectors/{c}/config`: 201 (+`Location`) when created, 200 when updated.
pub(crate) async fn put_config(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
    headers: HeaderMap,
    JsonBody(mut config): JsonBody<ConnectorConfig>,
) -> Result<Response> {
    check_and_put_name(&c, &mut config)?;
    let update = s
        .call(s.herder.put_connector_config(&c, config, true, None))
        .await?;
    if update.created {
        Ok(created(&headers, update.info))
    } else {
        Ok(Json(update.info).into_response())
    }
}

/// `PATCH /connectors/{c}/config` (KIP-477).
pub(crate) async fn patch_config(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
    JsonBody(patch): JsonBody<ConfigPatch>,
) -> Result<Json<ConnectorInfo>> {
    if let Some(Some(n)) = patch.get("name")
        && n != c
    {
        return Err(name_mismatch(n, &c));
    }
    Ok(Json(
        s.call(s.herder.patch_connector_config(&c, patch)).await?,
    ))
}

/// `GET /connectors/{c}/status`.
pub(crate) async fn status(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<Json<ConnectorStateInfo>> {
    Ok(Json(s.call(s.herder.connector_status(&c)).await?))
}

/// `GET /connectors/{c}/tasks`.
pub(crate) async fn tasks(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<Json<Vec<TaskInfo>>> {
    Ok(Json(s.call(s.herder.task_configs(&c)).await?))
}

/// `GET /connectors/{c}/tasks/{n}/status`.
pub(crate) async fn task_status(
    State(s): State<AppState>,
    PathParams((connector, task)): PathParams<(String, u32)>,
) -> Result<Json<TaskState>> {
    let id = ConnectorTaskId { connector, task };
    Ok(Json(s.call(s.herder.task_status(&id)).await?))
}

/// `POST /connectors/{c}/tasks/{n}/restart`: 204.
pub(crate) async fn restart_task(
    State(s): State<AppState>,
    PathParams((connector, task)): PathParams<(String, u32)>,
) -> Result<StatusCode> {
    let id = ConnectorTaskId { connector, task };
    s.call(s.herder.restart_task(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /connectors/{c}/restart[?includeTasks=…&onlyFailed=…]`: 204 for the legacy form (both
/// false), else 202 with the status showing what restarts (KIP-745).
pub(crate) async fn restart(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
    q: QueryPairs,
) -> Result<Response> {
    let include_tasks = q.bool("includeTasks", false)?;
    let only_failed = q.bool("onlyFailed", false)?;
    if !include_tasks && !only_failed {
        s.call(s.herder.restart_connector(&c)).await?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let request = RestartRequest {
        connector: c,
        only_failed,
        include_tasks,
    };
    let status = s
        .call(s.herder.restart_connector_and_tasks(request))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(status)).into_response())
}

/// `PUT /connectors/{c}/pause`: 202.
pub(crate) async fn pause(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<StatusCode> {
    s.call(s.herder.pause_connector(&c)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{c}/resume`: 202.
pub(crate) async fn resume(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<StatusCode> {
    s.call(s.herder.resume_connector(&c)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{c}/stop`: 204 (KIP-875).
pub(crate) async fn stop(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<StatusCode> {
    s.call(s.herder.stop_connector(&c)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{c}/offsets`.
pub(crate) async fn offsets(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<Json<ConnectorOffsets>> {
    Ok(Json(s.call(s.herder.connector_offsets(&c)).await?))
}

/// `PATCH /connectors/{c}/offsets`.
pub(crate) async fn alter_offsets(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
    JsonBody(offsets): JsonBody<ConnectorOffsets>,
) -> Result<Json<Message>> {
    if offsets.offsets.is_empty() {
        return Err(Error::BadRequest(
            "Partitions / offsets need to be provided for an alter offsets request".into(),
        ));
    }
    Ok(Json(
        s.call(s.herder.alter_connector_offsets(&c, offsets))
            .await?,
    ))
}

/// `DELETE /connectors/{c}/offsets`.
pub(crate) async fn reset_offsets(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<Json<Message>> {
    Ok(Json(s.call(s.herder.reset_connector_offsets(&c)).await?))
}

/// `GET /connectors/{c}/topics` (KIP-558): `{"<c>":{"topics":[…]}}`.
pub(crate) async fn topics(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<Json<Value>> {
    let topics = s.call(s.herder.connector_active_topics(&c)).await?;
    let mut out = Map::new();
    out.insert(c, json!({ "topics": topics }));
    Ok(Json(Value::Object(out)))
}

/// `PUT /connectors/{c}/topics/reset`: 202.
pub(crate) async fn reset_topics(
    State(s): State<AppState>,
    PathParams(c): PathParams<String>,
) -> Result<StatusCode> {
    s.call(s.herder.reset_connector_active_topics(&c)).await?;
    Ok(StatusCode::ACCEPTED)
}
