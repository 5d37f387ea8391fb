//! Kafka clients of the worker: rdkafka for producing, consuming and administration, and a small
//! `kafka-protocol` client for the worker group protocol (librdkafka cannot join a group with a
//! custom protocol type such as `connect`).
