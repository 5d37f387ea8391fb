//! Test support: the golden transcripts, a [`GoldenHerder`] primed from them, and a server on a
//! port-0 listener.
//!
//! **Why an in-memory herder is acceptable here.** The subject under test is the HTTP layer
//! (paths, status codes, headers, bodies, error mapping), not a cluster or an external server;
//! the worker's real herder is tested against Kafka in `sluice-worker`. [`GoldenHerder`] keeps
//! the connector lifecycle a herder must keep (create-or-update, pause/resume/stop, restart,
//! offsets only when STOPPED, active topics, loggers) and answers with Kafka's messages through
//! `sluice_rest::Error`'s constructors. Its *data* (plugin list, the Postgres connector's
//! `ConfigDef`, loggers, server info) is read from the golden transcripts, which is the point:
//! the router must render that data exactly as the reference did.

#![allow(dead_code, unreachable_pub)]

pub mod golden_defs;
pub mod golden_herder;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

pub use golden_herder::GoldenHerder;

/// One recorded request/response pair of `golden/rest/`.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub file: String,
    pub seq: u64,
    pub name: String,
    pub method: String,
    pub path: String,
    pub request_content_type: Option<String>,
    pub request_body: Option<Value>,
    pub status: u16,
    pub headers: serde_json::Map<String, Value>,
    pub response_body: Value,
}

/// The path of a golden REST file.
pub fn golden_rest(file: &str) -> PathBuf {
    sluice_testkit::golden(&format!("rest/{file}"))
}

/// Reads one transcript.
pub fn transcript(file: &str) -> Transcript {
    let text = std::fs::read_to_string(golden_rest(file)).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let s = |k: &str| v[k].as_str().map(str::to_owned);
    Transcript {
        file: file.to_owned(),
        seq: v["seq"].as_u64().unwrap(),
        name: s("name").unwrap(),
        method: s("method").unwrap(),
        path: s("path").unwrap(),
        request_content_type: s("request_content_type"),
        request_body: match &v["request_body"] {
            Value::Null => None,
            b => Some(b.clone()),
        },
        status: u16::try_from(v["status"].as_u64().unwrap()).unwrap(),
        headers: v["headers"].as_object().cloned().unwrap_or_default(),
        response_body: v["response_body"].clone(),
    }
}

/// The request body of a golden transcript (a connector create or config).
pub fn golden_request(file: &str) -> Value {
    transcript(file).request_body.unwrap()
}

/// Sends a request and returns (status, content-type, body text).
pub async fn call(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: Option<&str>,
) -> (u16, Option<String>, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(b) = body {
        req = req.body(b.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ct, resp.text().await.unwrap())
}

/// Every transcript listed in `index.json`, in order.
pub fn all_transcripts() -> Vec<Transcript> {
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(golden_rest("index.json")).unwrap()).unwrap();
    index
        .as_array()
        .unwrap()
        .iter()
        .map(|e| transcript(e["file"].as_str().unwrap()))
        .collect()
}

/// A router over `herder` served on 127.0.0.1:0; returns the base URL. The server runs until
/// the test's runtime ends.
pub async fn serve(herder: Arc<GoldenHerder>) -> String {
    serve_with(herder, sluice_rest::RestConfig::default()).await
}

/// As [`serve`], with explicit REST settings (timeouts).
pub async fn serve_with(herder: Arc<GoldenHerder>, config: sluice_rest::RestConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = sluice_rest::router_with(herder, config).expect("valid REST settings");
    tokio::spawn(sluice_rest::serve(listener, router, std::future::pending()));
    format!("http://{addr}")
}
