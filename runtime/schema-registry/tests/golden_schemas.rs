//! The schemas Confluent's AvroConverter registered for the golden PostgreSQL events, registered
//! in the order their ids were given, come out with the same subjects, versions and ids, and
//! their exact text by id (customers-value v2, an added optional column, passes BACKWARD).

mod common;

use common::{start, topic};
use serde_json::{Value, json};

#[tokio::test]
async fn golden_registry_is_reproduced() {
    let golden: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(sluice_testkit::golden("events/pg/avro/registry.json")).unwrap(),
    )
    .unwrap();
    assert!(golden.len() >= 10);
    let mut by_id = golden.clone();
    by_id.sort_by_key(|e| e["id"].as_i64().unwrap());

    let sr = start(&topic("sr-golden")).await;
    for entry in &by_id {
        let subject = entry["subject"].as_str().unwrap();
        let id = sr
            .register(subject, entry["schema"].as_str().unwrap())
            .await;
        assert_eq!(
            id,
            entry["id"].as_i64().unwrap(),
            "id of {subject} v{}",
            entry["version"]
        );
    }
    for entry in &golden {
        let (subject, version, id, schema) = (
            &entry["subject"],
            &entry["version"],
            &entry["id"],
            &entry["schema"],
        );
        let subject = subject.as_str().unwrap();
        let got = sr
            .get(&format!("/subjects/{subject}/versions/{version}"))
            .await;
        assert_eq!(
            got.json,
            json!({"subject": subject, "version": version, "id": id, "schema": schema})
        );
        let by_id = sr.get(&format!("/schemas/ids/{id}")).await;
        assert_eq!(by_id.json["schema"], *schema, "exact text of id {id}");
        assert_eq!(
            sr.get(&format!("/schemas/ids/{id}/schema")).await.text,
            schema.as_str().unwrap()
        );
        // Registering again (as every converter restart does) changes nothing.
        assert_eq!(
            sr.register(subject, schema.as_str().unwrap()).await,
            id.as_i64().unwrap()
        );
    }
    let mut subjects: Vec<String> = golden
        .iter()
        .map(|e| e["subject"].as_str().unwrap().to_string())
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(sr.get("/subjects").await.json, json!(subjects));
    assert_eq!(
        sr.get("/subjects/dbserver1.inventory.customers-value/versions")
            .await
            .json,
        json!([1, 2])
    );
    sr.stop().await;
}

#[tokio::test]
async fn golden_registry_in_file_order_has_the_same_structure() {
    let golden: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(sluice_testkit::golden("events/pg/avro/registry.json")).unwrap(),
    )
    .unwrap();
    let sr = start(&topic("sr-golden-order")).await;
    for entry in &golden {
        sr.register(
            entry["subject"].as_str().unwrap(),
            entry["schema"].as_str().unwrap(),
        )
        .await;
    }
    for entry in &golden {
        let subject = entry["subject"].as_str().unwrap();
        let got = sr
            .get(&format!(
                "/subjects/{subject}/versions/{}",
                entry["version"]
            ))
            .await;
        assert_eq!(got.json["schema"], entry["schema"]);
        let id = got.json["id"].as_i64().unwrap();
        assert_eq!(
            sr.get(&format!("/schemas/ids/{id}")).await.json["schema"],
            entry["schema"]
        );
    }
    sr.stop().await;
}
