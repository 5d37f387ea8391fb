//! The configuration of one sink task, read from the connector's configuration and the worker's
//! properties with Kafka Connect's key names and defaults (`SinkConnectorConfig`,
//! `ConnectorConfig`'s `errors.*` group, `WorkerConfig`'s `offset.flush.interval.ms`).
//!
//! Precedence follows Kafka Connect: a converter set in the connector configuration wins over the
//! worker's (and then its `key.converter.*` properties come from the connector configuration
//! too); `consumer.override.*` and `producer.override.*` win over the worker's `consumer.*` and
//! `producer.*`. `max.poll.records` is a Java consumer property librdkafka does not know: it is
//! taken out of the client properties and bounds the runner's batches instead.

use std::collections::BTreeMap;
use std::time::Duration;

use sluice_api::connector::Properties as ConnectorProperties;

use crate::kafka::Properties;
use crate::{Error, Result};

/// `topics`: the comma-separated topics to consume.
pub const TOPICS_CONFIG: &str = "topics";
/// `topics.regex`: a regular expression of the topics to consume.
pub const TOPICS_REGEX_CONFIG: &str = "topics.regex";
/// `offset.flush.interval.ms`: how often offsets are committed (a worker property in Kafka;
/// the connector configuration may override it here).
pub const OFFSET_FLUSH_INTERVAL_CONFIG: &str = "offset.flush.interval.ms";
/// `max.poll.records`: the largest batch given to one `put` (Kafka's consumer property).
pub const MAX_POLL_RECORDS_CONFIG: &str = "max.poll.records";
/// `errors.retry.timeout`: how long a retriable failure is retried, in ms (`-1`: forever).
pub const ERRORS_RETRY_TIMEOUT_CONFIG: &str = "errors.retry.timeout";
/// `errors.retry.delay.max.ms`: the longest pause between two retries.
pub const ERRORS_RETRY_DELAY_MAX_CONFIG: &str = "errors.retry.delay.max.ms";
/// `errors.tolerance`: `none` (fail the task) or `all` (skip the record).
pub const ERRORS_TOLERANCE_CONFIG: &str = "errors.tolerance";
/// `errors.log.enable`: log every failed record.
pub const ERRORS_LOG_ENABLE_CONFIG: &str = "errors.log.enable";
/// `errors.log.include.messages`: include the record's coordinates and bytes in that log.
pub const ERRORS_LOG_INCLUDE_MESSAGES_CONFIG: &str = "errors.log.include.messages";
/// `errors.deadletterqueue.topic.name`: where failed records go (empty: nowhere).
pub const DLQ_TOPIC_CONFIG: &str = "errors.deadletterqueue.topic.name";
/// `errors.deadletterqueue.topic.replication.factor`: used when the worker creates that topic.
pub const DLQ_REPLICATION_FACTOR_CONFIG: &str = "errors.deadletterqueue.topic.replication.factor";
/// `errors.deadletterqueue.context.headers.enable`: add the `__connect.errors.*` headers.
pub const DLQ_CONTEXT_HEADERS_CONFIG: &str = "errors.deadletterqueue.context.headers.enable";

const CONSUMER_OVERRIDE_PREFIX: &str = "consumer.override.";
const PRODUCER_OVERRIDE_PREFIX: &str = "producer.override.";

/// Which topics the task consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicSelection {
    /// An explicit list (`topics`).
    List(Vec<String>),
    /// A regular expression (`topics.regex`), anchored as Java's `Pattern.matcher().matches()`.
    Regex(String),
}

/// Whether failed records are tolerated (`errors.tolerance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tolerance {
    /// The first failed record fails the task (Kafka's default).
    #[default]
    None,
    /// Failed records are skipped (and reported to the log and the dead-letter queue).
    All,
}

