//! The connector's configuration: Debezium's PostgreSQL keys, their defaults, and the parsed
//! [`PostgresConfig`].
//!
//! Keys keep Debezium's names and defaults so an existing connector JSON works unchanged. Keys
//! Sluice accepts but does not act on are listed in [`ACCEPTED_UNUSED`] so they validate
//! instead of failing; every other key is documented where it is defined below.
//!
//! [`config_def`] is what Sluice reads, with Sluice's runtime defaults where they differ from
//! Debezium's (`plugin.name` pgoutput, `max.batch.size`,
//! `max.queue.size`) and Sluice's own keys. The definition users see (REST, `validate`) is
//! Debezium's own, in [`super::config_def`]; every key of it Sluice does not read is accepted and
//! ignored, as any key the parser does not define.

use std::time::Duration;

use regex::Regex;
use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ParsedConfig, Validator};
use sluice_api::connector::Properties;

use crate::connection::PgConnectionConfig;
use crate::tls::{TlsMode, TlsOptions};
use crate::types::{
    BinaryMode, DecimalMode, HstoreMode, IntervalMode, TimePrecisionMode, TypeModes,
};

/// `database.hostname`: the PostgreSQL server's host name or address.
pub const HOSTNAME: &str = "database.hostname";
/// `database.port`: the server's port (default 5432).
pub const PORT: &str = "database.port";
/// `database.user`: the user; it needs the REPLICATION attribute and SELECT on the tables.
pub const USER: &str = "database.user";
/// `database.password`: the user's password.
pub const PASSWORD: &str = "database.password";
/// `database.dbname`: the database to capture.
pub const DBNAME: &str = "database.dbname";
/// `database.sslmode`: `disable`, `allow`, `prefer` (default: TLS when the server offers it),
/// `require`, `verify-ca` or `verify-full` (see [`crate::tls`]).
pub const SSLMODE: &str = "database.sslmode";
/// `database.sslrootcert`: PEM file of the CAs that may sign the server's certificate
/// (`verify-ca`/`verify-full`; default: the system's CA bundle).
pub const SSLROOTCERT: &str = "database.sslrootcert";
/// `database.sslcert`: PEM client certificate, for `cert` authentication.
pub const SSLCERT: &str = "database.sslcert";
/// `database.sslkey`: the client certificate's private key (PEM, or PKCS#8 DER as pgjdbc uses).
pub const SSLKEY: &str = "database.sslkey";
/// `database.sslpassword`: the password of an encrypted `database.sslkey`; not supported
/// (refused with the command that decrypts the key).
pub const SSLPASSWORD: &str = "database.sslpassword";
/// `database.sslfactory`: pgjdbc's socket factory class; `org.postgresql.ssl.NonValidatingFactory`
/// turns certificate checks off (as `require`), any other class is refused.
pub const SSLFACTORY: &str = "database.sslfactory";
/// `topic.prefix`: the logical server name; prefix of every topic and the source partition.
pub const TOPIC_PREFIX: &str = "topic.prefix";
/// `topic.delimiter`: joins prefix, schema and table in topic names (default `.`).
pub const TOPIC_DELIMITER: &str = "topic.delimiter";
/// `topic.transaction`: the suffix of the transaction metadata topic (default `transaction`).
pub const TOPIC_TRANSACTION: &str = "topic.transaction";
/// `plugin.name`: the logical decoding plugin; only `pgoutput` is supported.
pub const PLUGIN_NAME: &str = "plugin.name";
/// `slot.name`: the logical replication slot (default `debezium`).
pub const SLOT_NAME: &str = "slot.name";
/// `slot.drop.on.stop`: drop the slot when the task stops (default false; for tests only).
pub const SLOT_DROP_ON_STOP: &str = "slot.drop.on.stop";
/// `publication.name`: the publication streamed (default `dbz_publication`).
pub const PUBLICATION_NAME: &str = "publication.name";
/// `publication.autocreate.mode`: `all_tables` (default), `filtered` or `disabled`.
pub const PUBLICATION_AUTOCREATE: &str = "publication.autocreate.mode";
/// `schema.include.list`: regexes of schemas to capture (anchored, case-insensitive).
pub const SCHEMA_INCLUDE: &str = "schema.include.list";
/// `schema.exclude.list`: regexes of schemas not to capture.
pub const SCHEMA_EXCLUDE: &str = "schema.exclude.list";
/// `table.include.list`: regexes of `schema.table` to capture.
pub const TABLE_INCLUDE: &str = "table.include.list";
/// `table.exclude.list`: regexes of `schema.table` not to capture.
pub const TABLE_EXCLUDE: &str = "table.exclude.list";
/// `column.include.list`: regexes of `schema.table.column` to keep.
pub const COLUMN_INCLUDE: &str = "column.include.list";
/// `column.exclude.list`: regexes of `schema.table.column` to drop.
pub const COLUMN_EXCLUDE: &str = "column.exclude.list";
/// `message.key.columns`: `schema.table:col1,col2;…` keys for tables without a primary key.
pub const MESSAGE_KEY_COLUMNS: &str = "message.key.columns";
/// `message.prefix.include.list`: regexes (anchored, case-insensitive) of the logical decoding
/// message prefixes to emit; default all. Not together with `message.prefix.exclude.list`.
pub const MESSAGE_PREFIX_INCLUDE: &str = "message.prefix.include.list";
/// `message.prefix.exclude.list`: regexes of the logical decoding message prefixes not to emit.
pub const MESSAGE_PREFIX_EXCLUDE: &str = "message.prefix.exclude.list";
/// `snapshot.mode`: `initial` (default), `initial_only`, `no_data` (`never`), `always`,
/// `when_needed`.
pub const SNAPSHOT_MODE: &str = "snapshot.mode";
/// `snapshot.fetch.size`: rows fetched per round trip while snapshotting (default 10240).
pub const SNAPSHOT_FETCH_SIZE: &str = "snapshot.fetch.size";
/// `snapshot.select.statement.overrides`: tables (`schema.table,…`) whose snapshot query is
/// given by `snapshot.select.statement.overrides.<schema.table>`.
pub const SNAPSHOT_OVERRIDES: &str = "snapshot.select.statement.overrides";
/// `tombstones.on.delete`: follow each delete with a tombstone (default true).
pub const TOMBSTONES_ON_DELETE: &str = "tombstones.on.delete";
/// `skipped.operations`: operations not emitted: `c`, `u`, `d`, `t`, or `none` (default `t`).
pub const SKIPPED_OPERATIONS: &str = "skipped.operations";
/// `provide.transaction.metadata`: emit BEGIN/END events and the `transaction` block.
pub const PROVIDE_TRANSACTION_METADATA: &str = "provide.transaction.metadata";
/// `heartbeat.interval.ms`: emit a heartbeat (and commit the position) this often when idle;
/// 0 disables (default).
pub const HEARTBEAT_INTERVAL: &str = "heartbeat.interval.ms";
/// `topic.heartbeat.prefix`: heartbeat topic prefix (default `__debezium-heartbeat`).
pub const HEARTBEAT_PREFIX: &str = "topic.heartbeat.prefix";
/// `heartbeat.action.query`: SQL run on every heartbeat, so an idle database writes WAL.
pub const HEARTBEAT_ACTION_QUERY: &str = "heartbeat.action.query";
/// `max.batch.size`: the most records one poll returns (default 1024, Debezium's 2048).
pub const MAX_BATCH_SIZE: &str = "max.batch.size";
/// `max.queue.size`: records buffered between the reader and the worker (default 2048,
/// Debezium's 8192: see `config_def`).
pub const MAX_QUEUE_SIZE: &str = "max.queue.size";
/// `status.update.interval.ms`: how often the confirmed position is sent (default 10000).
pub const STATUS_UPDATE_INTERVAL: &str = "status.update.interval.ms";
/// `decimal.handling.mode`: `precise` (default), `double`, `string`.
pub const DECIMAL_MODE: &str = "decimal.handling.mode";
/// `time.precision.mode`: `adaptive` (default), `adaptive_time_microseconds`, `connect`.
pub const TIME_MODE: &str = "time.precision.mode";
/// `binary.handling.mode`: `bytes` (default), `base64`, `base64-url-safe`, `hex`.
pub const BINARY_MODE: &str = "binary.handling.mode";
/// `interval.handling.mode`: `numeric` (default) or `string`.
pub const INTERVAL_MODE: &str = "interval.handling.mode";
/// `hstore.handling.mode`: `json` (default; an `io.debezium.data.Json` string) or `map`.
pub const HSTORE_MODE: &str = "hstore.handling.mode";
/// `money.fraction.digits`: the scale of `money` columns as decimals (default 2).
pub const MONEY_FRACTION_DIGITS: &str = "money.fraction.digits";
/// `include.unknown.datatypes`: emit columns of types Sluice does not map as bytes of their
/// text (default false: such columns are left out of the events, with a warning, as Debezium).
pub const INCLUDE_UNKNOWN: &str = "include.unknown.datatypes";
/// `unavailable.value.placeholder`: replaces unchanged TOASTed values.
pub const UNAVAILABLE_PLACEHOLDER: &str = "unavailable.value.placeholder";
/// `sluice.slot.lag.warn.bytes`: log a warning naming the slot when it retains more WAL than
/// this many bytes (`pg_current_wal_lsn()` minus its `confirmed_flush_lsn`, read every 10 s);
/// 0 (default) never warns. The lag is exported as `sluice_postgres_slot_lag_bytes` either way.
pub const SLOT_LAG_WARN_BYTES: &str = "sluice.slot.lag.warn.bytes";
/// `sluice.offsets.every.events`: a streamed change event carries its source position at
/// least once per this many events, and the last event of every transaction carries one; the
/// events between carry none (default 64). After a crash at most this many − 1 acknowledged
/// events of a transaction are sent again; 1 gives every event its position, as Debezium does.
pub const OFFSETS_EVERY_EVENTS: &str = "sluice.offsets.every.events";

