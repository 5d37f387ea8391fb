//! Comparisons of an answer body with the (translated) reference body.
//!
//! [`diff`] is exact except for the values the golden README documents as varying from run to
//! run: `worker_id`, `trace`, a logger's `last_modified`, a state's plugin `version` (the
//! Debezium version there, the built-in plugin's here), and the WAL position, transaction id and
//! time of a PostgreSQL offset (`lsn`, `txId`, `ts_usec`: any number where the reference has a
//! number). Same rules as the router-level replay in `rest-api/tests/golden_conformance.rs`.
//!
//! [`shape`] is for answers that describe a plugin (plugin lists, `ConfigDef`s, validate
//! answers) or a logger list: same JSON types, same object keys, and array elements shaped like
//! the reference's first element; values are not compared.

use serde_json::Value;

/// Records every difference between `golden` and `ours` under `path`.
pub fn diff(path: &str, golden: &Value, ours: &Value, out: &mut Vec<String>) {
    match (golden, ours) {
        (Value::Object(g), Value::Object(o)) => {
            let is_state = g.contains_key("state");
            let position = |k: &str| {
                matches!(k, "lsn" | "txId" | "ts_usec")
                    && g.get(k).is_some_and(Value::is_number)
                    && o.get(k).is_some_and(Value::is_number)
            };
            let varying = |k: &str| {
                matches!(k, "worker_id" | "trace" | "last_modified")
                    || (is_state && k == "version")
                    || position(k)
            };
            for (k, gv) in g.iter().filter(|(k, _)| !varying(k)) {
                match o.get(k) {
                    Some(ov) => diff(&format!("{path}.{k}"), gv, ov, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in o.keys().filter(|k| !g.contains_key(*k) && !varying(k)) {
                out.push(format!("{path}.{k}: unexpected"));
            }
        }
        (Value::Array(g), Value::Array(o)) => {
            if g.len() != o.len() {
                out.push(format!(
                    "{path}: {} elements, expected {}",
                    o.len(),
                    g.len()
                ));
            }
            for (i, (gv, ov)) in g.iter().zip(o).enumerate() {
                diff(&format!("{path}[{i}]"), gv, ov, out);
            }
        }
        _ if golden == ours => {}
        _ => out.push(format!("{path}: {ours} (expected {golden})")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Records where `ours` is not shaped like `golden`. A `null` in the reference accepts a
/// `null` or a scalar (optional values: `default_value`, `group`, `last_modified`).
pub fn shape(path: &str, golden: &Value, ours: &Value, out: &mut Vec<String>) {
    shape_of(path, golden, ours, true, out);
}

/// `exact_len`: whether an empty array must stay empty (false when `golden` is the
/// representative first element of a list, whose own arrays may well be empty).
fn shape_of(path: &str, golden: &Value, ours: &Value, exact_len: bool, out: &mut Vec<String>) {
    match (golden, ours) {
        (Value::Object(g), Value::Object(o)) => {
            for (k, gv) in g {
                match o.get(k) {
                    Some(ov) => shape_of(&format!("{path}.{k}"), gv, ov, exact_len, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in o.keys().filter(|k| !g.contains_key(*k)) {
                out.push(format!("{path}.{k}: unexpected"));
            }
        }
        (Value::Array(g), Value::Array(o)) => {
            if exact_len && g.is_empty() != o.is_empty() {
                out.push(format!(
                    "{path}: {} elements, expected {}",
                    o.len(),
                    g.len()
                ));
            }
            if let Some(first) = g.first() {
                for (i, ov) in o.iter().enumerate() {
                    shape_of(&format!("{path}[{i}]"), first, ov, false, out);
                }
            }
        }
        (Value::Null, o) if !o.is_array() && !o.is_object() => {}
        (g, Value::Null) if !g.is_array() && !g.is_object() => {}
        (g, o) if kind(g) == kind(o) => {}
        (g, o) => out.push(format!("{path}: a {}, expected a {}", kind(o), kind(g))),
    }
}

/// [`shape`] of a map whose keys vary (the logger list): every value of `ours` is shaped like
/// the reference's first value, and the map is not empty when the reference's was not.
pub fn shape_of_map(golden: &Value, ours: &Value, out: &mut Vec<String>) {
    let (Some(g), Some(o)) = (golden.as_object(), ours.as_object()) else {
        out.push(format!("$: {ours} is not an object like the reference"));
        return;
    };
    if g.is_empty() != o.is_empty() {
        out.push(format!("$: {} entries, expected {}", o.len(), g.len()));
    }
    if let Some(first) = g.values().next() {
        for (k, v) in o {
            shape(&format!("$.{k}"), first, v, out);
        }
    }
}