/// The `errors.*` group of a sink connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorsConfig {
    /// `errors.tolerance`.
    pub tolerance: Tolerance,
    /// `errors.retry.timeout`; `None` retries forever (`-1`), zero never retries.
    pub retry_timeout: Option<Duration>,
    /// `errors.retry.delay.max.ms`.
    pub retry_delay_max: Duration,
    /// `errors.log.enable`.
    pub log_enable: bool,
    /// `errors.log.include.messages`.
    pub log_include_messages: bool,
    /// `errors.deadletterqueue.topic.name`, `None` when empty.
    pub dlq_topic: Option<String>,
    /// `errors.deadletterqueue.topic.replication.factor`.
    pub dlq_replication_factor: i32,
    /// `errors.deadletterqueue.context.headers.enable`.
    pub dlq_context_headers: bool,
}

/// A converter choice: its class name and its properties (prefix removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConverterSpec {
    /// The class as configured (a Java class name or Sluice's short name).
    pub class: String,
    /// Its properties (`key.converter.schemas.enable` → `schemas.enable`).
    pub configs: BTreeMap<String, String>,
}

/// Everything the sink runner needs, validated.
#[derive(Debug, Clone)]
pub struct SinkTaskConfig {
    /// The connector's name (`name`).
    pub connector: String,
    /// The consumer group: `consumer.override.group.id`, else `connect-<connector>`.
    pub group_id: String,
    /// The topics.
    pub topics: TopicSelection,
    /// `key.converter`.
    pub key_converter: ConverterSpec,
    /// `value.converter`.
    pub value_converter: ConverterSpec,
    /// `header.converter`.
    pub header_converter: ConverterSpec,
    /// The consumer's properties on top of the worker's (`consumer.override.*`, plus
    /// `enable.auto.commit=false`).
    pub consumer_overrides: Properties,
    /// The dead-letter-queue producer's overrides (`producer.override.*`).
    pub producer_overrides: Properties,
    /// `offset.flush.interval.ms` (default 60 s).
    pub offset_flush_interval: Duration,
    /// `max.poll.records` (default 500): the largest batch given to `put`.
    pub max_poll_records: usize,
    /// The `errors.*` group.
    pub errors: ErrorsConfig,
}

/// Connector properties as a map: last value wins, `null` is unset.
pub(crate) fn connector_map(props: &ConnectorProperties) -> BTreeMap<String, String> {
    props
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
        .collect()
}

fn invalid(key: &str, message: impl Into<String>) -> Error {
    Error::Config {
        key: key.to_string(),
        message: message.into(),
    }
}

fn parse_bool(map: &BTreeMap<String, String>, key: &str, default: bool) -> Result<bool> {
    match map.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(v) => Err(invalid(
            key,
            format!("'{v}' is not a boolean; use true or false"),
        )),
    }
}

fn parse_i64(map: &BTreeMap<String, String>, key: &str, default: i64) -> Result<i64> {
    match map.get(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| invalid(key, format!("'{v}' is not a whole number"))),
    }
}

fn millis(key: &str, v: i64) -> Result<Duration> {
    u64::try_from(v).map(Duration::from_millis).map_err(|_| {
        invalid(
            key,
            format!("{v} is negative; use a number of milliseconds"),
        )
    })
}

