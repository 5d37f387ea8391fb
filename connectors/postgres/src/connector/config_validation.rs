//! Debezium's `validate` of the connector's keys, as `PUT /connector-plugins/…/config/validate`
//! answers it (`golden/rest/008`, `009`): one [`ConfigValue`] per key of
//! [`config_def::KEYS`](super::config_def::KEYS), in order, whose errors are Debezium's
//! messages (`The '<key>' value is invalid: <problem>`), whose recommended values are the key's
//! allowed values, and whose value is never shown back (Debezium reports none).
//!
//! As in Debezium, a key is checked for its type first (`INT` → an integer, …), then by each of
//! its [`Check`]s, so a key Debezium checks twice (`database.port`: its type and an explicit
//! integer check) reports the same problem twice; a key's dependents (`schema.include.list` →
//! `table.include.list`) are checked once more after it, adding their errors again. Unset keys
//! are checked with their default.
//!
//! What Sluice itself cannot do (a value Debezium accepts but Sluice does not support, such as
//! `plugin.name=decoderbufs`) is reported afterwards by the connector's `validate` from
//! `PostgresConfig::parse`, only when these checks pass. Two leniencies keep what Sluice always
//! accepted: `snapshot.mode` also takes `never` and `schema_only`, and `max.queue.size` is
//! compared with Sluice's default `max.batch.size` when that is unset.

use regex::Regex;
use sluice_api::config::{ConfigSource, ConfigType, ConfigValue};
use sluice_api::connector::Properties;

use super::config_def::{Check, DebeziumKey, KEYS, key};

/// Values Sluice accepts beyond Debezium 3.6's allowed ones: earlier Debezium names it has
/// always taken (`never` and `schema_only` for `no_data`).
const SLUICE_ALSO_ACCEPTS: &[(&str, &[&str])] = &[("snapshot.mode", &["never", "schema_only"])];

/// Debezium's validation of every key of `props` (see the module doc).
pub fn validate(props: &Properties) -> Vec<ConfigValue> {
    let mut values: Vec<ConfigValue> = KEYS
        .iter()
        .map(|k| ConfigValue {
            name: k.name.to_string(),
            value: None,
            recommended_values: k
                .recommended_values()
                .iter()
                .map(|v| (*v).to_string())
                .collect(),
            errors: Vec::new(),
            visible: k.visible,
        })
        .collect();
    for (i, k) in KEYS.iter().enumerate() {
        values[i].errors.extend(problems(k, props));
        for dependent in k.dependents {
            if let Some(j) = KEYS.iter().position(|d| d.name == *dependent) {
                values[j].errors.extend(problems(&KEYS[j], props));
            }
        }
    }
    values
}

/// The errors of key `k` in `props`, in Debezium's words.
pub fn problems(k: &DebeziumKey, props: &Properties) -> Vec<String> {
    // Debezium's `Configuration.getString(field)`: the value as given, else the default.
    let value = props.get_raw(k.name).or(k.default);
    let mut out = Vec::new();
    if let Some(problem) = value.and_then(|v| type_problem(k.ty, v)) {
        out.push(problem);
    }
    for check in k.checks {
        if let Some(problem) = check_problem(*check, k, value, props) {
            out.push(problem);
        }
    }
    out.into_iter()
        .map(|p| format!("The '{}' value is invalid: {p}", k.name))
        .collect()
}

fn type_problem(ty: ConfigType, v: &str) -> Option<String> {
    let problem = match ty {
        ConfigType::Boolean if !is_boolean(v) => "Either 'true' or 'false' is expected",
        ConfigType::Int if v.parse::<i32>().is_err() => "An integer is expected",
        ConfigType::Long if v.parse::<i64>().is_err() => "A long value is expected",
        ConfigType::Short if v.parse::<i16>().is_err() => "A short value is expected",
        ConfigType::Double if v.trim().parse::<f64>().is_err() => "A double value is expected",
        ConfigType::Class if !is_class_name(v) => "A Java class name is expected",
        _ => return None,
    };
    Some(problem.to_string())
}

fn is_boolean(v: &str) -> bool {
    let v = v.trim();
    v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
}

