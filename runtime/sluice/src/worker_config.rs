//! The worker's configuration files and environment, as Kafka Connect and the Confluent image
//! read them:
//!
//! - `worker.properties` and `.properties` connector files in Java's `Properties` format
//!   (`key=value`, `key: value` or `key value`; `#`/`!` comments; `\` line continuations;
//!   `\t \n \r \f \uXXXX` escapes). Written here rather than with a crate because the format is
//!   small and the few crates that read it differ from Java on continuations and escapes.
//! - `CONNECT_*` environment variables (the Confluent image's convention): the rest of the name,
//!   lower-cased, with `___` → `-`, `__` → `_` and `_` → `.`
//!   (`CONNECT_BOOTSTRAP_SERVERS` → `bootstrap.servers`). They override the file.
//! - `.json` connector files: `{"name": …, "config": {…}}` (the `POST /connectors` body) or a
//!   flat config map with a `name` key.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use sluice_rest::ConnectorConfig;

/// Kafka Connect's default REST listener (`listeners`).
pub(crate) const DEFAULT_LISTENERS: &str = "http://:8083";
/// Kafka's default `bootstrap.servers`.
pub(crate) const DEFAULT_BOOTSTRAP: &str = "localhost:9092";

/// Parses Java `.properties` text; later keys win.
pub(crate) fn parse_properties(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        // Join continuation lines: an odd number of trailing backslashes continues the line.
        let mut logical = trimmed.to_string();
        while ends_with_continuation(&logical) {
            logical.pop();
            match lines.next() {
                Some(next) => logical.push_str(next.trim_start()),
                None => break,
            }
        }
        let (key, value) = split_key_value(&logical);
        out.insert(unescape(key), unescape(value));
    }
    out
}

fn ends_with_continuation(line: &str) -> bool {
    line.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1
}

/// Splits at the first unescaped `=`, `:` or whitespace (whitespace around the separator is
/// dropped).
fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' => return (&line[..i], line[i + 1..].trim_start()),
            c if c.is_whitespace() => {
                let rest = line[i..].trim_start();
                let rest = rest.strip_prefix(['=', ':']).map_or(rest, str::trim_start);
                return (&line[..i], rest);
            }
            _ => {}
        }
    }
    (line, "")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The worker key a `CONNECT_*` variable sets, `None` for other variables and for the image's
/// non-config ones (`CONNECT_LOG4J_*`, `CONNECT_JMX_*`).
pub(crate) fn env_key(var: &str) -> Option<String> {
    let rest = var.strip_prefix("CONNECT_")?;
    if rest.is_empty() || rest.starts_with("LOG4J_") || rest.starts_with("JMX_") {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    Some(
        lower
            .replace("___", "\u{0}")
            .replace("__", "\u{1}")
            .replace('_', ".")
            .replace('\u{0}', "-")
            .replace('\u{1}', "_"),
    )
}

/// Reads `worker.properties` and applies the `CONNECT_*` variables of `env` on top.
pub(crate) fn load_worker(
    path: &Path,
    env: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the worker properties {}", path.display()))?;
    let mut props = parse_properties(&text);
    for (var, value) in env {
        if let Some(key) = env_key(&var) {
            props.insert(key, value);
        }
    }
    Ok(props)
}

/// Reads a connector file (`.json`, else `.properties`): its name and config (with `name`).
pub(crate) fn load_connector(path: &Path) -> anyhow::Result<(String, ConnectorConfig)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the connector file {}", path.display()))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let mut config: ConnectorConfig = if is_json {
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        let name = value
            .get("name")
            .and_then(|n| n.as_str())
            .map(str::to_string);
        let mut config: ConnectorConfig = match value.get("config") {
            Some(c) => serde_json::from_value(c.clone()),
            None => serde_json::from_value(value.clone()),
        }
        .with_context(|| {
            format!(
                "{}: expected {{\"name\": …, \"config\": {{…}}}} or a flat map of strings",
                path.display()
            )
        })?;
        if let Some(name) = name
            && config.get("name").is_none()
        {
            config.insert("name", name);
        }
        config
    } else {
        parse_properties(&text).into_iter().collect()
    };
    let Some(name) = config.get("name").map(str::to_string) else {
        bail!("{}: the connector has no 'name'", path.display());
    };
    config.insert("name", name.clone());
    Ok((name, config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_properties_syntax() {
        let p = parse_properties(
            "# comment\n! also\n  bootstrap.servers = localhost:9092\nkey.converter:Json\n\
             spaced value\nlong=a,\\\n    b\npath=C:\\\\dir\\tx\nuni=\\u0041\nempty=\n",
        );
        assert_eq!(p["bootstrap.servers"], "localhost:9092");
        assert_eq!(p["key.converter"], "Json");
        assert_eq!(p["spaced"], "value");
        assert_eq!(p["long"], "a,b");
        assert_eq!(p["path"], "C:\\dir\tx");
        assert_eq!(p["uni"], "A");
        assert_eq!(p["empty"], "");
        assert_eq!(p.len(), 7);
    }

    #[test]
    fn confluent_environment_names() {
        assert_eq!(
            env_key("CONNECT_BOOTSTRAP_SERVERS").as_deref(),
            Some("bootstrap.servers")
        );
        assert_eq!(
            env_key("CONNECT_OFFSET_STORAGE_FILE_FILENAME").as_deref(),
            Some("offset.storage.file.filename")
        );
        assert_eq!(
            env_key("CONNECT_CONFLUENT___LICENSE__X").as_deref(),
            Some("confluent-license_x")
        );
        // The distributed worker's keys, as the Confluent image's examples set them.
        for (var, key) in [
            ("CONNECT_GROUP_ID", "group.id"),
            ("CONNECT_CONFIG_STORAGE_TOPIC", "config.storage.topic"),
            (
                "CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR",
                "config.storage.replication.factor",
            ),
            (
                "CONNECT_OFFSET_STORAGE_PARTITIONS",
                "offset.storage.partitions",
            ),
            (
                "CONNECT_REST_ADVERTISED_HOST_NAME",
                "rest.advertised.host.name",
            ),
            ("CONNECT_SESSION_TIMEOUT_MS", "session.timeout.ms"),
        ] {
            assert_eq!(env_key(var).as_deref(), Some(key), "{var}");
        }
        assert_eq!(env_key("CONNECT_LOG4J_ROOT_LOGLEVEL"), None);
        assert_eq!(env_key("PATH"), None);
    }

    #[test]
    fn connector_files_in_both_json_shapes_and_properties() {
        let dir = std::env::temp_dir().join(format!("sluice-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wrapped = dir.join("a.json");
        std::fs::write(
            &wrapped,
            r#"{"name":"a","config":{"tasks.max":1,"topic":"t"}}"#,
        )
        .unwrap();
        let (name, c) = load_connector(&wrapped).unwrap();
        assert_eq!(
            (name.as_str(), c.get("tasks.max"), c.get("name")),
            ("a", Some("1"), Some("a"))
        );
        let flat = dir.join("b.json");
        std::fs::write(&flat, r#"{"name":"b","topic":"t"}"#).unwrap();
        assert_eq!(load_connector(&flat).unwrap().0, "b");
        let props = dir.join("c.properties");
        std::fs::write(&props, "name=c\nconnector.class=FileStreamSource\n").unwrap();
        let (name, c) = load_connector(&props).unwrap();
        assert_eq!(
            (name.as_str(), c.get("connector.class")),
            ("c", Some("FileStreamSource"))
        );
        let nameless = dir.join("d.json");
        std::fs::write(&nameless, r#"{"topic":"t"}"#).unwrap();
        assert!(load_connector(&nameless).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