impl SinkTaskConfig {
    /// Reads and validates the configuration of a task of connector `connector_config` on a
    /// worker with properties `worker`. Fails with [`Error::Config`] naming the key to fix.
    pub fn parse(connector_config: &ConnectorProperties, worker: &Properties) -> Result<Self> {
        let map = connector_map(connector_config);
        let connector = map
            .get("name")
            .filter(|n| !n.trim().is_empty())
            .cloned()
            .ok_or_else(|| invalid("name", "missing; every connector needs a name"))?;
        let topics = topic_selection(&map)?;

        let mut consumer_overrides: Properties = map
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(CONSUMER_OVERRIDE_PREFIX)
                    .map(|k| (k.to_string(), v.clone()))
            })
            .collect();
        let producer_overrides: Properties = map
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(PRODUCER_OVERRIDE_PREFIX)
                    .map(|k| (k.to_string(), v.clone()))
            })
            .collect();
        let group_id = consumer_overrides
            .remove("group.id")
            .unwrap_or_else(|| format!("connect-{connector}"));
        // The runner commits only what pre_commit answers: never let the client commit.
        consumer_overrides.insert("enable.auto.commit".into(), "false".into());
        consumer_overrides.insert("enable.auto.offset.store".into(), "false".into());

        let max_poll_key = format!("consumer.{MAX_POLL_RECORDS_CONFIG}");
        let max_poll = match consumer_overrides.remove(MAX_POLL_RECORDS_CONFIG) {
            Some(v) => Some((
                format!("{CONSUMER_OVERRIDE_PREFIX}{MAX_POLL_RECORDS_CONFIG}"),
                v,
            )),
            None => worker.get(&max_poll_key).map(|v| (max_poll_key, v.clone())),
        };
        let max_poll_records = match max_poll {
            None => 500,
            Some((key, v)) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => return Err(invalid(&key, format!("'{v}' is not a positive number"))),
            },
        };

        let flush_key = OFFSET_FLUSH_INTERVAL_CONFIG;
        let flush_ms = match map.get(flush_key).or_else(|| worker.get(flush_key)) {
            None => 60_000,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map_err(|_| invalid(flush_key, format!("'{v}' is not a whole number")))?,
        };
        let offset_flush_interval = millis(flush_key, flush_ms)?;

        Ok(SinkTaskConfig {
            key_converter: converter_spec(&map, worker, "key.converter", "JsonConverter"),
            value_converter: converter_spec(&map, worker, "value.converter", "JsonConverter"),
            header_converter: converter_spec(
                &map,
                worker,
                "header.converter",
                "SimpleHeaderConverter",
            ),
            errors: errors_config(&map)?,
            connector,
            group_id,
            topics,
            consumer_overrides,
            producer_overrides,
            offset_flush_interval,
            max_poll_records,
        })
    }

    /// The worker properties the consumer is built from: `consumer.max.poll.records` removed,
    /// since librdkafka would reject it.
    pub fn consumer_worker_properties(&self, worker: &Properties) -> Properties {
        let mut worker = worker.clone();
        worker.remove(&format!("consumer.{MAX_POLL_RECORDS_CONFIG}"));
        worker
    }
}

fn topic_selection(map: &BTreeMap<String, String>) -> Result<TopicSelection> {
    let list: Vec<String> = map
        .get(TOPICS_CONFIG)
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let regex = map
        .get(TOPICS_REGEX_CONFIG)
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    match (list.is_empty(), regex) {
        (false, None) => Ok(TopicSelection::List(list)),
        (true, Some(r)) => Ok(TopicSelection::Regex(r)),
        (false, Some(_)) => Err(invalid(
            TOPICS_CONFIG,
            "'topics' and 'topics.regex' are both set; a sink connector takes exactly one of them",
        )),
        (true, None) => Err(invalid(
            TOPICS_CONFIG,
            "missing; set 'topics' (a comma-separated list) or 'topics.regex' for a sink connector",
        )),
    }
}

/// The connector's converter when it sets one (with its own prefixed properties), else the
/// worker's, else `default`.
fn converter_spec(
    map: &BTreeMap<String, String>,
    worker: &Properties,
    key: &str,
    default: &str,
) -> ConverterSpec {
    let source = if map.contains_key(key) { map } else { worker };
    let prefix = format!("{key}.");
    ConverterSpec {
        class: source
            .get(key)
            .map(|c| c.trim().to_string())
            .unwrap_or_else(|| default.to_string()),
        configs: source
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_string(), v.clone())))
            .collect(),
    }
}

