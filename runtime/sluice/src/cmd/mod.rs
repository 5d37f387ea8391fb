//! One module per subcommand.

pub(crate) mod schema_registry;
pub(crate) mod standalone;
