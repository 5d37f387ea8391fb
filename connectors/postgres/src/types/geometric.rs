//! Geometric types: `point` as Debezium's `io.debezium.data.geometry.Point` struct, and the
//! text Debezium emits (as bytes) for the other geometric types under
//! `include.unknown.datatypes=true`.
//!
//! Debezium reads those through the JDBC driver's geometry classes, whose text is PostgreSQL's
//! with every coordinate printed as a Java `double` (`{1,-1,0}` → `{1.0,-1.0,0.0}`);
//! [`java_text`] rewrites the numbers of PostgreSQL's text the same way.

use sluice_api::{Schema, SchemaBuilder, Struct, Value};

/// The `io.debezium.data.geometry.Point` schema (required; the caller makes it optional).
pub fn point_schema() -> SchemaBuilder {
    SchemaBuilder::struct_()
        .name("io.debezium.data.geometry.Point")
        .version(1)
        .doc("Geometry (POINT)")
        .field("x", Schema::float64())
        .field("y", Schema::float64())
        .field("wkb", Schema::optional_bytes())
        .field("srid", Schema::optional_int32())
}

/// A `point` value `(x,y)` as the Point struct of `schema`: the coordinates and their
/// well-known binary (little-endian, type 1), without an SRID.
pub fn point(text: &str, schema: &Schema) -> Result<Value, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or("not a point (x,y)")?;
    let (x, y) = inner.split_once(',').ok_or("not a point (x,y)")?;
    let parse = |v: &str| {
        v.trim()
            .parse::<f64>()
            .map_err(|e| format!("bad coordinate: {e}"))
    };
    let (x, y) = (parse(x)?, parse(y)?);
    let mut wkb = Vec::with_capacity(21);
    wkb.push(1); // little-endian
    wkb.extend_from_slice(&1u32.to_le_bytes()); // Point
    wkb.extend_from_slice(&x.to_le_bytes());
    wkb.extend_from_slice(&y.to_le_bytes());
    let values = vec![
        Value::Float64(x),
        Value::Float64(y),
        Value::Bytes(wkb),
        Value::Null,
    ];
    Ok(Value::Struct(
        Struct::from_values(schema.clone(), values).map_err(|e| e.to_string())?,
    ))
}

/// Whether the type OID is a geometric type other than `point` (`line`, `lseg`, `box`,
/// `path`, `polygon`, `circle`).
pub fn is_other_geometric(oid: u32) -> bool {
    matches!(oid, 601..=604 | 628 | 718)
}

/// PostgreSQL's text of a geometric value with each number printed as Java prints a `double`.
pub fn java_text(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut number = String::new();
    let flush = |number: &mut String, out: &mut String| -> Result<(), String> {
        if !number.is_empty() {
            let v: f64 = number
                .parse()
                .map_err(|e| format!("bad number '{number}': {e}"))?;
            out.push_str(&java_double(v));
            number.clear();
        }
        Ok(())
    };
    for c in text.chars() {
        if c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E') || c.is_alphabetic() {
            number.push(c);
        } else {
            flush(&mut number, &mut out)?;
            out.push(c);
        }
    }
    flush(&mut number, &mut out)?;
    Ok(out)
}

/// `Double.toString`: the shortest digits that read back to the same value, with at least
/// one fraction digit, and scientific notation outside [10⁻³, 10⁷).
pub fn java_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let magnitude = v.abs();
    if (1e-3..1e7).contains(&magnitude) {
        let s = format!("{v}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    // Rust's `{:e}` gives the shortest digits too: `1.5e-5`, `1e10`.
    let s = format!("{v:e}");
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_doubles() {
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(-4.25), "-4.25");
        assert_eq!(java_double(0.5), "0.5");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(12345678.9), "1.23456789E7");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(0.001), "0.001");
    }

    #[test]
    fn geometric_text_as_jdbc_prints_it() {
        assert_eq!(java_text("{1,-1,0}").unwrap(), "{1.0,-1.0,0.0}");
        assert_eq!(java_text("(3,4),(1,2)").unwrap(), "(3.0,4.0),(1.0,2.0)");
        assert_eq!(java_text("<(1,2),3>").unwrap(), "<(1.0,2.0),3.0>");
        assert_eq!(
            java_text("[(-1.5,2),(3,-4.25)]").unwrap(),
            "[(-1.5,2.0),(3.0,-4.25)]"
        );
        assert!(is_other_geometric(628) && is_other_geometric(603) && !is_other_geometric(600));
    }

    #[test]
    fn point_with_wkb() {
        let schema = point_schema().build().unwrap();
        let Value::Struct(p) = point("(1.5,-2)", &schema).unwrap() else {
            panic!()
        };
        assert_eq!(p.get("x").unwrap(), &Value::Float64(1.5));
        let Value::Bytes(wkb) = p.get("wkb").unwrap() else {
            panic!()
        };
        // The fixture's base64 AQEAAAAAAAAAAAD4PwAAAAAAAADA.
        assert_eq!(
            wkb,
            &[
                1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0
            ]
        );
    }
}