/// Debezium keys accepted for compatibility whose behaviour Sluice does not change.
pub const ACCEPTED_UNUSED: &[&str] = &[
    "poll.interval.ms",
    "snapshot.locking.mode",
    "snapshot.isolation.mode",
    "snapshot.max.threads",
    "schema.refresh.mode",
    "event.processing.failure.handling.mode",
    "max.queue.size.in.bytes",
    "lsn.flush.mode",
    "signal.enabled.channels",
    "signal.data.collection",
    "incremental.snapshot.chunk.size",
];

/// What `snapshot.mode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    /// Snapshot when there is no stored offset (or the stored snapshot did not finish), then
    /// stream.
    Initial,
    /// Like `Initial`, but stop after the snapshot without streaming.
    InitialOnly,
    /// Never snapshot; stream from the slot (`no_data`, formerly `never`/`schema_only`).
    NoData,
    /// Snapshot at every start, then stream.
    Always,
    /// Snapshot when there is no offset or the slot is gone, then stream.
    WhenNeeded,
}

impl SnapshotMode {
    fn parse(text: &str) -> Option<SnapshotMode> {
        Some(match text.to_ascii_lowercase().as_str() {
            "initial" => SnapshotMode::Initial,
            "initial_only" => SnapshotMode::InitialOnly,
            "no_data" | "never" | "schema_only" => SnapshotMode::NoData,
            "always" => SnapshotMode::Always,
            "when_needed" => SnapshotMode::WhenNeeded,
            _ => return None,
        })
    }
}

