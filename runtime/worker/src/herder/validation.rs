//! Connector configuration validation, shared by `config/validate` and by every config write:
//! the worker's common keys (Kafka's `ConnectorConfig` and its source or sink additions, see
//! `connector_keys`: `name`, `connector.class`, `tasks.max`, the converters, …) checked by one
//! [`ConfigDef`], then the plugin's own keys checked by the connector's `validate` on a fresh,
//! never-started instance.
//! Both answers come from the same definitions the REST API shows, so what `validate` reports
//! is exactly what a create refuses.

use sluice_api::config::{ConfigDef, ConfigValue};
use sluice_api::connector::Properties;
use sluice_rest::{ConfigInfos, ConnectorConfig, Error as RestError};

use super::connector_keys::{CONNECTOR_PLUGIN_VERSION, connector_keys};
use super::converters::{HEADER_CONVERTERS, RECORD_CONVERTERS, canonical};
use super::plugins::{Plugin, PluginCatalog, PluginConstructor};
use crate::kafka::Properties as WorkerProperties;

/// `name`.
pub const NAME: &str = "name";
/// `connector.class`.
pub const CONNECTOR_CLASS: &str = "connector.class";
/// `tasks.max`.
pub const TASKS_MAX: &str = "tasks.max";

/// The version the worker gives its converters (`*.converter.plugin.version`).
const CONVERTER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The keys every connector of `plugin`'s kind has, whatever its plugin (Kafka's
/// `SourceConnectorConfig`/`SinkConnectorConfig`, see `connector_keys`).
pub fn common_config_def(plugin: &Plugin) -> ConfigDef {
    connector_keys(plugin.kind(), &plugin.version)
}

/// `GET /connector-plugins/{p}/config`: the plugin's keys, then the common keys it does not
/// define itself (Kafka's `AbstractHerder.connectorPluginConfig`).
pub(crate) fn plugin_config_def(plugin: &Plugin) -> ConfigDef {
    common_config_def(plugin)
        .keys()
        .iter()
        .filter(|k| plugin.config_def.key(&k.name).is_none())
        .fold(plugin.config_def.clone(), |def, k| def.define(k.clone()))
}

/// The converter class the worker uses when a connector sets none (`worker`'s own setting,
/// else Sluice's default), by its full name.
fn worker_converter(worker: &WorkerProperties, key: &str) -> String {
    let (default, known) = match key {
        "header.converter" => (
            "org.apache.kafka.connect.storage.SimpleHeaderConverter",
            HEADER_CONVERTERS,
        ),
        _ => (
            "org.apache.kafka.connect.json.JsonConverter",
            RECORD_CONVERTERS,
        ),
    };
    match worker.get(key) {
        Some(class) => canonical(class, known).map_or_else(|| class.clone(), str::to_string),
        None => default.to_string(),
    }
}

/// The common keys as `config/validate` checks them (Kafka's `ConnectorConfig.enrich`): the
/// converters default to the worker's, their versions to the worker's converters' version.
fn enriched_config_def(plugin: &Plugin, worker: &WorkerProperties) -> ConfigDef {
    let mut def = common_config_def(plugin);
    for key in ["key.converter", "value.converter", "header.converter"] {
        for (name, default) in [
            (key.to_string(), worker_converter(worker, key)),
            (
                format!("{key}.plugin.version"),
                CONVERTER_VERSION.to_string(),
            ),
        ] {
            if let Some(k) = def.key(&name).cloned() {
                def = def.define(k.default_value(default));
            }
        }
    }
    def
}

/// The values Kafka's recommenders offer for the common keys: the plugin's version, the
/// worker's converter classes (sorted) and their version.
fn recommended_values(plugin: &Plugin, name: &str) -> Option<Vec<String>> {
    let sorted = |known: &[&str]| {
        let mut v: Vec<String> = known.iter().map(|c| (*c).to_string()).collect();
        v.sort();
        v
    };
    Some(match name {
        CONNECTOR_PLUGIN_VERSION => vec![plugin.version.clone()],
        "key.converter" | "value.converter" => sorted(RECORD_CONVERTERS),
        "header.converter" => sorted(HEADER_CONVERTERS),
        "key.converter.plugin.version"
        | "value.converter.plugin.version"
        | "header.converter.plugin.version" => vec![CONVERTER_VERSION.to_string()],
        _ => return None,
    })
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

/// Validates `config` against the common keys and `plugin`'s own (see the module doc), as
/// Kafka's `AbstractHerder.validateConnectorConfig`: the common keys first, then the plugin's
/// (a value the plugin reports for a key replaces the common one); `worker` gives the
/// converter defaults.
pub(crate) async fn validate(
    plugin: &Plugin,
    config: &ConnectorConfig,
    worker: &WorkerProperties,
) -> ConfigInfos {
    let common = enriched_config_def(plugin, worker);
    let props = to_properties(config);
    let mut values: Vec<ConfigValue> = common.validate(&props);
    for v in &mut values {
        if let Some(r) = recommended_values(plugin, &v.name) {
            v.recommended_values = r;
        }
    }
    let plugin_values = match plugin.constructor {
        PluginConstructor::Source(make) => make().validate(&props).await,
        PluginConstructor::Sink(make) => make().validate(&props).await,
    };
    values.extend(plugin_values);
    let def = common.merge(&plugin.config_def);
    ConfigInfos::from_validation(&plugin.class, &def, &values)
}

/// [`validate`], failing with Kafka's "Connector configuration is invalid" 400 on any error.
pub(crate) async fn check(
    plugin: &Plugin,
    config: &ConnectorConfig,
    worker: &WorkerProperties,
) -> Result<(), RestError> {
    let infos = validate(plugin, config, worker).await;
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
