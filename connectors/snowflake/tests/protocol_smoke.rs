//! The Snowflake driver protocol against the Snowflake emulator (fakesnow): login, DDL, PUT to
//! table and named stages, COPY INTO, SELECT through Arrow results, MERGE through JSON results,
//! and the error paths (bad SQL, missing objects, a logged-out session, an unreachable server).

use sluice_snowflake::{Authenticator, ClientConfig, Error, Session, Value};
use sluice_testkit::{services, unique_ident};

fn config() -> ClientConfig {
    let sf = services().snowflake();
    let url = url::Url::parse(&sf.url).expect("SLUICE_SNOWFLAKE_URL is a URL");
    ClientConfig::new(
        url,
        sf.account,
        sf.user,
        Authenticator::Password(sf.password),
    )
}

/// A session inside a fresh database and schema, whose names it returns.
async fn session_in_fresh_schema() -> anyhow::Result<(Session, String, String)> {
    let session = Session::login(config()).await?;
    let database = unique_ident("sfdb").to_uppercase();
    let schema = unique_ident("sfschema").to_uppercase();
    session
        .query(&format!("CREATE DATABASE {database}"))
        .await?;
    session
        .query(&format!("CREATE SCHEMA {database}.{schema}"))
        .await?;
    session
        .query(&format!("USE SCHEMA {database}.{schema}"))
        .await?;
    Ok((session, database, schema))
}

fn text(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}

fn int(value: Option<&Value>) -> Option<i64> {
    value.and_then(Value::as_i64)
}

#[tokio::test]
async fn login_with_database_and_schema_sets_the_session_context() -> anyhow::Result<()> {
    let (setup, database, schema) = session_in_fresh_schema().await?;
    let mut config = config();
    config.database = Some(database.clone());
    config.schema = Some(schema.clone());
    let session = Session::login(config).await?;
    assert_eq!(
        session.info().database_name.as_deref(),
        Some(database.as_str())
    );
    assert_eq!(session.info().schema_name.as_deref(), Some(schema.as_str()));

    let result = session
        .query("SELECT CURRENT_DATABASE() AS DB, CURRENT_SCHEMA() AS SC, 41 + 1 AS ANSWER")
        .await?;
    let row = &result.rows()[0];
    assert_eq!(text(row.get("DB")), Some(database.as_str()));
    assert_eq!(text(row.get("SC")), Some(schema.as_str()));
    assert_eq!(row.get("ANSWER"), Some(&Value::Integer(42)));
    assert!(result.query_id.is_some());
    session.heartbeat().await?;
    session.close().await?;
    setup.close().await?;
    Ok(())
}

#[tokio::test]
async fn csv_put_to_a_table_stage_is_loaded_by_copy_and_read_back() -> anyhow::Result<()> {
    let (session, _, _) = session_in_fresh_schema().await?;
    let table = unique_ident("orders").to_uppercase();
    session
        .query(&format!(
            "CREATE TABLE {table} (ID INT, NAME VARCHAR, AMOUNT NUMBER(10,2))"
        ))
        .await?;

    let csv = b"1,alice,10.50\n2,bob,\n3,carol,-7.25\n";
    let put = session
        .put(&format!("@%{table}"), "batch-0001.csv", csv)
        .await?;
    assert_eq!(put.file_name, "batch-0001.csv.gz");
    assert!(put.uploaded_bytes > 0);

    let listed = session.query(&format!("LIST @%{table}")).await?;
    let names: Vec<_> = listed
        .rows()
        .iter()
        .filter_map(|r| text(r.get("name")).map(str::to_string))
        .collect();
    assert_eq!(
        names,
        vec!["batch-0001.csv.gz".to_string()],
        "LIST @%{table}"
    );

    let copy = session
        .query(&format!(
            "COPY INTO {table} FROM @%{table} FILE_FORMAT = (TYPE = CSV)"
        ))
        .await?;
    let status = &copy.rows()[0];
    assert_eq!(text(status.get("file")), Some("batch-0001.csv.gz"));
    assert_eq!(text(status.get("status")), Some("LOADED"));
    assert_eq!(int(status.get("rows_loaded")), Some(3));

    let rows = session
        .query(&format!("SELECT ID, NAME, AMOUNT FROM {table} ORDER BY ID"))
        .await?;
    let got: Vec<Vec<Value>> = rows.rows().iter().map(|r| r.values().to_vec()).collect();
    assert_eq!(
        got,
        vec![
            vec![
                Value::Integer(1),
                Value::Text("alice".into()),
                Value::Decimal("10.50".into())
            ],
            vec![Value::Integer(2), Value::Text("bob".into()), Value::Null],
            vec![
                Value::Integer(3),
                Value::Text("carol".into()),
                Value::Decimal("-7.25".into())
            ],
        ]
    );

    // Loading the same file again is skipped by the load history, which makes a retried COPY safe.
    let again = session
        .query(&format!(
            "COPY INTO {table} FROM @%{table} FILE_FORMAT = (TYPE = CSV)"
        ))
        .await?;
    assert_eq!(text(again.rows()[0].get("status")), Some("LOAD_SKIPPED"));
    let count = session
        .query(&format!("SELECT COUNT(*) AS N FROM {table}"))
        .await?;
    assert_eq!(int(count.rows()[0].get("N")), Some(3));
    session.close().await?;
    Ok(())
}

