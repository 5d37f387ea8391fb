//! Kafka Connect's REST API (paths, status codes, JSON shapes and `{"error_code","message"}` error
//! bodies) as an axum router over the worker's herder.
//!
//! Depends on the worker's herder interface and the data model; never on a connector crate or a
//! database driver.

mod error;

pub use error::{Error, ErrorBody, Result};
