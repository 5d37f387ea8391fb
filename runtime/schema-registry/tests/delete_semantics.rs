//! Soft and hard deletes, as Confluent defines them: a soft-deleted version is hidden unless
//! `?deleted=true` and keeps its id readable; a hard delete needs a prior soft delete; a
//! re-registered schema gets its old id back under a new version.

mod common;

use common::{record, start, topic};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn soft_then_hard_delete_of_versions() {
    let sr = start(&topic("sr-delv")).await;
    let s1 = record("V", r#"{"name":"a","type":"int"}"#);
    let s2 = record(
        "V",
        r#"{"name":"a","type":"int"},{"name":"b","type":["null","int"],"default":null}"#,
    );
    let id1 = sr.register("v", &s1).await;
    let id2 = sr.register("v", &s2).await;

    // Hard delete before a soft one: 40407.
    let a = sr.delete("/subjects/v/versions/1?permanent=true").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 40407));
    assert_eq!(
        a.json["message"],
        json!("Subject 'v' Version 1 was not deleted first before being permanently deleted")
    );

    assert_eq!(sr.delete("/subjects/v/versions/1").await.json, json!(1));
    assert_eq!(sr.get("/subjects/v/versions").await.json, json!([2]));
    assert_eq!(
        sr.get("/subjects/v/versions?deleted=true").await.json,
        json!([1, 2])
    );
    let hidden = sr.get("/subjects/v/versions/1").await;
    assert_eq!(
        (hidden.status, hidden.code()),
        (StatusCode::NOT_FOUND, 40402)
    );
    assert_eq!(hidden.json["message"], json!("Version 1 not found."));
    assert_eq!(
        sr.get("/subjects/v/versions/1?deleted=true").await.json["id"],
        json!(id1)
    );
    assert_eq!(
        sr.get(&format!("/schemas/ids/{id1}")).await.json,
        json!({"schema": s1}),
        "ids stay readable"
    );
    assert_eq!(
        sr.get(&format!("/schemas/ids/{id1}/versions")).await.json,
        json!([])
    );
    assert_eq!(
        sr.get(&format!("/schemas/ids/{id1}/versions?deleted=true"))
            .await
            .json,
        json!([{"subject": "v", "version": 1}])
    );
    let again = sr.delete("/subjects/v/versions/1").await;
    assert_eq!((again.status, again.code()), (StatusCode::NOT_FOUND, 40406));

    // Now the hard delete works; the id is gone with its last version.
    assert_eq!(
        sr.delete("/subjects/v/versions/1?permanent=true")
            .await
            .json,
        json!(1)
    );
    assert_eq!(
        sr.get("/subjects/v/versions?deleted=true").await.json,
        json!([2])
    );
    let gone = sr.get(&format!("/schemas/ids/{id1}")).await;
    assert_eq!((gone.status, gone.code()), (StatusCode::NOT_FOUND, 40403));
    assert_eq!(
        gone.json["message"],
        json!(format!("Schema {id1} not found"))
    );
    let missing = sr.delete("/subjects/v/versions/1?permanent=true").await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, 40402)
    );

    // "latest" is the newest live version.
    assert_eq!(
        sr.delete("/subjects/v/versions/latest").await.json,
        json!(2)
    );
    assert_eq!(
        sr.get("/subjects/v/versions/latest?deleted=true")
            .await
            .json["id"],
        json!(id2)
    );
    let none = sr.get("/subjects/v/versions/latest").await;
    assert_eq!((none.status, none.code()), (StatusCode::NOT_FOUND, 40401));
    sr.stop().await;
}

#[tokio::test]
async fn soft_then_hard_delete_of_subjects() {
    let sr = start(&topic("sr-dels")).await;
    let s1 = record("S", r#"{"name":"a","type":"int"}"#);
    let s2 = record(
        "S",
        r#"{"name":"a","type":"int"},{"name":"b","type":["null","int"],"default":null}"#,
    );
    let id1 = sr.register("s", &s1).await;
    sr.register("s", &s2).await;
    sr.put("/config/s", json!({"compatibility": "FULL"})).await;

    let early = sr.delete("/subjects/s?permanent=true").await;
    assert_eq!((early.status, early.code()), (StatusCode::NOT_FOUND, 40405));
    assert_eq!(
        early.json["message"],
        json!("Subject 's' was not deleted first before being permanently deleted")
    );

    assert_eq!(sr.delete("/subjects/s").await.json, json!([1, 2]));
    assert_eq!(sr.get("/subjects").await.json, json!([]));
    assert_eq!(sr.get("/subjects?deleted=true").await.json, json!(["s"]));
    let hidden = sr.get("/subjects/s/versions").await;
    assert_eq!(
        (hidden.status, hidden.code()),
        (StatusCode::NOT_FOUND, 40401)
    );
    let twice = sr.delete("/subjects/s").await;
    assert_eq!((twice.status, twice.code()), (StatusCode::NOT_FOUND, 40404));
    assert_eq!(
        sr.post("/subjects/s?deleted=true", json!({"schema": s1}))
            .await
            .json["version"],
        json!(1)
    );

    // Registering a soft-deleted schema again: same id, next version, the old version removed.
    assert_eq!(sr.register("s", &s1).await, id1);
    assert_eq!(
        sr.get("/subjects/s/versions?deleted=true").await.json,
        json!([2, 3])
    );
    assert_eq!(sr.get("/subjects/s/versions").await.json, json!([3]));

    assert_eq!(sr.delete("/subjects/s").await.json, json!([3]));
    assert_eq!(
        sr.delete("/subjects/s?permanent=true").await.json,
        json!([2, 3])
    );
    let gone = sr.get("/subjects/s/versions?deleted=true").await;
    assert_eq!((gone.status, gone.code()), (StatusCode::NOT_FOUND, 40401));
    let config = sr.get("/config/s").await;
    assert_eq!(
        config.code(),
        40408,
        "a hard-deleted subject loses its config: {config:?}"
    );
    let unknown = sr.delete("/subjects/never").await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::NOT_FOUND, 40401)
    );
    sr.stop().await;
}
