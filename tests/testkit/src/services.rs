//! Finding the running test servers and checking they answer.

use std::collections::BTreeMap;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const SERVICE_VARS: &[&str] = &[
    "SLUICE_KAFKA_BOOTSTRAP",
    "SLUICE_PG_HOST",
    "SLUICE_PG_PORT",
    "SLUICE_PG_USER",
    "SLUICE_PG_PASSWORD",
    "SLUICE_PG_TLS_DIR",
    "SLUICE_MARIADB_HOST",
    "SLUICE_MARIADB_PORT",
    "SLUICE_MARIADB_USER",
    "SLUICE_MARIADB_PASSWORD",
    "SLUICE_S3_ENDPOINT",
    "SLUICE_S3_REGION",
    "SLUICE_S3_ACCESS_KEY",
    "SLUICE_S3_SECRET_KEY",
    "SLUICE_AZURITE_BLOB_ENDPOINT",
    "SLUICE_AZURITE_ACCOUNT",
    "SLUICE_AZURITE_KEY",
    "SLUICE_SNOWFLAKE_URL",
    "SLUICE_SNOWFLAKE_ACCOUNT",
    "SLUICE_SNOWFLAKE_USER",
    "SLUICE_SNOWFLAKE_PASSWORD",
];

/// The connection details of the test servers of this run.
#[derive(Debug)]
pub struct Services {
    vars: BTreeMap<String, String>,
    dir: PathBuf,
}

/// The servers of this test run, loaded once per test process.
///
/// Panics (failing the test) when no servers can be found or started.
pub fn services() -> &'static Services {
    static SERVICES: OnceLock<Services> = OnceLock::new();
    SERVICES.get_or_init(|| Services::load().unwrap_or_else(|e| panic!("{e}")))
}

impl Services {
    fn load() -> Result<Services, String> {
        let dir = PathBuf::from(
            std::env::var("SLUICE_SERVICES_DIR").unwrap_or_else(|_| "/tmp/sluice-services".into()),
        );
        let env_file = dir.join("services.env");
        let from_env = SERVICE_VARS.iter().any(|v| std::env::var(v).is_ok());
        if !env_file.exists() && !from_env {
            start_servers(&dir)?;
        }
        let mut vars = BTreeMap::new();
        if let Ok(text) = std::fs::read_to_string(&env_file) {
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    vars.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        for v in SERVICE_VARS {
            if let Ok(val) = std::env::var(v) {
                vars.insert((*v).to_string(), val);
            }
        }
        Ok(Services { vars, dir })
    }

    /// The value of `var` for `service`, checking that the server answers on `addr_var`.
    fn get(&self, service: &str, var: &str) -> String {
        match self.vars.get(var) {
            Some(v) => v.clone(),
            None => panic!(
                "the {service} test server is not running: {var} is not set and not in {}. \
                 Start the servers with `bash tests/services/start.sh` (after \
                 `bash tests/services/install.sh`), or run the whole suite with `bash scripts/test.sh`.",
                self.dir.join("services.env").display()
            ),
        }
    }

    fn check(&self, service: &str, dir_name: &str, addr: &str) {
        let reachable = addr
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
        if !reachable {
            panic!(
                "the {service} test server is not answering at {addr}. Its log is {}; restart the \
                 servers with `bash tests/services/start.sh`.",
                self.dir.join(dir_name).join("log").display()
            );
        }
    }

    /// The Kafka-API broker (Tansu).
    pub fn kafka(&self) -> Kafka {
        let bootstrap = self.get("Kafka broker", "SLUICE_KAFKA_BOOTSTRAP");
        self.check("Kafka broker", "kafka", &bootstrap);
        Kafka { bootstrap }
    }

    /// PostgreSQL 15 with `wal_level=logical`.
    pub fn postgres(&self) -> Postgres {
        let s = "PostgreSQL";
        let pg = Postgres {
            host: self.get(s, "SLUICE_PG_HOST"),
            port: port(&self.get(s, "SLUICE_PG_PORT")),
            user: self.get(s, "SLUICE_PG_USER"),
            password: self.get(s, "SLUICE_PG_PASSWORD"),
            tls_dir: self.vars.get("SLUICE_PG_TLS_DIR").map(PathBuf::from),
        };
        self.check(s, "postgres", &format!("{}:{}", pg.host, pg.port));
        pg
    }

    /// MariaDB with row-based binlog and full row metadata.
    pub fn mariadb(&self) -> MariaDb {
        let s = "MariaDB";
        let m = MariaDb {
            host: self.get(s, "SLUICE_MARIADB_HOST"),
            port: port(&self.get(s, "SLUICE_MARIADB_PORT")),
            user: self.get(s, "SLUICE_MARIADB_USER"),
            password: self.get(s, "SLUICE_MARIADB_PASSWORD"),
        };
        self.check(s, "mariadb", &format!("{}:{}", m.host, m.port));
        m
    }

    /// The S3-compatible server (moto).
    pub fn s3(&self) -> S3 {
        let s = "S3";
        let s3 = S3 {
            endpoint: self.get(s, "SLUICE_S3_ENDPOINT"),
            region: self.get(s, "SLUICE_S3_REGION"),
            access_key: self.get(s, "SLUICE_S3_ACCESS_KEY"),
            secret_key: self.get(s, "SLUICE_S3_SECRET_KEY"),
        };
        self.check(s, "s3", host_port(&s3.endpoint));
        s3
    }

    /// Azurite, the Azure Blob Storage emulator.
    pub fn azurite(&self) -> Azurite {
        let s = "Azurite";
        let a = Azurite {
            blob_endpoint: self.get(s, "SLUICE_AZURITE_BLOB_ENDPOINT"),
            account: self.get(s, "SLUICE_AZURITE_ACCOUNT"),
            key: self.get(s, "SLUICE_AZURITE_KEY"),
        };
        self.check(s, "azurite", host_port(&a.blob_endpoint));
        a
    }

    /// The Snowflake-protocol emulator (fakesnow).
    pub fn snowflake(&self) -> Snowflake {
        let s = "Snowflake emulator";
        let sf = Snowflake {
            url: self.get(s, "SLUICE_SNOWFLAKE_URL"),
            account: self.get(s, "SLUICE_SNOWFLAKE_ACCOUNT"),
            user: self.get(s, "SLUICE_SNOWFLAKE_USER"),
            password: self.get(s, "SLUICE_SNOWFLAKE_PASSWORD"),
        };
        self.check(s, "snowflake", host_port(&sf.url));
        sf
    }
}

fn port(s: &str) -> u16 {
    s.parse().unwrap_or_else(|_| panic!("'{s}' is not a port number"))
}

/// `http://host:port/path` → `host:port`.
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// Runs `tests/services/start.sh` once for all test processes (an exclusive `flock` on
/// `<dir>.lock` serializes them; the script reuses servers a previous holder started).
fn start_servers(dir: &Path) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../services/start.sh");
    let lock = format!("{}.lock", dir.display());
    eprintln!("sluice-testkit: no test servers found in {}; starting them with {}", dir.display(), script.display());
    let status = Command::new("flock")
        .arg(&lock)
        .arg("bash")
        .arg(&script)
        .env("SLUICE_SERVICES_DIR", dir)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed ({status}); install the servers first with `bash tests/services/install.sh`",
            script.display()
        ))
    }
}

