//! Configuration definitions and validation answers in Kafka's JSON shapes (`ConfigInfos`,
//! `ConfigInfo`, `ConfigKeyInfo`, `ConfigValueInfo`), rendered from `sluice_api`'s
//! [`ConfigDef`]/[`ConfigKey`]/[`ConfigValue`] so the REST answer and the connector's own parsing
//! come from one definition.
//!
//! Two rendering rules copied from the reference (`golden/rest/005`, `008`, `009`):
//! - the position in the group is named `order_in_group` on the wire (the pinned Kafka source in
//!   spec/rest-api.md says `order`; Kafka 4.3, which produced the golden files, says
//!   `order_in_group`, and the golden files win);
//! - a `PASSWORD` key's validated value is shown as `null`, never as the secret or a mask.

use serde::{Deserialize, Serialize};
use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, ConfigValue};

/// One key's definition (Kafka's `ConfigKeyInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigKeyInfo {
    /// The property name.
    pub name: String,
    /// `STRING`, `INT`, `PASSWORD`, ….
    #[serde(rename = "type")]
    pub config_type: String,
    /// Whether it has no default.
    pub required: bool,
    /// The default in string form.
    pub default_value: Option<String>,
    /// `HIGH`, `MEDIUM` or `LOW`.
    pub importance: String,
    /// What it does.
    pub documentation: String,
    /// The group it is shown in.
    pub group: Option<String>,
    /// Its position in the group.
    pub order_in_group: i32,
    /// `NONE`, `SHORT`, `MEDIUM` or `LONG`.
    pub width: String,
    /// Display name.
    pub display_name: String,
    /// Keys whose validity depends on this one.
    pub dependents: Vec<String>,
}

impl From<&ConfigKey> for ConfigKeyInfo {
    fn from(k: &ConfigKey) -> Self {
        ConfigKeyInfo {
            name: k.name.clone(),
            config_type: k.ty.as_str().to_owned(),
            required: k.required(),
            default_value: k.default.clone(),
            importance: k.importance.as_str().to_owned(),
            documentation: k.documentation.clone(),
            group: k.group.clone(),
            order_in_group: k.order_in_group,
            width: k.width.as_str().to_owned(),
            display_name: k.display_name.clone(),
            dependents: k.dependents.clone(),
        }
    }
}

/// One key's validation result (Kafka's `ConfigValueInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigValueInfo {
    /// The property name.
    pub name: String,
    /// The value as shown back (`null` for passwords, unset keys and unparsable values).
    pub value: Option<String>,
    /// Values a UI may offer.
    pub recommended_values: Vec<String>,
    /// What is wrong; empty when valid.
    pub errors: Vec<String>,
    /// Whether the key applies given the other values.
    pub visible: bool,
}

/// A key's definition with its validation result (Kafka's `ConfigInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfo {
    /// The definition; `null` for a value the connector reported on a key it does not define.
    pub definition: Option<ConfigKeyInfo>,
    /// The validated value.
    pub value: ConfigValueInfo,
}

/// `PUT /connector-plugins/{plugin}/config/validate` (Kafka's `ConfigInfos`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfos {
    /// The connector class validated.
    pub name: String,
    /// The number of errors over all keys.
    pub error_count: usize,
    /// The groups, in order of first appearance.
    pub groups: Vec<String>,
    /// Every key, in definition order.
    pub configs: Vec<ConfigInfo>,
}

impl ConfigInfos {
    /// Renders the validation of `def` (the values from [`ConfigDef::validate`], plus any extra
    /// errors the connector's own `validate` added) as the answer for `connector_class`, as
    /// Kafka's `AbstractHerder.generateResult` does: first the values of keys `def` does not
    /// define (with a `null` definition), then every defined key that has a value, in definition
    /// order; of several values for one key, the last counts.
    pub fn from_validation(connector_class: &str, def: &ConfigDef, values: &[ConfigValue]) -> Self {
        let info = |v: &ConfigValue, definition: Option<&ConfigKey>| ConfigInfo {
            definition: definition.map(ConfigKeyInfo::from),
            value: ConfigValueInfo {
                name: v.name.clone(),
                value: match definition.map(|k| k.ty) {
                    Some(ConfigType::Password) => None,
                    _ => v.value.clone(),
                },
                recommended_values: v.recommended_values.clone(),
                errors: v.errors.clone(),
                visible: v.visible,
            },
        };
        let undefined = values
            .iter()
            .filter(|v| def.key(&v.name).is_none())
            .map(|v| info(v, None));
        let defined = def.keys().iter().filter_map(|key| {
            let v = values.iter().rev().find(|v| v.name == key.name)?;
            Some(info(v, Some(key)))
        });
        let configs: Vec<ConfigInfo> = undefined.chain(defined).collect();
        ConfigInfos {
            name: connector_class.to_owned(),
            error_count: configs.iter().map(|c| c.value.errors.len()).sum(),
            groups: def.groups().into_iter().map(str::to_owned).collect(),
            configs,
        }
    }

