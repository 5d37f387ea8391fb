//! Request bodies and query parameters, parsed without trusting the client.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::types::SchemaRequest;
use crate::{Error, Result};

/// The request content types Confluent's resources consume.
const ACCEPTED: &[&str] = &[
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

/// Parses a JSON body into `T`: 415 for another content type, 400 when it is not JSON, 422
/// when it is JSON of the wrong shape.
pub(crate) fn json<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let media = content_type
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !ACCEPTED.contains(&media.as_str()) {
            return Err(Error::UnsupportedMediaType);
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::UnprocessableEntity(
            "The request body is empty; send a JSON object.".into(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::MalformedJson(format!("The request body is not valid JSON: {e}")))?;
    serde_json::from_value(value)
        .map_err(|e| Error::UnprocessableEntity(format!("Unrecognized request body: {e}")))
}

/// `{"schema": "...", "schemaType": "...", "references": [...]}` (other properties ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SchemaBody {
    schema: Option<String>,
    schema_type: Option<String>,
    references: Option<Vec<serde_json::Value>>,
}

impl SchemaBody {
    pub(crate) fn into_request(self) -> SchemaRequest {
        SchemaRequest {
            schema: self.schema.unwrap_or_default(),
            schema_type: self.schema_type,
            references: self.references.map_or(0, |r| r.len()),
        }
    }
}

/// `{"compatibility": "FULL"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ConfigBody {
    pub(crate) compatibility: Option<String>,
}

/// A boolean query parameter as JAX-RS reads it: `true` (any case) is true, anything else false.
pub(crate) fn flag(query: &HashMap<String, String>, name: &str) -> bool {
    query
        .get(name)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}
