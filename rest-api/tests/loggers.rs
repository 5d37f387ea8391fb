//! `/admin/loggers`: level parsing (any case, 404 for an unknown level as in Kafka), worker
//! scope answering the affected loggers, cluster scope answering 204, unknown scope = worker.

mod common;

use std::sync::Arc;

use common::{GoldenHerder, call, serve};
use serde_json::Value;

fn message(text: &str) -> String {
    serde_json::from_str::<Value>(text).unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn logger_levels_and_scopes() {
    let herder = Arc::new(GoldenHerder::from_golden());
    let base = serve(herder.clone()).await;
    let json = Some("application/json");
    let url = format!("{base}/admin/loggers/io.debezium");
    let (status, ct, text) = call(
        "PUT",
        &format!("{url}?scope=CLUSTER"),
        json,
        Some(r#"{"level":"warn"}"#),
    )
    .await;
    assert_eq!((status, ct, text.as_str()), (204, None, ""));
    assert_eq!(
        herder.cluster_logger("io.debezium"),
        Some(sluice_rest::LogLevel::Warn)
    );
    let (status, _, text) = call("PUT", &url, json, Some(r#"{"level":"LOUD"}"#)).await;
    assert_eq!(
        (status, message(&text)),
        (404, "invalid log level 'LOUD'.".to_owned())
    );
    let (status, _, text) = call(
        "PUT",
        &format!("{url}?scope=bogus"),
        json,
        Some(r#"{"level":"debug"}"#),
    )
    .await;
    assert_eq!(status, 200, "an unknown scope falls back to worker: {text}");
    let affected: Vec<String> = serde_json::from_str(&text).unwrap();
    assert!(
        affected
            .iter()
            .all(|l| l == "io.debezium" || l.starts_with("io.debezium."))
    );
    let (_, _, text) = call("GET", &url, None, None).await;
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["level"],
        "DEBUG"
    );
}
