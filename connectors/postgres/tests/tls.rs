//! TLS to PostgreSQL (`database.sslmode` and the certificate keys) against the real server,
//! which `tests/services/start.sh` starts with `ssl=on`, a test CA, a server certificate valid
//! for 127.0.0.1 only, and the role `sluice_cert` that may log in with its client certificate
//! only.
//!
//! Each case checks what the server saw (`pg_stat_ssl`) or the error the operator gets.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::StoredOffsets;
use sluice_api::Value;
use sluice_api::connector::{SourceConnector, SourceTask, SourceTaskContext};
use sluice_postgres::{
    PgConnectionConfig, PostgresConnector, PostgresConnectorTask, TlsMode, TlsOptions,
};

/// The server's TLS material; every case needs it.
fn tls_dir() -> PathBuf {
    sluice_testkit::services()
        .postgres()
        .tls_dir
        .expect("the test PostgreSQL has no TLS material: restart it with tests/services/start.sh")
}

/// A fresh database with a table `t`, and the superuser's plain connection to it.
async fn database() -> PgConnectionConfig {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("pgtls").await;
    let config = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db);
    let client = config.connect("the TLS tests").await.unwrap();
    client
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one')",
        )
        .await
        .unwrap();
    config
}

fn with_tls(c: &PgConnectionConfig, host: &str, tls: TlsOptions) -> PgConnectionConfig {
    let mut c = c.clone();
    c.host = host.to_string();
    c.tls = tls;
    c
}

