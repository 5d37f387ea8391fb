//! Every failure is answered with Kafka's status and a `{"error_code","message"}` body: herder
//! errors (409 rebalance, 404), router errors (unknown path, wrong method, unparsable path or
//! query), request timeouts and the health check's own answers.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{GoldenHerder, call, serve, serve_with};
use serde_json::Value;
use sluice_rest::{Error, RestConfig};

fn error_body(text: &str) -> (u64, String) {
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        v.as_object().unwrap().len(),
        2,
        "only error_code and message: {text}"
    );
    (
        v["error_code"].as_u64().unwrap(),
        v["message"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn herder_conflicts_become_409_with_kafkas_rebalance_message() {
    let herder = Arc::new(GoldenHerder::from_golden());
    let base = serve(herder.clone()).await;
    herder.fail_next_list(Error::no_known_leader());
    let (status, ct, text) = call("GET", &format!("{base}/connectors"), None, None).await;
    assert_eq!(status, 409);
    assert_eq!(ct.as_deref(), Some("application/json"));
    assert_eq!(
        error_body(&text),
        (
            409,
            "Cannot complete request momentarily due to no known leader URL, likely because a \
             rebalance was underway."
                .to_owned()
        )
    );
    // The injected failure was one-shot: the same request now succeeds.
    let (status, _, text) = call("GET", &format!("{base}/connectors"), None, None).await;
    assert_eq!((status, text.as_str()), (200, "[]"));
}

#[tokio::test]
async fn router_errors_have_json_bodies() {
    let base = serve(Arc::new(GoldenHerder::from_golden())).await;
    let cases = [
        ("GET", "/no/such/path", 404, "HTTP 404 Not Found"),
        ("DELETE", "/connectors", 405, "HTTP 405 Method Not Allowed"),
        (
            "POST",
            "/connectors/x/pause",
            405,
            "HTTP 405 Method Not Allowed",
        ),
        (
            "GET",
            "/connectors/x/tasks/zero/status",
            404,
            "HTTP 404 Not Found",
        ),
        (
            "GET",
            "/connectors/x/tasks/-1/status",
            404,
            "HTTP 404 Not Found",
        ),
        (
            "POST",
            "/connectors/x/restart?includeTasks=maybe",
            400,
            "Query parameter includeTasks must be 'true' or 'false', not 'maybe'",
        ),
        ("PUT", "/connectors/x/stop", 404, "Unknown connector x"),
        (
            "GET",
            "/connectors/x/tasks/0/status",
            404,
            "No status found for task x-0",
        ),
        (
            "POST",
            "/connectors/x/tasks/0/restart",
            404,
            "Unknown connector: x",
        ),
        (
            "GET",
            "/connector-plugins/Nope/config",
            404,
            "Unknown plugin Nope.",
        ),
    ];
    for (method, path, want_status, want_message) in cases {
        let (status, ct, text) = call(method, &format!("{base}{path}"), None, None).await;
        assert_eq!(status, want_status, "{method} {path}: {text}");
        assert_eq!(ct.as_deref(), Some("application/json"), "{method} {path}");
        assert_eq!(
            error_body(&text),
            (u64::from(want_status), want_message.to_owned()),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_stuck_herder_times_out_with_500_and_health_says_unhealthy() {
    let herder = Arc::new(GoldenHerder::from_golden());
    let config = RestConfig {
        request_timeout: Duration::from_millis(100),
        health_check_timeout: Duration::from_millis(100),
        ..RestConfig::default()
    };
    let base = serve_with(herder.clone(), config).await;
    let (status, _, text) = call("GET", &format!("{base}/health"), None, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["status"],
        "healthy"
    );

    herder.set_delay(Duration::from_secs(5));
    let (status, _, text) = call("GET", &format!("{base}/"), None, None).await;
    assert_eq!(
        (status, error_body(&text)),
        (500, (500, "Request timed out".to_owned()))
    );
    let (status, ct, text) = call("GET", &format!("{base}/health"), None, None).await;
    assert_eq!(status, 500);
    assert_eq!(ct.as_deref(), Some("application/json"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["status"], "unhealthy");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("Worker was unable"),
        "{v}"
    );
}
