//! CORS as Kafka Connect's `access.control.allow.origin` / `.methods` configure it: no headers
//! by default; an allowed origin gets `Access-Control-Allow-Origin` on requests and preflights
//! (with the configured methods); another origin gets none; bad settings are refused.

mod common;

use std::sync::Arc;

use common::{GoldenHerder, serve_with};
use sluice_rest::RestConfig;

async fn request(method: &str, url: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "PUT")
        .send()
        .await
        .unwrap()
}

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn no_cors_headers_by_default() {
    let base = serve_with(Arc::new(GoldenHerder::from_golden()), RestConfig::default()).await;
    let r = request("GET", &format!("{base}/"), "https://ui.example.com").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn an_allowed_origin_gets_cors_headers_and_preflights() {
    let config = RestConfig {
        allow_origin: "https://ui.example.com".into(),
        allow_methods: "GET,POST,PUT,DELETE".into(),
        ..RestConfig::default()
    };
    let base = serve_with(Arc::new(GoldenHerder::from_golden()), config).await;
    let r = request(
        "GET",
        &format!("{base}/connectors"),
        "https://ui.example.com",
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("https://ui.example.com")
    );
    let pre = request(
        "OPTIONS",
        &format!("{base}/connectors/x/pause"),
        "https://ui.example.com",
    )
    .await;
    assert!(
        pre.status().is_success(),
        "preflight answered {}",
        pre.status()
    );
    let methods = header(&pre, "access-control-allow-methods").unwrap_or_default();
    assert!(
        methods.contains("PUT") && methods.contains("DELETE"),
        "{methods}"
    );
    let other = request(
        "GET",
        &format!("{base}/connectors"),
        "https://evil.example.com",
    )
    .await;
    assert_eq!(header(&other, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn any_origin_with_a_star() {
    let config = RestConfig {
        allow_origin: "*".into(),
        ..RestConfig::default()
    };
    let base = serve_with(Arc::new(GoldenHerder::from_golden()), config).await;
    let r = request("GET", &format!("{base}/"), "https://anywhere.example").await;
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("*")
    );
}

#[test]
fn bad_settings_are_refused_naming_the_key() {
    let e = sluice_rest::cors::cors_layer("https://ok", "GET,NOT A METHOD").unwrap_err();
    assert!(e.contains("access.control.allow.methods"), "{e}");
    let e = sluice_rest::cors::cors_layer("bad\norigin", "").unwrap_err();
    assert!(e.contains("access.control.allow.origin"), "{e}");
}
