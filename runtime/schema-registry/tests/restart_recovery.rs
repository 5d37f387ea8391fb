//! A registry rebuilds its whole state from the topic: after a restart on the same topic every
//! id, version, deletion and config reads back the same, and new ids continue after the largest.

mod common;

use common::{record, start, topic};
use serde_json::json;

#[tokio::test]
async fn ids_and_state_survive_a_restart() {
    let topic = topic("sr-restart");
    let sr = start(&topic).await;
    let s1 = record("A", r#"{"name":"x","type":"int"}"#);
    let s2 = record(
        "A",
        r#"{"name":"x","type":"int"},{"name":"y","type":["null","string"],"default":null}"#,
    );
    let s3 = record("B", r#"{"name":"z","type":"string"}"#);
    let id1 = sr.register("a-value", &s1).await;
    let id2 = sr.register("a-value", &s2).await;
    let id3 = sr.register("b-value", &s3).await;
    assert_eq!(sr.register("c-value", &s1).await, id1);
    assert_eq!(
        sr.put("/config/b-value", json!({"compatibility": "FULL"}))
            .await
            .json,
        json!({"compatibility": "FULL"})
    );
    assert_eq!(
        sr.put("/config", json!({"compatibility": "forward"}))
            .await
            .json,
        json!({"compatibility": "FORWARD"})
    );
    assert_eq!(sr.delete("/subjects/c-value").await.json, json!([1]));
    let ids_before: Vec<_> = [id1, id2, id3].iter().map(|id| id.to_string()).collect();
    let mut before = Vec::new();
    for path in [
        "/subjects",
        "/subjects?deleted=true",
        "/subjects/a-value/versions",
        "/subjects/a-value/versions/1",
        "/subjects/a-value/versions/latest",
        "/subjects/b-value/versions/1",
        "/subjects/c-value/versions?deleted=true",
        "/config",
        "/config/b-value",
    ] {
        before.push(sr.get(path).await.text);
    }
    for id in &ids_before {
        before.push(sr.get(&format!("/schemas/ids/{id}")).await.text);
    }
    sr.stop().await;

    let sr = start(&topic).await;
    let mut after = Vec::new();
    for path in [
        "/subjects",
        "/subjects?deleted=true",
        "/subjects/a-value/versions",
        "/subjects/a-value/versions/1",
        "/subjects/a-value/versions/latest",
        "/subjects/b-value/versions/1",
        "/subjects/c-value/versions?deleted=true",
        "/config",
        "/config/b-value",
    ] {
        after.push(sr.get(path).await.text);
    }
    for id in &ids_before {
        after.push(sr.get(&format!("/schemas/ids/{id}")).await.text);
    }
    assert_eq!(before, after);
    assert_eq!(after[0], r#"["a-value","b-value"]"#);
    assert_eq!(after[7], r#"{"compatibilityLevel":"FORWARD"}"#);

    // Registering again is idempotent after the restart, and a new schema gets max id + 1.
    assert_eq!(sr.register("a-value", &s2).await, id2);
    let s4 = record("D", r#"{"name":"w","type":"double"}"#);
    assert_eq!(sr.register("d-value", &s4).await, id3 + 1);
    sr.stop().await;
}
