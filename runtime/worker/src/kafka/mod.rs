//! Kafka clients of the worker: rdkafka for producing, consuming and administration, and a small
//! `kafka-protocol` client for the worker group protocol (librdkafka cannot join a group with a
//! custom protocol type such as `connect`).
//!
//! | Module | What | Built on |
//! |---|---|---|
//! | [`config`] | worker properties → client configurations (`producer.*`, `consumer.*`, `admin.*`) | rdkafka `ClientConfig` |
//! | [`admin`] | internal topics: create compacted, or verify an existing one is | rdkafka `AdminClient` |
//! | [`producer`] | idempotent, `acks=all`, compressed producer; produce and await the ack | rdkafka `FutureProducer` |
//! | [`acked`] | the same producer for a source task: acknowledgements come back as tokens in a queue | rdkafka `ThreadedProducer` |
//! | [`consumer`] | group consumer with manual (synchronous) commits | rdkafka `StreamConsumer` |
//! | [`reader`] | read a topic to the end, the end taken from Fetch high watermarks | rdkafka `StreamConsumer` |
//! | [`group`] | JoinGroup/SyncGroup/Heartbeat/LeaveGroup with `protocol_type = "connect"` | `kafka-protocol` over [`connection`] |
//!
//! Broker compatibility: everything here uses the standard Kafka APIs as Apache Kafka implements
//! them, with one deliberate choice that also suits Tansu (the test broker): "the end" of a
//! topic comes from Fetch responses' high watermark, never from ListOffsets(latest) (see
//! [`reader`]).

pub mod acked;
pub mod admin;
pub mod config;
pub mod connection;
pub mod consumer;
mod coordinator;
pub mod group;
pub mod producer;
pub mod reader;

pub use acked::{AckedProducer, AckedSender, Deliveries};
pub use admin::{Admin, InternalTopic, TopicState};
pub use config::Properties;
pub use consumer::{GroupConsumer, PartitionOffset, Record};
pub use group::{
    GroupConfig, GroupMember, HeartbeatOutcome, JoinedGroup, MemberMetadata, ProtocolMetadata,
    Rejoin, SyncOutcome,
};
pub use producer::{Delivered, ProduceRecord, Producer};
pub use reader::TopicReader;
