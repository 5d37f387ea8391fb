//! Task loops: the source and sink task runners, and the state, handle and active-topic
//! tracking they share.

mod active_topics;
mod loop_metrics;
pub mod sink;
pub mod source;
mod status;

pub use active_topics::{ActiveTopics, TopicTracking};
pub use status::{TaskHandle, TaskId, TaskState};
