//! The source task loop: what runs a [`SourceTask`](sluice_api::connector::SourceTask) on a
//! worker (Kafka Connect's `WorkerSourceTask`, `SubmittedRecords` and `OffsetStorageWriter`).
//!
//! | Module | What |
//! |---|---|
//! | `runner` | [`SourceTaskRunner`]: start, poll, convert, produce, commit offsets, stop |
//! | `in_flight` | records sent and not yet acknowledged; enqueueing in poll order |
//! | `submitted` | [`SubmittedRecords`]: which offsets are committable (contiguous acks) |
//! | `convert` | [`RecordConverters`]: key/value/header converters applied to a record |
//! | `offsets` | [`StoreOffsetReader`]: the task's `OffsetReader` over the offset store |
//! | `config` | [`SourceTaskSettings`]: flush interval/timeout, `errors.tolerance`, budgets |
//! | `topics` | creating missing topics (`topic.creation.default.*`) |
//! | `status` | [`TaskState`] and the herder's [`TaskHandle`] |
//!
//! The guarantee (argued in `runner` and `submitted`): stored offsets never run ahead of
//! records Kafka acknowledged, so a crash at any point replays and never skips.
//!
//! How the herder uses it:
//!
//! ```text
//! let handle = SourceTaskRunner::new(id, task, task_config, converters, producer, offsets, settings)
//!     .with_admin(admin)            // only if topic.creation.default.* is used
//!     .with_topic_tracking(&tracking) // KIP-558: report the topics produced to
//!     .spawn();                     // runs inside span "task"{connector, task}
//! handle.subscribe()                // watch::Receiver<TaskState>: Running, Failed{trace}, Stopped
//! handle.stop_and_join().await      // final flush, task.stop(), final state
//! ```

mod config;
mod convert;
mod in_flight;
mod offsets;
mod runner;
mod submitted;
mod topics;

pub use config::{
    ERRORS_TOLERANCE, ErrorTolerance, MAX_IN_FLIGHT_BYTES, MAX_IN_FLIGHT_RECORDS,
    OFFSET_FLUSH_INTERVAL_MS, OFFSET_FLUSH_TIMEOUT_MS, SourceTaskSettings,
    TOPIC_CREATION_DEFAULT_PREFIX, TOPIC_CREATION_ENABLE, TopicCreation,
};
pub use convert::{ConvertedRecord, RecordConverters};
pub use offsets::StoreOffsetReader;
pub use runner::SourceTaskRunner;
pub use submitted::{CommittableOffsets, SubmittedId, SubmittedRecords};
