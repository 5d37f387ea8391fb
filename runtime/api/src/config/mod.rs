//! Connector configuration definitions, as Kafka's `ConfigDef`: every key a connector accepts
//! with its type, default, importance, documentation and display metadata, and the validation
//! that turns a user's string properties into typed values or per-key error messages.
//!
//! One definition serves three purposes, so they can never disagree: parsing a connector's
//! config when it starts, the REST `config/validate` answer (per-key values, errors and
//! recommended values), and the plugin's documented configuration (`/connector-plugins/…/config`).
//! Error messages are Kafka's, so tools that parse them keep working.

mod def;
mod parse;
mod validate;

pub use def::{ConfigDef, ConfigKey, ConfigType, Importance, Validator, Width};
pub use parse::{ConfigSource, ConfigValueTyped, ParsedConfig};
pub use validate::ConfigValue;
