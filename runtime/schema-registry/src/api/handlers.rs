//! One handler per endpoint: parse, call [`Registry`], shape the answer as Confluent does.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::body::{self, ConfigBody, SchemaBody, flag};
use super::{not_found, raw, reply};
use crate::plan::VersionSpec;
use crate::records::AVRO;
use crate::types::SubjectVersion;
use crate::{CompatibilityLevel, Error, Registry, Result};

type Params = Query<HashMap<String, String>>;

fn ok(body: &Value) -> Result<Response> {
    Ok(reply(StatusCode::OK, body))
}

fn version_json(v: &SubjectVersion) -> Value {
    let mut obj = Map::new();
    obj.insert("subject".into(), v.subject.clone().into());
    obj.insert("version".into(), v.version.into());
    obj.insert("id".into(), v.id.into());
    if v.schema_type != AVRO {
        obj.insert("schemaType".into(), v.schema_type.clone().into());
    }
    obj.insert("schema".into(), v.schema.clone().into());
    Value::Object(obj)
}

pub(super) async fn root() -> Result<Response> {
    ok(&json!({}))
}

pub(super) async fn schema_types() -> Result<Response> {
    ok(&json!([AVRO]))
}

pub(super) async fn list_subjects(State(r): State<Registry>, Query(q): Params) -> Result<Response> {
    ok(&json!(r.subjects(flag(&q, "deleted"))))
}

pub(super) async fn lookup(
    State(r): State<Registry>,
    Path(subject): Path<String>,
    Query(q): Params,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let request = body::json::<SchemaBody>(&headers, &bytes)?.into_request();
    ok(&version_json(&r.lookup(
        &subject,
        &request,
        flag(&q, "deleted"),
    )?))
}

pub(super) async fn delete_subject(
    State(r): State<Registry>,
    Path(subject): Path<String>,
    Query(q): Params,
) -> Result<Response> {
    ok(&json!(
        r.delete_subject(&subject, flag(&q, "permanent")).await?
    ))
}

pub(super) async fn list_versions(
    State(r): State<Registry>,
    Path(subject): Path<String>,
    Query(q): Params,
) -> Result<Response> {
    ok(&json!(r.versions(&subject, flag(&q, "deleted"))?))
}

pub(super) async fn register(
    State(r): State<Registry>,
    Path(subject): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let request = body::json::<SchemaBody>(&headers, &bytes)?.into_request();
    let (id, _version) = r.register(&subject, &request).await?;
    ok(&json!({"id": id}))
}

pub(super) async fn get_version(
    State(r): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> Result<Response> {
    let spec = VersionSpec::parse(&version)?;
    ok(&version_json(&r.version(
        &subject,
        spec,
        flag(&q, "deleted"),
    )?))
}

pub(super) async fn get_version_schema(
    State(r): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> Result<Response> {
    let spec = VersionSpec::parse(&version)?;
    Ok(raw(
        StatusCode::OK,
        r.version(&subject, spec, flag(&q, "deleted"))?.schema,
    ))
}

pub(super) async fn delete_version(
    State(r): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> Result<Response> {
    let spec = VersionSpec::parse(&version)?;
    ok(&json!(
        r.delete_version(&subject, spec, flag(&q, "permanent"))
            .await?
    ))
}

/// Jersey answers a path id that is not an integer with a plain 404.
fn parse_id(id: &str) -> Option<i32> {
    id.trim().parse().ok()
}

pub(super) async fn schema_by_id(
    State(r): State<Registry>,
    Path(id): Path<String>,
) -> Result<Response> {
    let Some(id) = parse_id(&id) else {
        return Ok(not_found().await);
    };
    let schema = r.schema_by_id(id)?;
    let mut obj = Map::new();
    if schema.schema_type != AVRO {
        obj.insert("schemaType".into(), schema.schema_type.into());
    }
    obj.insert("schema".into(), schema.schema.into());
    ok(&Value::Object(obj))
}

pub(super) async fn schema_by_id_raw(
    State(r): State<Registry>,
    Path(id): Path<String>,
) -> Result<Response> {
    let Some(id) = parse_id(&id) else {
        return Ok(not_found().await);
    };
    Ok(raw(StatusCode::OK, r.schema_by_id(id)?.schema))
}

pub(super) async fn versions_of_id(
    State(r): State<Registry>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Result<Response> {
    let Some(id) = parse_id(&id) else {
        return Ok(not_found().await);
    };
    let list: Vec<Value> = r
        .versions_of_id(id, flag(&q, "deleted"))?
        .into_iter()
        .map(|(subject, version)| json!({"subject": subject, "version": version}))
        .collect();
    ok(&Value::Array(list))
}

fn level_json(level: CompatibilityLevel) -> Value {
    json!({"compatibilityLevel": level.as_str()})
}

fn requested_level(headers: &HeaderMap, bytes: &Bytes) -> Result<CompatibilityLevel> {
    let config = body::json::<ConfigBody>(headers, bytes)?;
    config
        .compatibility
        .ok_or(Error::InvalidCompatibilityLevel)?
        .parse()
}

pub(super) async fn get_global_config(State(r): State<Registry>) -> Result<Response> {
    ok(&level_json(r.level(None, true)?))
}

pub(super) async fn put_global_config(
    State(r): State<Registry>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let level = requested_level(&headers, &bytes)?;
    ok(&json!({"compatibility": r.set_level(None, level).await?.as_str()}))
}

pub(super) async fn delete_global_config(State(r): State<Registry>) -> Result<Response> {
    ok(&level_json(r.delete_level(None).await?))
}

pub(super) async fn get_subject_config(
    State(r): State<Registry>,
    Path(subject): Path<String>,
    Query(q): Params,
) -> Result<Response> {
    ok(&level_json(
        r.level(Some(&subject), flag(&q, "defaultToGlobal"))?,
    ))
}

pub(super) async fn put_subject_config(
    State(r): State<Registry>,
    Path(subject): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let level = requested_level(&headers, &bytes)?;
    if subject.chars().any(char::is_control) {
        return Err(Error::InvalidSubject(subject));
    }
    ok(&json!({"compatibility": r.set_level(Some(&subject), level).await?.as_str()}))
}

pub(super) async fn delete_subject_config(
    State(r): State<Registry>,
    Path(subject): Path<String>,
) -> Result<Response> {
    ok(&level_json(r.delete_level(Some(&subject)).await?))
}

fn compatibility_json(messages: Vec<String>, verbose: bool) -> Value {
    let mut obj = Map::new();
    obj.insert("is_compatible".into(), messages.is_empty().into());
    if verbose {
        obj.insert("messages".into(), messages.into());
    }
    Value::Object(obj)
}

pub(super) async fn check_version(
    State(r): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let spec = VersionSpec::parse(&version)?;
    let request = body::json::<SchemaBody>(&headers, &bytes)?.into_request();
    let verbose = flag(&q, "verbose");
    ok(&compatibility_json(
        r.check_compatibility(&subject, Some(spec), &request, verbose)?,
        verbose,
    ))
}

pub(super) async fn check_all(
    State(r): State<Registry>,
    Path(subject): Path<String>,
    Query(q): Params,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let request = body::json::<SchemaBody>(&headers, &bytes)?.into_request();
    let verbose = flag(&q, "verbose");
    ok(&compatibility_json(
        r.check_compatibility(&subject, None, &request, verbose)?,
        verbose,
    ))
}
