//! Debezium 3.6's configuration definition of the PostgreSQL connector, as its `config()`
//! returns it and `GET /connector-plugins/…PostgresConnector/config` shows it: every key in
//! Debezium's order with its type, default, importance, group, position, width, display name,
//! dependents and documentation, plus what Debezium's `validate` checks on it ([`Check`]) and
//! whether it is shown ([`DebeziumKey::visible`]).
//!
//! This is the definition users and tools see (`golden/rest/005`); it includes keys Sluice
//! accepts but does not act on (`config::ACCEPTED_UNUSED`) and keys it does not implement at
//! all, exactly as Debezium defines them. What Sluice reads, with its own runtime defaults where
//! they differ (`plugin.name` pgoutput, `database.sslmode` disable, `max.batch.size` 1024,
//! `max.queue.size` 2048, `snapshot.fetch.size` 10240) and its extra keys (`topic.delimiter`,
//! `sluice.*`, …), is `config::config_def`. The documentation strings are Debezium's own text,
//! kept verbatim because they are part of the REST contract.

use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Width};

/// A check Debezium's `validate` runs on a key, besides the one its type implies (`INT` →
/// an integer, `BOOLEAN` → true/false, …). Each failing check adds one error, in Debezium's words
/// (see `config_validation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A non-blank value (`Field.required()`).
    Required,
    /// A 32-bit integer (`Field::isInteger`, on top of the type's own check for `INT`).
    Integer,
    /// An integer above zero.
    PositiveInteger,
    /// An integer of at least zero.
    NonNegativeInteger,
    /// A long above zero.
    PositiveLong,
    /// A long of at least zero.
    NonNegativeLong,
    /// `true` or `false`, in any case (on top of the type's own check for `BOOLEAN`).
    Boolean,
    /// Comma-separated regular expressions.
    ListOfRegex,
    /// Comma-separated `key=value` pairs.
    ListOfMap,
    /// One of these values, ignoring case; also the key's recommended values, in Debezium's
    /// order.
    OneOf(&'static [&'static str]),
    /// Letters, digits, `_`, `-` and `.` only (`topic.prefix`).
    TopicName,
    /// Letters, digits, `_`, `-` and `.` only (`database.hostname`).
    Hostname,
    /// A replication slot name: `[a-z0-9_]{1,63}`.
    SlotName,
    /// A positive `max.queue.size` larger than `max.batch.size`.
    MaxQueueSize,
    /// `skipped.operations`: `c`, `u`, `d`, `t`, `r`, or `none` alone.
    SkippedOperations,
    /// Not set together with the named include list.
    ExcludeList(&'static str),
    /// Not empty when the named mode key is set to `custom`.
    CustomName(&'static str),
}

/// One key as Debezium defines it.
#[derive(Debug, Clone, Copy)]
pub struct DebeziumKey {
    /// The property name.
    pub name: &'static str,
    /// Its type.
    pub ty: ConfigType,
    /// Its default in string form; `None`: a `null` default (every Debezium key is optional in
    /// the `ConfigDef`; the ones it requires say so with [`Check::Required`]).
    pub default: Option<&'static str>,
    /// How important it is.
    pub importance: Importance,
    /// Its group.
    pub group: &'static str,
    /// Its position in the group.
    pub order: i32,
    /// Display width hint.
    pub width: Width,
    /// Display name.
    pub display_name: &'static str,
    /// Keys validated again after this one (Debezium's `withDependents`).
    pub dependents: &'static [&'static str],
    /// What Debezium's `validate` checks besides the type.
    pub checks: &'static [Check],
    /// Whether `validate` reports it visible (`false`: Debezium's `InvisibleRecommender`).
    pub visible: bool,
    /// Debezium's documentation of the key.
    pub documentation: &'static str,
}

impl DebeziumKey {
    /// The values Debezium recommends (those of its [`Check::OneOf`]), in its order.
    pub fn recommended_values(&self) -> &'static [&'static str] {
        self.checks
            .iter()
            .find_map(|c| match c {
                Check::OneOf(values) => Some(*values),
                _ => None,
            })
            .unwrap_or(&[])
    }

    fn config_key(&self) -> ConfigKey {
        let key = ConfigKey::new(self.name, self.ty, self.documentation)
            .importance(self.importance)
            .display(self.group, self.order, self.width, self.display_name);
        let mut key = match self.default {
            Some(d) => key.default_value(d),
            None => key.default_null(),
        };
        key.dependents = self.dependents.iter().map(|d| (*d).to_string()).collect();
        key
    }
}

/// The key named `name`, if Debezium defines it.
pub fn key(name: &str) -> Option<&'static DebeziumKey> {
    KEYS.iter().find(|k| k.name == name)
}

/// Debezium's `ConfigDef` of the connector, in its order (what the REST API shows).
pub fn debezium_config_def() -> ConfigDef {
    KEYS.iter()
        .fold(ConfigDef::new(), |def, k| def.define(k.config_key()))
}