/// Whether the session `pid` is encrypted, as the server reports it.
async fn encrypted(admin: &tokio_postgres::Client, pid: i32) -> bool {
    admin
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = $1", &[&pid])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_encrypts_without_checking_the_certificate() {
    let c = database().await;
    let tls = TlsOptions {
        mode: TlsMode::Require,
        ..TlsOptions::default()
    };
    let client = with_tls(&c, "127.0.0.1", tls)
        .connect("require")
        .await
        .unwrap();
    let row = client
        .query_one(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0), "require connected without TLS");
    assert!(row.get::<_, String>(1).starts_with("TLS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_refuses_a_certificate_from_another_ca() {
    let c = database().await;
    let tls = TlsOptions {
        mode: TlsMode::VerifyFull,
        root_cert: Some(tls_dir().join("other-ca.crt")),
        ..TlsOptions::default()
    };
    let target = with_tls(&c, "127.0.0.1", tls);
    let e = target.connect("verify-full").await.unwrap_err();
    assert!(
        !e.is_transient(),
        "a refused certificate must not be retried: {e}"
    );
    let text = e.to_string();
    assert!(
        text.contains("TLS") && text.contains("database.sslrootcert"),
        "{text}"
    );
    // The replication connection refuses it too.
    let e = sluice_postgres::create_slot_with_snapshot(&target, "tls_other_ca")
        .await
        .unwrap_err();
    assert!(!e.is_transient() && e.to_string().contains("TLS"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_checks_the_host_name_and_verify_ca_does_not() {
    let c = database().await;
    let root = Some(tls_dir().join("ca.crt"));
    // The certificate names 127.0.0.1 only; "localhost" reaches the same server.
    let full = TlsOptions {
        mode: TlsMode::VerifyFull,
        root_cert: root.clone(),
        ..TlsOptions::default()
    };
    let e = with_tls(&c, "localhost", full.clone())
        .connect("verify-full by name")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("TLS"), "{e}");
    with_tls(&c, "127.0.0.1", full)
        .connect("verify-full by address")
        .await
        .unwrap();

    let ca = TlsOptions {
        mode: TlsMode::VerifyCa,
        root_cert: root,
        ..TlsOptions::default()
    };
    with_tls(&c, "localhost", ca.clone())
        .connect("verify-ca by name")
        .await
        .unwrap();
    // The replication connection verifies the chain too (and, with pgwire-replication 0.5,
    // the name: see `sluice_postgres::tls`).
    let by_address = with_tls(&c, "127.0.0.1", ca.clone());
    let slot = format!("{}_ca", c.database);
    sluice_postgres::create_slot_with_snapshot(&by_address, &slot)
        .await
        .unwrap();
    sluice_postgres::drop_slot(&by_address, &slot)
        .await
        .unwrap();
    let e = sluice_postgres::create_slot_with_snapshot(&with_tls(&c, "localhost", ca), &slot)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("database.hostname"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_user_streams_over_verified_tls() {
    let c = database().await;
    let dir = tls_dir();
    let slot = c.database.clone();
    let (root, cert, key) = (
        dir.join("ca.crt").display().to_string(),
        dir.join("client.crt").display().to_string(),
        dir.join("client.key").display().to_string(),
    );
    // The certificate role logs in with its certificate only (pg_hba `cert`): no password.
    let props = common::props(
        &c,
        "tls",
        &[
            ("database.user", "sluice_cert"),
            ("database.password", ""),
            ("database.sslmode", "verify-full"),
            ("database.sslrootcert", &root),
            ("database.sslcert", &cert),
            ("database.sslkey", &key),
            ("slot.drop.on.stop", "true"),
        ],
    );
    let mut task: PostgresConnectorTask = PostgresConnector::default().create_task();
    task.start(
        props,
        SourceTaskContext::new(Arc::new(StoredOffsets::default())),
    )
    .await
    .unwrap();

    let admin = c.connect("checking the sessions").await.unwrap();
    let mut ids = Vec::new();
    let mut inserted = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    while ids.len() < 2 {
        assert!(Instant::now() < deadline, "records so far: {ids:?}");
        for record in task.poll().await.unwrap() {
            let Value::Struct(value) = &record.value else {
                continue;
            };
            if let Value::Struct(after) = value.get("after").unwrap() {
                ids.push(after.get("id").unwrap().clone());
            }
        }
        if !ids.is_empty() && !inserted {
            admin
                .batch_execute("INSERT INTO t VALUES (2, 'two')")
                .await
                .unwrap();
            inserted = true;
        }
    }
    assert_eq!(ids, vec![Value::Int32(1), Value::Int32(2)]);

    // The walsender holding the slot runs as sluice_cert over TLS.
    let row = admin
        .query_one(
            "SELECT s.active_pid, a.usename::text FROM pg_replication_slots s \
             JOIN pg_stat_activity a ON a.pid = s.active_pid WHERE s.slot_name = $1",
            &[&slot],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(1), "sluice_cert");
    assert!(
        encrypted(&admin, row.get(0)).await,
        "the replication session is not encrypted"
    );
    task.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_user_without_tls_is_refused_by_pg_hba() {
    let c = database().await;
    let mut plain = with_tls(&c, "127.0.0.1", TlsOptions::default());
    plain.user = "sluice_cert".into();
    let e = plain.connect("disable").await.unwrap_err();
    let text = e.to_string();
    assert!(!e.is_transient() && text.contains("pg_hba.conf"), "{text}");
}

/// Starts a task with `extra` settings and returns the error `start` fails with.
async fn start_error(c: &PgConnectionConfig, extra: Vec<(&str, String)>) -> String {
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let props = common::props(c, "tls", &extra);
    let mut task: PostgresConnectorTask = PostgresConnector::default().create_task();
    task.start(
        props,
        SourceTaskContext::new(Arc::new(StoredOffsets::default())),
    )
    .await
    .unwrap_err()
    .report()
}

#[tokio::test]
async fn unusable_tls_settings_name_the_key() {
    let c = database().await;
    let dir = tls_dir();
    let e = start_error(
        &c,
        vec![
            ("database.sslmode", "verify-full".into()),
            ("database.sslrootcert", "/nonexistent/root.crt".into()),
        ],
    )
    .await;
    assert!(
        e.contains("database.sslrootcert") && e.contains("/nonexistent/root.crt"),
        "{e}"
    );
    let cert = dir.join("client.crt").display().to_string();
    let e = start_error(&c, vec![("database.sslcert", cert)]).await;
    assert!(e.contains("database.sslkey"), "{e}");
    let e = start_error(&c, vec![("database.sslpassword", "secret".into())]).await;
    assert!(
        e.contains("database.sslpassword") && !e.contains("secret"),
        "{e}"
    );
    let e = start_error(
        &c,
        vec![("database.sslfactory", "com.example.Factory".into())],
    )
    .await;
    assert!(e.contains("database.sslfactory"), "{e}");
    let e = start_error(&c, vec![("database.sslmode", "verify_full".into())]).await;
    assert!(e.contains("database.sslmode"), "{e}");
}
