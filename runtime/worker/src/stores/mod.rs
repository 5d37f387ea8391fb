//! The worker's three stores — connector configurations, source offsets, statuses — each a trait
//! with a memory implementation and a Kafka implementation (plus a file implementation of the
//! offsets store for standalone mode), as Kafka Connect's `Memory*BackingStore` /
//! `Kafka*BackingStore` / `FileOffsetBackingStore`.
//!
//! | Trait | Memory | Kafka topic | Other |
//! |---|---|---|---|
//! | [`ConfigStore`] | [`MemoryConfigStore`] | [`KafkaConfigStore`] (`config.storage.topic`, 1 partition) | |
//! | [`OffsetStore`] | [`MemoryOffsetStore`] | [`KafkaOffsetStore`] (`offset.storage.topic`, 25) | [`FileOffsetStore`] |
//! | [`StatusStore`] | [`MemoryStatusStore`] | [`KafkaStatusStore`] (`status.storage.topic`, 5) | |
//!
//! # What is durable when a call returns
//! Every write of the Kafka stores returns only once the broker acknowledged it with `acks=all`
//! (every in-sync replica has it), so a write that returned survives the worker and is what a
//! restarted or another worker reads. Writes are applied to the store's own view only **after**
//! the acknowledgement, never before: a reader of the view (a task asking for its offset, the
//! REST API) therefore never sees a value that could still be lost. A write that failed may or
//! may not have reached the topic (a timeout after the broker stored it); it is reported, and a
//! later read of the topic settles it.
//!
//! The records are byte-identical to Java Kafka Connect's (the codecs of `sluice-protocol`), and
//! the producers use Kafka Connect's settings for internal topics (`enable.idempotence=false`,
//! `acks=all`), so a cluster can move between Java workers and Sluice workers in both directions.
//!
//! # How the Kafka stores read
//! Each Kafka store owns a `KafkaLog` (`kafka_log.rs`, Kafka Connect's `KafkaBasedLog`): at `start` it makes
//! sure the topic exists and is compacted, reads it to the end (the end taken from Fetch high
//! watermarks, see [`crate::kafka::reader`]) and then keeps reading in the background, so writes
//! of other workers show up without being asked for. `refresh` reads to the end on demand; it is
//! what a herder does before acting as leader (`worker.sync.timeout.ms`).
//!
//! # Tests
//! One generic scenario suite per store (`tests/store_config.rs`, `tests/store_offsets.rs`,
//! `tests/store_status.rs`) runs against every implementation, plus golden tests: Sluice writes
//! the records Java wrote, and reads the records Java wrote.

mod config;
mod config_kafka;
mod config_memory;
mod kafka_log;
mod offsets;
mod offsets_file;
mod offsets_kafka;
mod offsets_memory;
mod status;
mod status_kafka;
mod status_memory;
mod versioned;

pub use config::ConfigStore;
pub use config_kafka::KafkaConfigStore;
pub use config_memory::MemoryConfigStore;
pub use kafka_log::{INTERNAL_PRODUCER_OVERRIDES, KafkaStoreSettings};
pub use offsets::{OffsetStore, OffsetWrite, SourceOffset, SourcePartition};
pub use offsets_file::{FileOffsetStore, OFFSET_STORAGE_FILE};
pub use offsets_kafka::KafkaOffsetStore;
pub use offsets_memory::MemoryOffsetStore;
pub use status::{StatusSnapshot, StatusStore, StatusUpdate};
pub use status_kafka::KafkaStatusStore;
pub use status_memory::MemoryStatusStore;

/// Locks a std mutex, recovering the data if a panicking thread poisoned it: the stores' tables
/// are only mutated by non-panicking code, so the data is consistent either way.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
