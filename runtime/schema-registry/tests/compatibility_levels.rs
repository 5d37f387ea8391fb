//! Every compatibility level accepts what it should and refuses the rest with Confluent's
//! 409/40901 answer; the compatibility endpoint says the same without registering.

mod common;

use common::{Answer, Served, record, start, topic};
use reqwest::StatusCode;
use serde_json::json;

fn r(fields: &str) -> String {
    record("R", fields)
}

const A: &str = r#"{"name":"a","type":"int"}"#;
const B_REQUIRED: &str = r#"{"name":"b","type":"string"}"#;
const B_DEFAULT: &str = r#"{"name":"b","type":"string","default":""}"#;
const C_OPTIONAL: &str = r#"{"name":"c","type":["null","long"],"default":null}"#;

/// Registers `history` under `subject` with no checks, sets `level`, then registers `candidate`.
async fn scenario(
    sr: &Served,
    subject: &str,
    level: &str,
    history: &[String],
    candidate: &str,
) -> Answer {
    sr.put(
        &format!("/config/{subject}"),
        json!({"compatibility": "NONE"}),
    )
    .await;
    for schema in history {
        sr.register(subject, schema).await;
    }
    let set = sr
        .put(
            &format!("/config/{subject}"),
            json!({"compatibility": level}),
        )
        .await;
    assert_eq!(set.json, json!({"compatibility": level}));
    sr.post(
        &format!("/subjects/{subject}/versions"),
        json!({ "schema": candidate }),
    )
    .await
}

fn accepted(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::OK, "{what} should be accepted: {a:?}");
    assert!(a.json["id"].is_i64(), "{what}: {a:?}");
}

