//! Registering a schema is idempotent: the same schema gets the same id and version, whatever
//! its layout, and the same id under every subject; a different schema gets a new id.

mod common;

use common::{CT, record, start, topic};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn same_schema_same_id_within_and_across_subjects() {
    let sr = start(&topic("sr-idem")).await;
    let compact = record("User", r#"{"name":"id","type":"long"}"#);
    let pretty = "{\n  \"type\": \"record\",\n  \"name\": \"User\",\n  \"namespace\": \"sluice.test\",\n  \"fields\": [\n    {\"name\": \"id\", \"type\": {\"type\": \"long\"}}\n  ]\n}";

    let id = sr.register("users-value", &compact).await;
    assert_eq!(
        sr.register("users-value", &compact).await,
        id,
        "same text again"
    );
    assert_eq!(
        sr.register("users-value", pretty).await,
        id,
        "same schema, other layout"
    );
    assert_eq!(
        sr.get("/subjects/users-value/versions").await.json,
        json!([1]),
        "no new version"
    );

    // The same schema under another subject: same id, that subject's version 1.
    assert_eq!(sr.register("other-value", pretty).await, id);
    let v = sr.get("/subjects/other-value/versions/1").await;
    assert_eq!(v.json["id"], json!(id));
    assert_eq!(v.json["version"], json!(1));
    assert_eq!(
        v.json["schema"],
        json!(compact),
        "an id always carries the text it was first registered with"
    );

    // The schema by id: the registered text, byte for byte, with the registry's content type.
    let by_id = sr.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(by_id.status, StatusCode::OK);
    assert_eq!(by_id.content_type, CT);
    assert_eq!(by_id.json, json!({ "schema": compact }));
    let raw = sr.get(&format!("/schemas/ids/{id}/schema")).await;
    assert_eq!(raw.text, compact);

    let mut subjects = sr.get(&format!("/schemas/ids/{id}/versions")).await.json;
    subjects
        .as_array_mut()
        .unwrap()
        .sort_by_key(|v| v["subject"].as_str().unwrap().to_string());
    assert_eq!(
        subjects,
        json!([{"subject": "other-value", "version": 1}, {"subject": "users-value", "version": 1}])
    );

    // A different schema (a doc changes the identity) gets the next id.
    let with_doc = record("User", r#"{"name":"id","type":"long","doc":"the id"}"#);
    let id2 = sr.register("users-value", &with_doc).await;
    assert_eq!(id2, id + 1);
    assert_eq!(
        sr.get("/subjects/users-value/versions").await.json,
        json!([1, 2])
    );

    // Look-up finds each version by schema, in any layout.
    let found = sr
        .post("/subjects/users-value", json!({ "schema": pretty }))
        .await;
    assert_eq!(found.status, StatusCode::OK, "{found:?}");
    assert_eq!(
        found.json,
        json!({"subject": "users-value", "version": 1, "id": id, "schema": compact})
    );
    let latest = sr.get("/subjects/users-value/versions/latest").await;
    assert_eq!(
        latest.json,
        json!({"subject": "users-value", "version": 2, "id": id2, "schema": with_doc})
    );
    let only_schema = sr.get("/subjects/users-value/versions/2/schema").await;
    assert_eq!(only_schema.text, with_doc);

    let subjects = sr.get("/subjects").await;
    assert_eq!(subjects.json, json!(["other-value", "users-value"]));
    sr.stop().await;
}

#[tokio::test]
async fn lookup_of_an_unregistered_schema() {
    let sr = start(&topic("sr-lookup")).await;
    let a = record("A", r#"{"name":"x","type":"int"}"#);
    let b = record(
        "A",
        r#"{"name":"x","type":"int"},{"name":"y","type":["null","int"],"default":null}"#,
    );
    sr.register("s", &a).await;
    let missing = sr.post("/subjects/s", json!({ "schema": b })).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, 40403)
    );
    assert_eq!(missing.json["message"], json!("Schema not found"));
    let no_subject = sr.post("/subjects/nope", json!({ "schema": a })).await;
    assert_eq!(
        (no_subject.status, no_subject.code()),
        (StatusCode::NOT_FOUND, 40401)
    );
    assert_eq!(
        no_subject.json["message"],
        json!("Subject 'nope' not found.")
    );
    sr.stop().await;
}
