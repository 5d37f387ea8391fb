//! The compatibility config endpoints: global and per subject, `defaultToGlobal`, deletes.

mod common;

use common::{start, topic};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn global_and_subject_levels() {
    let sr = start(&topic("sr-config")).await;
    assert_eq!(
        sr.get("/config").await.json,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    let a = sr.get("/config/s").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 40408));
    assert_eq!(
        a.json["message"],
        json!("Subject 's' does not have subject-level compatibility configured")
    );
    assert_eq!(
        sr.get("/config/s?defaultToGlobal=true").await.json,
        json!({"compatibilityLevel": "BACKWARD"})
    );

    assert_eq!(
        sr.put("/config", json!({"compatibility": "full_transitive"}))
            .await
            .json,
        json!({"compatibility": "FULL_TRANSITIVE"})
    );
    assert_eq!(
        sr.get("/config").await.json,
        json!({"compatibilityLevel": "FULL_TRANSITIVE"})
    );
    assert_eq!(
        sr.get("/config/s?defaultToGlobal=true").await.json,
        json!({"compatibilityLevel": "FULL_TRANSITIVE"})
    );

    assert_eq!(
        sr.put("/config/s", json!({"compatibility": "NONE"}))
            .await
            .json,
        json!({"compatibility": "NONE"})
    );
    assert_eq!(
        sr.get("/config/s").await.json,
        json!({"compatibilityLevel": "NONE"})
    );
    assert_eq!(
        sr.get("/config/s?defaultToGlobal=true").await.json,
        json!({"compatibilityLevel": "NONE"})
    );

    assert_eq!(
        sr.delete("/config/s").await.json,
        json!({"compatibilityLevel": "NONE"})
    );
    assert_eq!(sr.get("/config/s").await.code(), 40408);
    let a = sr.delete("/config/s").await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, 40401));

    assert_eq!(
        sr.delete("/config").await.json,
        json!({"compatibilityLevel": "FULL_TRANSITIVE"})
    );
    assert_eq!(
        sr.get("/config").await.json,
        json!({"compatibilityLevel": "BACKWARD"}),
        "back to the default"
    );
    sr.stop().await;
}