/// What `publication.autocreate.mode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicationMode {
    /// `CREATE PUBLICATION … FOR ALL TABLES` if it is missing.
    AllTables,
    /// `CREATE PUBLICATION … FOR TABLE <the captured tables>` (and keep it in line).
    Filtered,
    /// The publication must exist.
    Disabled,
}

/// Which change operations `skipped.operations` drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Skipped {
    /// `c`.
    pub create: bool,
    /// `u`.
    pub update: bool,
    /// `d`.
    pub delete: bool,
    /// `t`.
    pub truncate: bool,
}

/// A set of anchored, case-insensitive regexes, as Debezium matches include/exclude lists.
#[derive(Debug, Clone, Default)]
pub struct Patterns(Vec<Regex>);

impl Patterns {
    fn parse(key: &str, list: Option<&[String]>) -> sluice_api::Result<Patterns> {
        let mut out = Vec::new();
        for p in list.unwrap_or_default() {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            let re =
                Regex::new(&format!("(?i)^(?:{p})$")).map_err(|e| sluice_api::Error::Config {
                    key: key.to_string(),
                    message: format!("'{p}' is not a valid regular expression ({e})"),
                })?;
            out.push(re);
        }
        Ok(Patterns(out))
    }

    /// Whether no pattern was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `text` matches one of the patterns.
    pub fn matches(&self, text: &str) -> bool {
        self.0.iter().any(|r| r.is_match(text))
    }
}

/// The parsed configuration of one connector.
#[derive(Debug, Clone)]
pub struct PostgresConfig {
    /// Where and as whom to connect.
    pub connection: PgConnectionConfig,
    /// `topic.prefix`.
    pub prefix: String,
    /// `topic.delimiter`.
    pub delimiter: String,
    /// `topic.transaction`.
    pub transaction_topic_suffix: String,
    /// `slot.name`.
    pub slot: String,
    /// `slot.drop.on.stop`.
    pub drop_slot_on_stop: bool,
    /// `publication.name`.
    pub publication: String,
    /// `publication.autocreate.mode`.
    pub publication_mode: PublicationMode,
    /// `schema.include.list`.
    pub schema_include: Patterns,
    /// `schema.exclude.list`.
    pub schema_exclude: Patterns,
    /// `table.include.list`.
    pub table_include: Patterns,
    /// `table.exclude.list`.
    pub table_exclude: Patterns,
    /// `column.include.list`.
    pub column_include: Patterns,
    /// `column.exclude.list`.
    pub column_exclude: Patterns,
    /// `message.key.columns`: (table pattern, key columns).
    pub message_key_columns: Vec<(Regex, Vec<String>)>,
    /// `message.prefix.include.list`.
    pub message_prefix_include: Patterns,
    /// `message.prefix.exclude.list`.
    pub message_prefix_exclude: Patterns,
    /// `snapshot.mode`.
    pub snapshot_mode: SnapshotMode,
    /// `snapshot.fetch.size`.
    pub snapshot_fetch_size: usize,
    /// Snapshot query overrides: (`schema.table`, query).
    pub snapshot_overrides: Vec<(String, String)>,
    /// `tombstones.on.delete`.
    pub tombstones_on_delete: bool,
    /// `skipped.operations`.
    pub skipped: Skipped,
    /// `provide.transaction.metadata`.
    pub transaction_metadata: bool,
    /// `heartbeat.interval.ms` (`None` = off).
    pub heartbeat_interval: Option<Duration>,
    /// `topic.heartbeat.prefix`.
    pub heartbeat_prefix: String,
    /// `heartbeat.action.query`.
    pub heartbeat_action_query: Option<String>,
    /// `max.batch.size`.
    pub max_batch_size: usize,
    /// `max.queue.size`.
    pub max_queue_size: usize,
    /// `status.update.interval.ms`.
    pub status_interval: Duration,
    /// The four type handling modes.
    pub modes: TypeModes,
    /// `unavailable.value.placeholder`.
    pub unavailable_placeholder: String,
    /// `sluice.slot.lag.warn.bytes` (`None` = never warn).
    pub slot_lag_warn_bytes: Option<u64>,
    /// `sluice.offsets.every.events` (at least 1).
    pub offsets_every_events: u32,
}

