//! Task loops: the source and sink task runners, and the state and handle they share.

pub mod sink;
pub mod source;
mod status;

pub use status::{TaskHandle, TaskId, TaskState};
