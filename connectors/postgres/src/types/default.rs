//! Column defaults that Debezium reflects in the field schema.
//!
//! Debezium parses the default expression with the column's own value converter. A constant
//! (`42`, `'abc'::text`, `'2024-01-01'::date`, `(-5)`) becomes the schema's `default`. An
//! expression it cannot evaluate (`nextval(…)`, `now()`) gives no default on a nullable
//! column, but on a `NOT NULL` column the type's zero value — which is why a `serial` key
//! has `"default":0` and a `timestamptz NOT NULL DEFAULT now()` has the epoch in the golden
//! events. The zero values are only reflected for the families the golden events show
//! (integers, floats, booleans and the temporal types); others get no default.

use sluice_api::Value;

use super::{ColumnMapping, ColumnType, Kind};

/// The default Debezium puts in the schema of `column`, if any.
pub(super) fn reflected_default(column: &ColumnType, mapping: &ColumnMapping) -> Option<Value> {
    let expr = column.default_expr.as_deref()?;
    let constant = constant_literal(expr)
        .and_then(|literal| mapping.value_of_str(&literal).ok())
        .filter(|v| !v.is_null());
    match constant {
        Some(value) => Some(value),
        None if !column.nullable => zero_value(&mapping.kind),
        None => None,
    }
}

/// The literal of a constant default expression, without parentheses, quotes and casts;
/// `None` for anything that calls a function or refers to something.
pub fn constant_literal(expr: &str) -> Option<String> {
    let mut expr = expr.trim();
    while let Some(inner) = expr.strip_prefix('(').and_then(|e| e.strip_suffix(')')) {
        expr = inner.trim();
    }
    let (literal, rest) = if let Some(quoted) = expr.strip_prefix('\'') {
        // A string literal with '' for a quote; the rest may only be casts.
        let mut literal = String::new();
        let mut chars = quoted.char_indices().peekable();
        let end = loop {
            match chars.next()? {
                (_, '\'') if chars.next_if(|&(_, c)| c == '\'').is_some() => literal.push('\''),
                (i, '\'') => break i + 1,
                (_, c) => literal.push(c),
            }
        };
        (literal, &quoted[end..])
    } else {
        let end = expr.find("::").unwrap_or(expr.len());
        let literal = &expr[..end];
        let plain = literal
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'));
        if !plain || literal.is_empty() {
            return None;
        }
        // Unquoted booleans print as `true`/`false`; the text format uses `t`/`f`.
        let literal = match literal {
            "true" => "t",
            "false" => "f",
            other => other,
        };
        (literal.to_string(), &expr[end..])
    };
    // Only casts may follow (`::text`, `::character varying`, `::numeric(10,2)`).
    if !rest.is_empty() && !rest.starts_with("::") {
        return None;
    }
    Some(literal)
}

/// The value Debezium falls back to for a `NOT NULL` column whose default it cannot evaluate.
fn zero_value(kind: &Kind) -> Option<Value> {
    Some(match kind {
        Kind::Bool => Value::Boolean(false),
        Kind::Int16 => Value::Int16(0),
        Kind::Int32 => Value::Int32(0),
        Kind::Int64 => Value::Int64(0),
        Kind::Float32 => Value::Float32(0.0),
        Kind::Float64 | Kind::DecimalDouble => Value::Float64(0.0),
        Kind::Date { connect: true } => Value::Date(0),
        Kind::Date { connect: false } => Value::Int32(0),
        Kind::TimeMillis { connect: true } => Value::Time(0),
        Kind::TimeMillis { connect: false } => Value::Int32(0),
        Kind::TimestampMillis { connect: true } => Value::Timestamp(0),
        Kind::TimeMicros | Kind::TimestampMicros | Kind::TimestampMillis { connect: false } => {
            Value::Int64(0)
        }
        Kind::TimeTz => Value::String("00:00:00Z".into()),
        Kind::TimestampTz => Value::String("1970-01-01T00:00:00.000000Z".into()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        assert_eq!(constant_literal("42").as_deref(), Some("42"));
        assert_eq!(constant_literal("(-5)").as_deref(), Some("-5"));
        assert_eq!(constant_literal("'it''s'::text").as_deref(), Some("it's"));
        assert_eq!(
            constant_literal("'a'::character varying").as_deref(),
            Some("a")
        );
        assert_eq!(constant_literal("true").as_deref(), Some("t"));
        assert_eq!(constant_literal("nextval('s'::regclass)"), None);
        assert_eq!(constant_literal("now()"), None);
        assert_eq!(constant_literal("'a' || 'b'"), None);
    }
}
