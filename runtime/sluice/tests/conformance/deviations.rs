//! The documented deviations of the live REST conformance test: status codes that differ
//! ([`DEVIATIONS`]), bodies compared other than exactly ([`CHECKS`], and per connector
//! [`POSTGRES_CHECKS`] and [`STAND_IN_CHECKS`]), and the markdown tables of them that
//! `docs/rest-conformance.md` keeps.

use super::Transcript;

/// Status codes that differ: (seq, Sluice's status, reason); "GAP:" marks a feature Sluice
/// lacks rather than a deliberate choice. An answer listed here must still be a JSON error body
/// `{"error_code": <status>, "message": …}`.
pub const DEVIATIONS: &[(u64, u16, &str)] = &[
    (
        11,
        400,
        "validate without connector.class: 400 with the inner message, not a wrapped 500",
    ),
    (12, 400, "malformed JSON: 400, not Jackson's 500"),
    (
        13,
        400,
        "create without config: 400, not a NullPointerException 500",
    ),
    (
        17,
        415,
        "Jersey's 415 has no content-type; Sluice's is application/json",
    ),
    (
        30,
        404,
        "Jersey's 404 has no content-type; Sluice's is application/json",
    ),
    (37, 400, "malformed JSON: 400, not Jackson's 500"),
    (
        56,
        400,
        "unknown field in offsets body: 400, not Jackson's 500",
    ),
    (
        78,
        404,
        "Jersey's 404 has no content-type; Sluice's is application/json",
    ),
    (
        79,
        405,
        "Jersey's 405 has no content-type; Sluice's is application/json",
    ),
];

/// How a body is compared when not exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `GET /`: same fields, all strings; the values are Sluice's own.
    ServerInfo,
    /// Create answer: all but `tasks`, which must list the tasks already generated.
    CreatedWithTasks,
    /// Offsets after a reset: none left, or only `null` ones.
    ResetOffsets,
    /// Same JSON shape; values not compared.
    Shape,
    /// Logger map: keys vary, values shaped like the reference's.
    LoggerMap,
    /// Logger names changed: a list of strings holding the requested logger.
    LoggerNames,
    /// Validate answer: shape, and errors exactly on the keys the reference flagged
    /// (translated).
    Validate,
    /// "Connector configuration is invalid…": same framing, the connector's own messages.
    InvalidConfigMessage,
    /// Task configs: ids exactly; configs are what the connector's `taskConfigs` returns.
    TaskConfigs,
    /// The reference caught a task in a transient state; the state is not compared.
    TransientTaskStates,
    /// Exact, except what lists or versions the worker's converters: the recommended values of
    /// `key`/`value`/`header.converter` are Sluice's converter classes, and the
    /// `*.converter.plugin.version` values are Sluice's version.
    WorkerPlugins,
    /// Topics after a reset: none listed.
    TopicsReset,
}

/// Which connector a replay runs (see `target.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Sluice's PostgreSQL connector, in place of Debezium's (`rest_conformance.rs`).
    Postgres,
    /// FileStreamSource stand-ins (`distributed_rest_conformance.rs`).
    StandIn,
}

/// Steps not compared exactly, whatever the connector: (seq, how, reason).
pub const CHECKS: &[(u64, Check, &str)] = &[
    (
        1,
        Check::ServerInfo,
        "version/commit are Sluice's build (commit `unknown` without SLUICE_GIT_COMMIT); kafka_cluster_id is the test broker's",
    ),
    (
        3,
        Check::Shape,
        "plugin list: Sluice's compiled-in plugins, not Debezium's (shape only)",
    ),
    (
        4,
        Check::Shape,
        "plugin list with transforms/converters/predicates: Sluice's own (shape only)",
    ),
    (
        18,
        Check::CreatedWithTasks,
        "Sluice applies the config record before answering (standalone as Kafka's StandaloneHerder; distributed once it read the record back), so the task configs are generated: tasks listed; the reference (distributed) answered before, tasks []",
    ),
    (
        35,
        Check::CreatedWithTasks,
        "Sluice applies the config record before answering (standalone as Kafka's StandaloneHerder; distributed once it read the record back), so the task configs are generated: tasks listed; the reference (distributed) answered before, tasks []",
    ),
    (
        44,
        Check::TransientTaskStates,
        "task state: the reference's task was still RESTARTING from step 43",
    ),
    (
        51,
        Check::TransientTaskStates,
        "tasks after stop: the reference's task was not yet stopped when read",
    ),
    (
        61,
        Check::ResetOffsets,
        "reset partitions are dropped (`[]`) by Sluice's file and Kafka offset stores alike; the reference's Kafka-topic store keeps them with `offset: null` (both: no offset)",
    ),
    (
        62,
        Check::LoggerMap,
        "logger list: varies by design (README); values compared on shape",
    ),
    (
        64,
        Check::LoggerNames,
        "loggers changed: varies by design (README); must hold the requested logger",
    ),
    (
        66,
        Check::LoggerNames,
        "loggers changed: varies by design (README); must hold the requested logger",
    ),
];

