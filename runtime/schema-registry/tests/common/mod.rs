//! Shared by the integration tests: a registry on a fresh `_schemas` topic of the test broker,
//! served on a port-0 listener, and a small HTTP client for it.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sluice_schema_registry::{Registry, RegistryConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The registry's content type.
pub const CT: &str = "application/vnd.schemaregistry.v1+json";

/// A configuration for `topic` on the test broker.
pub fn config(topic: &str) -> RegistryConfig {
    let mut config =
        RegistryConfig::new(sluice_testkit::services().kafka().bootstrap).with_topic(topic);
    config.store_timeout = Duration::from_secs(15);
    config.init_timeout = Duration::from_secs(30);
    config
}

/// A fresh topic name.
pub fn topic(prefix: &str) -> String {
    sluice_testkit::unique_name(prefix)
}

/// A registry serving HTTP in the background.
#[derive(Debug)]
pub struct Served {
    pub url: String,
    pub topic: String,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<sluice_schema_registry::Result<()>>>,
}

/// Opens a registry on `topic` (read to the end before this returns) and serves it.
pub async fn start(topic: &str) -> Served {
    let registry = Registry::open(config(topic))
        .await
        .expect("open the registry");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(registry.run(listener, async {
        let _ = stopped.await;
    }));
    Served {
        url,
        topic: topic.to_string(),
        http: reqwest::Client::new(),
        stop: Some(stop),
        task: Some(task),
    }
}

/// The answer: status, content type and JSON body (`Value::Null` when not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
    pub json: Value,
}

impl Answer {
    /// The `error_code` of an error body.
    pub fn code(&self) -> i64 {
        self.json["error_code"]
            .as_i64()
            .unwrap_or_else(|| panic!("not an error body: {self:?}"))
    }
}

impl Served {
    /// Stops serving and waits until the registry is closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// Sends a request with a JSON body (or none).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.header("content-type", CT).body(body.to_string());
        }
        answer(request.send().await.unwrap()).await
    }

    /// Sends `body` as is with `content_type`.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Answer {
        let request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("content-type", content_type)
            .body(body.to_string());
        answer(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// Registers `schema` under `subject`, expecting success; returns the id.
    pub async fn register(&self, subject: &str, schema: &str) -> i64 {
        let a = self
            .post(
                &format!("/subjects/{subject}/versions"),
                serde_json::json!({ "schema": schema }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "register under {subject}: {a:?}");
        a.json["id"].as_i64().unwrap()
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        text,
        json,
    }
}

/// A record schema named `name` with `fields` (JSON text of the field list).
pub fn record(name: &str, fields: &str) -> String {
    format!(r#"{{"type":"record","name":"{name}","namespace":"sluice.test","fields":[{fields}]}}"#)
}
