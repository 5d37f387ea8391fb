//! Snowflake sink: files staged through Snowflake's own protocol and loaded with `COPY INTO` /
//! `MERGE`, accepting the configs of `com.snowflake.kafka.connector.SnowflakeSinkConnector`.
//!
//! Depends on the data model and `sluice-files`; never on the worker, a Kafka client or the REST API.

mod error;

pub use error::{Error, Result};
