//! The keys Kafka Connect defines for every connector, whatever its plugin: its
//! `ConnectorConfig` ("Common", "Transforms", "Predicates" and "Error Handling" groups) and the
//! source connectors' (`SourceConnectorConfig`: topic creation, exactly-once support, offsets
//! topic) or sink connectors' (`SinkConnectorConfig`: topics, dead letter queue) additions, in
//! Kafka's order, with Kafka's documentation (part of the REST contract, so kept verbatim).
//!
//! `GET /connector-plugins/{p}/config` shows the plugin's keys followed by these (a key the
//! plugin defines itself keeps the plugin's definition); `config/validate` checks these first,
//! then the plugin's, as Kafka's `AbstractHerder` does (see `validation`).

use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator, Width};
use sluice_api::connector::ConnectorKind;

use super::converters::{check_header_converter, check_record_converter};

/// `connector.plugin.version`.
pub const CONNECTOR_PLUGIN_VERSION: &str = "connector.plugin.version";

/// A key's default.
#[derive(Debug, Clone, Copy)]
enum KeyDefault {
    /// No default: the key must be set.
    Required,
    /// Optional, `null` by default.
    Null,
    /// This value.
    Value(&'static str),
}

/// One key as Kafka defines it.
#[derive(Debug, Clone)]
struct KafkaKey {
    name: &'static str,
    ty: ConfigType,
    default: KeyDefault,
    importance: Importance,
    group: &'static str,
    order: i32,
    width: Width,
    display_name: &'static str,
    validator: Option<Validator>,
    documentation: &'static str,
}

impl KafkaKey {
    fn config_key(&self) -> ConfigKey {
        let key = ConfigKey::new(self.name, self.ty, self.documentation)
            .importance(self.importance)
            .display(self.group, self.order, self.width, self.display_name);
        let mut key = match self.default {
            KeyDefault::Required => key,
            KeyDefault::Null => key.default_null(),
            KeyDefault::Value(v) => key.default_value(v),
        };
        key.validator = self.validator.clone();
        key
    }
}

/// Kafka's check of a `CaseInsensitiveValidString` (which, unlike a recommender, suggests no
/// values in `config/validate` answers).
fn one_of(raw: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(raw.trim())) {
        Ok(())
    } else {
        Err(format!(
            "String must be one of (case insensitive): {}",
            allowed.join(", ")
        ))
    }
}

fn reload_action(raw: &str) -> Result<(), String> {
    one_of(raw, &["none", "restart"])
}

fn tolerance(raw: &str) -> Result<(), String> {
    one_of(raw, &["none", "all"])
}

fn exactly_once_support(raw: &str) -> Result<(), String> {
    one_of(raw, &["requested", "required"])
}

fn transaction_boundary(raw: &str) -> Result<(), String> {
    one_of(raw, &["poll", "interval", "connector"])
}

/// The keys of a connector of `kind`, in Kafka's order; `connector.plugin.version` defaults to
/// `plugin_version`.
pub fn connector_keys(kind: ConnectorKind, plugin_version: &str) -> ConfigDef {
    let specific = match kind {
        ConnectorKind::Source => source_keys(),
        ConnectorKind::Sink => sink_keys(),
    };
    let def = common_keys()
        .iter()
        .chain(&specific)
        .fold(ConfigDef::new(), |def, k| def.define(k.config_key()));
    let version = def
        .key(CONNECTOR_PLUGIN_VERSION)
        .cloned()
        .map(|k| k.default_value(plugin_version));
    match version {
        Some(k) => def.define(k),
        None => def,
    }
}