fn mode_validator(values: &[&str]) -> Validator {
    Validator::OneOfIgnoreCase(values.iter().map(|s| s.to_string()).collect())
}

/// Every key the connector reads, with Sluice's runtime defaults (see the module doc).
pub fn config_def() -> ConfigDef {
    let s = |name: &str, doc: &str| ConfigKey::new(name, ConfigType::String, doc);
    let mut def = ConfigDef::new()
        .define(s(HOSTNAME, "Resolvable hostname or IP address of the database server.").importance(Importance::High))
        .define(ConfigKey::new(PORT, ConfigType::Int, "Port of the database server.").default_value("5432").importance(Importance::High))
        .define(s(USER, "Name of the database user to be used when connecting to the database.").importance(Importance::High))
        .define(ConfigKey::new(PASSWORD, ConfigType::Password, "Password of the database user to be used when connecting to the database.").default_null().importance(Importance::High))
        .define(s(DBNAME, "The name of the database from which the connector should capture changes").importance(Importance::High))
        .define(s(SSLMODE, "Whether to use an encrypted connection to Postgres: 'disable', 'allow' or 'prefer' (the default; both use TLS when the server offers it, without checking its certificate), 'require' (TLS, certificate not checked), 'verify-ca' (the certificate must be signed by a CA of database.sslrootcert) or 'verify-full' (and name the host).").default_value("prefer").validator(mode_validator(&["disable", "allow", "prefer", "require", "verify-ca", "verify-full"])))
        .define(s(SSLROOTCERT, "PEM file of the CA certificates the server's certificate must chain to (verify-ca, verify-full). Default: the system's CA bundle.").default_null())
        .define(s(SSLCERT, "PEM file of the client certificate, for pg_hba 'cert' authentication.").default_null())
        .define(s(SSLKEY, "The client certificate's private key: PEM, or unencrypted PKCS#8 DER as pgjdbc uses (ordinary connection only; the replication connection needs PEM).").default_null())
        .define(ConfigKey::new(SSLPASSWORD, ConfigType::Password, "Password of an encrypted database.sslkey. Not supported: decrypt the key instead.").default_null().importance(Importance::Low))
        .define(s(SSLFACTORY, "pgjdbc's SSL socket factory class. org.postgresql.ssl.NonValidatingFactory disables certificate checks; other classes are refused.").default_null().importance(Importance::Low))
        .define(s(TOPIC_PREFIX, "Topic prefix that identifies and provides a namespace for the particular database server/cluster is capturing changes.").validator(Validator::NonEmptyString).importance(Importance::High))
        .define(s(TOPIC_DELIMITER, "Specify the delimiter for topic name.").default_value("."))
        .define(s(TOPIC_TRANSACTION, "The name of the transaction metadata topic.").default_value("transaction"))
        .define(s(PLUGIN_NAME, "The name of the Postgres logical decoding plugin installed on the server. Sluice supports pgoutput.").default_value("pgoutput").validator(mode_validator(&["pgoutput", "decoderbufs"])))
        .define(s(SLOT_NAME, "The name of the Postgres logical decoding slot created for streaming changes from a plugin.").default_value("debezium"))
        .define(ConfigKey::new(SLOT_DROP_ON_STOP, ConfigType::Boolean, "Whether or not to drop the logical replication slot when the connector finishes orderly.").default_value("false"))
        .define(s(PUBLICATION_NAME, "The name of the Postgres 10+ publication used for streaming changes from a plugin.").default_value("dbz_publication"))
        .define(s(PUBLICATION_AUTOCREATE, "Applies only when streaming changes using pgoutput: all_tables, disabled or filtered.").default_value("all_tables").validator(mode_validator(&["all_tables", "disabled", "filtered", "no_tables"])))
        .define(ConfigKey::new(SCHEMA_INCLUDE, ConfigType::List, "The schemas for which events should be captured").default_null())
        .define(ConfigKey::new(SCHEMA_EXCLUDE, ConfigType::List, "The schemas for which events must not be captured").default_null())
        .define(ConfigKey::new(TABLE_INCLUDE, ConfigType::List, "The tables for which changes are to be captured").default_null())
        .define(ConfigKey::new(TABLE_EXCLUDE, ConfigType::List, "A comma-separated list of regular expressions that match the fully-qualified names of tables to be excluded from monitoring").default_null())
        .define(ConfigKey::new(MESSAGE_PREFIX_INCLUDE, ConfigType::List, "A comma-separated list of regular expressions that match the logical decoding message prefixes to be monitored. All prefixes are monitored by default.").default_null())
        .define(ConfigKey::new(MESSAGE_PREFIX_EXCLUDE, ConfigType::List, "A comma-separated list of regular expressions that match the logical decoding message prefixes to be excluded from monitoring.").default_null())
        .define(ConfigKey::new(COLUMN_INCLUDE, ConfigType::List, "Regular expressions matching columns to include in change events").default_null())
        .define(ConfigKey::new(COLUMN_EXCLUDE, ConfigType::List, "Regular expressions matching columns to exclude from change events").default_null())
        .define(s(MESSAGE_KEY_COLUMNS, "A semicolon-separated list of expressions that match fully-qualified tables and column(s) to be used as message key.").default_null())
        .define(s(SNAPSHOT_MODE, "The criteria for running a snapshot upon startup of the connector: initial, initial_only, no_data, never, always, when_needed.").default_value("initial").validator(mode_validator(&["initial", "initial_only", "no_data", "never", "schema_only", "always", "when_needed"])))
        .define(ConfigKey::new(SNAPSHOT_FETCH_SIZE, ConfigType::Int, "The maximum number of records that should be loaded into memory while performing a snapshot.").default_value("10240"))
        .define(ConfigKey::new(SNAPSHOT_OVERRIDES, ConfigType::List, "This property contains a comma-separated list of fully-qualified tables (DB_NAME.TABLE_NAME) or (SCHEMA_NAME.TABLE_NAME), depending on the specific connectors. Select statements for the individual tables are specified in further configuration properties, one for each table, identified by the id 'snapshot.select.statement.overrides.[DB_NAME].[TABLE_NAME]' or 'snapshot.select.statement.overrides.[SCHEMA_NAME].[TABLE_NAME]'").default_null())
        .define(ConfigKey::new(TOMBSTONES_ON_DELETE, ConfigType::Boolean, "Whether delete operations should be represented by a delete event and a subsequent tombstone event (true) or only by a delete event (false).").default_value("true"))
        .define(ConfigKey::new(SKIPPED_OPERATIONS, ConfigType::List, "The comma-separated list of operations to skip during streaming, defined as: 'c' for inserts/create; 'u' for updates; 'd' for deletes, 't' for truncates, and 'none' to indicate nothing skipped.").default_value("t"))
        .define(ConfigKey::new(PROVIDE_TRANSACTION_METADATA, ConfigType::Boolean, "Enables transaction metadata extraction together with event counting").default_value("false"))
        .define(ConfigKey::new(HEARTBEAT_INTERVAL, ConfigType::Int, "Length of an interval in milli-seconds in in which the connector periodically sends heartbeat messages to a heartbeat topic. Use 0 to disable heartbeat messages. Disabled by default.").default_value("0"))
        .define(s(HEARTBEAT_PREFIX, "The prefix that is used to name heartbeat topics.").default_value("__debezium-heartbeat"))
        .define(s(HEARTBEAT_ACTION_QUERY, "The query executed with every heartbeat.").default_null())
        // Smaller than Debezium's 2048/8192 on purpose: the worker already holds up to
        // `sluice.source.max.in.flight.records` records awaiting acknowledgement, so a deep queue
        // here only adds memory. Measured (bench/pg_source.sh, 1 M-row snapshot, Avro): 8192 →
        // 84.9 k events/s, 167 MB peak RSS; 2048 → 93.4 k events/s, 143 MB.
        .define(ConfigKey::new(MAX_BATCH_SIZE, ConfigType::Int, "Maximum size of each batch of source records (Sluice's default 1024; Debezium's 2048).").default_value("1024"))
        .define(ConfigKey::new(MAX_QUEUE_SIZE, ConfigType::Int, "Maximum size of the queue for change events read from the database log but not yet recorded or forwarded (Sluice's default 2048; Debezium's 8192).").default_value("2048"))
        .define(ConfigKey::new(STATUS_UPDATE_INTERVAL, ConfigType::Int, "Frequency for sending replication connection status updates to the server, given in milliseconds.").default_value("10000"))
        .define(s(DECIMAL_MODE, "Specify how DECIMAL and NUMERIC columns should be represented in change events: precise, string, double.").default_value("precise").validator(mode_validator(&["precise", "string", "double"])))
        .define(s(TIME_MODE, "Time, date, and timestamps can be represented with different kinds of precisions: adaptive, adaptive_time_microseconds, connect.").default_value("adaptive").validator(mode_validator(&["adaptive", "adaptive_time_microseconds", "connect"])))
        .define(s(BINARY_MODE, "Specify how binary (blob, binary, etc.) columns should be represented in change events: bytes, base64, base64-url-safe, hex.").default_value("bytes").validator(mode_validator(&["bytes", "base64", "base64-url-safe", "hex"])))
        .define(s(HSTORE_MODE, "Specify how HSTORE columns should be represented in change events: json (a JSON string), map (a map of strings).").default_value("json").validator(mode_validator(&["json", "map"])))
        .define(ConfigKey::new(MONEY_FRACTION_DIGITS, ConfigType::Short, "Number of fractional digits when money type is converted to 'precise' decimal number.").default_value("2"))
        .define(ConfigKey::new(INCLUDE_UNKNOWN, ConfigType::Boolean, "Specify whether the fields of data type not supported by Debezium should be processed: 'false' (the default) omits them; 'true' converts the field into an implementation dependent binary representation.").default_value("false"))
        .define(s(INTERVAL_MODE, "Specify how INTERVAL columns should be represented in change events: numeric, string.").default_value("numeric").validator(mode_validator(&["numeric", "string"])))
        .define(s(UNAVAILABLE_PLACEHOLDER, "Specify the constant that will be provided by Debezium to indicate that the original value is unavailable and not provided by the database.").default_value("__debezium_unavailable_value"));
    def = def.define(ConfigKey::new(SLOT_LAG_WARN_BYTES, ConfigType::Long, "Log a warning naming the replication slot when it retains more WAL than this many bytes (checked every 10 seconds); 0 never warns.").default_value("0").validator(Validator::Range { min: Some(0.0), max: None }).importance(Importance::Low));
    def = def.define(ConfigKey::new(OFFSETS_EVERY_EVENTS, ConfigType::Int, "A streamed change event carries its source position at least once per this many events, and the last event of every transaction carries one; after a crash at most this many minus one acknowledged events of a transaction are sent again. 1 gives every event its position, as Debezium does.").default_value("64").validator(Validator::Range { min: Some(1.0), max: None }).importance(Importance::Low));
    for key in ACCEPTED_UNUSED {
        def = def.define(s(key, "Accepted for compatibility with Debezium; Sluice does not change its behaviour on it.").default_null().importance(Importance::Low));
    }
    def
}