/// A Kafka-API broker.
#[derive(Debug, Clone)]
pub struct Kafka {
    /// `host:port` for `bootstrap.servers`.
    pub bootstrap: String,
}

/// A PostgreSQL server; the user is a superuser with REPLICATION.
#[derive(Debug, Clone)]
pub struct Postgres {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Superuser name.
    pub user: String,
    /// Its password.
    pub password: String,
    /// The server's TLS test material (`tests/services/start.sh`: `ca.crt`, `other-ca.crt`,
    /// `client.crt`/`client.key` for the role `sluice_cert`); `None` for a server started
    /// without it.
    pub tls_dir: Option<PathBuf>,
}

impl Postgres {
    /// A `tokio-postgres` connection string for `dbname`.
    pub fn conn_string(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user={} password={} dbname={dbname}",
            self.host, self.port, self.user, self.password
        )
    }

    /// Creates a fresh, uniquely named database and returns its name.
    pub async fn create_database(&self, prefix: &str) -> String {
        let name = crate::unique_ident(prefix);
        let (client, conn) = tokio_postgres::connect(&self.conn_string("postgres"), tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL at {}:{}: {e}", self.host, self.port));
        let task = tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
        drop(client);
        let _ = task.await;
        name
    }
}

/// A MariaDB server; the user has every privilege, including REPLICATION SLAVE.
#[derive(Debug, Clone)]
pub struct MariaDb {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User name.
    pub user: String,
    /// Its password.
    pub password: String,
}

impl MariaDb {
    /// `mysql_async` options for `db` (or no default database).
    pub fn opts(&self, db: Option<&str>) -> mysql_async::Opts {
        mysql_async::OptsBuilder::default()
            .ip_or_hostname(self.host.clone())
            .tcp_port(self.port)
            .user(Some(self.user.clone()))
            .pass(Some(self.password.clone()))
            .db_name(db.map(str::to_string))
            .into()
    }

    /// Creates a fresh, uniquely named database and returns its name.
    pub async fn create_database(&self, prefix: &str) -> String {
        use mysql_async::prelude::Queryable;
        let name = crate::unique_ident(prefix);
        let mut conn = mysql_async::Conn::new(self.opts(None))
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test MariaDB at {}:{}: {e}", self.host, self.port));
        conn.query_drop(format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
        let _ = conn.disconnect().await;
        name
    }
}

/// An S3-compatible server (path-style addressing).
#[derive(Debug, Clone)]
pub struct S3 {
    /// `http://host:port`.
    pub endpoint: String,
    /// Region to sign for.
    pub region: String,
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
}

/// Azurite's blob service and its well-known development account.
#[derive(Debug, Clone)]
pub struct Azurite {
    /// `http://host:port/<account>`.
    pub blob_endpoint: String,
    /// Storage account name.
    pub account: String,
    /// Base64 account key.
    pub key: String,
}

/// The Snowflake-protocol emulator.
#[derive(Debug, Clone)]
pub struct Snowflake {
    /// `http://host:port`.
    pub url: String,
    /// Account name to log in with.
    pub account: String,
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}