fn errors_config(map: &BTreeMap<String, String>) -> Result<ErrorsConfig> {
    let tolerance = match map
        .get(ERRORS_TOLERANCE_CONFIG)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("none") => Tolerance::None,
        Some("all") => Tolerance::All,
        Some(other) => {
            return Err(invalid(
                ERRORS_TOLERANCE_CONFIG,
                format!("'{other}' is not one of none, all"),
            ));
        }
    };
    let retry_ms = parse_i64(map, ERRORS_RETRY_TIMEOUT_CONFIG, 0)?;
    let retry_timeout = match retry_ms {
        -1 => None,
        ms => Some(millis(ERRORS_RETRY_TIMEOUT_CONFIG, ms)?),
    };
    let delay_ms = parse_i64(map, ERRORS_RETRY_DELAY_MAX_CONFIG, 60_000)?;
    let dlq_replication_factor = parse_i64(map, DLQ_REPLICATION_FACTOR_CONFIG, 3)?;
    let dlq_replication_factor = i32::try_from(dlq_replication_factor)
        .ok()
        .filter(|rf| *rf >= 1 || *rf == -1)
        .ok_or_else(|| {
            invalid(
                DLQ_REPLICATION_FACTOR_CONFIG,
                "must be -1 (the broker's default) or at least 1",
            )
        })?;
    Ok(ErrorsConfig {
        tolerance,
        retry_timeout,
        retry_delay_max: millis(ERRORS_RETRY_DELAY_MAX_CONFIG, delay_ms)?,
        log_enable: parse_bool(map, ERRORS_LOG_ENABLE_CONFIG, false)?,
        log_include_messages: parse_bool(map, ERRORS_LOG_INCLUDE_MESSAGES_CONFIG, false)?,
        dlq_topic: map
            .get(DLQ_TOPIC_CONFIG)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        dlq_replication_factor,
        dlq_context_headers: parse_bool(map, DLQ_CONTEXT_HEADERS_CONFIG, false)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> ConnectorProperties {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect()
    }

    #[test]
    fn defaults_and_overrides() {
        let worker: Properties = [
            ("bootstrap.servers".to_string(), "b:9092".to_string()),
            ("consumer.max.poll.records".to_string(), "100".to_string()),
            ("value.converter".to_string(), "StringConverter".to_string()),
        ]
        .into();
        let c = SinkTaskConfig::parse(
            &props(&[
                ("name", "files"),
                ("topics", "a, b"),
                ("key.converter", "JsonConverter"),
                ("key.converter.schemas.enable", "false"),
                ("errors.tolerance", "all"),
                ("consumer.override.session.timeout.ms", "10000"),
            ]),
            &worker,
        )
        .unwrap();
        assert_eq!(c.group_id, "connect-files");
        assert_eq!(c.topics, TopicSelection::List(vec!["a".into(), "b".into()]));
        assert_eq!(c.max_poll_records, 100);
        assert_eq!(c.value_converter.class, "StringConverter");
        assert_eq!(c.key_converter.configs["schemas.enable"], "false");
        assert_eq!(c.header_converter.class, "SimpleHeaderConverter");
        assert_eq!(c.errors.tolerance, Tolerance::All);
        assert_eq!(c.errors.retry_timeout, Some(Duration::ZERO));
        assert_eq!(c.offset_flush_interval, Duration::from_secs(60));
        assert_eq!(c.consumer_overrides["session.timeout.ms"], "10000");
        assert_eq!(c.consumer_overrides["enable.auto.commit"], "false");
        assert!(
            !c.consumer_worker_properties(&worker)
                .contains_key("consumer.max.poll.records")
        );
    }

    #[test]
    fn topics_are_required_once() {
        let worker = Properties::new();
        let e = SinkTaskConfig::parse(&props(&[("name", "x")]), &worker).unwrap_err();
        assert!(e.to_string().contains("topics.regex"), "{e}");
        let e = SinkTaskConfig::parse(
            &props(&[("name", "x"), ("topics", "a"), ("topics.regex", "a.*")]),
            &worker,
        )
        .unwrap_err();
        assert!(e.to_string().contains("exactly one"), "{e}");
        let e = SinkTaskConfig::parse(
            &props(&[("name", "x"), ("topics", "a"), ("errors.tolerance", "some")]),
            &worker,
        )
        .unwrap_err();
        assert!(e.to_string().contains("errors.tolerance"), "{e}");
    }
}
