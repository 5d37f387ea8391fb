//! One module per subcommand.

pub(crate) mod distributed;
mod embedded_registry;
pub(crate) mod schema_registry;
pub(crate) mod standalone;
mod worker_rest;