#[tokio::test]
async fn json_put_to_a_named_stage_loads_into_a_variant_column() -> anyhow::Result<()> {
    let (session, database, schema) = session_in_fresh_schema().await?;
    let table = unique_ident("events").to_uppercase();
    let stage = unique_ident("landing").to_uppercase();
    session
        .query(&format!("CREATE TABLE {table} (RECORD_CONTENT VARIANT)"))
        .await?;
    session.query(&format!("CREATE STAGE {stage}")).await?;

    let lines = b"{\"id\": 7, \"kind\": \"created\"}\n{\"id\": 8, \"kind\": \"deleted\"}\n";
    let put = session
        .put(
            &format!("@{database}.{schema}.{stage}/topic/0"),
            "events-0.json",
            lines,
        )
        .await?;
    // Another file elsewhere in the stage, which the COPY below must not load.
    session
        .put(
            &format!("@{stage}/other"),
            "events-0.json",
            b"{\"id\": 99}\n",
        )
        .await?;
    let copy = session
        .query(&format!(
            "COPY INTO {table} FROM @{stage}/topic/0/{} FILE_FORMAT = (TYPE = JSON)",
            put.file_name
        ))
        .await?;
    assert_eq!(copy.rows().len(), 1);
    let staged = format!("{}/topic/0/{}", stage.to_lowercase(), put.file_name);
    assert_eq!(text(copy.rows()[0].get("file")), Some(staged.as_str()));
    assert_eq!(int(copy.rows()[0].get("rows_loaded")), Some(2));

    let rows = session
        .query(&format!(
            "SELECT RECORD_CONTENT:id::INT AS ID, RECORD_CONTENT:kind::VARCHAR AS KIND, RECORD_CONTENT \
             FROM {table} ORDER BY ID"
        ))
        .await?;
    let got: Vec<(Option<i64>, Option<String>)> = rows
        .rows()
        .iter()
        .map(|r| (int(r.get("ID")), text(r.get("KIND")).map(str::to_string)))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(7), Some("created".into())),
            (Some(8), Some("deleted".into()))
        ]
    );
    let Some(Value::Variant(json)) = rows.rows()[0].get("RECORD_CONTENT") else {
        panic!("RECORD_CONTENT is not a variant: {:?}", rows.rows()[0]);
    };
    let parsed: serde_json::Value = serde_json::from_str(json)?;
    assert_eq!(parsed, serde_json::json!({"id": 7, "kind": "created"}));
    session.close().await?;
    Ok(())
}

