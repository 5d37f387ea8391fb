//! Bad requests get Confluent's status and error code with a message, never a crash: malformed
//! JSON, wrong shapes, invalid Avro, unsupported types, unknown ids/subjects/versions, bad levels.

mod common;

use common::{CT, record, start, topic};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn bad_requests_get_confluents_errors() {
    let sr = start(&topic("sr-bad")).await;
    let good = record("G", r#"{"name":"a","type":"int"}"#);
    sr.register("s", &good).await;

    // Not JSON / wrong shape / wrong content type.
    let a = sr
        .send_raw(Method::POST, "/subjects/s/versions", CT, "{\"schema\": ")
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, 400),
        "{a:?}"
    );
    assert_eq!(a.content_type, CT);
    let a = sr
        .send_raw(
            Method::POST,
            "/subjects/s/versions",
            "application/json",
            r#"{"schema": 42}"#,
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, 422),
        "{a:?}"
    );
    let a = sr
        .send_raw(Method::POST, "/subjects/s/versions", "application/json", "")
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{a:?}");
    let a = sr
        .send_raw(
            Method::POST,
            "/subjects/s/versions",
            "text/plain",
            r#"{"schema":"\"int\""}"#,
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, 415),
        "{a:?}"
    );
    for ct in [
        "application/vnd.schemaregistry+json",
        "application/json; charset=utf-8",
        "application/octet-stream",
    ] {
        let a = sr
            .send_raw(
                Method::POST,
                "/subjects/s/versions",
                ct,
                &json!({"schema": good}).to_string(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{ct}: {a:?}");
    }

    // Invalid Avro: 42201 with a message saying what is wrong.
    for schema in [
        r#"{"type":"record","name":"R"}"#,
        r#"{"type":"recrod","name":"R","fields":[]}"#,
        "not json at all",
        "",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"text"}]}"#,
    ] {
        let a = sr
            .post("/subjects/s/versions", json!({ "schema": schema }))
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, 42201),
            "{schema}: {a:?}"
        );
        assert!(!a.json["message"].as_str().unwrap().is_empty());
    }
    let a = sr.post("/subjects/s/versions", json!({})).await;
    assert_eq!(a.code(), 42201, "no schema at all: {a:?}");
    let a = sr
        .post(
            "/subjects/s/versions",
            json!({"schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, 42201),
        "{a:?}"
    );
    assert!(a.json["message"].as_str().unwrap().contains("PROTOBUF"));
    let a = sr
        .post(
            "/subjects/s/versions",
            json!({"schema": good, "schemaType": "AVRO"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "explicit AVRO: {a:?}");
    let a = sr
        .post(
            "/subjects/s/versions",
            json!({"schema": good, "references": [{"name": "x", "subject": "y", "version": 1}]}),
        )
        .await;
    assert_eq!(a.code(), 42201, "references: {a:?}");
    let a = sr.post("/subjects/s", json!({"schema": "{"})).await;
    assert_eq!(a.code(), 42201, "look-up of an invalid schema: {a:?}");

    // Unknown things.
    let a = sr.get("/schemas/ids/999").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 40403));
    assert_eq!(a.json["message"], json!("Schema 999 not found"));
    let a = sr.get("/schemas/ids/abc").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 404));
    let a = sr.get("/subjects/unknown/versions").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 40401));
    assert_eq!(a.json["message"], json!("Subject 'unknown' not found."));
    let a = sr.get("/subjects/unknown/versions/1").await;
    assert_eq!(a.code(), 40401);
    let a = sr.get("/subjects/s/versions/9").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 40402));

    // Bad versions: 42202.
    for version in ["0", "-2", "abc", "2147483648", "1.5"] {
        let a = sr.get(&format!("/subjects/s/versions/{version}")).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, 42202),
            "{version}: {a:?}"
        );
        assert_eq!(
            a.json["message"],
            json!(format!(
                "The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
            ))
        );
        let a = sr.delete(&format!("/subjects/s/versions/{version}")).await;
        assert_eq!(a.code(), 42202);
    }
    assert_eq!(
        sr.get("/subjects/s/versions/LATEST").await.status,
        StatusCode::OK
    );

    // Bad compatibility levels: 42203.
    for body in [
        json!({"compatibility": "SIDEWAYS"}),
        json!({}),
        json!({"compatibility": "bogus"}),
    ] {
        let a = sr.put("/config", body.clone()).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, 42203),
            "{body}: {a:?}"
        );
        let a = sr.put("/config/s", body).await;
        assert_eq!(a.code(), 42203);
    }
    assert_eq!(
        sr.get("/config").await.json,
        json!({"compatibilityLevel": "BACKWARD"}),
        "unchanged"
    );

    // Unknown paths and methods answer in the same format.
    let a = sr.get("/nothing/here").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 404));
    let a = sr.call(Method::PATCH, "/subjects", None).await;
    assert_eq!((a.status, a.code()), (StatusCode::METHOD_NOT_ALLOWED, 405));
    assert_eq!(sr.get("/").await.json, json!({}));

    // The registry still works.
    assert_eq!(sr.get("/subjects").await.json, json!(["s"]));
    sr.stop().await;
}
