//! The JSON shapes of Snowflake's driver protocol that this client reads.
//!
//! Every answer is an envelope `{"data": …, "code": "NNNNNN"|null, "message": …, "success": bool}`.
//! Only the fields the client uses are declared; unknown fields are ignored, so newer servers
//! that add fields keep working. Field names follow the server's spelling (camelCase, with the
//! PUT command's snake-case `src_locations`).

use serde::Deserialize;
use serde_json::Value as Json;

/// The envelope of every Snowflake driver-protocol answer.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    /// The payload; `null` on many errors.
    #[serde(default)]
    pub(crate) data: Json,
    /// Snowflake's status code: an error code, or `333333`/`333334` for "still running".
    #[serde(default, deserialize_with = "code_as_string")]
    pub(crate) code: Option<String>,
    /// The human-readable message of an error.
    #[serde(default)]
    pub(crate) message: Option<String>,
    /// Whether the request succeeded.
    #[serde(default)]
    pub(crate) success: bool,
}

/// Snowflake sends codes as strings; tolerate numbers too.
fn code_as_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::String(s) => Some(s),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// `data` of a successful login.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginData {
    pub(crate) token: String,
    #[serde(default)]
    pub(crate) master_token: Option<String>,
    #[serde(default)]
    pub(crate) session_id: Option<Json>,
    #[serde(default)]
    pub(crate) server_version: Option<String>,
    #[serde(default)]
    pub(crate) session_info: SessionInfo,
}

/// The session context reported at login.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// The current database, as Snowflake resolved it (upper-cased unless quoted).
    #[serde(default)]
    pub database_name: Option<String>,
    /// The current schema.
    #[serde(default)]
    pub schema_name: Option<String>,
    /// The current warehouse.
    #[serde(default)]
    pub warehouse_name: Option<String>,
    /// The current role.
    #[serde(default)]
    pub role_name: Option<String>,
}

/// `data` of a successful session renewal.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RenewData {
    pub(crate) session_token: String,
    #[serde(default)]
    pub(crate) master_token: Option<String>,
}

/// One column description of `data.rowtype`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RowType {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) sf_type: String,
    #[serde(default)]
    pub(crate) nullable: Option<bool>,
    #[serde(default)]
    pub(crate) precision: Option<u32>,
    #[serde(default)]
    pub(crate) scale: Option<i32>,
}

/// `data` of a query answer: the result set and the query's identity.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryData {
    #[serde(default)]
    pub(crate) rowtype: Vec<RowType>,
    #[serde(default)]
    pub(crate) rowset: Option<Vec<Vec<Option<String>>>>,
    #[serde(default)]
    pub(crate) rowset_base64: Option<String>,
    #[serde(default)]
    pub(crate) query_result_format: Option<String>,
    #[serde(default)]
    pub(crate) query_id: Option<String>,
    #[serde(default)]
    pub(crate) statement_type_id: Option<i64>,
    /// Further result chunks in cloud storage (large results).
    #[serde(default)]
    pub(crate) chunks: Option<Vec<Json>>,
}

/// `data` of a failed query.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorData {
    #[serde(default)]
    pub(crate) sql_state: Option<String>,
    #[serde(default)]
    pub(crate) query_id: Option<String>,
    /// The URL to poll while a query is still running (codes `333333`/`333334`).
    #[serde(default)]
    pub(crate) get_result_url: Option<String>,
}

/// `data` of the answer to a `PUT` command: where and how to upload the files.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PutData {
    #[serde(default)]
    pub(crate) command: Option<String>,
    pub(crate) stage_info: StageInfo,
    #[serde(default)]
    pub(crate) encryption_material: Option<Json>,
}

/// The stage's storage location, as described by the PUT answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StageInfo {
    pub(crate) location_type: String,
    #[serde(default)]
    pub(crate) location: Option<String>,
    #[serde(default)]
    pub(crate) presigned_url: Option<String>,
    #[serde(default)]
    pub(crate) creds: Option<Json>,
    #[serde(default)]
    pub(crate) is_client_side_encrypted: Option<bool>,
    #[serde(default)]
    pub(crate) end_point: Option<String>,
}