#[tokio::test]
async fn merge_from_a_staging_table_inserts_and_updates() -> anyhow::Result<()> {
    let (session, _, _) = session_in_fresh_schema().await?;
    let target = unique_ident("target").to_uppercase();
    let staging = unique_ident("staging").to_uppercase();
    session
        .query(&format!("CREATE TABLE {target} (ID INT, NAME VARCHAR)"))
        .await?;
    session
        .query(&format!("CREATE TABLE {staging} (ID INT, NAME VARCHAR)"))
        .await?;
    let inserted = session
        .query(&format!(
            "INSERT INTO {target} VALUES (1, 'old one'), (2, 'two')"
        ))
        .await?;
    assert_eq!(inserted.count("number of rows inserted"), Some(2));
    session
        .query(&format!(
            "INSERT INTO {staging} VALUES (1, 'new one'), (3, 'three')"
        ))
        .await?;

    let merge = session
        .query(&format!(
            "MERGE INTO {target} t USING {staging} s ON t.ID = s.ID \
             WHEN MATCHED THEN UPDATE SET NAME = s.NAME \
             WHEN NOT MATCHED THEN INSERT (ID, NAME) VALUES (s.ID, s.NAME)"
        ))
        .await?;
    assert_eq!(merge.count("number of rows inserted"), Some(1));
    assert_eq!(merge.count("number of rows updated"), Some(1));

    let rows = session
        .query(&format!("SELECT ID, NAME FROM {target} ORDER BY ID"))
        .await?;
    let got: Vec<(Option<i64>, Option<String>)> = rows
        .rows()
        .iter()
        .map(|r| (int(r.get("ID")), text(r.get("NAME")).map(str::to_string)))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(1), Some("new one".into())),
            (Some(2), Some("two".into())),
            (Some(3), Some("three".into()))
        ]
    );
    session.close().await?;
    Ok(())
}

#[tokio::test]
async fn arrow_results_decode_snowflake_types() -> anyhow::Result<()> {
    let (session, _, _) = session_in_fresh_schema().await?;
    let result = session
        .query(
            "SELECT 12.34::NUMBER(10,2) AS DEC, TRUE AS B, '2024-01-02'::DATE AS D, \
             '2024-01-02 03:04:05.123'::TIMESTAMP_NTZ AS TS, 1.5::FLOAT AS F, '12:34:56'::TIME AS TM, \
             TO_BINARY('0aff', 'HEX') AS BIN, NULL AS N",
        )
        .await?;
    let row = &result.rows()[0];
    assert_eq!(row.get("DEC"), Some(&Value::Decimal("12.34".into())));
    assert_eq!(row.get("B"), Some(&Value::Boolean(true)));
    assert_eq!(row.get("D"), Some(&Value::Date(19_724)));
    assert_eq!(
        row.get("TS"),
        Some(&Value::Timestamp {
            epoch_seconds: 1_704_164_645,
            nanos: 123_000_000,
            offset_minutes: None
        })
    );
    assert_eq!(row.get("F"), Some(&Value::Real(1.5)));
    assert_eq!(row.get("TM"), Some(&Value::Time(45_296_000_000_000)));
    assert_eq!(row.get("BIN"), Some(&Value::Binary(vec![0x0a, 0xff])));
    assert_eq!(row.get("N"), Some(&Value::Null));
    session.close().await?;
    Ok(())
}

#[tokio::test]
async fn wrong_sql_fails_with_snowflakes_code_and_message() -> anyhow::Result<()> {
    let session = Session::login(config()).await?;
    let err = session
        .query("SELEC 1")
        .await
        .expect_err("a syntax error must fail");
    let Error::Statement {
        code,
        sql_state,
        message,
        ..
    } = &err
    else {
        panic!("expected a statement error, got {err:?}");
    };
    assert_eq!(code, "001003");
    assert_eq!(sql_state, "42000");
    assert!(message.contains("Unexpected"), "{message}");
    assert!(
        !message.starts_with("001003"),
        "the code is not repeated in the message: {message}"
    );
    assert!(!err.is_retriable());
    assert!(err.to_string().contains("SELEC 1"), "{err}");

    let missing = unique_ident("nowhere");
    let err = session
        .query(&format!("SELECT * FROM {missing}.PUBLIC.T"))
        .await
        .expect_err("missing table");
    assert_eq!(err.code(), Some("002003"), "{err}");
    assert!(!err.is_retriable());

    // The session still works after failed statements.
    let ok = session.query("SELECT 'still here' AS S").await?;
    assert_eq!(text(ok.rows()[0].get("S")), Some("still here"));
    session.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_logged_out_session_is_reported_as_expired() -> anyhow::Result<()> {
    let session = Session::login(config()).await?;
    session.close().await?;
    let err = session
        .query("SELECT 1")
        .await
        .expect_err("the token was deleted");
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert_eq!(err.code(), Some("390104"));
    assert!(err.is_retriable(), "a new login fixes it");
    Ok(())
}

#[tokio::test]
async fn login_to_an_unreachable_server_is_a_retriable_transport_error() {
    let mut config = config();
    // Port 1 on loopback: nothing listens there.
    config.url = url::Url::parse("http://127.0.0.1:1").expect("a URL");
    let err = Session::login(config)
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retriable());
}
