//! The one error type of the file-sink core, shared by the object-store crates: store failures
//! carry their own retriable/definite classification (made where the store's errors are
//! understood), record and configuration errors are always definite.

/// Errors of the file-sink core and the object stores it writes to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store rejected or failed a request; `retriable` says whether trying again may help
    /// (throttling, timeouts, 5xx) or not (bad credentials, missing bucket).
    #[error("{store} {operation} of '{key}' failed: {message}")]
    Store {
        /// Which store ("S3", "Azure Blob", …).
        store: &'static str,
        /// The operation that failed ("put", "get", "list", …).
        operation: &'static str,
        /// The object key or prefix.
        key: String,
        /// The store's own words, plus what the operator can do about it.
        message: String,
        /// Whether a retry may succeed.
        retriable: bool,
    },
    /// A sink setting is missing or invalid; the connector cannot start until it is fixed.
    #[error("Invalid value for '{key}': {message}")]
    Config {
        /// The configuration key.
        key: String,
        /// What is wrong and what to set instead.
        message: String,
    },
    /// A record cannot be placed in a partition (missing field, unsupported type, no timestamp);
    /// definite: the same record always fails, so it belongs in the dead-letter queue.
    #[error("Cannot partition record {topic}-{partition}@{offset}: {message}")]
    Partition {
        /// The record's topic.
        topic: String,
        /// The record's Kafka partition.
        partition: i32,
        /// The record's offset.
        offset: i64,
        /// What is wrong with the record.
        message: String,
    },
    /// A record cannot be written in the output format; definite.
    #[error("Cannot write record {topic}-{partition}@{offset} as {format}: {message}")]
    Format {
        /// The output format ("Avro", "JSON").
        format: &'static str,
        /// The record's topic.
        topic: String,
        /// The record's Kafka partition.
        partition: i32,
        /// The record's offset.
        offset: i64,
        /// What failed.
        message: String,
    },
    /// A file could not be completed (compression failure); definite.
    #[error("Cannot complete the {format} file: {message}")]
    Finish {
        /// The output format.
        format: &'static str,
        /// What failed.
        message: String,
    },
    /// A record has a null value and `behavior.on.null.values` is `fail`; definite.
    #[error(
        "Record {topic}-{partition}@{offset} has a null value (a tombstone) and \
         behavior.on.null.values is 'fail': set it to 'ignore' to skip such records"
    )]
    NullValue {
        /// The record's topic.
        topic: String,
        /// The record's Kafka partition.
        partition: i32,
        /// The record's offset.
        offset: i64,
    },
    /// The task's buffer budget is full and the uploads that would free it have not finished;
    /// retriable: the same records are delivered again once memory is freed.
    #[error("{message}")]
    Backpressure {
        /// What is holding memory, and the last upload error if any.
        message: String,
    },
    /// The object does not exist.
    #[error("{store} object '{key}' does not exist")]
    NotFound {
        /// Which store.
        store: &'static str,
        /// The object key.
        key: String,
    },
}

impl Error {
    /// Whether retrying the operation may succeed.
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            Error::Store {
                retriable: true,
                ..
            } | Error::Backpressure { .. }
        )
    }
}

impl Error {
    /// A [`Error::Config`] for `key`.
    pub fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            key: key.into(),
            message: message.into(),
        }
    }

    /// A [`Error::Partition`] for `record`.
    pub fn partition(record: &sluice_api::SinkRecord, message: impl Into<String>) -> Self {
        Error::Partition {
            topic: record.topic.clone(),
            partition: record.kafka_partition,
            offset: record.kafka_offset,
            message: message.into(),
        }
    }

    /// A [`Error::Format`] for `record`.
    pub fn format(
        format: &'static str,
        record: &sluice_api::SinkRecord,
        message: impl Into<String>,
    ) -> Self {
        Error::Format {
            format,
            topic: record.topic.clone(),
            partition: record.kafka_partition,
            offset: record.kafka_offset,
            message: message.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
