//! The worker's one error type.
//!
//! Every variant says whether retrying can help ([`Error::is_retriable`]): transient failures
//! (a broker not reachable yet, a coordinator moving, a timeout) are retried with backoff by the
//! caller; definite ones (a misconfigured internal topic, a property librdkafka does not know, a
//! broker that lacks an API we need) need the operator, and the message says what to change.

use std::path::PathBuf;
use std::time::Duration;

use kafka_protocol::ResponseError;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

/// Errors of the worker and its Kafka clients.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A Kafka client call failed.
    #[error("Kafka {operation} failed: {source}")]
    Kafka {
        /// What was being done ("create topic 'connect-offsets'", "produce", …).
        operation: String,
        /// The client's error.
        #[source]
        source: KafkaError,
    },

    /// A client property was rejected when building an rdkafka client.
    #[error(
        "invalid Kafka client property for the {client}: {source}. Fix or remove the property \
         (worker properties take it with the '{client}.' prefix, e.g. '{client}.linger.ms'); note \
         that Sluice uses librdkafka, which does not know some Java-only client properties"
    )]
    ClientConfig {
        /// Which client ("producer", "consumer", "admin").
        client: &'static str,
        /// librdkafka's error, naming the property.
        #[source]
        source: KafkaError,
    },

    /// A worker property is missing or invalid.
    #[error("invalid worker configuration '{key}': {message}")]
    Config {
        /// The property.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// The broker refused to create a topic.
    #[error(
        "could not create topic '{topic}': {code}. Create it yourself with cleanup.policy=compact \
         or fix the broker-side cause (replication factor above the number of brokers, missing \
         CreateTopics permission, …)"
    )]
    CreateTopic {
        /// The topic.
        topic: String,
        /// The broker's error code.
        code: RDKafkaErrorCode,
    },

    /// An existing internal topic is not compacted.
    #[error(
        "topic '{topic}' is used by the worker for its {purpose} but has cleanup.policy={policy}; \
         it must be exactly 'compact', or old records are deleted and the worker loses its \
         {purpose}. Change it with `kafka-configs.sh --bootstrap-server <broker> --alter \
         --entity-type topics --entity-name {topic} --add-config cleanup.policy=compact`, or point \
         the worker at a different topic"
    )]
    TopicNotCompacted {
        /// The topic.
        topic: String,
        /// What the worker keeps there ("connector configurations", "source offsets", …).
        purpose: String,
        /// Its current policy as the broker reports it (`delete`, `compact,delete`, …).
        policy: String,
    },

    /// An existing internal topic has the wrong number of partitions.
    #[error(
        "topic '{topic}' is used by the worker for its {purpose} and must have exactly \
         {expected} partition(s), but it has {actual}. Delete and recreate it, or point the worker \
         at a different topic"
    )]
    TopicPartitions {
        /// The topic.
        topic: String,
        /// What the worker keeps there.
        purpose: String,
        /// Required partition count.
        expected: i32,
        /// Actual partition count.
        actual: i32,
    },

    /// A broker describes a topic in a way the worker cannot use (missing from metadata, …).
    #[error("topic '{topic}': {message}")]
    Topic {
        /// The topic.
        topic: String,
        /// What is wrong.
        message: String,
    },

    /// A record could not be delivered.
    #[error("could not deliver a record to topic '{topic}': {source}")]
    Delivery {
        /// The topic.
        topic: String,
        /// The producer's error.
        #[source]
        source: KafkaError,
    },

    /// A network read or write with a broker failed.
    #[error("{operation} with broker {broker} failed: {source}")]
    Io {
        /// What was being done.
        operation: String,
        /// `host:port` of the broker.
        broker: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A broker's answer could not be encoded or decoded, or did not fit the request.
    #[error("Kafka protocol error in {operation} with broker {broker}: {message}")]
    Protocol {
        /// What was being done.
        operation: String,
        /// `host:port` of the broker.
        broker: String,
        /// What was wrong.
        message: String,
    },

    /// The broker does not support a version of an API this client can speak.
    #[error(
        "broker {broker} does not support {api} in a version this worker speaks (worker: \
         {ours}, broker: {theirs}); use a Kafka-compatible broker of version 2.4 or later"
    )]
    UnsupportedApi {
        /// `host:port` of the broker.
        broker: String,
        /// The API's name.
        api: &'static str,
        /// Our version range.
        ours: String,
        /// The broker's version range, or "none".
        theirs: String,
    },

    /// A broker answered a request with an error code.
    #[error("{operation} failed: broker error {error} ({})", .error.code())]
    Broker {
        /// What was being done.
        operation: String,
        /// The broker's error.
        error: ResponseError,
    },

    /// A store was used before `start()` or after `stop()`: a bug in the caller.
    #[error("the {store} is not running: call start() before using it (and not after stop())")]
    StoreNotRunning {
        /// Which store ("Kafka config store", …).
        store: &'static str,
    },

    /// Reading or writing the standalone offsets file failed.
    #[error(
        "could not {operation} the offsets file {}: {source}. Check that the directory exists and \
         is writable by the worker (offset.storage.file.filename)", .path.display()
    )]
    OffsetFile {
        /// The file (`offset.storage.file.filename`).
        path: PathBuf,
        /// What was being done ("read", "write", "replace", …).
        operation: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The standalone offsets file is not in Sluice's format.
    #[error(
        "the offsets file {} is not a Sluice offsets file (line {line}: {message}). A file written \
         by Java Kafka Connect (Java serialization) cannot be read; move it away to start the \
         source connectors from their initial position, or restore Sluice's file", .path.display()
    )]
    OffsetFileCorrupt {
        /// The file.
        path: PathBuf,
        /// The 1-based line that could not be read.
        line: usize,
        /// What was wrong.
        message: String,
    },

    /// A source record could not be converted to bytes by the task's converters.
    #[error(
        "could not convert the {what} of a record for topic '{topic}' ({record}): {source}. Fix \
         the connector's converter settings or the data, or set errors.tolerance=all to skip \
         such records"
    )]
    Conversion {
        /// The destination topic.
        topic: String,
        /// What failed: `key`, `value` or `header '…'`.
        what: String,
        /// Which record: its source partition and offset.
        record: String,
        /// The converter's error.
        #[source]
        source: Box<sluice_converters::Error>,
    },

    /// A connector task's own operation (start, poll, …) failed.
    #[error("task {task} of connector '{connector}' failed to {operation}: {}", .source.report())]
    Task {
        /// The connector's name.
        connector: String,
        /// The task's number.
        task: u32,
        /// The operation ("start", "poll", …).
        operation: &'static str,
        /// The task's error.
        #[source]
        source: Box<sluice_api::connector::ConnectError>,
    },

    /// An operation did not finish in time.
    #[error("{operation} did not finish within {after:?}")]
    Timeout {
        /// What was being done.
        operation: String,
        /// How long we waited.
        after: Duration,
    },
}