/// Steps compared otherwise with Sluice's PostgreSQL connector (on top of [`CHECKS`]).
pub const POSTGRES_CHECKS: &[(u64, Check, &str)] = &[
    (
        8,
        Check::WorkerPlugins,
        "validate: the converters' recommended values are Sluice's converter classes and their `plugin.version` Sluice's version, as the worker lists its own plugins (003, 004)",
    ),
    (
        9,
        Check::WorkerPlugins,
        "validate: the converters' recommended values are Sluice's converter classes and their `plugin.version` Sluice's version, as the worker lists its own plugins (003, 004)",
    ),
    (
        48,
        Check::TopicsReset,
        "topics after the reset: Sluice applies the reset before its 202 answer, so nothing is listed until the connector writes again (it has nothing new to write); the reference's reset had not reached its status-topic cache yet (tombstones read back asynchronously)",
    ),
];

/// Steps compared otherwise with the FileStreamSource stand-ins, because the stand-in is not
/// the reference's plugin (on top of [`CHECKS`]).
pub const STAND_IN_CHECKS: &[(u64, Check, &str)] = &[
    (
        5,
        Check::Shape,
        "ConfigDef of the plugin: FileStreamSource's keys, not PostgresConnector's (shape only)",
    ),
    (
        6,
        Check::Shape,
        "ConfigDef by alias: FileStreamSource's keys, not PostgresConnector's (shape only)",
    ),
    (
        8,
        Check::Validate,
        "validate: FileStreamSource's keys and groups (shape only); no errors, as the reference",
    ),
    (
        9,
        Check::Validate,
        "validate: FileStreamSource's keys (shape only); errors on topic/batch.size standing for topic.prefix/database.port",
    ),
    (
        16,
        Check::InvalidConfigMessage,
        "invalid-config message lists the connector's own validator messages",
    ),
    (
        27,
        Check::TaskConfigs,
        "task configs are the connector's taskConfigs (Debezium copies its whole config) plus the worker's `task.class`",
    ),
];

/// The connector-specific checks of `replay`.
fn specific(replay: Replay) -> &'static [(u64, Check, &'static str)] {
    match replay {
        Replay::Postgres => POSTGRES_CHECKS,
        Replay::StandIn => STAND_IN_CHECKS,
    }
}

/// How step `seq` is compared in `replay`, when not exactly.
pub fn check_of(seq: u64, replay: Replay) -> Option<(Check, &'static str)> {
    specific(replay)
        .iter()
        .chain(CHECKS)
        .find(|(s, _, _)| *s == seq)
        .map(|(_, c, r)| (*c, *r))
}

/// The deviations table of `replay` (markdown): every deviation, or with `only_specific` only
/// the rows of the connector-specific checks.
pub fn table(transcripts: &[Transcript], replay: Replay, only_specific: bool) -> String {
    let mut out = String::from(
        "| # | request | reference | Sluice | compared | reason |\n|---|---|---|---|---|---|\n",
    );
    for t in transcripts {
        let status = DEVIATIONS.iter().find(|(s, _, _)| *s == t.seq);
        let specific_row = specific(replay).iter().any(|(s, _, _)| *s == t.seq);
        let row = if only_specific && !specific_row {
            None
        } else if let Some((_, s, r)) = status {
            Some((*s, "status + error body", *r))
        } else {
            check_of(t.seq, replay).map(|(c, r)| {
                let how = match c {
                    Check::Shape | Check::LoggerMap => "shape",
                    Check::ServerInfo => "shape",
                    Check::CreatedWithTasks => "all but tasks",
                    Check::ResetOffsets => "no offset left",
                    Check::Validate => "shape + flagged keys",
                    Check::LoggerNames => "shape + requested logger",
                    Check::InvalidConfigMessage => "message framing",
                    Check::TaskConfigs => "ids + file/topic + task.class",
                    Check::TransientTaskStates => "all but task state",
                    Check::WorkerPlugins => "all but the worker's converter list and version",
                    Check::TopicsReset => "no topic listed",
                };
                (t.status, how, r)
            })
        };
        if let Some((status, how, reason)) = row {
            out.push_str(&format!(
                "| {:03} | {} `{} {}` | {} | {} | {} | {} |\n",
                t.seq, t.name, t.method, t.path, t.status, status, how, reason
            ));
        }
    }
    out
}