fn bad(key: &str, value: &str, why: &str) -> sluice_api::Error {
    sluice_api::Error::Config {
        key: key.to_string(),
        message: format!("'{value}': {why}"),
    }
}

impl PostgresConfig {
    /// Parses and checks `props`; an error names the key and says what to change.
    pub fn parse(props: &Properties) -> sluice_api::Result<PostgresConfig> {
        let p: ParsedConfig = config_def().parse(props)?;
        let string = |k: &str| p.string(k).unwrap_or_default().to_string();
        let int = |k: &str| p.long(k).unwrap_or_default();
        let plugin = string(PLUGIN_NAME);
        if plugin != "pgoutput" {
            return Err(bad(
                PLUGIN_NAME,
                &plugin,
                "Sluice streams with the built-in pgoutput plugin only; set plugin.name=pgoutput",
            ));
        }
        let tls = tls_options(&p)?;
        let port = u16::try_from(int(PORT))
            .map_err(|_| bad(PORT, &int(PORT).to_string(), "not a TCP port"))?;
        let mut connection = PgConnectionConfig::new(
            string(HOSTNAME),
            port,
            string(USER),
            p.string(PASSWORD).unwrap_or_default(),
            string(DBNAME),
        );
        connection.application_name = "sluice".into();
        connection.tls = tls;
        let publication_mode = match string(PUBLICATION_AUTOCREATE).as_str() {
            "all_tables" => PublicationMode::AllTables,
            "filtered" => PublicationMode::Filtered,
            "disabled" => PublicationMode::Disabled,
            other => {
                return Err(bad(
                    PUBLICATION_AUTOCREATE,
                    other,
                    "supported values are all_tables, filtered and disabled",
                ));
            }
        };
        let snapshot_mode = SnapshotMode::parse(&string(SNAPSHOT_MODE)).ok_or_else(|| {
            bad(
                SNAPSHOT_MODE,
                &string(SNAPSHOT_MODE),
                "unknown snapshot mode",
            )
        })?;
        let mut skipped = Skipped::default();
        for op in p.list(SKIPPED_OPERATIONS).unwrap_or_default() {
            match op.trim() {
                "c" => skipped.create = true,
                "u" => skipped.update = true,
                "d" => skipped.delete = true,
                "t" => skipped.truncate = true,
                "none" | "" => {}
                other => {
                    return Err(bad(
                        SKIPPED_OPERATIONS,
                        other,
                        "expected c, u, d, t or none",
                    ));
                }
            }
        }
        let mut message_key_columns = Vec::new();
        for entry in string(MESSAGE_KEY_COLUMNS)
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (table, cols) = entry.split_once(':').ok_or_else(|| {
                bad(
                    MESSAGE_KEY_COLUMNS,
                    entry,
                    "expected <schema.table regex>:<column>[,<column>…]",
                )
            })?;
            let re = Regex::new(&format!("(?i)^(?:{})$", table.trim()))
                .map_err(|e| bad(MESSAGE_KEY_COLUMNS, table, &e.to_string()))?;
            message_key_columns.push((
                re,
                cols.split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
            ));
        }
        let message_prefix_include =
            Patterns::parse(MESSAGE_PREFIX_INCLUDE, p.list(MESSAGE_PREFIX_INCLUDE))?;
        let message_prefix_exclude =
            Patterns::parse(MESSAGE_PREFIX_EXCLUDE, p.list(MESSAGE_PREFIX_EXCLUDE))?;
        if !message_prefix_include.is_empty() && !message_prefix_exclude.is_empty() {
            return Err(bad(
                MESSAGE_PREFIX_EXCLUDE,
                &string(MESSAGE_PREFIX_EXCLUDE),
                "cannot be used together with message.prefix.include.list; keep one of the two",
            ));
        }
        let mut snapshot_overrides = Vec::new();
        for table in p.list(SNAPSHOT_OVERRIDES).unwrap_or_default() {
            let key = format!("{SNAPSHOT_OVERRIDES}.{table}");
            let query = props
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.as_ref())
                .filter(|q| !q.trim().is_empty())
                .ok_or_else(|| {
                    bad(
                        SNAPSHOT_OVERRIDES,
                        table,
                        &format!("no query given in '{key}'"),
                    )
                })?;
            snapshot_overrides.push((table.clone(), query.clone()));
        }
        let positive = |k: &str| -> sluice_api::Result<usize> {
            let v = int(k);
            usize::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| bad(k, &v.to_string(), "must be a positive number"))
        };
        let heartbeat_ms = int(HEARTBEAT_INTERVAL);
        let modes = TypeModes {
            decimal: DecimalMode::parse(&string(DECIMAL_MODE)).unwrap_or(DecimalMode::Precise),
            time: TimePrecisionMode::parse(&string(TIME_MODE))
                .unwrap_or(TimePrecisionMode::Adaptive),
            binary: BinaryMode::parse(&string(BINARY_MODE)).unwrap_or(BinaryMode::Bytes),
            interval: IntervalMode::parse(&string(INTERVAL_MODE)).unwrap_or(IntervalMode::Numeric),
            hstore: HstoreMode::parse(&string(HSTORE_MODE)).unwrap_or(HstoreMode::Json),
            money_fraction_digits: i32::try_from(int(MONEY_FRACTION_DIGITS)).unwrap_or(2),
            include_unknown: p.boolean(INCLUDE_UNKNOWN).unwrap_or(false),
        };
        Ok(PostgresConfig {
            connection,
            prefix: string(TOPIC_PREFIX),
            delimiter: string(TOPIC_DELIMITER),
            transaction_topic_suffix: string(TOPIC_TRANSACTION),
            slot: string(SLOT_NAME),
            drop_slot_on_stop: p.boolean(SLOT_DROP_ON_STOP).unwrap_or(false),
            publication: string(PUBLICATION_NAME),
            publication_mode,
            schema_include: Patterns::parse(SCHEMA_INCLUDE, p.list(SCHEMA_INCLUDE))?,
            schema_exclude: Patterns::parse(SCHEMA_EXCLUDE, p.list(SCHEMA_EXCLUDE))?,
            table_include: Patterns::parse(TABLE_INCLUDE, p.list(TABLE_INCLUDE))?,
            table_exclude: Patterns::parse(TABLE_EXCLUDE, p.list(TABLE_EXCLUDE))?,
            column_include: Patterns::parse(COLUMN_INCLUDE, p.list(COLUMN_INCLUDE))?,
            column_exclude: Patterns::parse(COLUMN_EXCLUDE, p.list(COLUMN_EXCLUDE))?,
            message_key_columns,
            message_prefix_include,
            message_prefix_exclude,
            snapshot_mode,
            snapshot_fetch_size: positive(SNAPSHOT_FETCH_SIZE)?,
            snapshot_overrides,
            tombstones_on_delete: p.boolean(TOMBSTONES_ON_DELETE).unwrap_or(true),
            skipped,
            transaction_metadata: p.boolean(PROVIDE_TRANSACTION_METADATA).unwrap_or(false),
            heartbeat_interval: (heartbeat_ms > 0)
                .then(|| Duration::from_millis(heartbeat_ms.unsigned_abs())),
            heartbeat_prefix: string(HEARTBEAT_PREFIX),
            heartbeat_action_query: p
                .string(HEARTBEAT_ACTION_QUERY)
                .filter(|q| !q.trim().is_empty())
                .map(str::to_string),
            max_batch_size: positive(MAX_BATCH_SIZE)?,
            max_queue_size: positive(MAX_QUEUE_SIZE)?,
            status_interval: Duration::from_millis(
                u64::try_from(int(STATUS_UPDATE_INTERVAL))
                    .unwrap_or(10_000)
                    .max(100),
            ),
            modes,
            unavailable_placeholder: string(UNAVAILABLE_PLACEHOLDER),
            slot_lag_warn_bytes: u64::try_from(int(SLOT_LAG_WARN_BYTES))
                .ok()
                .filter(|b| *b > 0),
            offsets_every_events: u32::try_from(int(OFFSETS_EVERY_EVENTS))
                .unwrap_or(64)
                .max(1),
        })
    }

    /// Whether `schema.table` is captured under the include/exclude lists.
    pub fn captures(&self, schema: &str, table: &str) -> bool {
        if matches!(schema, "pg_catalog" | "information_schema") || schema.starts_with("pg_toast") {
            return false;
        }
        let qualified = format!("{schema}.{table}");
        (self.schema_include.is_empty() || self.schema_include.matches(schema))
            && !self.schema_exclude.matches(schema)
            && (self.table_include.is_empty() || self.table_include.matches(&qualified))
            && !self.table_exclude.matches(&qualified)
    }

    /// Whether logical decoding messages with `prefix` are emitted: those matching
    /// `message.prefix.include.list` when it is set, else those not matching the exclude list.
    pub fn emits_message(&self, prefix: &str) -> bool {
        if self.message_prefix_include.is_empty() {
            !self.message_prefix_exclude.matches(prefix)
        } else {
            self.message_prefix_include.matches(prefix)
        }
    }

    /// Whether column `column` of `schema.table` is kept under the column lists.
    pub fn keeps_column(&self, schema: &str, table: &str, column: &str) -> bool {
        let qualified = format!("{schema}.{table}.{column}");
        (self.column_include.is_empty() || self.column_include.matches(&qualified))
            && !self.column_exclude.matches(&qualified)
    }

    /// The snapshot query override for `schema.table`, if any.
    pub fn snapshot_override(&self, schema: &str, table: &str) -> Option<&str> {
        let qualified = format!("{schema}.{table}");
        self.snapshot_overrides
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(&qualified))
            .map(|(_, q)| q.as_str())
    }

    /// The `message.key.columns` key of `schema.table`, if configured.
    pub fn message_key(&self, schema: &str, table: &str) -> Option<&[String]> {
        let qualified = format!("{schema}.{table}");
        self.message_key_columns
            .iter()
            .find(|(re, _)| re.is_match(&qualified))
            .map(|(_, cols)| cols.as_slice())
    }
}

