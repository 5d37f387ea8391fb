//! Confluent's `DefaultPartitioner`: one directory per Kafka partition, `partition=<n>`.

use sluice_api::SinkRecord;

use super::Partitioner;
use crate::Result;

/// Encodes a record as `partition=<kafka partition>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPartitioner {
    delim: String,
}

impl DefaultPartitioner {
    /// A partitioner whose paths use `directory.delim` `delim`.
    pub fn new(delim: impl Into<String>) -> Self {
        DefaultPartitioner {
            delim: delim.into(),
        }
    }
}

impl Partitioner for DefaultPartitioner {
    fn encode_partition(&self, record: &SinkRecord, _now_ms: i64) -> Result<String> {
        Ok(format!("partition={}", record.kafka_partition))
    }

    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String {
        format!("{topic}{}{encoded_partition}", self.delim)
    }
}
