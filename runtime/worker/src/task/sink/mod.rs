//! The sink task loop (Kafka Connect's `WorkerSinkTask`, with `RetryWithToleranceOperator` and
//! the `DeadLetterQueueReporter`).
//!
//! | Module | What |
//! |---|---|
//! | [`config`] | `topics`/`topics.regex`, converters, `errors.*`, overrides → [`SinkTaskConfig`] |
//! | [`consumer`] | the group consumer that also reports rebalances, seeks, pauses |
//! | [`convert`] | converters by class name; record → [`sluice_api::SinkRecord`] |
//! | [`errors`] | retry, tolerance, error log of failing records |
//! | [`dlq`] | the dead-letter queue and its `__connect.errors.*` headers |
//! | [`offsets`] | which `pre_commit` answers may be committed |
//! | `work_loop` | the loop itself |
//! | [`runner`] | [`SinkTaskRunner`]: set up, start, run, finish, in a `task` span |
//! | [`status`] | [`TaskState`] and the herder's [`TaskHandle`] |
//!
//! # Delivery guarantee
//! At least once. The consumer never commits by itself (`enable.auto.commit=false`); the runner
//! commits only offsets that the task's `pre_commit` answered, and never beyond the records
//! given to `put` or tolerated. A crash, a failed task or a rebalance therefore makes the next
//! owner re-read everything after the last commit: duplicates are possible in that window,
//! loss is not. A record that fails with `errors.tolerance=none` stops the task before its
//! offset is counted, so it is read again after the restart; with `all` it is written to the
//! dead-letter queue (acknowledged) before its offset can be committed.
//!
//! # How the herder uses it
//! ```ignore
//! let runner = SinkTaskRunner::new(TaskId::new("files", 0), &connector_config, task_config,
//!                                  &worker_props, connector.create_task())?;
//! let handle = runner.spawn();            // status(): Unassigned → Running → Failed/Stopped
//! let mut states = handle.subscribe();    // write each change to the status store
//! let final_state = handle.stop_and_join().await;
//! ```

pub mod config;
pub mod consumer;
pub mod convert;
pub mod dlq;
pub mod errors;
pub mod offsets;
pub mod runner;
mod work_loop;

pub use config::{SinkTaskConfig, Tolerance, TopicSelection};
pub use runner::SinkTaskRunner;