/// The TLS settings of `database.ssl*`, checked (files readable and usable) so that a mistake
/// is a validation error naming the key.
fn tls_options(p: &ParsedConfig) -> sluice_api::Result<TlsOptions> {
    let text = |k: &str| {
        p.string(k)
            .map(str::to_string)
            .filter(|v| !v.trim().is_empty())
    };
    let sslmode = text(SSLMODE).unwrap_or_else(|| "prefer".into());
    let mut mode = TlsMode::parse(&sslmode).ok_or_else(|| {
        bad(
            SSLMODE,
            &sslmode,
            "use disable, allow, prefer, require, verify-ca or verify-full",
        )
    })?;
    if p.string(SSLPASSWORD).is_some_and(|v| !v.is_empty()) {
        return Err(bad(
            SSLPASSWORD,
            "[hidden]",
            "encrypted client keys are not supported; decrypt the key (`openssl pkey -in key.enc -out key.pem`), point database.sslkey at it and remove database.sslpassword",
        ));
    }
    match text(SSLFACTORY).as_deref() {
        None => {}
        Some("org.postgresql.ssl.NonValidatingFactory") => {
            // pgjdbc's factory that trusts any certificate: encryption stays, checks go.
            if matches!(mode, TlsMode::VerifyCa | TlsMode::VerifyFull) {
                mode = TlsMode::Require;
            }
        }
        Some(other) => {
            return Err(bad(
                SSLFACTORY,
                other,
                "Sluice has no Java socket factories; remove it and use database.sslmode with database.sslrootcert (or org.postgresql.ssl.NonValidatingFactory to skip certificate checks)",
            ));
        }
    }
    let options = TlsOptions {
        mode,
        root_cert: text(SSLROOTCERT).map(Into::into),
        client_cert: text(SSLCERT).map(Into::into),
        client_key: text(SSLKEY).map(Into::into),
    };
    options.check().map_err(|problem| {
        bad(
            problem.key,
            &text(problem.key).unwrap_or_default(),
            &problem.detail,
        )
    })?;
    Ok(options)
}
