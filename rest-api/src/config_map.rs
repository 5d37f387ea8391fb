//! Connector configurations as the REST API carries them: flat JSON objects of string values.
//!
//! [`ConnectorConfig`] keeps the keys in the order the client sent them (the reference echoes a
//! created connector's config in request order, with `name` appended), which a `BTreeMap` would
//! lose and a `HashMap` would scramble. Like Jackson reading a `Map<String,String>`, numbers and
//! booleans are accepted and kept as their text (`"tasks.max": 1` is `"1"`). [`ConfigPatch`] is the
//! body of `PATCH /connectors/{c}/config`, where a `null` value removes the key (KIP-477).

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sluice_api::config::ConfigSource;

/// A connector's (or task's) configuration: ordered, unique keys with string values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorConfig {
    entries: Vec<(String, String)>,
}

impl ConnectorConfig {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key`: replaces the value in place if present, else appends it.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Applies a PATCH: `Some` sets a key, `None` removes it.
    pub fn apply(&mut self, patch: &ConfigPatch) {
        for (k, v) in patch.iter() {
            match v {
                Some(v) => self.insert(k, v),
                None => {
                    self.remove(k);
                }
            }
        }
    }

    /// The config as Java's `AbstractMap.toString` prints it (`{k=v, k2=v2}`), used in Kafka's
    /// messages. Keys are sorted so the text does not depend on hash order (the reference uses
    /// a `HashMap`, whose order happens to be sorted for short configs).
    pub fn to_java_string(&self) -> String {
        let mut entries: Vec<_> = self.entries.iter().collect();
        entries.sort();
        let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{{{}}}", inner.join(", "))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for ConnectorConfig {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut c = ConnectorConfig::new();
        for (k, v) in iter {
            c.insert(k, v);
        }
        c
    }
}

impl ConfigSource for ConnectorConfig {
    fn get_raw(&self, key: &str) -> Option<&str> {
        self.get(key)
    }
}

impl Serialize for ConnectorConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ConnectorConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries = d.deserialize_map(FlatMapVisitor { nulls: false })?;
        let mut c = ConnectorConfig::new();
        for (k, v) in entries {
            // `nulls: false` makes the visitor refuse nulls, so every value is present.
            if let Some(v) = v {
                c.insert(k, v);
            }
        }
        Ok(c)
    }
}

/// The body of `PATCH /connectors/{c}/config`: keys to set, or to remove when `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigPatch {
    entries: Vec<(String, Option<String>)>,
}

impl ConfigPatch {
    /// The entries in request order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_deref()))
    }

    /// The new value of `key`: `Some(None)` if the patch removes it, `None` if it leaves it.
    pub fn get(&self, key: &str) -> Option<Option<&str>> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }
}

impl<K: Into<String>> FromIterator<(K, Option<String>)> for ConfigPatch {
    fn from_iter<I: IntoIterator<Item = (K, Option<String>)>>(iter: I) -> Self {
        ConfigPatch {
            entries: iter.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for ConfigPatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries = d.deserialize_map(FlatMapVisitor { nulls: true })?;
        Ok(ConfigPatch { entries })
    }
}

impl Serialize for ConfigPatch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Reads a flat JSON object whose values are scalars, keeping their text.
struct FlatMapVisitor {
    nulls: bool,
}

/// One scalar value of a flat config object.
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Scalar(Some(s))),
            serde_json::Value::Number(n) => Ok(Scalar(Some(n.to_string()))),
            serde_json::Value::Bool(b) => Ok(Scalar(Some(b.to_string()))),
            serde_json::Value::Null => Ok(Scalar(None)),
            other => Err(de::Error::custom(format!(
                "configuration values must be strings, numbers or booleans, not {other}"
            ))),
        }
    }
}

impl<'de> Visitor<'de> for FlatMapVisitor {
    type Value = Vec<(String, Option<String>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of configuration properties")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<(String, Option<String>)> = Vec::new();
        while let Some((k, Scalar(v))) = map.next_entry::<String, Scalar>()? {
            if v.is_none() && !self.nulls {
                return Err(de::Error::custom(format!(
                    "configuration property '{k}' is null; give it a value or leave it out"
                )));
            }
            match out.iter_mut().find(|(key, _)| *key == k) {
                Some(entry) => entry.1 = v,
                None => out.push((k, v)),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_request_order_and_coerces_scalars() {
        let c: ConnectorConfig =
            serde_json::from_str(r#"{"tasks.max":1,"b":"x","a":true}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"tasks.max":"1","b":"x","a":"true"}"#
        );
        assert!(serde_json::from_str::<ConnectorConfig>(r#"{"a":null}"#).is_err());
        assert!(serde_json::from_str::<ConnectorConfig>(r#"{"a":[1]}"#).is_err());
    }

    #[test]
    fn patch_sets_and_removes() {
        let mut c: ConnectorConfig = [("a", "1"), ("b", "2")].into_iter().collect();
        let p: ConfigPatch = serde_json::from_str(r#"{"a":"9","b":null,"c":"3"}"#).unwrap();
        c.apply(&p);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"a":"9","c":"3"}"#);
        assert_eq!(p.get("b"), Some(None));
        assert_eq!(p.get("z"), None);
    }

    #[test]
    fn java_string_matches_the_reference_message() {
        // golden/rest/015_create_missing_connector_class.json
        let c: ConnectorConfig = [("tasks.max", "1"), ("name", "no-class")]
            .into_iter()
            .collect();
        assert_eq!(c.to_java_string(), "{name=no-class, tasks.max=1}");
    }
}
