//! Ten clients registering the same new schema at once all get one id and one version: the
//! store plans and writes one change at a time.

mod common;

use common::{record, start, topic};
use serde_json::json;

#[tokio::test]
async fn ten_clients_one_id() {
    let sr = start(&topic("sr-conc")).await;
    sr.register("warmup", &record("W", r#"{"name":"w","type":"int"}"#))
        .await;
    let schema = record(
        "C",
        r#"{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}"#,
    );
    let requests = (0..10).map(|i| {
        let http = reqwest::Client::new();
        let url = format!("{}/subjects/conc-value/versions", sr.url);
        // Half compact, half pretty-printed: the same schema either way.
        let text = if i % 2 == 0 {
            schema.clone()
        } else {
            serde_json::to_string_pretty(
                &serde_json::from_str::<serde_json::Value>(&schema).unwrap(),
            )
            .unwrap()
        };
        async move {
            let response = http
                .post(url)
                .header("content-type", "application/vnd.schemaregistry.v1+json")
                .body(json!({ "schema": text }).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.json::<serde_json::Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap()
        }
    });
    let ids = futures::future::join_all(requests).await;
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(ids[0], 2);
    assert_eq!(
        sr.get("/subjects/conc-value/versions").await.json,
        json!([1])
    );
    assert_eq!(
        sr.get("/schemas/ids/2/versions").await.json,
        json!([{"subject": "conc-value", "version": 1}])
    );
    sr.stop().await;
}
