//! The handlers, grouped by resource as Kafka's `RootResource`, `ConnectorsResource`,
//! `ConnectorPluginsResource` and `LoggingResource`.

pub(crate) mod connectors;
pub(crate) mod metrics;
pub(crate) mod plugins;
pub(crate) mod server;
