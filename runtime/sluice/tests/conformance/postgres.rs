//! The replay with Sluice's own `PostgresConnector`: the golden configs pointed at the
//! reference's PostgreSQL (`127.0.0.1:25432`, user and password `postgres`, database
//! `inventory`); here they point at the test PostgreSQL (testkit), in a fresh database holding
//! the golden inventory schema (`golden/sql/inventory_schema.sql`). Requests and the reference's
//! answers are rewritten the same way:
//!
//! | golden | here | why |
//! |---|---|---|
//! | `database.hostname`/`port`/`user`/`password` | the test server's | where the database is |
//! | `database.dbname` `inventory` | the fresh database | one database per run |
//! | `topic.prefix` `restgolden`, `restgolden2` (and so topic names and offset partitions `{"server": …}`) | unique prefixes | topics are shared by every run on the broker |
//! | `slot.name` `dbz_rest`, `dbz_rest2` | unique slot names | slots are shared by every database of the server |
//!
//! Everything else (schema and table names, publication, snapshot mode, …) is the golden's.
//! Offsets keep Debezium's form; their `lsn`, `txId` and `ts_usec` are this server's (the
//! golden README: not part of the contract, see `compare::diff`). The offsets a `PATCH` sends
//! are the connector's own, as read just before (the reference sent back what it had read).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::translate::PG_CLASS;

/// The golden's `topic.prefix`es and slot names, and the reference's connection settings.
const GOLDEN_PREFIXES: [&str; 2] = ["restgolden", "restgolden2"];
const GOLDEN_SLOTS: [&str; 2] = ["dbz_rest", "dbz_rest2"];
const GOLDEN_HOST: &str = "127.0.0.1";
const GOLDEN_PORT: &str = "25432";
const GOLDEN_USER: &str = "postgres";
const GOLDEN_PASSWORD: &str = "postgres";
const GOLDEN_DBNAME: &str = "inventory";

/// The test database and the names standing for the golden's.
#[derive(Debug)]
pub struct PgTarget {
    /// The test server.
    pub pg: sluice_testkit::Postgres,
    /// The fresh database.
    pub db: String,
    /// Our `topic.prefix` for each of [`GOLDEN_PREFIXES`].
    pub prefixes: [String; 2],
    /// Our slot name for each of [`GOLDEN_SLOTS`].
    pub slots: [String; 2],
    /// The offsets the worker last reported for each connector (`GET …/offsets` answers).
    offsets: Mutex<Vec<Value>>,
}

async fn connect(pg: &sluice_testkit::Postgres, db: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&pg.conn_string(db), tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL");
    tokio::spawn(conn);
    client
}