fn refused(a: &Answer, subject: &str, error_type: &str, what: &str) {
    assert_eq!(
        a.status,
        StatusCode::CONFLICT,
        "{what} should be refused: {a:?}"
    );
    assert_eq!(a.code(), 40901, "{what}");
    let message = a.json["message"].as_str().unwrap();
    let prefix = format!(
        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: ["
    );
    assert!(message.starts_with(&prefix), "{what}: {message}");
    assert!(
        message.contains(&format!("{{errorType:'{error_type}'")),
        "{what}: {message}"
    );
    assert!(message.ends_with("'}]"), "{what}: {message}");
    assert!(
        message.contains("{validateFields: 'false', compatibility: '"),
        "{what}: {message}"
    );
}

#[tokio::test]
async fn backward() {
    let sr = start(&topic("sr-bw")).await;
    accepted(
        &scenario(
            &sr,
            "bw-ok",
            "BACKWARD",
            &[r(A)],
            &r(&format!("{A},{C_OPTIONAL}")),
        )
        .await,
        "adding an optional field",
    );
    let a = scenario(
        &sr,
        "bw-no",
        "BACKWARD",
        &[r(A)],
        &r(&format!("{A},{B_REQUIRED}")),
    )
    .await;
    refused(
        &a,
        "bw-no",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "adding a required field",
    );
    assert!(
        a.json["message"]
            .as_str()
            .unwrap()
            .contains("{oldSchemaVersion: 1}")
    );
    let a = scenario(
        &sr,
        "bw-type",
        "BACKWARD",
        &[r(A)],
        &r(r#"{"name":"a","type":"string"}"#),
    )
    .await;
    refused(&a, "bw-type", "TYPE_MISMATCH", "int to string");
    assert_eq!(
        sr.get("/subjects/bw-no/versions").await.json,
        json!([1]),
        "a refused schema is not registered"
    );
    // Backward is the default level.
    sr.register("bw-default", &r(A)).await;
    let a = sr
        .post(
            "/subjects/bw-default/versions",
            json!({"schema": r(&format!("{A},{B_REQUIRED}"))}),
        )
        .await;
    refused(
        &a,
        "bw-default",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "default level",
    );
    sr.stop().await;
}

#[tokio::test]
async fn backward_transitive() {
    let sr = start(&topic("sr-bwt")).await;
    let history = [r(A), r(&format!("{A},{B_DEFAULT}"))];
    let candidate = r(&format!("{A},{B_REQUIRED}"));
    accepted(
        &scenario(&sr, "bwt-latest", "BACKWARD", &history, &candidate).await,
        "reads the latest",
    );
    let a = scenario(&sr, "bwt", "BACKWARD_TRANSITIVE", &history, &candidate).await;
    refused(
        &a,
        "bwt",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "cannot read version 1",
    );
    assert!(
        a.json["message"]
            .as_str()
            .unwrap()
            .contains("{oldSchemaVersion: 1}")
    );
    accepted(
        &scenario(
            &sr,
            "bwt-ok",
            "BACKWARD_TRANSITIVE",
            &history,
            &r(&format!("{A},{B_DEFAULT},{C_OPTIONAL}")),
        )
        .await,
        "optional",
    );
    sr.stop().await;
}

#[tokio::test]
async fn forward_and_forward_transitive() {
    let sr = start(&topic("sr-fw")).await;
    accepted(
        &scenario(
            &sr,
            "fw-ok",
            "FORWARD",
            &[r(&format!("{A},{B_DEFAULT}"))],
            &r(A),
        )
        .await,
        "dropping a field with default",
    );
    accepted(
        &scenario(
            &sr,
            "fw-add",
            "FORWARD",
            &[r(A)],
            &r(&format!("{A},{B_REQUIRED}")),
        )
        .await,
        "adding a required field",
    );
    let a = scenario(
        &sr,
        "fw-no",
        "FORWARD",
        &[r(&format!("{A},{B_REQUIRED}"))],
        &r(A),
    )
    .await;
    refused(
        &a,
        "fw-no",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "dropping a required field",
    );
    assert!(
        a.json["message"]
            .as_str()
            .unwrap()
            .contains("in the old schema has no default value and is missing in the new schema")
    );

    let history = [
        r(&format!("{A},{B_REQUIRED}")),
        r(&format!("{A},{B_DEFAULT}")),
    ];
    accepted(
        &scenario(&sr, "fwt-latest", "FORWARD", &history, &r(A)).await,
        "the latest reads it",
    );
    let a = scenario(&sr, "fwt", "FORWARD_TRANSITIVE", &history, &r(A)).await;
    refused(
        &a,
        "fwt",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "version 1 cannot read it",
    );
    sr.stop().await;
}

#[tokio::test]
async fn full_and_full_transitive() {
    let sr = start(&topic("sr-full")).await;
    accepted(
        &scenario(
            &sr,
            "full-ok",
            "FULL",
            &[r(A)],
            &r(&format!("{A},{C_OPTIONAL}")),
        )
        .await,
        "optional field",
    );
    let a = scenario(
        &sr,
        "full-add",
        "FULL",
        &[r(A)],
        &r(&format!("{A},{B_REQUIRED}")),
    )
    .await;
    refused(
        &a,
        "full-add",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "required field (backward breaks)",
    );
    let a = scenario(
        &sr,
        "full-drop",
        "FULL",
        &[r(&format!("{A},{B_REQUIRED}"))],
        &r(A),
    )
    .await;
    refused(
        &a,
        "full-drop",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "dropped field (forward breaks)",
    );

    let history = [
        r(&format!("{A},{B_REQUIRED}")),
        r(&format!("{A},{B_DEFAULT}")),
    ];
    accepted(
        &scenario(&sr, "fullt-latest", "FULL", &history, &r(A)).await,
        "full with the latest",
    );
    let a = scenario(&sr, "fullt", "FULL_TRANSITIVE", &history, &r(A)).await;
    refused(
        &a,
        "fullt",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "version 1 cannot read it",
    );
    sr.stop().await;
}

#[tokio::test]
async fn none_and_enum_and_union_changes() {
    let sr = start(&topic("sr-none")).await;
    accepted(
        &scenario(
            &sr,
            "none",
            "NONE",
            &[r(A)],
            &r(r#"{"name":"a","type":"string"}"#),
        )
        .await,
        "anything",
    );

    let e = |symbols: &str| {
        r(&format!(
            r#"{{"name":"e","type":{{"type":"enum","name":"E","symbols":[{symbols}]}}}}"#
        ))
    };
    accepted(
        &scenario(
            &sr,
            "enum-add",
            "BACKWARD",
            &[e(r#""X","Y""#)],
            &e(r#""X","Y","Z""#),
        )
        .await,
        "adding a symbol",
    );
    let a = scenario(
        &sr,
        "enum-drop",
        "BACKWARD",
        &[e(r#""X","Y""#)],
        &e(r#""X""#),
    )
    .await;
    refused(&a, "enum-drop", "MISSING_ENUM_SYMBOLS", "removing a symbol");
    assert!(
        a.json["message"]
            .as_str()
            .unwrap()
            .contains("additionalInfo:'[Y]'")
    );

    let u = |branches: &str| {
        r(&format!(
            r#"{{"name":"u","type":[{branches}],"default":null}}"#
        ))
    };
    accepted(
        &scenario(
            &sr,
            "union-add",
            "BACKWARD",
            &[u(r#""null","int""#)],
            &u(r#""null","int","string""#),
        )
        .await,
        "widening",
    );
    let a = scenario(
        &sr,
        "union-drop",
        "BACKWARD",
        &[u(r#""null","int","string""#)],
        &u(r#""null","int""#),
    )
    .await;
    refused(&a, "union-drop", "MISSING_UNION_BRANCH", "narrowing");
    sr.stop().await;
}

#[tokio::test]
async fn compatibility_endpoint() {
    let sr = start(&topic("sr-check")).await;
    sr.register("chk", &r(A)).await;
    let good = json!({"schema": r(&format!("{A},{C_OPTIONAL}"))});
    let bad = json!({"schema": r(&format!("{A},{B_REQUIRED}"))});
    for version in ["latest", "1"] {
        let path = format!("/compatibility/subjects/chk/versions/{version}");
        assert_eq!(
            sr.post(&path, good.clone()).await.json,
            json!({"is_compatible": true})
        );
        assert_eq!(
            sr.post(&path, bad.clone()).await.json,
            json!({"is_compatible": false})
        );
        let verbose = sr.post(&format!("{path}?verbose=true"), bad.clone()).await;
        assert_eq!(verbose.json["is_compatible"], json!(false));
        let messages: Vec<String> = verbose.json["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect();
        assert!(messages[0].starts_with("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema"), "{messages:?}");
        assert_eq!(
            messages.last().unwrap(),
            "{validateFields: 'false', compatibility: 'BACKWARD'}"
        );
    }
    assert_eq!(
        sr.post("/compatibility/subjects/chk/versions", bad)
            .await
            .json,
        json!({"is_compatible": false})
    );
    assert_eq!(
        sr.get("/subjects/chk/versions").await.json,
        json!([1]),
        "checking registers nothing"
    );
    let missing = sr
        .post("/compatibility/subjects/chk/versions/7", good.clone())
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, 40402)
    );
    // No version yet: anything is compatible with "latest".
    assert_eq!(
        sr.post("/compatibility/subjects/fresh/versions/latest", good)
            .await
            .json,
        json!({"is_compatible": true})
    );
    sr.stop().await;
}
