//! [`Values`]: Kafka Connect's `org.apache.kafka.connect.data.Values` string forms — the type
//! inference of `Values.parseString` and the text of `Values.convertToString` — which is what
//! Kafka's default header converter, `SimpleHeaderConverter`, reads and writes.
//!
//! Reading infers a schema from text, as Java 4.3 does, quirks included (they decide what a Java
//! sink sees for the same header, so Sluice reproduces them rather than "fixing" them):
//!
//! | text | schema | value |
//! |---|---|---|
//! | `""` | STRING | `""` |
//! | `null` | none | null |
//! | `true`, ` false ` | BOOLEAN | |
//! | `5`, `1000`, `1.0`, `1e3` | smallest of INT8…INT64 | |
//! | `1.5`, `1.1`, `1e-50` | FLOAT32 (no round-trip check) | |
//! | `1.5e40` | FLOAT64 (float overflows, double does not) | |
//! | `12345678901234567890`, `1e400` | Decimal with the text's scale | |
//! | `2019-08-23`, `12:34:56.789Z`, `2019-08-23T14:34:54.346Z` | Date, Time, Timestamp | |
//! | `[1,1000]` | ARRAY of INT16 (widened) | |
//! | `{"a":1}` | MAP of STRING to INT8 | |
//! | `1,2`, `12:abc` | INT8 (reading stops after the first value) | 1, 12 |
//! | `[1,null]`, `{a:1}`, `abc` | STRING | the text |
//!
//! See [`parse`] for the grammar, [`number`] for numbers, [`temporal`] for dates and [`shape`]
//! for how array elements and map entries agree on a schema.
//!
//! Checked against Kafka 4.3 itself on 4,052 texts (`tests/header_values.rs`). The differences
//! from Java, all where Java has no answer Sluice can use:
//! - an array or map whose element, key or value schema Java leaves `null` (`[]`, `[null]`,
//!   `[1,"a"]`, `{"a":null}`) has no schema at all here, because a Sluice array or map schema
//!   always has its parts; the value is the same;
//! - dates are read and written in UTC, where Java uses the JVM's default time zone (UTC in the
//!   usual deployments);
//! - a `Time` of more than ±24 days (`999999:0:0.0Z`, which a lenient Java parse allows) does
//!   not fit Sluice's `i32` `Time` and reads as a STRING; `NaN`/`∞` date fields are not read.
//!
//! Nesting deeper than 64 levels is refused ([`Values::try_parse_string`]), where Java recurses
//! until its stack overflows (and `SimpleHeaderConverter` then keeps the raw bytes, as Sluice's
//! does past 64 levels).

mod number;
mod parse;
mod shape;
mod temporal;
mod token;
mod write;

use sluice_api::{Schema, SchemaAndValue, Value};

use self::parse::{MAX_DEPTH, ValueParser};
use self::shape::Fail;

/// Kafka's `Values` string conversions (all associated functions).
#[derive(Debug, Clone, Copy, Default)]
pub struct Values;

impl Values {
    /// How deep arrays and maps may nest in text [`Values::try_parse_string`] reads.
    pub const MAX_DEPTH: usize = MAX_DEPTH;

    /// Infers the schema and value of `text` as Java's `Values.parseString` (see the module
    /// docs); text nested too deeply reads as a plain string.
    pub fn parse_string(text: &str) -> SchemaAndValue {
        Values::try_parse_string(text).unwrap_or_else(|| string(text))
    }

    /// [`Values::parse_string`], or `None` for text whose arrays and maps nest more than
    /// [`Values::MAX_DEPTH`] levels deep.
    pub fn try_parse_string(text: &str) -> Option<SchemaAndValue> {
        if text.is_empty() {
            return Some(string(text));
        }
        match ValueParser::new(text).parse(false, 0) {
            Ok(Some((shape, value))) => Some(SchemaAndValue::new(shape.to_schema(), value)),
            Ok(None) => Some(SchemaAndValue::NULL),
            // Failed structures are caught below the top level; kept for completeness.
            Err(Fail::Data) => Some(string(text)),
            Err(Fail::TooDeep) => None,
        }
    }

    /// The text of a value as Java's `Values.convertToString` writes it (the schema plays no
    /// part, as in Java); `None` for `null`.
    pub fn convert_to_string(value: &Value) -> Option<String> {
        if value.is_null() {
            return None;
        }
        let mut out = String::new();
        write::append(&mut out, value, false);
        Some(out)
    }
}

fn string(text: &str) -> SchemaAndValue {
    SchemaAndValue::new(Some(Schema::string()), Value::String(text.into()))
}