/// Whether the test process whose pid a unique name holds (`<prefix>_<pid>_…`) is gone.
fn owner_gone(name: &str, prefix: &str) -> bool {
    name.strip_prefix(&format!("{prefix}_"))
        .and_then(|rest| rest.split('_').next())
        .and_then(|pid| pid.parse::<u32>().ok())
        .is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// Drops what an earlier run of this test left behind when it died before its cleanup: its
/// inactive slots (the server has few) and its databases.
async fn sweep(pg: &sluice_testkit::Postgres) {
    let client = connect(pg, "postgres").await;
    let slots = client
        .query(
            "SELECT slot_name::text FROM pg_replication_slots WHERE NOT active",
            &[],
        )
        .await
        .unwrap();
    for name in slots.iter().map(|r| r.get::<_, String>(0)) {
        if GOLDEN_SLOTS.iter().any(|g| owner_gone(&name, g)) {
            let _ = client
                .execute("SELECT pg_drop_replication_slot($1)", &[&name])
                .await;
        }
    }
    let dbs = client
        .query("SELECT datname::text FROM pg_database", &[])
        .await
        .unwrap();
    for name in dbs.iter().map(|r| r.get::<_, String>(0)) {
        if owner_gone(&name, "restconf") {
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

impl PgTarget {
    /// A fresh database with the golden inventory schema and rows.
    pub async fn setup() -> PgTarget {
        let pg = sluice_testkit::services().postgres();
        sweep(&pg).await;
        let db = pg.create_database("restconf").await;
        let schema = std::fs::read_to_string(sluice_testkit::golden("sql/inventory_schema.sql"))
            .expect("golden/sql/inventory_schema.sql");
        connect(&pg, &db)
            .await
            .batch_execute(&schema)
            .await
            .expect("the golden inventory schema applies");
        PgTarget {
            pg,
            db,
            prefixes: GOLDEN_PREFIXES.map(sluice_testkit::unique_ident),
            slots: GOLDEN_SLOTS.map(sluice_testkit::unique_ident),
            offsets: Mutex::new(Vec::new()),
        }
    }

    /// Drops the slots (once no worker holds them) and the database.
    pub async fn cleanup(&self) {
        let client = connect(&self.pg, "postgres").await;
        let slots: Vec<&str> = self.slots.iter().map(String::as_str).collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = client
                .query(
                    "SELECT slot_name::text, active FROM pg_replication_slots WHERE slot_name = ANY($1)",
                    &[&slots],
                )
                .await
                .unwrap();
            if left.is_empty() || Instant::now() > deadline {
                break;
            }
            for row in left.iter().filter(|r| !r.get::<_, bool>(1)) {
                let name: String = row.get(0);
                let _ = client
                    .execute("SELECT pg_drop_replication_slot($1)", &[&name])
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let _ = client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db))
            .await;
    }

    /// Records the offsets of a `GET /connectors/{c}/offsets` answer.
    pub fn remember_offsets(&self, answer: &Value) {
        let mut offsets = self.offsets.lock().unwrap();
        for entry in answer["offsets"].as_array().into_iter().flatten() {
            offsets.retain(|o| o["partition"] != entry["partition"]);
            offsets.push(entry.clone());
        }
    }

    fn name(&self, golden: &str, ours: &[String; 2], names: [&str; 2]) -> Option<String> {
        names
            .iter()
            .position(|n| *n == golden)
            .map(|i| ours[i].clone())
    }

    /// A golden string naming a prefix (or a topic under it), with ours.
    fn string(&self, s: &str) -> String {
        if let Some(p) = self.name(s, &self.prefixes, GOLDEN_PREFIXES) {
            return p;
        }
        // Longest golden prefix first: `restgolden2.` before `restgolden.`.
        for i in [1, 0] {
            if let Some(rest) = s.strip_prefix(&format!("{}.", GOLDEN_PREFIXES[i])) {
                return format!("{}.{rest}", self.prefixes[i]);
            }
        }
        s.to_owned()
    }

    /// A golden connector (or task) config pointed at the test database.
    pub fn config(&self, golden: &Map<String, Value>) -> Map<String, Value> {
        golden
            .iter()
            .map(|(k, v)| {
                let s = v.as_str().unwrap_or_default();
                let ours = match k.as_str() {
                    "database.hostname" if s == GOLDEN_HOST => Value::from(self.pg.host.clone()),
                    "database.port" if s == GOLDEN_PORT => Value::from(self.pg.port.to_string()),
                    "database.user" if s == GOLDEN_USER => Value::from(self.pg.user.clone()),
                    "database.password" if s == GOLDEN_PASSWORD => {
                        Value::from(self.pg.password.clone())
                    }
                    "database.dbname" if s == GOLDEN_DBNAME => Value::from(self.db.clone()),
                    "slot.name" => Value::from(
                        self.name(s, &self.slots, GOLDEN_SLOTS)
                            .unwrap_or_else(|| s.to_owned()),
                    ),
                    _ => self.value(v),
                };
                (k.clone(), ours)
            })
            .collect()
    }

    /// An offsets entry: our partition, and for a known partition the offset the worker last
    /// reported (so a `PATCH` sends back what was read, as the reference did).
    fn offset_entry(&self, entry: &Map<String, Value>) -> Value {
        let partition = self.value(&entry["partition"]);
        let known = self
            .offsets
            .lock()
            .unwrap()
            .iter()
            .find(|o| o["partition"] == partition)
            .map(|o| o["offset"].clone());
        let offset = match (&entry["offset"], known) {
            (Value::Null, _) => Value::Null,
            (_, Some(ours)) if !ours.is_null() => ours,
            (golden, _) => self.value(golden),
        };
        serde_json::json!({"partition": partition, "offset": offset})
    }

    /// A golden request body: configs and offsets rewritten (see the module doc).
    pub fn request(&self, v: &Value) -> Value {
        match v {
            Value::Object(o) if o.contains_key("partition") && o.contains_key("offset") => {
                self.offset_entry(o)
            }
            Value::Object(o)
                if o.get("connector.class").and_then(Value::as_str) == Some(PG_CLASS) =>
            {
                Value::Object(self.config(o))
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), self.request(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.request(v)).collect()),
            other => self.value(other),
        }
    }

    /// A golden answer (or any value) rewritten: configs, prefixes, topics and partitions.
    pub fn value(&self, v: &Value) -> Value {
        match v {
            Value::Object(o)
                if o.get("connector.class").and_then(Value::as_str) == Some(PG_CLASS) =>
            {
                Value::Object(self.config(o))
            }
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), self.value(v))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(|v| self.value(v)).collect()),
            Value::String(s) => Value::String(self.string(s)),
            other => other.clone(),
        }
    }
}