/// A dotted Java name (`javax.lang.model.SourceVersion.isName`, keywords aside).
fn is_class_name(v: &str) -> bool {
    v.split('.').all(|part| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
            && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    })
}

/// A number check: `Some(message)` when `v` is not a number of the kind or fails `ok`.
fn number<T: std::str::FromStr>(v: &str, ok: fn(&T) -> bool, message: &str) -> Option<String> {
    match v.parse::<T>() {
        Ok(n) if ok(&n) => None,
        _ => Some(message.to_string()),
    }
}

fn matches(pattern: &str, v: &str) -> bool {
    Regex::new(pattern).is_ok_and(|re| re.is_match(v))
}

/// Splits a regex list on commas not escaped with a backslash, as Debezium does.
fn regex_list(v: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                out.last_mut().unwrap().push(',');
                chars.next();
            }
            ',' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn check_problem(
    check: Check,
    k: &DebeziumKey,
    value: Option<&str>,
    props: &Properties,
) -> Option<String> {
    let invalid_format = |v: &str| {
        format!(
            "{v} has invalid format (only the underscore, hyphen, dot and alphanumeric characters are allowed)"
        )
    };
    match check {
        Check::Required => {
            (value.is_none_or(|v| v.trim().is_empty())).then(|| "A value is required".into())
        }
        // Checks of a value: an unset key without default passes.
        _ if value.is_none() => None,
        Check::Integer => number::<i32>(value?, |_| true, "An integer is expected"),
        Check::PositiveInteger => number::<i32>(
            value?,
            |n| *n > 0,
            "A positive, non-zero integer value is expected",
        ),
        Check::NonNegativeInteger => {
            number::<i32>(value?, |n| *n >= 0, "An non-negative integer is expected")
        }
        Check::PositiveLong => number::<i64>(
            value?,
            |n| *n > 0,
            "A positive, non-zero long value is expected",
        ),
        Check::NonNegativeLong => {
            number::<i64>(value?, |n| *n >= 0, "A non-negative long value is expected")
        }
        Check::Boolean => {
            (!is_boolean(value?)).then(|| "Either 'true' or 'false' is expected".into())
        }
        Check::ListOfRegex => regex_list(value?)
            .iter()
            .find_map(|p| Regex::new(&format!("(?i){p}")).err())
            .map(|e| {
                format!("A comma-separated list of valid regular expressions is expected, but {e}")
            }),
        Check::ListOfMap => {
            let v = value?;
            let bad = !v.trim().is_empty()
                && v.split(',').any(|item| item.split('=').count() != 2);
            bad.then(|| {
                "A equivalent-separated map of valid key/value pairs is expected, for example: k1=v1,k2=v2"
                    .into()
            })
        }
        Check::OneOf(allowed) => {
            let v = value?.trim().to_lowercase();
            let also = SLUICE_ALSO_ACCEPTS
                .iter()
                .any(|(name, values)| *name == k.name && values.contains(&v.as_str()));
            (!allowed.contains(&v.as_str()) && !also)
                .then(|| format!("Value must be one of {}", allowed.join(", ")))
        }
        Check::TopicName => {
            let v = value?;
            (!matches(r"^[a-zA-Z0-9_.\-]+$", v)).then(|| invalid_format(v))
        }
        Check::Hostname => {
            let v = value?;
            (!v.trim().is_empty() && !matches(r"^[a-zA-Z0-9\-_.]+$", v)).then(|| invalid_format(v))
        }
        Check::SlotName => (!matches(r"^[a-z0-9_]{1,63}$", value?)).then(|| {
            "Valid replication slot name must contain only digits, lowercase characters and underscores with length <= 63"
                .into()
        }),
        Check::MaxQueueSize => {
            // Unset sizes are Sluice's (smaller) defaults, the sizes it really uses.
            let sluice = super::config::config_def();
            let int = |name: &str| {
                let default = sluice.key(name).and_then(|d| d.default.as_deref());
                props.get_raw(name).or(default)?.parse::<i32>().ok()
            };
            let (queue, batch) = (int(k.name)?, int("max.batch.size")?);
            if queue <= 0 {
                Some("A positive queue size is required".into())
            } else {
                (queue <= batch).then(|| "Must be larger than the maximum batch size".into())
            }
        }
        Check::SkippedOperations => {
            let v = value?;
            if v == "none" {
                return None;
            }
            let (mut none, mut ops) = (false, false);
            for op in v.split(',').map(str::trim) {
                match op {
                    "none" => none = true,
                    "r" | "c" | "u" | "d" | "t" => ops = true,
                    _ => return Some("Invalid operation".into()),
                }
            }
            (none && ops)
                .then(|| "'none' cannot be specified with other skipped operation types".into())
        }
        Check::ExcludeList(include) => {
            let include_default = key(include).and_then(|d| d.default);
            props
                .get_raw(include)
                .or(include_default)
                .map(|_| format!("\"{include}\" is already specified"))
        }
        Check::CustomName(mode) => {
            let custom = props
                .get_raw(mode)
                .is_some_and(|m| m.eq_ignore_ascii_case("custom"));
            (custom && value?.is_empty())
                .then(|| format!("{} cannot be empty when {mode} 'custom' is defined", k.name))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn golden(file: &str) -> Value {
        let path = sluice_testkit::golden(&format!("rest/{file}"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    fn request(v: &Value) -> Properties {
        v["request_body"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
            .collect()
    }

    /// Our answer for the reference's request, against the plugin keys of its answer.
    fn same_as_reference(file: &str) {
        let t = golden(file);
        let ours = validate(&request(&t));
        let reference: Vec<&Value> = t["response_body"]["configs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["value"])
            .filter(|v| key(v["name"].as_str().unwrap()).is_some())
            .collect();
        assert_eq!(ours.len(), reference.len());
        for (o, g) in ours.iter().zip(reference) {
            let o = serde_json::json!({
                "name": o.name, "value": o.value, "recommended_values": o.recommended_values,
                "errors": o.errors, "visible": o.visible,
            });
            assert_eq!(&o, g);
        }
    }

    #[test]
    fn a_valid_config_has_the_references_answer() {
        same_as_reference("008_validate_valid_config.json");
    }

    #[test]
    fn an_invalid_config_has_debeziums_errors() {
        same_as_reference("009_validate_invalid_config.json");
    }

    fn errors_of(name: &str, kv: &[(&str, &str)]) -> Vec<String> {
        let props: Properties = kv
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect();
        problems(key(name).unwrap(), &props)
    }

    #[test]
    fn debeziums_other_checks() {
        assert_eq!(
            errors_of("slot.name", &[("slot.name", "Bad-Slot")]),
            [
                "The 'slot.name' value is invalid: Valid replication slot name must contain only digits, lowercase characters and underscores with length <= 63"
            ]
        );
        assert_eq!(
            errors_of("max.queue.size", &[("max.queue.size", "100")]),
            ["The 'max.queue.size' value is invalid: Must be larger than the maximum batch size"]
        );
        assert!(
            errors_of("max.queue.size", &[("max.queue.size", "1500")]).is_empty(),
            "larger than Sluice's default batch (1024)"
        );
        assert!(errors_of("snapshot.mode", &[("snapshot.mode", "never")]).is_empty());
        assert_eq!(
            errors_of("skipped.operations", &[("skipped.operations", "c,none")]),
            [
                "The 'skipped.operations' value is invalid: 'none' cannot be specified with other skipped operation types"
            ]
        );
        assert_eq!(
            errors_of(
                "table.exclude.list",
                &[("table.include.list", "a"), ("table.exclude.list", "b")]
            ),
            [
                "The 'table.exclude.list' value is invalid: \"table.include.list\" is already specified"
            ]
        );
        assert_eq!(
            errors_of("snapshot.mode", &[("snapshot.mode", " Initial ")]),
            Vec::<String>::new(),
            "enums ignore case and spaces"
        );
        assert_eq!(
            errors_of("tombstones.on.delete", &[("tombstones.on.delete", "yes")]).len(),
            2,
            "its type and its own check"
        );
        assert!(
            errors_of("table.include.list", &[("table.include.list", "inv.(a")])[0]
                .starts_with("The 'table.include.list' value is invalid: A comma-separated list of valid regular expressions is expected, but ")
        );
        assert!(errors_of("table.include.list", &[("table.include.list", "a\\,b,c")]).is_empty());
    }
}
