//! `/connector-plugins/…` (Kafka's `ConnectorPluginsResource`) and `/admin/loggers/…`
//! (`LoggingResource`, KIP-495 and KIP-976).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::config_infos::{ConfigKeyInfo, config_key_infos};
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::router::AppState;
use crate::{ConfigInfos, ConnectorConfig, Error, LogLevel, LoggerLevel, PluginInfo, Result};

/// `GET /connector-plugins[?connectorsOnly=false]` (KIP-769: connectors only by default).
pub(crate) async fn list(
    State(s): State<AppState>,
    q: QueryPairs,
) -> Result<Json<Vec<PluginInfo>>> {
    let connectors_only = q.bool("connectorsOnly", true)?;
    let mut plugins = s.call(s.herder.plugins()).await?;
    if connectors_only {
        plugins.retain(|p| p.plugin_type.is_connector());
    }
    Ok(Json(plugins))
}

/// `GET /connector-plugins/{plugin}/config`.
pub(crate) async fn config(
    State(s): State<AppState>,
    PathParams(plugin): PathParams<String>,
) -> Result<Json<Vec<ConfigKeyInfo>>> {
    let def = s.call(s.herder.plugin_config(&plugin)).await?;
    Ok(Json(config_key_infos(&def)))
}

/// A plugin name without its `Connector` suffix, so aliases compare equal to class names.
fn normalized_plugin_name(name: &str) -> &str {
    name.strip_suffix("Connector").unwrap_or(name)
}

/// `PUT /connector-plugins/{plugin}/config/validate`: always 200 with the per-key answer,
/// except 400 when the body's `connector.class` names another plugin.
pub(crate) async fn validate(
    State(s): State<AppState>,
    PathParams(plugin): PathParams<String>,
    JsonBody(config): JsonBody<ConnectorConfig>,
) -> Result<Json<ConfigInfos>> {
    if let Some(included) = config.get("connector.class")
        && !normalized_plugin_name(included).ends_with(normalized_plugin_name(&plugin))
    {
        return Err(Error::BadRequest(format!(
            "Included connector type {included} does not match request type {plugin}"
        )));
    }
    Ok(Json(
        s.call(s.herder.validate_connector_config(&plugin, config))
            .await?,
    ))
}

/// `GET /admin/loggers`.
pub(crate) async fn loggers(
    State(s): State<AppState>,
) -> Result<Json<BTreeMap<String, LoggerLevel>>> {
    Ok(Json(s.call(s.herder.loggers()).await?))
}

/// `GET /admin/loggers/{name}`.
pub(crate) async fn logger(
    State(s): State<AppState>,
    PathParams(name): PathParams<String>,
) -> Result<Json<LoggerLevel>> {
    Ok(Json(s.call(s.herder.logger(&name)).await?))
}

/// `PUT /admin/loggers/{name}[?scope=worker|cluster]` with `{"level": …}`: 200 with the
/// affected loggers (worker scope, the default), 204 (cluster scope). An unknown scope falls
/// back to `worker`, as in Kafka.
pub(crate) async fn set_logger(
    State(s): State<AppState>,
    PathParams(name): PathParams<String>,
    q: QueryPairs,
    JsonBody(body): JsonBody<BTreeMap<String, Option<String>>>,
) -> Result<Response> {
    let Some(Some(level)) = body.get("level") else {
        return Err(Error::BadRequest(
            "Desired 'level' parameter was not specified in request.".into(),
        ));
    };
    let parsed: LogLevel = level
        .parse()
        .map_err(|()| Error::NotFound(format!("invalid log level '{level}'.")))?;
    let scope = q.get("scope").unwrap_or("worker");
    if scope.eq_ignore_ascii_case("cluster") {
        s.call(s.herder.set_cluster_logger_level(&name, parsed))
            .await?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    if !scope.eq_ignore_ascii_case("worker") {
        tracing::warn!(
            scope,
            "Unknown logger scope in a REST request; using 'worker'."
        );
    }
    let affected = s
        .call(s.herder.set_worker_logger_level(&name, parsed))
        .await?;
    Ok(Json(affected).into_response())
}

#[cfg(test)]
mod tests {
    use super::normalized_plugin_name;

    #[test]
    fn aliases_match_class_names() {
        let included = "io.debezium.connector.postgresql.PostgresConnector";
        assert!(
            normalized_plugin_name(included).ends_with(normalized_plugin_name("PostgresConnector"))
        );
        assert!(normalized_plugin_name(included).ends_with(normalized_plugin_name("Postgres")));
        assert!(
            !normalized_plugin_name(included)
                .ends_with(normalized_plugin_name("FileStreamSinkConnector"))
        );
    }
}
