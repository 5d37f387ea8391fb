//! Task loops: the source and sink task runners.

pub mod sink;
pub mod source;
