//! The errors of the Schema Registry, one enum for the crate.
//!
//! Two families share it: the errors a REST client caused or must see (they map one-to-one to
//! Confluent's `error_code`s, see [`Error::error_code`] and [`Error::http_status`]), and the
//! errors of the Kafka store behind it (start-up, produce, read). A store error is *retriable*
//! when the same request may succeed later without any change ([`Error::is_retriable`]).

use std::time::Duration;

use rdkafka::error::KafkaError;

/// Errors of the Schema Registry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No version of the subject exists (or none that is not soft-deleted, as asked).
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    /// The subject exists but not this version.
    #[error("Version {0} not found.")]
    VersionNotFound(i32),
    /// No schema with this id (`Some`), or the posted schema is not registered under the subject.
    #[error("{}", match .0 { Some(id) => format!("Schema {id} not found"), None => "Schema not found".to_string() })]
    SchemaNotFound(Option<i32>),
    /// A soft delete of a subject whose versions are all soft-deleted already.
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    /// A permanent delete of a subject that still has versions that are not soft-deleted.
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// A soft delete of a version that is soft-deleted already.
    #[error(
        "Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently"
    )]
    VersionSoftDeleted {
        /// Subject.
        subject: String,
        /// Version.
        version: i32,
    },
    /// A permanent delete of a version that is not soft-deleted.
    #[error(
        "Subject '{subject}' Version {version} was not deleted first before being permanently deleted"
    )]
    VersionNotSoftDeleted {
        /// Subject.
        subject: String,
        /// Version.
        version: i32,
    },
    /// `GET /config/{subject}` for a subject without a subject-level compatibility level.
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectCompatibilityNotConfigured(String),
    /// The schema is not a valid Avro schema, is empty, or is of a type this registry does not
    /// serve.
    #[error("{0}")]
    InvalidSchema(String),
    /// A version that is neither an integer in [1, 2^31-1] nor `latest`.
    #[error(
        "The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
    )]
    InvalidVersion(String),
    /// An unknown compatibility level.
    #[error(
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
    )]
    InvalidCompatibilityLevel,
    /// The subject name is not acceptable.
    #[error("The specified subject '{0}' is not a valid.")]
    InvalidSubject(String),
    /// The schema breaks the subject's compatibility level; `messages` are Confluent's.
    #[error("Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]", .messages.join(", "))]
    IncompatibleSchema {
        /// Subject.
        subject: String,
        /// What is incompatible, in Confluent's format.
        messages: Vec<String>,
    },
    /// The request body is not JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// The request body is JSON of the wrong shape.
    #[error("{0}")]
    UnprocessableEntity(String),
    /// The request's content type is not one the registry accepts.
    #[error("HTTP 415 Unsupported Media Type")]
    UnsupportedMediaType,
    /// A Kafka client could not be configured (a bad `bootstrap.servers` or client property).
    #[error(
        "cannot create the Kafka {client} of the schema registry: {source}; check the registry's Kafka properties"
    )]
    ClientConfig {
        /// Which client (producer, consumer, admin).
        client: &'static str,
        /// The librdkafka error.
        #[source]
        source: KafkaError,
    },
    /// The schemas topic exists but cannot hold the registry's state as it is.
    #[error("the schemas topic '{topic}' cannot be used: {message}")]
    Topic {
        /// Topic.
        topic: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// Writing to or reading from the schemas topic failed.
    #[error("{operation} failed: {source}")]
    Store {
        /// What was being done.
        operation: String,
        /// The librdkafka error.
        #[source]
        source: KafkaError,
    },
    /// The store did not answer in time.
    #[error("{operation} timed out after {after:?}; is the Kafka cluster reachable?")]
    Timeout {
        /// What was being done.
        operation: String,
        /// The time limit.
        after: Duration,
    },
    /// The registry is shutting down or its store task ended.
    #[error("the schema registry's store is not running (it is shutting down or failed)")]
    StoreStopped,
    /// A write went through Kafka but the state read back from the topic is not what it
    /// should be (another process wrote to the same topic).
    #[error("{0}")]
    Conflict(String),
    /// Serving HTTP failed.
    #[error("serving the schema registry's REST API failed: {0}")]
    Http(#[source] std::io::Error),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Confluent's `error_code` for this error.
    pub fn error_code(&self) -> u32 {
        match self {
            Error::SubjectNotFound(_) => 40401,
            Error::VersionNotFound(_) => 40402,
            Error::SchemaNotFound(_) => 40403,
            Error::SubjectSoftDeleted(_) => 40404,
            Error::SubjectNotSoftDeleted(_) => 40405,
            Error::VersionSoftDeleted { .. } => 40406,
            Error::VersionNotSoftDeleted { .. } => 40407,
            Error::SubjectCompatibilityNotConfigured(_) => 40408,
            Error::IncompatibleSchema { .. } => 40901,
            Error::InvalidSchema(_) => 42201,
            Error::InvalidVersion(_) => 42202,
            Error::InvalidCompatibilityLevel => 42203,
            Error::InvalidSubject(_) => 42208,
            Error::MalformedJson(_) => 400,
            Error::UnprocessableEntity(_) => 422,
            Error::UnsupportedMediaType => 415,
            Error::Timeout { .. } => 50002,
            Error::ClientConfig { .. }
            | Error::Topic { .. }
            | Error::Store { .. }
            | Error::StoreStopped
            | Error::Conflict(_)
            | Error::Http(_) => 50001,
        }
    }

    /// The HTTP status Confluent answers this error with.
    pub fn http_status(&self) -> u16 {
        match self.error_code() {
            code @ 400..=599 => code as u16,
            code => (code / 100) as u16,
        }
    }

    /// Whether the same request may succeed later unchanged (store unavailable or slow).
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            Error::Timeout { .. } | Error::Store { .. } | Error::StoreStopped
        )
    }

    pub(crate) fn store(operation: impl Into<String>, source: KafkaError) -> Self {
        Error::Store {
            operation: operation.into(),
            source,
        }
    }
}