/// Kafka's `ConnectorConfig` keys.
#[rustfmt::skip]
fn common_keys() -> Vec<KafkaKey> {
    vec![
    KafkaKey { name: "name", ty: ConfigType::String, default: KeyDefault::Required, importance: Importance::High,
        group: "Common", order: 1, width: Width::Medium, display_name: "Connector name",
        validator: Some(Validator::NonEmptyString),
        documentation: "Globally unique name to use for this connector." },
    KafkaKey { name: "connector.class", ty: ConfigType::String, default: KeyDefault::Required, importance: Importance::High,
        group: "Common", order: 2, width: Width::Long, display_name: "Connector class",
        validator: None,
        documentation: "Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter" },
    KafkaKey { name: "connector.plugin.version", ty: ConfigType::String, default: KeyDefault::Null, importance: Importance::Medium,
        group: "Common", order: 3, width: Width::Medium, display_name: "Connector version",
        validator: None,
        documentation: "Version of the connector." },
    KafkaKey { name: "tasks.max", ty: ConfigType::Int, default: KeyDefault::Value("1"), importance: Importance::High,
        group: "Common", order: 4, width: Width::Short, display_name: "Tasks max",
        validator: Some(Validator::Range { min: Some(1.0), max: None }),
        documentation: "Maximum number of tasks to use for this connector." },
    KafkaKey { name: "tasks.max.enforce", ty: ConfigType::Boolean, default: KeyDefault::Value("true"), importance: Importance::Low,
        group: "Common", order: 5, width: Width::Short, display_name: "Enforce tasks max",
        validator: None,
        documentation: "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release." },
    KafkaKey { name: "key.converter", ty: ConfigType::Class, default: KeyDefault::Null, importance: Importance::Low,
        group: "Common", order: 6, width: Width::Short, display_name: "Key converter class",
        validator: Some(Validator::Custom(check_record_converter)),
        documentation: "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro." },
    KafkaKey { name: "key.converter.plugin.version", ty: ConfigType::String, default: KeyDefault::Null, importance: Importance::Low,
        group: "Common", order: 7, width: Width::Short, display_name: "Key converter version",
        validator: None,
        documentation: "Version of the key converter." },
    KafkaKey { name: "value.converter", ty: ConfigType::Class, default: KeyDefault::Null, importance: Importance::Low,
        group: "Common", order: 8, width: Width::Short, display_name: "Value converter class",
        validator: Some(Validator::Custom(check_record_converter)),
        documentation: "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro." },
    KafkaKey { name: "value.converter.plugin.version", ty: ConfigType::String, default: KeyDefault::Null, importance: Importance::Low,
        group: "Common", order: 9, width: Width::Short, display_name: "Value converter version",
        validator: None,
        documentation: "Version of the value converter." },
    KafkaKey { name: "header.converter", ty: ConfigType::Class, default: KeyDefault::Null, importance: Importance::Low,
        group: "Common", order: 10, width: Width::Short, display_name: "Header converter class",
        validator: Some(Validator::Custom(check_header_converter)),
        documentation: "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas." },
    KafkaKey { name: "header.converter.plugin.version", ty: ConfigType::String, default: KeyDefault::Null, importance: Importance::Low,
        group: "Common", order: 11, width: Width::Short, display_name: "Header converter version",
        validator: None,
        documentation: "Version of the header converter." },
    KafkaKey { name: "transforms", ty: ConfigType::List, default: KeyDefault::Value(""), importance: Importance::Low,
        group: "Transforms", order: 12, width: Width::Long, display_name: "Transforms",
        validator: None,
        documentation: "Aliases for the transformations to be applied to records." },
    KafkaKey { name: "predicates", ty: ConfigType::List, default: KeyDefault::Value(""), importance: Importance::Low,
        group: "Predicates", order: 13, width: Width::Long, display_name: "Predicates",
        validator: None,
        documentation: "Aliases for the predicates used by transformations." },
    KafkaKey { name: "config.action.reload", ty: ConfigType::String, default: KeyDefault::Value("restart"), importance: Importance::Low,
        group: "Common", order: 14, width: Width::Medium, display_name: "Reload Action",
        validator: Some(Validator::Custom(reload_action)),
        documentation: "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with the updated configuration properties.The restart may actually be scheduled in the future if the external configuration provider indicates that a configuration value will expire in the future." },
    KafkaKey { name: "errors.retry.timeout", ty: ConfigType::Long, default: KeyDefault::Value("0"), importance: Importance::Medium,
        group: "Error Handling", order: 1, width: Width::Medium, display_name: "Retry Timeout for Errors",
        validator: None,
        documentation: "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries." },
    KafkaKey { name: "errors.retry.delay.max.ms", ty: ConfigType::Long, default: KeyDefault::Value("60000"), importance: Importance::Medium,
        group: "Error Handling", order: 2, width: Width::Medium, display_name: "Maximum Delay Between Retries for Errors",
        validator: None,
        documentation: "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues." },
    KafkaKey { name: "errors.tolerance", ty: ConfigType::String, default: KeyDefault::Value("none"), importance: Importance::Medium,
        group: "Error Handling", order: 3, width: Width::Short, display_name: "Error Tolerance",
        validator: Some(Validator::Custom(tolerance)),
        documentation: "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records." },
    KafkaKey { name: "errors.log.enable", ty: ConfigType::Boolean, default: KeyDefault::Value("false"), importance: Importance::Medium,
        group: "Error Handling", order: 4, width: Width::Short, display_name: "Log Errors",
        validator: None,
        documentation: "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported." },
    KafkaKey { name: "errors.log.include.messages", ty: ConfigType::Boolean, default: KeyDefault::Value("false"), importance: Importance::Medium,
        group: "Error Handling", order: 5, width: Width::Short, display_name: "Log Error Details",
        validator: None,
        documentation: "Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files." },
    ]
}

