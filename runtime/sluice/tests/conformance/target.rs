//! What the golden requests run against: Sluice's own `PostgresConnector` on the test
//! PostgreSQL (`postgres.rs`), or FileStreamSource stand-ins on temp files (`translate.rs`).
//! Either way the golden requests and the reference's answers are rewritten the same way before
//! they are sent or compared.

use serde_json::Value;

use super::deviations::Replay;
use super::postgres::PgTarget;
use super::translate::Translator;

/// The connector the replay runs.
#[derive(Debug)]
pub enum Target {
    /// Sluice's PostgreSQL connector, the reference's own plugin.
    Postgres(PgTarget),
    /// FileStreamSource connectors under the same names.
    StandIn(Translator),
}

fn write_lines(path: &std::path::Path, n: usize) {
    let lines: String = (0..n).map(|i| format!("line {i}\n")).collect();
    std::fs::write(path, lines).unwrap();
}

/// Appends lines (never rewrites: the source is reading the file).
fn append_lines(path: &std::path::Path, numbers: std::ops::Range<usize>) {
    use std::io::Write;
    let lines: String = numbers.map(|i| format!("line {i}\n")).collect();
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(lines.as_bytes()).unwrap();
}

impl Target {
    /// Which deviations apply.
    pub fn replay(&self) -> Replay {
        match self {
            Target::Postgres(_) => Replay::Postgres,
            Target::StandIn(_) => Replay::StandIn,
        }
    }

    /// A golden request body (JSON).
    pub fn request(&self, v: &Value) -> Value {
        match self {
            Target::Postgres(pg) => pg.request(v),
            Target::StandIn(tr) => tr.value(v),
        }
    }

    /// A raw (string) request body: translated when it is JSON, else sent as recorded.
    pub fn raw(&self, raw: &str) -> String {
        match serde_json::from_str::<Value>(raw) {
            Ok(v) => self.request(&v).to_string(),
            Err(_) => raw.to_owned(),
        }
    }

    /// A golden answer body.
    pub fn answer(&self, v: &Value) -> Value {
        match self {
            Target::Postgres(pg) => pg.value(v),
            Target::StandIn(tr) => tr.value(v),
        }
    }

    /// A request path.
    pub fn path(&self, path: &str) -> String {
        match self {
            Target::Postgres(_) => path.to_owned(),
            Target::StandIn(tr) => tr.path(path),
        }
    }

    /// What the connector's source must be given before golden step `seq`, as its database
    /// was in the reference run. The PostgreSQL database holds the golden rows from the start;
    /// the stand-ins' files get lines when their connector is created, and the first one new
    /// lines before step 48 (topics after the reset of step 47), which lists the topic again
    /// as the reference did.
    pub fn before_step(&self, seq: u64) {
        let Target::StandIn(tr) = self else {
            return;
        };
        match seq {
            18 => write_lines(&tr.first.0, 20),
            35 => write_lines(&tr.second.0, 20),
            48 => append_lines(&tr.first.0, 20..25),
            _ => {}
        }
    }

    /// Notes an answer the replay got (the offsets a later `PATCH` sends back).
    pub fn saw(&self, method: &str, path: &str, answer: &Value) {
        if let Target::Postgres(pg) = self
            && method == "GET"
            && path.ends_with("/offsets")
        {
            pg.remember_offsets(answer);
        }
    }

    /// Removes what the run created (files; slots and database).
    pub async fn cleanup(&self) {
        match self {
            Target::Postgres(pg) => pg.cleanup().await,
            Target::StandIn(tr) => {
                for f in [&tr.first.0, &tr.second.0, &tr.other.0] {
                    let _ = std::fs::remove_file(f);
                }
            }
        }
    }
}
