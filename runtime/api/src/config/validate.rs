//! Validation for the REST `config/validate` endpoint: every key's value, errors and
//! recommended values, without stopping at the first problem (Kafka's `ConfigDef.validate`).

use super::def::{ConfigDef, Validator};
use super::parse::{ConfigSource, check, invalid, missing, parse_value};

/// The validation result of one key (Kafka's `ConfigValue`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigValue {
    /// The key.
    pub name: String,
    /// The value as shown back (`None` when unset without default, or when it does not parse).
    pub value: Option<String>,
    /// Values a UI may offer.
    pub recommended_values: Vec<String>,
    /// What is wrong, in Kafka's words; empty when valid.
    pub errors: Vec<String>,
    /// Whether the key applies given the other values.
    pub visible: bool,
}

impl ConfigDef {
    /// Validates every defined key of `source`, in definition order.
    pub fn validate<S: ConfigSource + ?Sized>(&self, source: &S) -> Vec<ConfigValue> {
        self.keys()
            .iter()
            .map(|key| {
                let recommended_values = match &key.validator {
                    Some(Validator::OneOf(v)) | Some(Validator::OneOfIgnoreCase(v)) => v.clone(),
                    _ => Vec::new(),
                };
                let mut cv = ConfigValue {
                    name: key.name.clone(),
                    value: None,
                    recommended_values,
                    errors: Vec::new(),
                    visible: true,
                };
                match source.get_raw(&key.name).or(key.default.as_deref()) {
                    None if key.null_default => {}
                    None => cv.errors.push(missing(&key.name)),
                    Some(raw) => match parse_value(key, raw) {
                        Err(reason) => cv.errors.push(invalid(&key.name, raw, &reason)),
                        Ok(v) => {
                            cv.value = Some(v.display());
                            if let Err(reason) = check(key, &v, raw) {
                                cv.errors.push(invalid(&key.name, raw, &reason));
                            }
                        }
                    },
                }
                cv
            })
            .collect()
    }

    /// The keys of `props` this definition does not know: reported, never silently ignored.
    pub fn unknown_keys<'a>(&self, props: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        props
            .into_iter()
            .filter(|k| self.key(k).is_none())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::{ConfigKey, ConfigType, Importance, Width};

    fn def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new("name", ConfigType::String, "Connector name.")
                    .importance(Importance::High),
            )
            .define(
                ConfigKey::new("tasks.max", ConfigType::Int, "Maximum number of tasks.")
                    .default_value("1")
                    .validator(Validator::Range {
                        min: Some(1.0),
                        max: None,
                    })
                    .display("Common", 4, Width::Short, "Tasks max"),
            )
            .define(
                ConfigKey::new("plugin.name", ConfigType::String, "Decoding plugin.")
                    .default_value("pgoutput")
                    .validator(Validator::OneOf(vec![
                        "decoderbufs".into(),
                        "pgoutput".into(),
                    ])),
            )
            .define(
                ConfigKey::new("database.password", ConfigType::Password, "Password.")
                    .default_value(""),
            )
            .define(
                ConfigKey::new(
                    "file",
                    ConfigType::String,
                    "Source filename; stdin if unset.",
                )
                .default_null(),
            )
    }

    fn props(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_applies_defaults_and_types() {
        let p = def()
            .parse(&props(&[("name", " orders "), ("tasks.max", "3")]))
            .unwrap();
        assert_eq!(p.string("name"), Some("orders"));
        assert_eq!(p.long("tasks.max"), Some(3));
        assert_eq!(p.string("plugin.name"), Some("pgoutput"));
    }

    #[test]
    fn parse_names_the_key_with_kafkas_messages() {
        let e = def()
            .parse(&props(&[("name", "x"), ("tasks.max", "many")]))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value for configuration 'tasks.max': Invalid value many for configuration tasks.max: Not a number of type INT"
        );
        let e = def().parse(&props(&[])).unwrap_err();
        assert!(
            e.to_string()
                .contains("Missing required configuration \"name\" which has no default value."),
            "{e}"
        );
        let e = def()
            .parse(&props(&[("name", "x"), ("tasks.max", "0")]))
            .unwrap_err();
        assert!(e.to_string().ends_with("Value must be at least 1"), "{e}");
    }

    #[test]
    fn validate_reports_every_key() {
        let v = def().validate(&props(&[
            ("tasks.max", "x"),
            ("plugin.name", "nosuch"),
            ("database.password", "s3cret"),
        ]));
        assert_eq!(v.len(), 5);
        assert_eq!(
            v[0].errors,
            vec!["Missing required configuration \"name\" which has no default value."]
        );
        assert_eq!(v[1].value, None);
        assert_eq!(
            v[1].errors,
            vec!["Invalid value x for configuration tasks.max: Not a number of type INT"]
        );
        assert_eq!(v[2].value.as_deref(), Some("nosuch"));
        assert_eq!(v[2].recommended_values, vec!["decoderbufs", "pgoutput"]);
        assert_eq!(
            v[2].errors,
            vec![
                "Invalid value nosuch for configuration plugin.name: String must be one of: decoderbufs, pgoutput"
            ]
        );
        assert_eq!(
            v[3].value.as_deref(),
            Some("[hidden]"),
            "passwords are never shown back"
        );
        assert!(v[3].errors.is_empty());
        assert_eq!(
            (v[4].value.as_deref(), v[4].errors.len()),
            (None, 0),
            "null default: unset, valid"
        );
    }

    #[test]
    fn groups_and_unknown_keys() {
        let d = def();
        assert_eq!(d.groups(), vec!["Common"]);
        assert_eq!(
            d.unknown_keys(["name", "databse.hostname"]),
            vec!["databse.hostname"]
        );
        assert!(d.key("name").unwrap().required());
        assert!(!d.key("tasks.max").unwrap().required());
        assert!(!d.key("file").unwrap().required());
        let p = d.parse(&props(&[("name", "x")])).unwrap();
        assert_eq!(p.string("file"), None);
    }
}
