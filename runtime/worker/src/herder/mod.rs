//! The herder: what owns the worker's connectors and tasks and answers the REST API.
//!
//! | Module | What |
//! |---|---|
//! | [`actor`] | the single-owner actor both modes run: stores, connector instances, task loops, how config changes are applied, the REST operations |
//! | [`standalone`] | [`StandaloneHerder`]: one process, configs and statuses in memory, offsets in a file |
//! | [`distributed`] | [`DistributedHerder`]: configs, offsets and statuses in Kafka's internal topics, a worker group |
//! | [`plugins`] | [`PluginCatalog`]: how the herder finds and makes connector plugins |
//! | [`connector_keys`] | Kafka's keys of every connector (`ConnectorConfig`, source and sink additions) |
//! | [`validation`] | the common connector keys and config validation (`config/validate`, creates) |
//! | [`converters`] | a source task's key/value/header converters from connector and worker config |
//! | [`log_levels`] | [`LogLevels`]: how `PUT /admin/loggers/…` changes the process's log levels |
//!
//! **Dependency direction, temporarily inverted.** DESIGN.md §2 has `sluice-rest` depend on a
//! `Herder` trait defined by the worker. For now the trait lives in `sluice-rest`
//! ([`sluice_rest::Herder`]) and the worker implements it, so this crate depends on the REST
//! crate (for the trait, its entity types and its errors with Kafka's wording), not the other
//! way round. Moving the trait here later is a change of paths on both sides, not a redesign.

pub mod actor;
pub mod connector_keys;
pub mod converters;
pub mod distributed;
pub mod log_levels;
pub mod plugins;
pub mod standalone;
pub mod validation;

pub use actor::HerderHandle;
pub use distributed::{DistributedConfig, DistributedHerder};
pub use log_levels::LogLevels;
pub use plugins::{Plugin, PluginCatalog, PluginConstructor};
pub use standalone::{StandaloneConfig, StandaloneHerder};
