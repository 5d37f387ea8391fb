//! Support for `rest_conformance.rs` and `distributed_rest_conformance.rs`: the golden
//! transcripts, a live `sluice standalone` or `sluice distributed` process, what the requests
//! run against (Sluice's PostgreSQL connector on the test database, or FileStreamSource
//! stand-ins) with the matching translation of requests and expected answers, the comparisons
//! (exact field by field, or on JSON shape only), and the replay itself.

#![allow(dead_code, unreachable_pub)]

pub mod compare;
pub mod deviations;
pub mod postgres;
pub mod replay;
pub mod target;
pub mod translate;
pub mod worker;

use serde_json::Value;

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

fn read_json(relative: &str) -> Value {
    let path = sluice_testkit::golden(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Reads one transcript of `golden/rest/`.
pub fn transcript(file: &str) -> Transcript {
    let v = read_json(&format!("rest/{file}"));
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

/// Every transcript listed in `golden/rest/index.json`, in order.
pub fn all_transcripts() -> Vec<Transcript> {
    read_json("rest/index.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| transcript(e["file"].as_str().unwrap()))
        .collect()
}

/// One HTTP answer: status, `Content-Type`, `Location` and body text.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub text: String,
}

/// Sends `method path` with an optional content type and raw body.
pub async fn send(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Option<String>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, format!("{base}{path}"));
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (status, content_type, location) = (
        resp.status().as_u16(),
        header("content-type"),
        header("location"),
    );
    Answer {
        status,
        content_type,
        location,
        text: resp.text().await.unwrap(),
    }
}
