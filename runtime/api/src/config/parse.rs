//! Parsing string properties into typed values, with Kafka's `ConfigDef.parseType` rules and
//! messages (values are trimmed; lists split on commas; numbers must fit their type).

use std::collections::{BTreeMap, HashMap};

use super::def::{ConfigDef, ConfigKey, ConfigType, Validator};
use crate::{Error, Result};

/// Where raw property values come from: any map or ordered list of properties.
pub trait ConfigSource {
    /// The raw value of `key`, if set (a JSON `null` counts as unset).
    fn get_raw(&self, key: &str) -> Option<&str>;
}

impl ConfigSource for HashMap<String, String> {
    fn get_raw(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl ConfigSource for BTreeMap<String, String> {
    fn get_raw(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl ConfigSource for [(String, Option<String>)] {
    fn get_raw(&self, key: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }
}

impl ConfigSource for Vec<(String, Option<String>)> {
    fn get_raw(&self, key: &str) -> Option<&str> {
        self.as_slice().get_raw(key)
    }
}

/// A parsed configuration value.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValueTyped {
    /// A boolean.
    Boolean(bool),
    /// A string (trimmed).
    String(String),
    /// An int.
    Int(i32),
    /// A short.
    Short(i16),
    /// A long.
    Long(i64),
    /// A double.
    Double(f64),
    /// A list.
    List(Vec<String>),
    /// A class or plugin name.
    Class(String),
    /// A secret.
    Password(String),
}

impl ConfigValueTyped {
    /// The value as Kafka Connect shows it: lists comma-joined, passwords as `[hidden]`.
    pub fn display(&self) -> String {
        match self {
            ConfigValueTyped::Boolean(b) => b.to_string(),
            ConfigValueTyped::String(s) | ConfigValueTyped::Class(s) => s.clone(),
            ConfigValueTyped::Int(i) => i.to_string(),
            ConfigValueTyped::Short(i) => i.to_string(),
            ConfigValueTyped::Long(i) => i.to_string(),
            ConfigValueTyped::Double(d) => format!("{d:?}"),
            ConfigValueTyped::List(l) => l.join(","),
            ConfigValueTyped::Password(_) => "[hidden]".to_string(),
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            ConfigValueTyped::Int(i) => Some(f64::from(*i)),
            ConfigValueTyped::Short(i) => Some(f64::from(*i)),
            ConfigValueTyped::Long(i) => Some(*i as f64),
            ConfigValueTyped::Double(d) => Some(*d),
            _ => None,
        }
    }
}

/// Parses `raw` as `key`'s type. `Err` holds Kafka's reason ("Not a number of type INT").
pub(crate) fn parse_value(
    key: &ConfigKey,
    raw: &str,
) -> std::result::Result<ConfigValueTyped, String> {
    let t = raw.trim();
    let number = |name: &str| format!("Not a number of type {name}");
    Ok(match key.ty {
        ConfigType::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" => ConfigValueTyped::Boolean(true),
            "false" => ConfigValueTyped::Boolean(false),
            _ => return Err("Expected value to be either true or false".into()),
        },
        ConfigType::String => ConfigValueTyped::String(t.to_string()),
        ConfigType::Int => ConfigValueTyped::Int(t.parse().map_err(|_| number("INT"))?),
        ConfigType::Short => ConfigValueTyped::Short(t.parse().map_err(|_| number("SHORT"))?),
        ConfigType::Long => ConfigValueTyped::Long(t.parse().map_err(|_| number("LONG"))?),
        ConfigType::Double => ConfigValueTyped::Double(t.parse().map_err(|_| number("DOUBLE"))?),
        ConfigType::List => ConfigValueTyped::List(if t.is_empty() {
            Vec::new()
        } else {
            t.split(',').map(|s| s.trim().to_string()).collect()
        }),
        ConfigType::Class => ConfigValueTyped::Class(t.to_string()),
        // Passwords are taken as given: surrounding spaces may be part of a secret.
        ConfigType::Password => ConfigValueTyped::Password(raw.to_string()),
    })
}

/// Runs `key`'s validator; `Err` holds the validator's message.
pub(crate) fn check(
    key: &ConfigKey,
    value: &ConfigValueTyped,
    raw: &str,
) -> std::result::Result<(), String> {
    let Some(v) = &key.validator else {
        return Ok(());
    };
    let text = match value {
        ConfigValueTyped::String(s) | ConfigValueTyped::Class(s) => s.as_str(),
        _ => raw.trim(),
    };
    match v {
        Validator::OneOf(allowed) if !allowed.iter().any(|a| a == text) => {
            Err(format!("String must be one of: {}", allowed.join(", ")))
        }
        Validator::OneOfIgnoreCase(allowed)
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(text)) =>
        {
            Err(format!(
                "String must be one of (case insensitive): {}",
                allowed.join(", ")
            ))
        }
        Validator::Range { min, max } => {
            let n = value
                .as_f64()
                .ok_or_else(|| "Value must be a number".to_string())?;
            if let Some(m) = min.filter(|m| n < *m) {
                return Err(format!("Value must be at least {}", number_text(m)));
            }
            if let Some(m) = max.filter(|m| n > *m) {
                return Err(format!("Value must be no more than {}", number_text(m)));
            }
            Ok(())
        }
        Validator::NonEmptyString if text.is_empty() => Err("String may not be empty".into()),
        Validator::Custom(f) => f(raw),
        _ => Ok(()),
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Kafka's `ConfigException` message for a bad value.
pub(crate) fn invalid(name: &str, raw: &str, reason: &str) -> String {
    format!("Invalid value {raw} for configuration {name}: {reason}")
}

/// Kafka's message for a required key that is not set.
pub(crate) fn missing(name: &str) -> String {
    format!("Missing required configuration \"{name}\" which has no default value.")
}

/// A configuration parsed against its [`ConfigDef`]: every defined key has a value (its own
/// or the default), except keys with a `null` default that were not set.
#[derive(Debug, Clone, Default)]
pub struct ParsedConfig {
    values: BTreeMap<String, ConfigValueTyped>,
}

impl ConfigDef {
    /// Parses and validates `source`; the first problem is an [`Error::Config`] naming the key.
    pub fn parse<S: ConfigSource + ?Sized>(&self, source: &S) -> Result<ParsedConfig> {
        let mut values = BTreeMap::new();
        for key in self.keys() {
            let raw = match source.get_raw(&key.name).or(key.default.as_deref()) {
                Some(raw) => raw,
                // Optional with a null default: the key simply has no value.
                None if key.null_default => continue,
                None => {
                    return Err(Error::Config {
                        key: key.name.clone(),
                        message: missing(&key.name),
                    });
                }
            };
            let value = parse_value(key, raw)
                .and_then(|v| check(key, &v, raw).map(|()| v))
                .map_err(|reason| Error::Config {
                    key: key.name.clone(),
                    message: invalid(&key.name, raw, &reason),
                })?;
            values.insert(key.name.clone(), value);
        }
        Ok(ParsedConfig { values })
    }
}

impl ParsedConfig {
    /// The parsed value of `name` (every defined key has one).
    pub fn get(&self, name: &str) -> Option<&ConfigValueTyped> {
        self.values.get(name)
    }

    /// A string, class or password value.
    pub fn string(&self, name: &str) -> Option<&str> {
        match self.values.get(name)? {
            ConfigValueTyped::String(s)
            | ConfigValueTyped::Class(s)
            | ConfigValueTyped::Password(s) => Some(s),
            _ => None,
        }
    }

    /// An integer value of any width.
    pub fn long(&self, name: &str) -> Option<i64> {
        match self.values.get(name)? {
            ConfigValueTyped::Int(i) => Some(i64::from(*i)),
            ConfigValueTyped::Short(i) => Some(i64::from(*i)),
            ConfigValueTyped::Long(i) => Some(*i),
            _ => None,
        }
    }

    /// A boolean value.
    pub fn boolean(&self, name: &str) -> Option<bool> {
        match self.values.get(name)? {
            ConfigValueTyped::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// A list value.
    pub fn list(&self, name: &str) -> Option<&[String]> {
        match self.values.get(name)? {
            ConfigValueTyped::List(l) => Some(l),
            _ => None,
        }
    }
}
