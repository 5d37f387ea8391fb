//! Connector configuration validation, shared by `config/validate` and by every config write:
//! the worker's common keys (Kafka's `ConnectorConfig` "Common" group: `name`,
//! `connector.class`, `tasks.max`, the converters) checked by one [`ConfigDef`], then the
//! plugin's own keys checked by the connector's `validate` on a fresh, never-started instance.
//! Both answers come from the same definitions the REST API shows, so what `validate` reports
//! is exactly what a create refuses.

use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator, Width};
use sluice_api::connector::Properties;
use sluice_rest::{ConfigInfos, ConnectorConfig, Error as RestError};

use super::converters::{check_header_converter, check_record_converter};
use super::plugins::{Plugin, PluginCatalog, PluginConstructor};

/// `name`.
pub const NAME: &str = "name";
/// `connector.class`.
pub const CONNECTOR_CLASS: &str = "connector.class";
/// `tasks.max`.
pub const TASKS_MAX: &str = "tasks.max";

const COMMON: &str = "Common";

/// The keys every connector has, whatever its plugin (group "Common").
pub fn common_config_def() -> ConfigDef {
    let key = |name: &str, ty, doc: &str, order, display: &str| {
        ConfigKey::new(name, ty, doc)
            .importance(Importance::High)
            .display(COMMON, order, Width::Medium, display)
    };
    ConfigDef::new()
        .define(
            key(
                NAME,
                ConfigType::String,
                "A name for this connector, unique in the cluster.",
                1,
                "Connector name",
            )
            .validator(Validator::NonEmptyString),
        )
        .define(key(
            CONNECTOR_CLASS,
            ConfigType::String,
            "The connector plugin: its Java class name, simple name, or simple name without \
             the 'Connector' suffix.",
            2,
            "Connector class",
        ))
        .define(
            key(
                TASKS_MAX,
                ConfigType::Int,
                "The most tasks the connector may run.",
                4,
                "Tasks max",
            )
            .default_value("1")
            .validator(Validator::Range {
                min: Some(1.0),
                max: None,
            }),
        )
        .define(
            key(
                "key.converter",
                ConfigType::Class,
                "Converter of record keys; the worker's key.converter when unset.",
                6,
                "Key converter class",
            )
            .importance(Importance::Low)
            .default_null()
            .validator(Validator::Custom(check_record_converter)),
        )
        .define(
            key(
                "value.converter",
                ConfigType::Class,
                "Converter of record values; the worker's value.converter when unset.",
                8,
                "Value converter class",
            )
            .importance(Importance::Low)
            .default_null()
            .validator(Validator::Custom(check_record_converter)),
        )
        .define(
            key(
                "header.converter",
                ConfigType::Class,
                "Converter of record headers; the worker's header.converter when unset.",
                10,
                "Header converter class",
            )
            .importance(Importance::Low)
            .default_null()
            .validator(Validator::Custom(check_header_converter)),
        )
}

/// A REST config as the connector SPI's property list.
pub(crate) fn to_properties(config: &ConnectorConfig) -> Properties {
    config
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

/// A stored property list as a REST config (unset values dropped).
pub(crate) fn from_properties(props: &[(String, Option<String>)]) -> ConnectorConfig {
    props
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
        .collect()
}

/// The plugin a config's `connector.class` names: `no_connector_type` without one, 400 with the
/// registry's explanation for an unknown or ambiguous name.
pub(crate) fn plugin_of(
    catalog: &dyn PluginCatalog,
    config: &ConnectorConfig,
) -> Result<Plugin, RestError> {
    let class = config
        .get(CONNECTOR_CLASS)
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| RestError::no_connector_type(config))?;
    catalog.lookup(class).map_err(RestError::BadRequest)
}

/// Validates `config` against the common keys and `plugin`'s own (see the module doc).
pub(crate) async fn validate(plugin: &Plugin, config: &ConnectorConfig) -> ConfigInfos {
    let common = common_config_def();
    let props = to_properties(config);
    let mut values = common.validate(&props);
    let plugin_values = match plugin.constructor {
        PluginConstructor::Source(make) => make().validate(&props).await,
        PluginConstructor::Sink(make) => make().validate(&props).await,
    };
    values.extend(plugin_values);
    let def = common.merge(&plugin.config_def);
    ConfigInfos::from_validation(&plugin.class, &def, &values)
}

/// [`validate`], failing with Kafka's "Connector configuration is invalid" 400 on any error.
pub(crate) async fn check(plugin: &Plugin, config: &ConnectorConfig) -> Result<(), RestError> {
    let infos = validate(plugin, config).await;
    if infos.error_count == 0 {
        Ok(())
    } else {
        Err(RestError::invalid_config(&infos.error_messages()))
    }
}

/// `tasks.max` of a validated config.
pub(crate) fn tasks_max(config: &ConnectorConfig) -> usize {
    config
        .get(TASKS_MAX)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}