    /// Every error message, in key order: the lines of Kafka's "Connector configuration is
    /// invalid" message (see [`Error::invalid_config`](crate::Error::invalid_config)).
    pub fn error_messages(&self) -> Vec<String> {
        self.configs
            .iter()
            .flat_map(|c| c.value.errors.iter().cloned())
            .collect()
    }
}

/// Renders a plugin's definition for `GET /connector-plugins/{plugin}/config`.
pub fn config_key_infos(def: &ConfigDef) -> Vec<ConfigKeyInfo> {
    def.keys().iter().map(ConfigKeyInfo::from).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sluice_api::config::{Importance, Validator, Width};

    use super::*;

    fn def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new(
                    "database.port",
                    ConfigType::Int,
                    "Port of the database server.",
                )
                .default_value("5432")
                .importance(Importance::High)
                .display("Postgres", 3, Width::Short, "Port"),
            )
            .define(
                ConfigKey::new("database.password", ConfigType::Password, "Password.")
                    .default_value("")
                    .display("Postgres", 5, Width::Short, "Password"),
            )
            .define(
                ConfigKey::new("plugin.name", ConfigType::String, "Plugin.")
                    .default_value("decoderbufs")
                    .validator(Validator::OneOf(vec![
                        "decoderbufs".into(),
                        "pgoutput".into(),
                    ]))
                    .display("Postgres", 8, Width::Medium, "Plugin"),
            )
    }

    #[test]
    fn key_info_has_kafkas_field_names_and_order() {
        let json = serde_json::to_string(&config_key_infos(&def())[0]).unwrap();
        assert_eq!(
            json,
            r#"{"name":"database.port","type":"INT","required":false,"default_value":"5432","importance":"HIGH","documentation":"Port of the database server.","group":"Postgres","order_in_group":3,"width":"SHORT","display_name":"Port","dependents":[]}"#
        );
    }

    #[test]
    fn validation_counts_errors_and_hides_passwords() {
        let d = def();
        let props: BTreeMap<String, String> = [
            ("database.port", "not-a-number"),
            ("database.password", "s3cret"),
            ("plugin.name", "nosuchplugin"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let infos = ConfigInfos::from_validation("PostgresConnector", &d, &d.validate(&props));
        assert_eq!(infos.error_count, 2);
        assert_eq!(infos.groups, vec!["Postgres"]);
        assert_eq!(infos.configs[0].value.value, None);
        assert_eq!(infos.configs[1].value.value, None, "password never shown");
        assert!(infos.configs[1].value.errors.is_empty());
        assert_eq!(
            infos.configs[2].value.recommended_values,
            ["decoderbufs", "pgoutput"]
        );
        assert_eq!(infos.error_messages().len(), 2);
    }

    #[test]
    fn a_value_without_definition_comes_first_and_the_last_value_counts() {
        let d = def();
        let mut values = d.validate(&BTreeMap::<String, String>::new());
        values.push(ConfigValue {
            name: "sluice.extra".into(),
            value: None,
            recommended_values: Vec::new(),
            errors: vec!["bad".into()],
            visible: true,
        });
        values.push(ConfigValue {
            errors: vec!["connector's own".into()],
            ..values[0].clone()
        });
        let infos = ConfigInfos::from_validation("PostgresConnector", &d, &values);
        assert_eq!(infos.configs.len(), 4);
        assert_eq!(infos.configs[0].definition, None);
        assert_eq!(infos.configs[0].value.name, "sluice.extra");
        assert_eq!(infos.configs[1].value.errors, ["connector's own"]);
        assert_eq!(infos.error_count, 2);
        let json = serde_json::to_value(&infos.configs[0]).unwrap();
        assert!(json["definition"].is_null(), "{json}");
    }
}
