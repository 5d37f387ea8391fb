//! Rebuilds a connector's `ConfigDef` from the `ConfigKeyInfo` JSON the reference answered, so
//! the router's rendering can be compared with the reference's byte for byte.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;
use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator, Width};

/// Builds a `ConfigDef` from `ConfigKeyInfo` JSON as the reference rendered it. Returns the def
/// and the keys that are optional although they have no default (Debezium has many; sluice-api's
/// `ConfigKey` cannot say so, see the conformance report).
pub fn def_from_golden(
    keys: &[&Value],
    recommended: &BTreeMap<String, Vec<String>>,
) -> (ConfigDef, HashSet<String>) {
    let mut def = ConfigDef::new();
    let mut optional_without_default = HashSet::new();
    for k in keys {
        let name = k["name"].as_str().unwrap();
        let ty = match k["type"].as_str().unwrap() {
            "BOOLEAN" => ConfigType::Boolean,
            "INT" => ConfigType::Int,
            "SHORT" => ConfigType::Short,
            "LONG" => ConfigType::Long,
            "DOUBLE" => ConfigType::Double,
            "LIST" => ConfigType::List,
            "CLASS" => ConfigType::Class,
            "PASSWORD" => ConfigType::Password,
            _ => ConfigType::String,
        };
        let mut key = ConfigKey::new(name, ty, k["documentation"].as_str().unwrap_or(""))
            .importance(match k["importance"].as_str().unwrap() {
                "HIGH" => Importance::High,
                "MEDIUM" => Importance::Medium,
                _ => Importance::Low,
            });
        if let Some(d) = k["default_value"].as_str() {
            key = key.default_value(d);
        } else if !k["required"].as_bool().unwrap() {
            optional_without_default.insert(name.to_owned());
        }
        if let Some(group) = k["group"].as_str() {
            let width = match k["width"].as_str().unwrap() {
                "SHORT" => Width::Short,
                "MEDIUM" => Width::Medium,
                "LONG" => Width::Long,
                _ => Width::None,
            };
            let order = i32::try_from(k["order_in_group"].as_i64().unwrap()).unwrap();
            key = key.display(group, order, width, k["display_name"].as_str().unwrap());
        } else {
            key.display_name = k["display_name"].as_str().unwrap().to_owned();
            key.order_in_group = i32::try_from(k["order_in_group"].as_i64().unwrap()).unwrap();
        }
        key.dependents = k["dependents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect();
        if name == "name" {
            key = key.validator(Validator::NonEmptyString);
        } else if ty == ConfigType::String
            && let Some(values) = recommended.get(name)
        {
            key = key.validator(Validator::OneOfIgnoreCase(values.clone()));
        }
        def = def.define(key);
    }
    (def, optional_without_default)
}
