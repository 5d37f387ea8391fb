//! Request bodies: JSON content types are required where Kafka requires them (415 otherwise),
//! malformed or ill-typed JSON is a 400 with a message (the reference's 500 is a documented
//! deviation), and the parsed entities keep Kafka's semantics (name checks, PATCH nulls,
//! `initial_state`, empty offsets).

mod common;

use std::sync::Arc;

use common::{GoldenHerder, call, golden_request, serve};
use serde_json::{Value, json};

async fn server() -> (Arc<GoldenHerder>, String) {
    let herder = Arc::new(GoldenHerder::from_golden());
    let base = serve(herder.clone()).await;
    (herder, base)
}

fn message(text: &str) -> String {
    serde_json::from_str::<Value>(text).unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn create_body(name: &str) -> Value {
    let mut body = golden_request("018_create_connector.json");
    body["name"] = json!(name);
    body
}

#[tokio::test]
async fn non_json_bodies_are_415_and_json_variants_are_accepted() {
    let (_, base) = server().await;
    let url = format!("{base}/connectors");
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        let (status, ctype, text) = call("POST", &url, Some(ct), Some("{}")).await;
        assert_eq!(status, 415, "{ct}");
        assert_eq!(ctype.as_deref(), Some("application/json"));
        assert_eq!(message(&text), "HTTP 415 Unsupported Media Type");
    }
    let body = create_body("a").to_string();
    let (status, _, text) = call(
        "POST",
        &url,
        Some("application/json; charset=UTF-8"),
        Some(&body),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let body = create_body("b").to_string();
    let (status, _, text) = call("POST", &url, None, Some(&body)).await;
    assert_eq!(
        status, 201,
        "a body without content type is parsed as JSON: {text}"
    );
    let (_, _, text) = call("GET", &url, None, None).await;
    assert_eq!(text, r#"["a","b"]"#);
}

#[tokio::test]
async fn malformed_and_ill_typed_bodies_are_400() {
    let (_, base) = server().await;
    let json = Some("application/json");
    let cases = [
        ("POST", "/connectors", "", "The request body is empty"),
        (
            "POST",
            "/connectors",
            "{\"name\": \"x\", \"config\": {",
            "Invalid JSON in the request body",
        ),
        (
            "POST",
            "/connectors",
            "[1,2]",
            "Invalid JSON in the request body",
        ),
        (
            "POST",
            "/connectors",
            r#"{"name":"x","config":{"a":null}}"#,
            "configuration property 'a' is null",
        ),
        (
            "POST",
            "/connectors",
            r#"{"name":"x","config":{"a":{}}}"#,
            "configuration values must be strings",
        ),
        (
            "POST",
            "/connectors",
            r#"{"name":"x","config":{},"initial_state":"SLEEPING"}"#,
            "initial_state 'SLEEPING' is not one of",
        ),
        (
            "POST",
            "/connectors",
            r#"{"name":"x"}"#,
            "no \"config\" object",
        ),
        (
            "PUT",
            "/connectors/x/config",
            "{not json",
            "Invalid JSON in the request body",
        ),
        (
            "PATCH",
            "/connectors/x/offsets",
            r#"{"nope":1}"#,
            "unknown field `nope`",
        ),
        (
            "PATCH",
            "/connectors/x/offsets",
            r#"{"offsets":[]}"#,
            "Partitions / offsets need to be provided for an alter offsets request",
        ),
        (
            "PUT",
            "/admin/loggers/root",
            r#"{"lvl":"INFO"}"#,
            "Desired 'level' parameter was not specified in request.",
        ),
    ];
    for (method, path, body, want) in cases {
        let (status, ct, text) = call(method, &format!("{base}{path}"), json, Some(body)).await;
        assert_eq!(status, 400, "{method} {path} {body}: {text}");
        assert_eq!(ct.as_deref(), Some("application/json"));
        assert!(
            message(&text).contains(want),
            "{method} {path} {body}: {text}"
        );
    }
}

#[tokio::test]
async fn config_names_patch_nulls_and_initial_state() {
    let (_, base) = server().await;
    let json = Some("application/json");
    let mut body = create_body("with space");
    body["initial_state"] = json!("stopped");
    let resp = reqwest::Client::new()
        .post(format!("{base}/connectors"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("/connectors/with%20space"), "{location}");
    let (_, _, text) = call(
        "GET",
        &format!("{base}/connectors/with%20space/status"),
        None,
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["connector"]["state"],
        "STOPPED"
    );

    let url = format!("{base}/connectors/with%20space/config");
    let (status, _, text) = call("PATCH", &url, json, Some(r#"{"name":"other"}"#)).await;
    assert_eq!(status, 400);
    assert_eq!(
        message(&text),
        "Connector name configuration (other) doesn't match connector name in the URL (with space)"
    );
    let (status, _, text) = call(
        "PATCH",
        &url,
        json,
        Some(r#"{"snapshot.mode":null,"heartbeat.interval.ms":1000}"#),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let config = &serde_json::from_str::<Value>(&text).unwrap()["config"];
    assert!(
        config.get("snapshot.mode").is_none(),
        "null removes the key: {config}"
    );
    assert_eq!(
        config["heartbeat.interval.ms"], "1000",
        "numbers are kept as text"
    );

    let (_, _, text) = call(
        "GET",
        &format!("{base}/connectors?expand=nothing"),
        None,
        None,
    )
    .await;
    assert_eq!(
        text, r#"{"with space":{}}"#,
        "unknown expand values are ignored"
    );
}
