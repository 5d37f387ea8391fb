//! `GET /metrics`: served from the render callback in `RestConfig::metrics` with the
//! Prometheus text Content-Type, rendered again on every request; without a callback the path
//! is unknown (404 with Kafka's JSON error body), as before.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{GoldenHerder, serve_with};
use sluice_rest::{MetricsRender, PROMETHEUS_TEXT, RestConfig};

#[tokio::test]
async fn metrics_come_from_the_callback_on_every_scrape() {
    let scrapes = Arc::new(AtomicU64::new(0));
    let counter = scrapes.clone();
    let config = RestConfig {
        metrics: Some(MetricsRender::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            format!("# TYPE scrapes_total counter\nscrapes_total {n}\n")
        })),
        ..RestConfig::default()
    };
    let base = serve_with(Arc::new(GoldenHerder::from_golden()), config).await;
    for n in 1..=2 {
        let r = reqwest::get(format!("{base}/metrics")).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], PROMETHEUS_TEXT);
        assert!(PROMETHEUS_TEXT.starts_with("text/plain; version=0.0.4"));
        let body = r.text().await.unwrap();
        assert!(body.contains(&format!("scrapes_total {n}\n")), "{body}");
    }
    assert_eq!(scrapes.load(Ordering::SeqCst), 2);
    // The rest of the API is unchanged.
    let r = reqwest::get(format!("{base}/connectors")).await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn without_a_callback_the_path_is_unknown() {
    let base = serve_with(Arc::new(GoldenHerder::from_golden()), RestConfig::default()).await;
    let r = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], 404);
}