/// Kafka's `SourceConnectorConfig` additions.
#[rustfmt::skip]
fn source_keys() -> Vec<KafkaKey> {
    vec![
    KafkaKey { name: "topic.creation.groups", ty: ConfigType::List, default: KeyDefault::Value(""), importance: Importance::Low,
        group: "Topic Creation", order: 1, width: Width::Long, display_name: "Topic Creation Groups",
        validator: None,
        documentation: "Groups of configurations for topics created by source connectors" },
    KafkaKey { name: "exactly.once.support", ty: ConfigType::String, default: KeyDefault::Value("requested"), importance: Importance::Medium,
        group: "Exactly Once Support", order: 2, width: Width::Short, display_name: "Exactly once support",
        validator: Some(Validator::Custom(exactly_once_support)),
        documentation: "Permitted values are requested, required. If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to \"requested\". Additionally, if the value is set to \"required\" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail." },
    KafkaKey { name: "transaction.boundary", ty: ConfigType::String, default: KeyDefault::Value("poll"), importance: Importance::Medium,
        group: "Exactly Once Support", order: 3, width: Width::Short, display_name: "Transaction Boundary",
        validator: Some(Validator::Custom(transaction_boundary)),
        documentation: "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed." },
    KafkaKey { name: "transaction.boundary.interval.ms", ty: ConfigType::Long, default: KeyDefault::Null, importance: Importance::Low,
        group: "Exactly Once Support", order: 4, width: Width::Short, display_name: "Transaction boundary interval",
        validator: Some(Validator::Range { min: Some(0.0), max: None }),
        documentation: "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified." },
    KafkaKey { name: "offsets.storage.topic", ty: ConfigType::String, default: KeyDefault::Null, importance: Importance::Low,
        group: "offsets.topic", order: 1, width: Width::Long, display_name: "Offsets topic",
        validator: None,
        documentation: "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect." },
    ]
}

/// Kafka's `SinkConnectorConfig` additions.
#[rustfmt::skip]
fn sink_keys() -> Vec<KafkaKey> {
    vec![
    KafkaKey { name: "topics", ty: ConfigType::List, default: KeyDefault::Value(""), importance: Importance::High,
        group: "Common", order: 4, width: Width::Long, display_name: "Topics",
        validator: None,
        documentation: "List of topics to consume, separated by commas" },
    KafkaKey { name: "topics.regex", ty: ConfigType::String, default: KeyDefault::Value(""), importance: Importance::High,
        group: "Common", order: 4, width: Width::Long, display_name: "Topics regex",
        validator: None,
        documentation: "Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified." },
    KafkaKey { name: "errors.deadletterqueue.topic.name", ty: ConfigType::String, default: KeyDefault::Value(""), importance: Importance::Medium,
        group: "Error Handling", order: 6, width: Width::Medium, display_name: "Dead Letter Queue Topic Name",
        validator: None,
        documentation: "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ." },
    KafkaKey { name: "errors.deadletterqueue.topic.replication.factor", ty: ConfigType::Short, default: KeyDefault::Value("3"), importance: Importance::Medium,
        group: "Error Handling", order: 7, width: Width::Medium, display_name: "Dead Letter Queue Topic Replication Factor",
        validator: None,
        documentation: "Replication factor used to create the dead letter queue topic when it doesn't already exist." },
    KafkaKey { name: "errors.deadletterqueue.context.headers.enable", ty: ConfigType::Boolean, default: KeyDefault::Value("false"), importance: Importance::Medium,
        group: "Error Handling", order: 8, width: Width::Medium, display_name: "Enable Error Context Headers",
        validator: None,
        documentation: "If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>" },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(def: &ConfigDef) -> Vec<&str> {
        def.keys().iter().map(|k| k.name.as_str()).collect()
    }

    #[test]
    fn sources_and_sinks_add_their_keys_after_the_common_ones() {
        let source = connector_keys(ConnectorKind::Source, "3.6.3.Final");
        let sink = connector_keys(ConnectorKind::Sink, "0.1.0");
        assert_eq!(names(&source)[..2], ["name", "connector.class"]);
        assert_eq!(
            names(&source)[18..],
            [
                "errors.log.include.messages",
                "topic.creation.groups",
                "exactly.once.support",
                "transaction.boundary",
                "transaction.boundary.interval.ms",
                "offsets.storage.topic"
            ]
        );
        assert_eq!(names(&sink)[19..21], ["topics", "topics.regex"]);
        assert_eq!(
            source
                .key(CONNECTOR_PLUGIN_VERSION)
                .unwrap()
                .default
                .as_deref(),
            Some("3.6.3.Final")
        );
        assert!(sink.key("name").unwrap().required());
        assert_eq!(
            source.groups(),
            [
                "Common",
                "Transforms",
                "Predicates",
                "Error Handling",
                "Topic Creation",
                "Exactly Once Support",
                "offsets.topic"
            ]
        );
    }

    #[test]
    fn kafkas_value_checks_suggest_no_values() {
        let def = connector_keys(ConnectorKind::Source, "1");
        let props: std::collections::BTreeMap<String, String> = [
            ("name", "c"),
            ("connector.class", "X"),
            ("errors.tolerance", "ALL"),
            ("exactly.once.support", "sometimes"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let values = def.validate(&props);
        let of = |n: &str| values.iter().find(|v| v.name == n).unwrap();
        assert!(of("errors.tolerance").errors.is_empty(), "case-insensitive");
        assert_eq!(
            of("exactly.once.support").errors,
            [
                "Invalid value sometimes for configuration exactly.once.support: String must be one of (case insensitive): requested, required"
            ]
        );
        assert!(of("errors.tolerance").recommended_values.is_empty());
    }
}