impl Error {
    /// Whether retrying the operation (after a backoff) may succeed without the operator's help.
    ///
    /// Unknown Kafka client failures count as retriable: a task is restarted, never failed, on a
    /// problem nobody classified.
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Kafka { source, .. } | Error::Delivery { source, .. } => {
                source.rdkafka_error_code().is_none_or(is_retriable_code)
            }
            Error::CreateTopic { code, .. } => is_retriable_code(*code),
            Error::Io { .. } | Error::Timeout { .. } => true,
            Error::Conversion { source, .. } => source.is_retriable(),
            Error::Task { source, .. } => source.is_retriable(),
            Error::OffsetFile { source, .. } => !matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::InvalidInput
                    | std::io::ErrorKind::ReadOnlyFilesystem
            ),
            Error::Broker { error, .. } => error.is_retriable(),
            Error::ClientConfig { .. }
            | Error::Config { .. }
            | Error::TopicNotCompacted { .. }
            | Error::TopicPartitions { .. }
            | Error::Topic { .. }
            | Error::Protocol { .. }
            | Error::UnsupportedApi { .. }
            | Error::StoreNotRunning { .. }
            | Error::OffsetFileCorrupt { .. } => false,
        }
    }

    pub(crate) fn kafka(operation: impl Into<String>, source: KafkaError) -> Error {
        Error::Kafka {
            operation: operation.into(),
            source,
        }
    }
}

/// librdkafka error codes that are not worth retrying: configuration, authorization and
/// invalid-request errors. Everything else (timeouts, transport, leadership changes) is.
fn is_retriable_code(code: RDKafkaErrorCode) -> bool {
    use RDKafkaErrorCode as C;
    !matches!(
        code,
        C::TopicAuthorizationFailed
            | C::GroupAuthorizationFailed
            | C::ClusterAuthorizationFailed
            | C::SaslAuthenticationFailed
            | C::Authentication
            | C::InvalidConfig
            | C::InvalidReplicationFactor
            | C::InvalidPartitions
            | C::InvalidReplicaAssignment
            | C::InvalidRequest
            | C::PolicyViolation
            | C::InvalidTopic
            | C::TopicAlreadyExists
            | C::MessageSizeTooLarge
            | C::InvalidArgument
            | C::UnsupportedVersion
            | C::UnsupportedFeature
            | C::Fatal
    )
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
