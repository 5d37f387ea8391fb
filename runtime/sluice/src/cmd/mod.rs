//! One module per subcommand.

mod embedded_registry;
pub(crate) mod schema_registry;
pub(crate) mod standalone;