/// Every key of Debezium 3.6.3's `PostgresConnector.config()`, in its order.
#[rustfmt::skip]
pub const KEYS: &[DebeziumKey] = &[
    DebeziumKey { name: "topic.prefix", ty: ConfigType::String, default: None, importance: Importance::High,
        group: "Postgres", order: 1, width: Width::Medium, display_name: "Topic prefix",
        dependents: &[], checks: &[Check::TopicName, Check::Required], visible: true,
        documentation: "Topic prefix that identifies and provides a namespace for the particular database server/cluster is capturing changes. The topic prefix should be unique across all other connectors, since it is used as a prefix for all Kafka topic names that receive events emitted by this connector. Only alphanumeric characters, hyphens, dots and underscores must be accepted." },
    DebeziumKey { name: "database.hostname", ty: ConfigType::String, default: None, importance: Importance::High,
        group: "Postgres", order: 2, width: Width::Medium, display_name: "Hostname",
        dependents: &[], checks: &[Check::Hostname, Check::Required], visible: true,
        documentation: "Resolvable hostname or IP address of the database server." },
    DebeziumKey { name: "database.port", ty: ConfigType::Int, default: Some("5432"), importance: Importance::High,
        group: "Postgres", order: 3, width: Width::Short, display_name: "Port",
        dependents: &[], checks: &[Check::Integer], visible: true,
        documentation: "Port of the database server." },
    DebeziumKey { name: "database.user", ty: ConfigType::String, default: None, importance: Importance::High,
        group: "Postgres", order: 4, width: Width::Short, display_name: "User",
        dependents: &[], checks: &[Check::Required], visible: true,
        documentation: "Name of the database user to be used when connecting to the database." },
    DebeziumKey { name: "database.password", ty: ConfigType::Password, default: None, importance: Importance::High,
        group: "Postgres", order: 5, width: Width::Short, display_name: "Password",
        dependents: &[], checks: &[], visible: true,
        documentation: "Password of the database user to be used when connecting to the database." },
    DebeziumKey { name: "database.dbname", ty: ConfigType::String, default: None, importance: Importance::High,
        group: "Postgres", order: 6, width: Width::Medium, display_name: "Database",
        dependents: &[], checks: &[Check::Required], visible: true,
        documentation: "The name of the database from which the connector should capture changes" },
    DebeziumKey { name: "database.query.timeout.ms", ty: ConfigType::Int, default: Some("600000"), importance: Importance::Low,
        group: "Postgres", order: 7, width: Width::None, display_name: "Query timeout",
        dependents: &[], checks: &[], visible: true,
        documentation: "Time to wait for a query to execute, given in milliseconds. Defaults to 600 seconds (600,000 ms); zero means there is no limit." },
    DebeziumKey { name: "plugin.name", ty: ConfigType::String, default: Some("decoderbufs"), importance: Importance::Medium,
        group: "Postgres", order: 8, width: Width::Medium, display_name: "Plugin",
        dependents: &[], checks: &[Check::OneOf(&["decoderbufs", "pgoutput"])], visible: true,
        documentation: "The name of the Postgres logical decoding plugin installed on the server. Supported values are 'decoderbufs' and 'pgoutput'. Defaults to 'decoderbufs'." },
    DebeziumKey { name: "slot.name", ty: ConfigType::String, default: Some("debezium"), importance: Importance::Medium,
        group: "Postgres", order: 9, width: Width::Medium, display_name: "Slot",
        dependents: &[], checks: &[Check::SlotName], visible: true,
        documentation: "The name of the Postgres logical decoding slot created for streaming changes from a plugin. Defaults to 'debezium" },
    DebeziumKey { name: "publication.name", ty: ConfigType::String, default: Some("dbz_publication"), importance: Importance::Medium,
        group: "Postgres", order: 10, width: Width::Medium, display_name: "Publication",
        dependents: &[], checks: &[], visible: true,
        documentation: "The name of the Postgres 10+ publication used for streaming changes from a plugin. Defaults to 'dbz_publication'" },
    DebeziumKey { name: "publication.autocreate.mode", ty: ConfigType::String, default: Some("all_tables"), importance: Importance::Medium,
        group: "Postgres", order: 11, width: Width::Medium, display_name: "Publication Auto Create Mode",
        dependents: &[], checks: &[Check::OneOf(&["no_tables", "filtered", "disabled", "all_tables"])], visible: true,
        documentation: "Applies only when streaming changes using pgoutput.Determine how creation of a publication should work, the default is all_tables.DISABLED - The connector will not attempt to create a publication at all. The expectation is that the user has created the publication up-front. If the publication isn't found to exist upon startup, the connector will throw an exception and stop.ALL_TABLES - If no publication exists, the connector will create a new publication for all tables. Note this requires that the configured user has access. If the publication already exists, it will be used. i.e CREATE PUBLICATION <publication_name> FOR ALL TABLES;FILTERED - If no publication exists, the connector will create a new publication for all those tables matchingthe current filter configuration (see table/database include/exclude list properties). If the publication already exists, it will be used. i.e CREATE PUBLICATION <publication_name> FOR TABLE <tbl1, tbl2, etc>" },
    DebeziumKey { name: "replica.identity.autoset.values", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Postgres", order: 12, width: Width::Long, display_name: "Replica Identity Auto Set Values",
        dependents: &[], checks: &[], visible: true,
        documentation: "Applies only when streaming changes using pgoutput.Determines the value for Replica Identity at table level. This option will overwrite the existing value in databaseA comma-separated list of regular expressions that match fully-qualified tables and Replica Identity value to be used in the table. Each expression must match the pattern '<fully-qualified table name>:<replica identity>', where the table names could be defined as (SCHEMA_NAME.TABLE_NAME), and the replica identity values are: DEFAULT - Records the old values of the columns of the primary key, if any. This is the default for non-system tables.INDEX index_name - Records the old values of the columns covered by the named index, that must be unique, not partial, not deferrable, and include only columns marked NOT NULL. If this index is dropped, the behavior is the same as NOTHING.FULL - Records the old values of all columns in the row.NOTHING - Records no information about the old row. This is the default for system tables." },
    DebeziumKey { name: "slot.drop.on.stop", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Postgres", order: 13, width: Width::None, display_name: "Drop slot on stop",
        dependents: &[], checks: &[], visible: true,
        documentation: "Whether or not to drop the logical replication slot when the connector finishes orderly. By default the replication is kept so that on restart progress can resume from the last recorded location" },
    DebeziumKey { name: "slot.failover", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Postgres", order: 14, width: Width::None, display_name: "Create failover slot",
        dependents: &[], checks: &[], visible: true,
        documentation: "Whether or not to create a failover slot. This is only supported when connecting to a primary server of a Postgres cluster, version 17 or newer. When not specified, or when not connecting to a Postgres 17+ primary, no failover slot will be created." },
    DebeziumKey { name: "slot.stream.params", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Postgres", order: 15, width: Width::Long, display_name: "Optional parameters to pass to the logical decoder when the stream is started.",
        dependents: &[], checks: &[], visible: true,
        documentation: "Any optional parameters used by logical decoding plugin. Semi-colon separated. E.g. 'add-tables=public.table,public.table2;include-lsn=true'" },
    DebeziumKey { name: "database.initial.statements", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Postgres", order: 16, width: Width::Long, display_name: "Initial statements",
        dependents: &[], checks: &[], visible: true,
        documentation: "A semicolon separated list of SQL statements to be executed when a JDBC connection to the database is established. Note that the connector may establish JDBC connections at its own discretion, so this should typically be used for configuration of session parameters only, but not for executing DML statements. Use doubled semicolon (';;') to use a semicolon as a character and not as a delimiter." },
    DebeziumKey { name: "database.sslmode", ty: ConfigType::String, default: Some("prefer"), importance: Importance::Medium,
        group: "Postgres", order: 17, width: Width::Medium, display_name: "SSL mode",
        dependents: &[], checks: &[Check::OneOf(&["allow", "prefer", "disable", "verify-ca", "require", "verify-full"])], visible: true,
        documentation: "Whether to use an encrypted connection to Postgres. Options include: 'disable' (the default) to use an unencrypted connection; 'allow' to try and use an unencrypted connection first and, failing that, a secure (encrypted) connection; 'prefer' (the default) to try and use a secure (encrypted) connection first and, failing that, an unencrypted connection; 'require' to use a secure (encrypted) connection, and fail if one cannot be established; 'verify-ca' like 'required' but additionally verify the server TLS certificate against the configured Certificate Authority (CA) certificates, or fail if no valid matching CA certificates are found; or 'verify-full' like 'verify-ca' but additionally verify that the server certificate matches the host to which the connection is attempted." },
    DebeziumKey { name: "database.sslcert", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Postgres", order: 18, width: Width::Long, display_name: "SSL Client Certificate",
        dependents: &[], checks: &[], visible: true,
        documentation: "File containing the SSL Certificate for the client. See the Postgres SSL docs for further information" },
    DebeziumKey { name: "database.sslpassword", ty: ConfigType::Password, default: None, importance: Importance::Medium,
        group: "Postgres", order: 19, width: Width::Medium, display_name: "SSL Client Key Password",
        dependents: &[], checks: &[], visible: true,
        documentation: "Password to access the client private key from the file specified by 'database.sslkey'. See the Postgres SSL docs for further information" },
    DebeziumKey { name: "database.sslrootcert", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Postgres", order: 20, width: Width::Long, display_name: "SSL Root Certificate",
        dependents: &[], checks: &[], visible: true,
        documentation: "File containing the root certificate(s) against which the server is validated. See the Postgres JDBC SSL docs for further information" },
    DebeziumKey { name: "database.sslkey", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Postgres", order: 21, width: Width::Long, display_name: "SSL Client Key",
        dependents: &[], checks: &[], visible: true,
        documentation: "File containing the SSL private key for the client. See the Postgres SSL docs for further information" },
    DebeziumKey { name: "slot.max.retries", ty: ConfigType::Int, default: Some("6"), importance: Importance::Low,
        group: "Postgres", order: 22, width: Width::None, display_name: "Retry count",
        dependents: &[], checks: &[Check::Integer], visible: true,
        documentation: "How many times to retry connecting to a replication slot when an attempt fails." },
    DebeziumKey { name: "slot.retry.delay.ms", ty: ConfigType::Long, default: Some("10000"), importance: Importance::Low,
        group: "Postgres", order: 23, width: Width::None, display_name: "Retry delay",
        dependents: &[], checks: &[Check::Integer], visible: true,
        documentation: "Time to wait between retry attempts when the connector fails to connect to a replication slot, given in milliseconds. Defaults to 10 seconds (10,000 ms)." },
    DebeziumKey { name: "database.sslfactory", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Postgres", order: 24, width: Width::Long, display_name: "SSL Root Certificate",
        dependents: &[], checks: &[], visible: true,
        documentation: "A name of class to that creates SSL Sockets. Use org.postgresql.ssl.NonValidatingFactory to disable SSL validation in development environments" },
    DebeziumKey { name: "status.update.interval.ms", ty: ConfigType::Int, default: Some("10000"), importance: Importance::Medium,
        group: "Postgres", order: 25, width: Width::Short, display_name: "Status update interval (ms)",
        dependents: &[], checks: &[Check::PositiveInteger], visible: true,
        documentation: "Frequency for sending replication connection status updates to the server, given in milliseconds. Defaults to 10 seconds (10,000 ms)." },
    DebeziumKey { name: "lsn.flush.timeout.ms", ty: ConfigType::Long, default: Some("30000"), importance: Importance::Medium,
        group: "Postgres", order: 26, width: Width::Short, display_name: "LSN flush timeout (ms)",
        dependents: &[], checks: &[Check::PositiveInteger], visible: true,
        documentation: "Maximum time in milliseconds to wait for LSN flush operation to complete. If the flush operation does not complete within this timeout, the action specified by lsn.flush.timeout.action will be taken. Defaults to 30 seconds." },
    DebeziumKey { name: "lsn.flush.timeout.action", ty: ConfigType::String, default: Some("fail"), importance: Importance::Medium,
        group: "Postgres", order: 27, width: Width::Medium, display_name: "LSN flush timeout action",
        dependents: &[], checks: &[Check::OneOf(&["fail", "warn", "ignore"])], visible: true,
        documentation: "Action to take when an LSN flush timeout occurs. Options include: 'fail' (default) to fail the connector; 'warn' to log a warning and continue processing; 'ignore' to continue processing and ignore the timeout." },
    DebeziumKey { name: "database.tcpKeepAlive", ty: ConfigType::Boolean, default: Some("true"), importance: Importance::Medium,
        group: "Postgres", order: 28, width: Width::Short, display_name: "TCP keep-alive probe",
        dependents: &[], checks: &[Check::Boolean], visible: true,
        documentation: "Enable or disable TCP keep-alive probe to avoid dropping TCP connection" },
    DebeziumKey { name: "xmin.fetch.interval.ms", ty: ConfigType::Long, default: Some("0"), importance: Importance::Medium,
        group: "Postgres", order: 29, width: Width::Short, display_name: "Xmin fetch interval (ms)",
        dependents: &[], checks: &[Check::NonNegativeLong], visible: true,
        documentation: "Specify how often (in ms) the xmin will be fetched from the replication slot. This xmin value is exposed by the slot which gives a lower bound of where a new replication slot could start from. The lower the value, the more likely this value is to be the current 'true' value, but the bigger the performance cost. The bigger the value, the less likely this value is to be the current 'true' value, but the lower the performance penalty. The default is set to 0 ms, which disables tracking xmin." },
    DebeziumKey { name: "skipped.operations", ty: ConfigType::List, default: Some("t"), importance: Importance::Low,
        group: "Postgres", order: 30, width: Width::Short, display_name: "Skipped Operations",
        dependents: &[], checks: &[Check::SkippedOperations], visible: true,
        documentation: "The comma-separated list of operations to skip during streaming, defined as: 'c' for inserts/create; 'u' for updates; 'd' for deletes, 't' for truncates, and 'none' to indicate nothing skipped. By default, only truncate operations will be skipped." },
    DebeziumKey { name: "lsn.flush.mode", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Postgres", order: 31, width: Width::Short, display_name: "LSN flush mode",
        dependents: &[], checks: &[Check::OneOf(&["connector_and_driver", "connector", "manual"])], visible: true,
        documentation: "Determines the LSN flushing strategy. Options include: 'connector' (default) for Debezium managed LSN flushing (replaces deprecated flush.lsn.source=true); 'manual' for externally managed LSN flushing (replaces deprecated flush.lsn.source=false); 'connector_and_driver' for Debezium managed LSN flushing with the pgjdbc driver flushing unmonitored LSNsusing server keepalive LSN, which prevents WAL growth on low-activity databases." },
    DebeziumKey { name: "flush.lsn.source", ty: ConfigType::Boolean, default: Some("true"), importance: Importance::Low,
        group: "Postgres", order: 32, width: Width::Short, display_name: "Boolean to determine if Debezium should flush LSN in the source database",
        dependents: &[], checks: &[Check::Boolean], visible: true,
        documentation: "(Deprecated) Boolean to determine if Debezium should flush LSN in the source postgres database. Use 'lsn.flush.mode' instead. A value of 'true' maps to 'connector' mode, 'false' maps to 'manual' mode." },
    DebeziumKey { name: "event.processing.failure.handling.mode", ty: ConfigType::String, default: Some("fail"), importance: Importance::Medium,
        group: "Connector", order: 1, width: Width::Short, display_name: "Event deserialization failure handling",
        dependents: &[], checks: &[Check::OneOf(&["warn", "fail", "ignore", "skip"])], visible: true,
        documentation: "Specify how failures during processing of events (i.e. when encountering a corrupted event) should be handled, including: 'fail' (the default) an exception indicating the problematic event and its position is raised, causing the connector to be stopped; 'warn' the problematic event and its position will be logged and the event will be skipped; 'ignore' the problematic event will be skipped." },
    DebeziumKey { name: "max.batch.size", ty: ConfigType::Int, default: Some("2048"), importance: Importance::Medium,
        group: "Connector", order: 2, width: Width::Short, display_name: "Change event batch size",
        dependents: &[], checks: &[Check::PositiveInteger], visible: true,
        documentation: "Maximum size of each batch of source records. Defaults to 2048." },
    DebeziumKey { name: "max.queue.size", ty: ConfigType::Int, default: Some("8192"), importance: Importance::Medium,
        group: "Connector", order: 3, width: Width::Short, display_name: "Change event buffer size",
        dependents: &[], checks: &[Check::MaxQueueSize], visible: true,
        documentation: "Maximum size of the queue for change events read from the database log but not yet recorded or forwarded. Defaults to 8192, and should always be larger than the maximum batch size." },
    DebeziumKey { name: "poll.interval.ms", ty: ConfigType::Long, default: Some("500"), importance: Importance::Medium,
        group: "Connector", order: 4, width: Width::Short, display_name: "Poll interval (ms)",
        dependents: &[], checks: &[Check::PositiveInteger], visible: true,
        documentation: "Time to wait for new change events to appear after receiving no events, given in milliseconds. Defaults to 500 ms." },
    DebeziumKey { name: "max.queue.size.in.bytes", ty: ConfigType::Long, default: Some("0"), importance: Importance::Medium,
        group: "Connector", order: 5, width: Width::Long, display_name: "Change event buffer size in bytes",
        dependents: &[], checks: &[Check::NonNegativeLong], visible: true,
        documentation: "Maximum size of the queue in bytes for change events read from the database log but not yet recorded or forwarded. Defaults to 0. Mean the feature is not enabled" },
    DebeziumKey { name: "provide.transaction.metadata", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Low,
        group: "Connector", order: 6, width: Width::Short, display_name: "Store transaction metadata information in a dedicated topic.",
        dependents: &[], checks: &[], visible: true,
        documentation: "Enables transaction metadata extraction together with event counting" },
    DebeziumKey { name: "snapshot.delay.ms", ty: ConfigType::Long, default: Some("0"), importance: Importance::Low,
        group: "Connector", order: 7, width: Width::Medium, display_name: "Snapshot Delay (milliseconds)",
        dependents: &[], checks: &[Check::NonNegativeLong], visible: true,
        documentation: "A delay period before a snapshot will begin, given in milliseconds. Defaults to 0 ms." },
    DebeziumKey { name: "streaming.delay.ms", ty: ConfigType::Long, default: Some("0"), importance: Importance::Low,
        group: "Connector", order: 8, width: Width::Medium, display_name: "Streaming Delay (milliseconds)",
        dependents: &[], checks: &[Check::NonNegativeLong], visible: true,
        documentation: "A delay period after the snapshot is completed and the streaming begins, given in milliseconds. Defaults to 0 ms." },
    DebeziumKey { name: "snapshot.include.collection.list", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Connector", order: 9, width: Width::Long, display_name: "Snapshot mode include data collection",
        dependents: &[], checks: &[Check::ListOfRegex], visible: true,
        documentation: "This setting must be set to specify a list of tables/collections whose snapshot must be taken on creating or restarting the connector." },
    DebeziumKey { name: "snapshot.fetch.size", ty: ConfigType::Int, default: None, importance: Importance::Medium,
        group: "Connector", order: 10, width: Width::Medium, display_name: "Snapshot fetch size",
        dependents: &[], checks: &[Check::NonNegativeInteger], visible: true,
        documentation: "The maximum number of records that should be loaded into memory while performing a snapshot." },
    DebeziumKey { name: "snapshot.max.threads", ty: ConfigType::Int, default: Some("1"), importance: Importance::Medium,
        group: "Connector", order: 11, width: Width::Short, display_name: "Snapshot maximum threads",
        dependents: &[], checks: &[Check::PositiveInteger], visible: true,
        documentation: "The maximum number of threads used to perform the snapshot. Defaults to 1." },
    DebeziumKey { name: "snapshot.max.threads.multiplier", ty: ConfigType::Int, default: Some("1"), importance: Importance::Medium,
        group: "Connector", order: 12, width: Width::Short, display_name: "Snapshot maximum thread multiplier",
        dependents: &[], checks: &[Check::PositiveInteger], visible: true,
        documentation: "The factor used to scale the number of snapshot chunks per table. The default behavior is to take 'row_count/snapshot.max.threads' to compute the number of rows per chunks. This may not be ideal for larger tables, and using the multiplier, the formula is adjusted to increase the number of chunks by using 'row_count/(snapshot.max.threads * snapshot.max.threads.multiplier)." },
    DebeziumKey { name: "legacy.snapshot.max.threads", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Low,
        group: "Connector", order: 13, width: Width::Short, display_name: "Enforces using a single thread per table regardless of table size",
        dependents: &[], checks: &[], visible: true,
        documentation: "When enabled, uses the legacy table-per-thread parallel snapshot algorithm. When set to false (the default), tables are split into chunks and processed across all snapshot threads, allowing for higher concurrency for snapshots." },
    DebeziumKey { name: "internal.legacy.snapshot.max.threads", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Low,
        group: "Connector", order: 13, width: Width::Short, display_name: "Enforces using a single thread per table regardless of table size",
        dependents: &[], checks: &[], visible: true,
        documentation: "When enabled, uses the legacy table-per-thread parallel snapshot algorithm. When set to false (the default), tables are split into chunks and processed across all snapshot threads, allowing for higher concurrency for snapshots." },
    DebeziumKey { name: "snapshot.mode.custom.name", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Connector", order: 14, width: Width::Medium, display_name: "Snapshot Mode Custom Name",
        dependents: &[], checks: &[Check::CustomName("snapshot.mode")], visible: true,
        documentation: "When 'snapshot.mode' is set as custom, this setting must be set to specify a the name of the custom implementation provided in the 'name()' method. The implementations must implement the 'Snapshotter' interface and is called on each app boot to determine whether to do a snapshot." },
    DebeziumKey { name: "snapshot.mode.configuration.based.snapshot.data", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Connector", order: 15, width: Width::Medium, display_name: "Snapshot mode property based snapshot data",
        dependents: &[], checks: &[], visible: true,
        documentation: "When 'snapshot.mode' is set as configuration_based, this setting permits to specify whenever the data should be snapshotted or not." },
    DebeziumKey { name: "snapshot.mode.configuration.based.snapshot.schema", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Connector", order: 16, width: Width::Medium, display_name: "Snapshot mode property based snapshot schema",
        dependents: &[], checks: &[], visible: true,
        documentation: "When 'snapshot.mode' is set as configuration_based, this setting permits to specify whenever the schema should be snapshotted or not." },
    DebeziumKey { name: "snapshot.mode.configuration.based.start.stream", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Connector", order: 17, width: Width::Medium, display_name: "Snapshot mode property based start stream",
        dependents: &[], checks: &[], visible: true,
        documentation: "When 'snapshot.mode' is set as configuration_based, this setting permits to specify whenever the stream should start or not after snapshot." },
    DebeziumKey { name: "snapshot.mode.configuration.based.snapshot.on.schema.error", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Connector", order: 18, width: Width::Medium, display_name: "Snapshot mode property based snapshot on schema error",
        dependents: &[], checks: &[], visible: true,
        documentation: "When 'snapshot.mode' is set as configuration_based, this setting permits to specify whenever the schema should be snapshotted or not in case of error." },
    DebeziumKey { name: "snapshot.mode.configuration.based.snapshot.on.data.error", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Connector", order: 19, width: Width::Medium, display_name: "Snapshot mode property based snapshot on data error",
        dependents: &[], checks: &[], visible: true,
        documentation: "When 'snapshot.mode' is set as configuration_based, this setting permits to specify whenever the data should be snapshotted or not in case of error." },
    DebeziumKey { name: "retriable.restart.connector.wait.ms", ty: ConfigType::Long, default: Some("10000"), importance: Importance::Low,
        group: "Connector", order: 20, width: Width::Medium, display_name: "Retriable restart wait (ms)",
        dependents: &[], checks: &[Check::PositiveLong], visible: true,
        documentation: "Time to wait before restarting connector after retriable exception occurs. Defaults to 10000ms." },
    DebeziumKey { name: "query.fetch.size", ty: ConfigType::Int, default: Some("0"), importance: Importance::Medium,
        group: "Connector", order: 21, width: Width::Medium, display_name: "Query fetch size",
        dependents: &[], checks: &[Check::NonNegativeInteger], visible: true,
        documentation: "The maximum number of records that should be loaded into memory while streaming. A value of '0' uses the default JDBC fetch size." },
    DebeziumKey { name: "errors.max.retries", ty: ConfigType::Int, default: Some("-1"), importance: Importance::Low,
        group: "Connector", order: 22, width: Width::Medium, display_name: "The maximum number of retries",
        dependents: &[], checks: &[Check::Integer], visible: true,
        documentation: "The maximum number of retries on connection errors before failing (-1 = no limit, 0 = disabled, > 0 = num of retries)." },
    DebeziumKey { name: "incremental.snapshot.watermarking.strategy", ty: ConfigType::String, default: Some("INSERT_INSERT"), importance: Importance::Low,
        group: "Connector", order: 23, width: Width::Medium, display_name: "Incremental snapshot watermarking strategy",
        dependents: &[], checks: &[Check::OneOf(&["insert_delete", "insert_insert"])], visible: true,
        documentation: "Specify the strategy used for watermarking during an incremental snapshot: 'insert_insert' both open and close signal is written into signal data collection (default); 'insert_delete' only open signal is written on signal data collection, the close will delete the relative open signal;" },
    DebeziumKey { name: "internal.log.position.check.enable", ty: ConfigType::Boolean, default: Some("true"), importance: Importance::Medium,
        group: "Connector", order: 24, width: Width::Medium, display_name: "Enable/Disable log position check",
        dependents: &[], checks: &[], visible: true,
        documentation: "When enabled the connector checks if the position stored in the offset is still available in the log" },
    DebeziumKey { name: "internal.advanced.metrics.enable", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Connector", order: 25, width: Width::Medium, display_name: "Enable/Disable advance metrics",
        dependents: &[], checks: &[], visible: true,
        documentation: "When enabled the connector will emit advanced streaming metrics" },
    DebeziumKey { name: "connection.validation.timeout.ms", ty: ConfigType::Long, default: Some("60000"), importance: Importance::Low,
        group: "Connector", order: 26, width: Width::Short, display_name: "Connection validation timeout (ms)",
        dependents: &[], checks: &[Check::PositiveLong], visible: true,
        documentation: "The maximum time in milliseconds to wait for connection validation to complete. Defaults to 60 seconds." },
    DebeziumKey { name: "executor.shutdown.timeout.ms", ty: ConfigType::Long, default: Some("4000"), importance: Importance::Medium,
        group: "Connector", order: 27, width: Width::Medium, display_name: "Executor shutdown timeout (ms)",
        dependents: &[], checks: &[Check::PositiveLong], visible: true,
        documentation: "The maximum time in milliseconds to wait for task executor to shut down." },
    DebeziumKey { name: "openlineage.integration.enabled", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Low,
        group: "Connector", order: 28, width: Width::Short, display_name: "Enables OpenLineage integration",
        dependents: &[], checks: &[], visible: true,
        documentation: "Enable Debezium to emit data lineage metadata through OpenLineage API" },
    DebeziumKey { name: "openlineage.integration.config.file.path", ty: ConfigType::String, default: Some("./openlineage.yml"), importance: Importance::Low,
        group: "Connector", order: 29, width: Width::Long, display_name: "Path to OpenLineage file configuration",
        dependents: &[], checks: &[], visible: true,
        documentation: "Path to OpenLineage file configuration. See https://openlineage.io/docs/client/java/configuration" },
    DebeziumKey { name: "openlineage.integration.job.namespace", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Connector", order: 30, width: Width::Long, display_name: "Namespace used for Debezium job",
        dependents: &[], checks: &[], visible: true,
        documentation: "The job's namespace emitted by Debezium" },
    DebeziumKey { name: "openlineage.integration.job.description", ty: ConfigType::String, default: Some("Debezium change data capture job"), importance: Importance::Low,
        group: "Connector", order: 31, width: Width::Long, display_name: "Description used for Debezium job",
        dependents: &[], checks: &[], visible: true,
        documentation: "The job's description emitted by Debezium" },
    DebeziumKey { name: "openlineage.integration.job.tags", ty: ConfigType::List, default: None, importance: Importance::Low,
        group: "Connector", order: 32, width: Width::Long, display_name: "Debezium job tags",
        dependents: &[], checks: &[], visible: true,
        documentation: "The job's tags emitted by Debezium. A comma-separated list of key-value pairs.For example: k1=v1,k2=v2" },
    DebeziumKey { name: "openlineage.integration.job.owners", ty: ConfigType::List, default: None, importance: Importance::Low,
        group: "Connector", order: 33, width: Width::Long, display_name: "Debezium job owners",
        dependents: &[], checks: &[], visible: true,
        documentation: "The job's owners emitted by Debezium. A comma-separated list of key-value pairs.For example: k1=v1,k2=v2" },
    DebeziumKey { name: "openlineage.integration.dataset.kafka.bootstrap.servers", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Connector", order: 34, width: Width::Long, display_name: "Kafka bootstrap server used in Kafka Connect deployment",
        dependents: &[], checks: &[], visible: true,
        documentation: "The Kafka bootstrap server address used as input/output namespace/" },
    DebeziumKey { name: "extended.headers.enabled", ty: ConfigType::Boolean, default: Some("true"), importance: Importance::Low,
        group: "Connector", order: 35, width: Width::Short, display_name: "Enable/Disable extended headers",
        dependents: &[], checks: &[], visible: true,
        documentation: "Enable/Disable Debezium context headers that provides essential metadata for tracking and identifying the source of CDC events in downstream processing systems." },
    DebeziumKey { name: "guardrail.collections.max", ty: ConfigType::Int, default: Some("0"), importance: Importance::Medium,
        group: "Connector", order: 36, width: Width::Short, display_name: "Maximum number of collections or tables",
        dependents: &[], checks: &[Check::NonNegativeInteger], visible: true,
        documentation: "The maximum number of collections or tables that can be captured by the connector. When this limit is exceeded, the action specified by 'guardrail.collections.limit.action' will be taken. Set to 0 to disable this guardrail." },
    DebeziumKey { name: "guardrail.collections.limit.action", ty: ConfigType::String, default: Some("warn"), importance: Importance::Medium,
        group: "Connector", order: 37, width: Width::Short, display_name: "Guardrail collections limit action",
        dependents: &[], checks: &[Check::OneOf(&["warn", "fail"])], visible: true,
        documentation: "Specify the action to take when a guardrail collections limit is exceeded: 'warn' (the default) logs a warning message and continues processing; 'fail' stops the connector with an error." },
    DebeziumKey { name: "custom.sanitize.pattern", ty: ConfigType::String, default: Some(".*secret$|.*password$|.*sasl\\.jaas\\.config$|.*basic\\.auth\\.user\\.info|.*registry\\.auth\\.client-secret|.*credentials\\.json$|.*connectionstring$|.*connection\\.string$"), importance: Importance::Low,
        group: "Connector", order: 38, width: Width::Long, display_name: "Custom pattern for masking sensitive configuration",
        dependents: &[], checks: &[], visible: true,
        documentation: "Regular expression identifying configuration keys whose values should be masked. When set, this custom pattern replaces Debezium’s default password masking pattern." },
    DebeziumKey { name: "statistics.metrics.enabled", ty: ConfigType::Boolean, default: Some("true"), importance: Importance::Medium,
        group: "Connector", order: 39, width: Width::Short, display_name: "Enable collecting statistics metrics like latencies",
        dependents: &[], checks: &[], visible: true,
        documentation: "Enable to collect various kind of statistics, like latencies in record processing, and derived data like quantiles. By default collecting statistics is enabled." },
    DebeziumKey { name: "decimal.handling.mode", ty: ConfigType::String, default: Some("precise"), importance: Importance::Medium,
        group: "Connector", order: 40, width: Width::Short, display_name: "Decimal Handling",
        dependents: &[], checks: &[Check::OneOf(&["string", "double", "precise"])], visible: true,
        documentation: "Specify how DECIMAL and NUMERIC columns should be represented in change events, including: 'precise' (the default) uses java.math.BigDecimal to represent values, which are encoded in the change events using a binary representation and Kafka Connect's 'org.apache.kafka.connect.data.Decimal' type; 'string' uses string to represent values; 'double' represents values using Java's 'double', which may not offer the precision but will be far easier to use in consumers." },
    DebeziumKey { name: "time.precision.mode", ty: ConfigType::String, default: Some("adaptive"), importance: Importance::Medium,
        group: "Connector", order: 41, width: Width::Short, display_name: "Time Precision",
        dependents: &[], checks: &[Check::OneOf(&["adaptive", "adaptive_time_microseconds", "isostring", "microseconds", "nanoseconds", "connect"])], visible: true,
        documentation: "Time, date, and timestamps can be represented with different kinds of precisions, including: 'adaptive' (the default) bases the precision of time, date, and timestamp values on the database column's precision; 'adaptive_time_microseconds' like 'adaptive' mode, but TIME fields always use microseconds precision; 'connect' always represents time, date, and timestamp values using Kafka Connect's built-in representations for Time, Date, and Timestamp, which uses millisecond precision regardless of the database columns' precision; 'isostring' represents time, date, and timestamp values as ISO-8601 formatted strings at the UTC time zone; 'microseconds' always represents time, date, and timestamp values using microsecond precision; 'nanoseconds' always represents time, date, and timestamp values using nanosecond precision." },
    DebeziumKey { name: "snapshot.lock.timeout.ms", ty: ConfigType::Long, default: Some("10000"), importance: Importance::Medium,
        group: "Connector", order: 42, width: Width::Long, display_name: "Snapshot lock timeout (ms)",
        dependents: &[], checks: &[], visible: true,
        documentation: "The maximum number of millis to wait for table locks at the beginning of a snapshot. If locks cannot be acquired in this time frame, the snapshot will be aborted. Defaults to 10 seconds" },
    DebeziumKey { name: "memory.management.schemas.class", ty: ConfigType::Class, default: Some("io.debezium.relational.ConcurrentMapTableMappingStorage"), importance: Importance::Low,
        group: "Connector", order: 43, width: Width::Long, display_name: "Schema storage class",
        dependents: &[], checks: &[], visible: true,
        documentation: "The fully-qualified class name of the storage implementation for schema metadata. The class must implement io.debezium.relational.TableMappingStorage<io.debezium.relational.TableSchema>. Defaults to io.debezium.relational.ConcurrentMapTableMappingStorage for in-memory storage." },
    DebeziumKey { name: "memory.management.tables.class", ty: ConfigType::Class, default: Some("io.debezium.relational.ConcurrentMapTableMappingStorage"), importance: Importance::Low,
        group: "Connector", order: 44, width: Width::Long, display_name: "Table storage class",
        dependents: &[], checks: &[], visible: true,
        documentation: "The fully-qualified class name of the storage implementation for table metadata. The class must implement io.debezium.relational.TableMappingStorage<io.debezium.relational.Table>. Defaults to io.debezium.relational.ConcurrentMapTableMappingStorage for in-memory storage." },
    DebeziumKey { name: "snapshot.mode", ty: ConfigType::String, default: Some("initial"), importance: Importance::Medium,
        group: "Connector", order: 45, width: Width::Short, display_name: "Snapshot mode",
        dependents: &[], checks: &[Check::OneOf(&["always", "initial_only", "configuration_based", "when_needed", "initial", "custom", "no_data"])], visible: true,
        documentation: "The criteria for running a snapshot upon startup of the connector. Select one of the following snapshot options: 'always': The connector runs a snapshot every time that it starts. After the snapshot completes, the connector begins to stream changes from the transaction log.; 'initial' (default): If the connector does not detect any offsets for the logical server name, it runs a snapshot that captures the current full state of the configured tables. After the snapshot completes, the connector begins to stream changes from the transaction log. 'initial_only': The connector performs a snapshot as it does for the 'initial' option, but after the connector completes the snapshot, it stops, and does not stream changes from the transaction log.; 'never': The connector does not run a snapshot. Upon first startup, the connector immediately begins reading from the beginning of the transaction log. 'exported': This option is deprecated; use 'initial' instead.; 'custom': The connector loads a custom class  to specify how the connector performs snapshots. For more information, see Custom snapshotter SPI in the PostgreSQL connector documentation." },
    DebeziumKey { name: "snapshot.isolation.mode", ty: ConfigType::String, default: Some("serializable"), importance: Importance::Low,
        group: "Connector", order: 46, width: Width::Short, display_name: "Snapshot isolation mode",
        dependents: &[], checks: &[Check::OneOf(&["read_uncommitted", "repeatable_read", "read_committed", "serializable"])], visible: true,
        documentation: "Controls which transaction isolation level is used. The default is 'serializable', which means that serializable isolation level is used. When 'repeatable_read' is specified, connector runs the initial snapshot in REPEATABLE READ isolation level. When 'read_committed' is specified, connector runs the initial snapshot in READ COMMITTED isolation level. In 'read_uncommitted' is specified, connector runs the initial snapshot in READ UNCOMMITTED isolation level." },
    DebeziumKey { name: "snapshot.query.mode", ty: ConfigType::String, default: Some("select_all"), importance: Importance::Low,
        group: "Connector", order: 47, width: Width::Short, display_name: "Snapshot query mode",
        dependents: &[], checks: &[Check::OneOf(&["custom", "select_all"])], visible: true,
        documentation: "Controls query used during the snapshot" },
    DebeziumKey { name: "snapshot.query.mode.custom.name", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Connector", order: 48, width: Width::Medium, display_name: "Snapshot Query Mode Custom Name",
        dependents: &[], checks: &[Check::CustomName("snapshot.query.mode")], visible: true,
        documentation: "When 'snapshot.query.mode' is set as custom, this setting must be set to specify a the name of the custom implementation provided in the 'name()' method. The implementations must implement the 'SnapshotterQuery' interface and is called to determine how to build queries during snapshot." },
    DebeziumKey { name: "snapshot.locking.mode.custom.name", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Connector", order: 49, width: Width::Medium, display_name: "Snapshot Locking Mode Custom Name",
        dependents: &[], checks: &[Check::CustomName("snapshot.locking.mode")], visible: true,
        documentation: "When 'snapshot.locking.mode' is set as custom, this setting must be set to specify a the name of the custom implementation provided in the 'name()' method. The implementations must implement the 'SnapshotterLocking' interface and is called to determine how to lock tables during schema snapshot." },
    DebeziumKey { name: "snapshot.locking.mode", ty: ConfigType::String, default: Some("none"), importance: Importance::Low,
        group: "Connector", order: 50, width: Width::Short, display_name: "Snapshot locking mode",
        dependents: &[], checks: &[Check::OneOf(&["shared", "custom", "none"])], visible: true,
        documentation: "Controls how the connector holds locks on tables while performing the schema snapshot. The 'shared' which means the connector will hold a table lock that prevents exclusive table access for just the initial portion of the snapshot while the database schemas and other metadata are being read. The remaining work in a snapshot involves selecting all rows from each table, and this is done using a flashback query that requires no locks. However, in some cases it may be desirable to avoid locks entirely which can be done by specifying 'none'. This mode is only safe to use if no schema changes are happening while the snapshot is taken." },
    DebeziumKey { name: "hstore.handling.mode", ty: ConfigType::String, default: Some("json"), importance: Importance::Low,
        group: "Connector", order: 51, width: Width::Medium, display_name: "HStore Handling",
        dependents: &[], checks: &[Check::OneOf(&["json", "map"])], visible: true,
        documentation: "Specify how HSTORE columns should be represented in change events, including: 'json' represents values as string-ified JSON (default); 'map' represents values as a key/value map" },
    DebeziumKey { name: "binary.handling.mode", ty: ConfigType::String, default: Some("bytes"), importance: Importance::Low,
        group: "Connector", order: 52, width: Width::Medium, display_name: "Binary Handling",
        dependents: &[], checks: &[Check::OneOf(&["bytes", "base64", "hex", "base64-url-safe"])], visible: true,
        documentation: "Specify how binary (blob, binary, etc.) columns should be represented in change events, including: 'bytes' represents binary data as byte array (default); 'base64' represents binary data as base64-encoded string; 'base64-url-safe' represents binary data as base64-url-safe-encoded string; 'hex' represents binary data as hex-encoded (base16) string" },
    DebeziumKey { name: "schema.name.adjustment.mode", ty: ConfigType::String, default: Some("none"), importance: Importance::Low,
        group: "Connector", order: 53, width: Width::Medium, display_name: "Schema Name Adjustment",
        dependents: &[], checks: &[Check::OneOf(&["none", "avro_unicode", "avro"])], visible: true,
        documentation: "Specify how schema names should be adjusted for compatibility with the message converter used by the connector, including: 'avro' replaces the characters that cannot be used in the Avro type name with underscore; 'avro_unicode' replaces the underscore or characters that cannot be used in the Avro type name with corresponding unicode like _uxxxx. Note: _ is an escape sequence like backslash in Java;'none' does not apply any adjustment (default)" },
    DebeziumKey { name: "interval.handling.mode", ty: ConfigType::String, default: Some("numeric"), importance: Importance::Low,
        group: "Connector", order: 54, width: Width::Medium, display_name: "Interval Handling",
        dependents: &[], checks: &[Check::OneOf(&["string", "numeric"])], visible: true,
        documentation: "Specify how INTERVAL columns should be represented in change events, including: 'string' represents values as an exact ISO formatted string; 'numeric' (default) represents values using the inexact conversion into microseconds" },
    DebeziumKey { name: "schema.refresh.mode", ty: ConfigType::String, default: Some("columns_diff"), importance: Importance::Medium,
        group: "Connector", order: 55, width: Width::Short, display_name: "Schema refresh mode",
        dependents: &[], checks: &[Check::OneOf(&["columns_diff", "columns_diff_exclude_unchanged_toast"])], visible: true,
        documentation: "Specify the conditions that trigger a refresh of the in-memory schema for a table. 'columns_diff' (the default) is the safest mode, ensuring the in-memory schema stays in-sync with the database table's schema at all times. 'columns_diff_exclude_unchanged_toast' instructs the connector to refresh the in-memory schema cache if there is a discrepancy between it and the schema derived from the incoming message, unless unchanged TOASTable data fully accounts for the discrepancy. This setting can improve connector performance significantly if there are frequently-updated tables that have TOASTed data that are rarely part of these updates. However, it is possible for the in-memory schema to become outdated if TOASTable columns are dropped from the table." },
    DebeziumKey { name: "incremental.snapshot.chunk.size", ty: ConfigType::Int, default: Some("1024"), importance: Importance::Medium,
        group: "Connector", order: 56, width: Width::Medium, display_name: "Incremental snapshot chunk size",
        dependents: &[], checks: &[Check::NonNegativeInteger], visible: true,
        documentation: "The maximum size of chunk (number of documents/rows) for incremental snapshotting" },
    DebeziumKey { name: "unavailable.value.placeholder", ty: ConfigType::String, default: Some("__debezium_unavailable_value"), importance: Importance::Medium,
        group: "Connector", order: 57, width: Width::Medium, display_name: "Unavailable value placeholder",
        dependents: &[], checks: &[], visible: true,
        documentation: "Specify the constant that will be provided by Debezium to indicate that the original value is a toasted value not provided by the database. If starts with 'hex:' prefix it is expected that the rest of the string represents hexadecimal encoded octets." },
    DebeziumKey { name: "message.prefix.include.list", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Connector", order: 58, width: Width::Long, display_name: "Include Logical Decoding Message Prefixes",
        dependents: &[], checks: &[Check::ListOfRegex], visible: true,
        documentation: "A comma-separated list of regular expressions that match the logical decoding message prefixes to be monitored. All prefixes are monitored by default." },
    DebeziumKey { name: "message.prefix.exclude.list", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Connector", order: 59, width: Width::Long, display_name: "Exclude Logical Decoding Message Prefixes",
        dependents: &[], checks: &[Check::ListOfRegex, Check::ExcludeList("message.prefix.include.list")], visible: true,
        documentation: "A comma-separated list of regular expressions that match the logical decoding message prefixes to be excluded from monitoring." },
    DebeziumKey { name: "publish.via.partition.root", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Connector", order: 60, width: Width::Short, display_name: "Publish via partition root",
        dependents: &[], checks: &[Check::Boolean], visible: true,
        documentation: "A boolean that determines whether the connector should publish changes via the partition root. When true, changes are published through partition root. When false, changes are published directly." },
    DebeziumKey { name: "converters", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Events", order: 1, width: Width::Medium, display_name: "List of prefixes defining custom values converters.",
        dependents: &[], checks: &[], visible: true,
        documentation: "Optional list of custom converters that would be used instead of default ones. The converters are defined using '<converter.prefix>.type' config option and configured using options '<converter.prefix>.<option>'" },
    DebeziumKey { name: "post.processors", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Events", order: 2, width: Width::Medium, display_name: "List of change event post processors.",
        dependents: &[], checks: &[], visible: true,
        documentation: "Optional list of post processors. The processors are defined using '<post.processor.prefix>.type' config option and configured using options '<post.processor.prefix.<option>'" },
    DebeziumKey { name: "tombstones.on.delete", ty: ConfigType::Boolean, default: Some("true"), importance: Importance::Medium,
        group: "Events", order: 3, width: Width::Short, display_name: "Change the behaviour of Debezium with regards to delete operations",
        dependents: &[], checks: &[Check::Boolean], visible: true,
        documentation: "Whether delete operations should be represented by a delete event and a subsequent tombstone event (true) or only by a delete event (false). Emitting the tombstone event (the default behavior) allows Kafka to completely delete all events pertaining to the given key once the source record got deleted." },
    DebeziumKey { name: "heartbeat.interval.ms", ty: ConfigType::Int, default: Some("0"), importance: Importance::Medium,
        group: "Events", order: 4, width: Width::Medium, display_name: "Connector heartbeat interval (milli-seconds)",
        dependents: &[], checks: &[Check::NonNegativeInteger], visible: true,
        documentation: "Length of an interval in milli-seconds in in which the connector periodically sends heartbeat messages to a heartbeat topic. Use 0 to disable heartbeat messages. Disabled by default." },
    DebeziumKey { name: "heartbeat.topics.prefix", ty: ConfigType::String, default: Some("__debezium-heartbeat"), importance: Importance::Low,
        group: "Events", order: 5, width: Width::Medium, display_name: "A prefix used for naming of heartbeat topics",
        dependents: &[], checks: &[], visible: true,
        documentation: "The prefix that is used to name heartbeat topics.Defaults to __debezium-heartbeat." },
    DebeziumKey { name: "signal.data.collection", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 6, width: Width::Medium, display_name: "Signaling data collection",
        dependents: &[], checks: &[], visible: true,
        documentation: "The name of the data collection that is used to send signals/commands to Debezium. For multi-partition mode connectors, multiple signal data collections can be specified as a comma-separated list. Signaling is disabled when not set." },
    DebeziumKey { name: "signal.poll.interval.ms", ty: ConfigType::Long, default: Some("5000"), importance: Importance::Medium,
        group: "Events", order: 7, width: Width::Short, display_name: "Signal processor poll interval",
        dependents: &[], checks: &[Check::PositiveInteger], visible: true,
        documentation: "Interval for looking for new signals in registered channels, given in milliseconds. Defaults to 5 seconds." },
    DebeziumKey { name: "signal.enabled.channels", ty: ConfigType::List, default: Some("source"), importance: Importance::Medium,
        group: "Events", order: 8, width: Width::Long, display_name: "Enabled channels names",
        dependents: &[], checks: &[], visible: true,
        documentation: "List of channels names that are enabled. Source channel is enabled by default" },
    DebeziumKey { name: "topic.naming.strategy", ty: ConfigType::Class, default: Some("io.debezium.schema.SchemaTopicNamingStrategy"), importance: Importance::Medium,
        group: "Events", order: 9, width: Width::Medium, display_name: "Topic naming strategy class",
        dependents: &[], checks: &[], visible: true,
        documentation: "The name of the TopicNamingStrategy class that should be used to determine the topic name for data change, schema change, transaction, heartbeat event etc." },
    DebeziumKey { name: "notification.enabled.channels", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 10, width: Width::Long, display_name: "Enabled notification channels names",
        dependents: &[], checks: &[], visible: true,
        documentation: "List of notification channels names that are enabled." },
    DebeziumKey { name: "notification.sink.topic.name", ty: ConfigType::String, default: None, importance: Importance::High,
        group: "Events", order: 11, width: Width::Long, display_name: "Notification topic name",
        dependents: &[], checks: &[], visible: true,
        documentation: "The name of the topic for the notifications. This is required in case 'sink' is in the list of enabled channels" },
    DebeziumKey { name: "transaction.metadata.factory", ty: ConfigType::Class, default: Some("io.debezium.pipeline.txmetadata.DefaultTransactionMetadataFactory"), importance: Importance::Low,
        group: "Events", order: 12, width: Width::Medium, display_name: "Factory class to create transaction context & transaction struct maker classes",
        dependents: &[], checks: &[], visible: true,
        documentation: "Class to make transaction context & transaction struct/schemas" },
    DebeziumKey { name: "custom.metric.tags", ty: ConfigType::List, default: None, importance: Importance::Low,
        group: "Events", order: 13, width: Width::Medium, display_name: "Customize metric tags",
        dependents: &[], checks: &[Check::ListOfMap], visible: true,
        documentation: "The custom metric tags will accept key-value pairs to customize the MBean object name which should be appended the end of regular name, each key would represent a tag for the MBean object name, and the corresponding value would be the value of that tag the key is. For example: k1=v1,k2=v2" },
    DebeziumKey { name: "column.include.list", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 14, width: Width::Long, display_name: "Include Columns",
        dependents: &[], checks: &[Check::ListOfRegex], visible: true,
        documentation: "Regular expressions matching columns to include in change events" },
    DebeziumKey { name: "column.exclude.list", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 15, width: Width::Long, display_name: "Exclude Columns",
        dependents: &[], checks: &[Check::ListOfRegex, Check::ExcludeList("column.include.list")], visible: true,
        documentation: "Regular expressions matching columns to exclude from change events" },
    DebeziumKey { name: "table.include.list", ty: ConfigType::List, default: None, importance: Importance::High,
        group: "Events", order: 16, width: Width::Long, display_name: "Include Tables",
        dependents: &[], checks: &[Check::ListOfRegex], visible: true,
        documentation: "The tables for which changes are to be captured" },
    DebeziumKey { name: "table.exclude.list", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 17, width: Width::Long, display_name: "Exclude Tables",
        dependents: &[], checks: &[Check::ListOfRegex, Check::ExcludeList("table.include.list")], visible: true,
        documentation: "A comma-separated list of regular expressions that match the fully-qualified names of tables to be excluded from monitoring" },
    DebeziumKey { name: "table.ignore.builtin", ty: ConfigType::Boolean, default: Some("true"), importance: Importance::Low,
        group: "Events", order: 18, width: Width::Short, display_name: "Ignore system databases",
        dependents: &[], checks: &[Check::Boolean], visible: true,
        documentation: "Flag specifying whether built-in tables should be ignored." },
    DebeziumKey { name: "schema.include.list", ty: ConfigType::List, default: None, importance: Importance::High,
        group: "Events", order: 19, width: Width::Long, display_name: "Include Schemas",
        dependents: &["table.include.list"], checks: &[Check::ListOfRegex], visible: true,
        documentation: "The schemas for which events should be captured" },
    DebeziumKey { name: "schema.exclude.list", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 20, width: Width::Long, display_name: "Exclude Schemas",
        dependents: &[], checks: &[Check::ListOfRegex, Check::ExcludeList("schema.include.list")], visible: false,
        documentation: "The schemas for which events must not be captured" },
    DebeziumKey { name: "message.key.columns", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Events", order: 21, width: Width::Long, display_name: "Columns PK mapping",
        dependents: &[], checks: &[], visible: true,
        documentation: "A semicolon-separated list of expressions that match fully-qualified tables and column(s) to be used as message key. Each expression must match the pattern '<fully-qualified table name>:<key columns>', where the table names could be defined as (DB_NAME.TABLE_NAME) or (SCHEMA_NAME.TABLE_NAME), depending on the specific connector, and the key columns are a comma-separated list of columns representing the custom key. For any table without an explicit key configuration the table's primary key column(s) will be used as message key. Example: dbserver1.inventory.orderlines:orderId,orderLineId;dbserver1.inventory.orders:id" },
    DebeziumKey { name: "snapshot.select.statement.overrides", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Events", order: 22, width: Width::Long, display_name: "List of tables where the default select statement used during snapshotting should be overridden.",
        dependents: &[], checks: &[], visible: true,
        documentation: " This property contains a comma-separated list of fully-qualified tables (DB_NAME.TABLE_NAME) or (SCHEMA_NAME.TABLE_NAME), depending on the specific connectors. Select statements for the individual tables are specified in further configuration properties, one for each table, identified by the id 'snapshot.select.statement.overrides.[DB_NAME].[TABLE_NAME]' or 'snapshot.select.statement.overrides.[SCHEMA_NAME].[TABLE_NAME]', respectively. The value of those properties is the select statement to use when retrieving data from the specific table during snapshotting. A possible use case for large append-only tables is setting a specific point where to start (resume) snapshotting, in case a previous snapshotting was interrupted." },
    DebeziumKey { name: "column.mask.hash.([^.]+).with.salt.(.+)", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Events", order: 23, width: Width::Long, display_name: "Mask Columns Using Hash and Salt",
        dependents: &[], checks: &[], visible: true,
        documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that should be masked by hashing the input. Using the specified hash algorithms and salt." },
    DebeziumKey { name: "column.mask.with.(d+).chars", ty: ConfigType::String, default: None, importance: Importance::Medium,
        group: "Events", order: 24, width: Width::None, display_name: "Mask Columns With n Asterisks",
        dependents: &[], checks: &[Check::Integer], visible: true,
        documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that should be masked with configured amount of asterisk ('*') characters." },
    DebeziumKey { name: "column.truncate.to.(d+).chars", ty: ConfigType::Int, default: None, importance: Importance::Medium,
        group: "Events", order: 25, width: Width::None, display_name: "Truncate Columns To n Characters",
        dependents: &[], checks: &[Check::Integer], visible: true,
        documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that should be truncated to the configured amount of characters." },
    DebeziumKey { name: "include.schema.comments", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Events", order: 26, width: Width::Short, display_name: "Include Table and Column Comments",
        dependents: &[], checks: &[Check::Boolean], visible: true,
        documentation: "Whether the connector parse table and column's comment to metadata object. Note: Enable this option will bring the implications on memory usage. The number and size of ColumnImpl objects is what largely impacts how much memory is consumed by the Debezium connectors, and adding a String to each of them can potentially be quite heavy. The default is 'false'." },
    DebeziumKey { name: "column.propagate.source.type", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 27, width: Width::None, display_name: "Propagate Source Types by Columns",
        dependents: &[], checks: &[Check::ListOfRegex], visible: true,
        documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that adds the column’s original type and original length as parameters to the corresponding field schemas in the emitted change records." },
    DebeziumKey { name: "datatype.propagate.source.type", ty: ConfigType::List, default: None, importance: Importance::Medium,
        group: "Events", order: 28, width: Width::None, display_name: "Propagate Source Types by Data Type",
        dependents: &[], checks: &[Check::ListOfRegex], visible: true,
        documentation: "A comma-separated list of regular expressions matching the database-specific data type names that adds the data type's original type and original length as parameters to the corresponding field schemas in the emitted change records." },
    DebeziumKey { name: "internal.snapshot.scan.all.columns.force", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Low,
        group: "Events", order: 29, width: Width::Short, display_name: "Snapshot force scan all columns of all tables",
        dependents: &[], checks: &[], visible: true,
        documentation: "Restore pre 1.5 behaviour and scan all tables to discover columns. If you are excluding one table then turning this on may improve performance. If you are excluding a lot of tables the default behavior should work well." },
    DebeziumKey { name: "snapshot.tables.order.by.row.count", ty: ConfigType::String, default: Some("disabled"), importance: Importance::Medium,
        group: "Events", order: 30, width: Width::None, display_name: "Initial snapshot tables order by row count",
        dependents: &[], checks: &[Check::OneOf(&["disabled", "ascending", "descending"])], visible: true,
        documentation: "Controls the order in which tables are processed in the initial snapshot. A `descending` value will order the tables by row count descending. A `ascending` value will order the tables by row count ascending. A value of `disabled` (the default) will disable ordering by row count." },
    DebeziumKey { name: "heartbeat.action.query", ty: ConfigType::String, default: None, importance: Importance::Low,
        group: "Events", order: 31, width: Width::Medium, display_name: "An optional query to execute with every heartbeat",
        dependents: &[], checks: &[], visible: true,
        documentation: "The query executed with every heartbeat." },
    DebeziumKey { name: "include.unknown.datatypes", ty: ConfigType::Boolean, default: Some("false"), importance: Importance::Medium,
        group: "Events", order: 32, width: Width::Short, display_name: "Include unknown datatypes",
        dependents: &[], checks: &[], visible: true,
        documentation: "Specify whether the fields of data type not supported by Debezium should be processed: 'false' (the default) omits the fields; 'true' converts the field into an implementation dependent binary representation." },
    DebeziumKey { name: "sourceinfo.struct.maker", ty: ConfigType::Class, default: Some("io.debezium.connector.postgresql.PostgresSourceInfoStructMaker"), importance: Importance::Low,
        group: "Events", order: 33, width: Width::Medium, display_name: "Source info struct maker class",
        dependents: &[], checks: &[], visible: true,
        documentation: "The name of the SourceInfoStructMaker class that returns SourceInfo schema and struct." },
];

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// A key as Kafka Connect's `ConfigKeyInfo` JSON.
    fn key_info(k: &ConfigKey) -> Value {
        json!({
            "name": k.name,
            "type": k.ty.as_str(),
            "required": k.required(),
            "default_value": k.default,
            "importance": k.importance.as_str(),
            "documentation": k.documentation,
            "group": k.group,
            "order_in_group": k.order_in_group,
            "width": k.width.as_str(),
            "display_name": k.display_name,
            "dependents": k.dependents,
        })
    }

    fn golden(file: &str) -> Value {
        let path = sluice_testkit::golden(&format!("rest/{file}"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    #[test]
    fn the_definition_is_debeziums_as_the_reference_showed_it() {
        let ours: Vec<Value> = debezium_config_def().keys().iter().map(key_info).collect();
        let reference = golden("005_plugin_config_by_class.json")["response_body"].clone();
        // The reference's answer is the plugin's keys followed by the worker's common ones
        // (from `name` on), which the worker adds.
        let plugin: Vec<Value> = reference
            .as_array()
            .unwrap()
            .iter()
            .take_while(|k| k["name"] != "name")
            .cloned()
            .collect();
        assert_eq!(ours.len(), plugin.len(), "number of keys");
        for (o, g) in ours.iter().zip(&plugin) {
            assert_eq!(o, g, "key {}", g["name"]);
        }
    }

    #[test]
    fn recommended_values_and_visibility_are_debeziums() {
        let reference =
            golden("008_validate_valid_config.json")["response_body"]["configs"].clone();
        for c in reference.as_array().unwrap() {
            let v = &c["value"];
            let Some(k) = key(v["name"].as_str().unwrap()) else {
                continue;
            };
            let recommended: Vec<&str> = v["recommended_values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            assert_eq!(k.recommended_values(), recommended.as_slice(), "{}", k.name);
            assert_eq!(k.visible, v["visible"].as_bool().unwrap(), "{}", k.name);
        }
    }
}
