//! The recursive reader behind [`Values::parse_string`](super::Values::parse_string), step for
//! step Kafka's `Values.ValueParser`.
//!
//! `parse(embedded)` tries, in order: a quoted string (inside arrays and maps only), the literals
//! `null`, `true`, `false` (at the top level only when nothing follows them), an array, a map,
//! and finally one token: a date/time/timestamp (which may span the five tokens `HH`, `:`, `mm`,
//! `:`, `ss.SSSZ`), a number, else — at the top level — the whole input as a string; an embedded
//! token that is none of these fails the enclosing array or map. A failed array or map rewinds
//! to where it began and reads on as a single token, which fails again if embedded, so any
//! failure inside a structure climbs to the top level and the input reads as a string.
//!
//! Java stops reading after the first complete value, and so does this: `1,2` is INT8 1,
//! `12:abc` is INT8 12 and `[1]x` an array. Duplicate map keys keep the first key's position and
//! the last value (`LinkedHashMap.put`), keys comparing as Java's `equals` (an INT8 1 is not an
//! INT16 1).

use std::collections::HashMap;

use sluice_api::{Schema, Value};

use super::number::{java_digit, parse_as_number};
use super::shape::{Fail, Merger, Parsed, Shape, align};
use super::temporal::{parse_as_temporal, value_millis};
use super::token::{Tokens, is_blank, java_trim};

/// How deep arrays and maps may nest before the parser gives up (Java has no limit but its
/// stack; Sluice must never overflow its own).
pub(super) const MAX_DEPTH: usize = 64;

/// One parse of one input string.
#[derive(Debug)]
pub(super) struct ValueParser<'a> {
    tokens: Tokens<'a>,
}

impl<'a> ValueParser<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        ValueParser {
            tokens: Tokens::new(text),
        }
    }

    /// The next value; `None` for `null` (or nothing left).
    pub(super) fn parse(&mut self, embedded: bool, depth: usize) -> Result<Option<Parsed>, Fail> {
        if depth > MAX_DEPTH {
            return Err(Fail::TooDeep);
        }
        if !self.tokens.has_next() {
            return Ok(None);
        }
        if embedded && self.tokens.can_consume("\"") {
            return Ok(Some(self.parse_quoted()));
        }
        if self.literal(embedded, "null") {
            return Ok(None);
        }
        for (text, b) in [("true", true), ("false", false)] {
            if self.literal(embedded, text) {
                return Ok(Some((Shape::Plain(Schema::boolean()), Value::Boolean(b))));
            }
        }
        let start = self.tokens.mark();
        let structure = if self.tokens.can_consume("[") {
            Some(self.parse_array(depth))
        } else if self.tokens.can_consume("{") {
            Some(self.parse_map(depth))
        } else {
            None
        };
        match structure {
            Some(Ok(parsed)) => return Ok(Some(parsed)),
            Some(Err(Fail::Data)) => self.tokens.rewind_to(start),
            Some(Err(Fail::TooDeep)) => return Err(Fail::TooDeep),
            None => {}
        }
        let token = self.tokens.next_token();
        if is_blank(token) {
            return Ok(Some(string(token)));
        }
        self.parse_token(embedded, java_trim(token)).map(Some)
    }

    /// Whether the next token is `literal` and, at the top level, the last one.
    fn literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.tokens.mark();
        if self.tokens.can_consume(literal) && (embedded || !self.tokens.has_next()) {
            return true;
        }
        self.tokens.rewind_to(start);
        false
    }

    fn parse_token(&mut self, embedded: bool, token: &str) -> Result<Parsed, Fail> {
        let first = token.chars().next();
        // Java looks at the first UTF-16 unit: a supplementary character is no digit.
        let first_is_digit = first.is_some_and(|c| java_digit(c).is_some());
        if first_is_digit && let Some(temporal) = self.parse_temporal_tokens(token) {
            return Ok(temporal);
        }
        if (first_is_digit || matches!(first, Some('+' | '-')))
            && let Some(number) = parse_as_number(token)
        {
            return Ok(number);
        }
        if embedded {
            return Err(Fail::Data);
        }
        Ok(string(self.tokens.original()))
    }

    /// A time or timestamp split by its unescaped colons into five tokens, else the token alone.
    fn parse_temporal_tokens(&mut self, token: &str) -> Option<Parsed> {
        let position = self.tokens.mark();
        if let Some(rest) = self.tokens.next_n(4)
            && let Some(temporal) = parse_as_temporal(&format!("{token}{rest}"))
        {
            return Some(temporal);
        }
        self.tokens.rewind_to(position);
        parse_as_temporal(token)
    }

    fn parse_quoted(&mut self) -> Parsed {
        let mut content = String::new();
        while self.tokens.has_next() {
            if self.tokens.can_consume("\"") {
                break;
            }
            content.push_str(self.tokens.next_token());
        }
        parse_as_temporal(&content).unwrap_or_else(|| string(&content))
    }

    fn parse_array(&mut self, depth: usize) -> Result<Parsed, Fail> {
        let mut items = Vec::new();
        let mut merger = Merger::default();
        while self.tokens.has_next() {
            if self.tokens.can_consume("]") {
                return Ok(match merger.common() {
                    Some(common) => {
                        let aligned = items
                            .into_iter()
                            .map(|v| align(common, v))
                            .collect::<Result<Vec<_>, _>>()?;
                        (
                            Shape::Array(Some(Box::new(common.clone()))),
                            Value::Array(aligned),
                        )
                    }
                    None => (Shape::Array(None), Value::Array(items)),
                });
            }
            if self.tokens.can_consume(",") {
                return Err(Fail::Data);
            }
            let element = self.parse(true, depth + 1)?;
            merger.merge(element.as_ref().map(|(s, _)| s));
            items.push(element.map_or(Value::Null, |(_, v)| v));
            let position = self.tokens.mark();
            if self.tokens.can_consume("]") {
                self.tokens.rewind_to(position);
            } else if !self.tokens.can_consume(",") {
                return Err(Fail::Data);
            }
        }
        Err(Fail::Data)
    }

    fn parse_map(&mut self, depth: usize) -> Result<Parsed, Fail> {
        let mut entries = JavaMap::default();
        let mut keys = Merger::default();
        let mut values = Merger::default();
        while self.tokens.has_next() {
            if self.tokens.can_consume("}") {
                return finish_map(entries, &keys, &values);
            }
            if self.tokens.can_consume(",") {
                return Err(Fail::Data);
            }
            let Some((key_shape, key)) = self.parse(true, depth + 1)? else {
                return Err(Fail::Data);
            };
            if !self.tokens.can_consume(":") {
                return Err(Fail::Data);
            }
            let value = self.parse(true, depth + 1)?;
            let value_shape = value.as_ref().map(|(s, _)| s.clone());
            entries.put(key, value.map_or(Value::Null, |(_, v)| v));
            self.tokens.can_consume(",");
            keys.merge(Some(&key_shape));
            values.merge(value_shape.as_ref());
        }
        Err(Fail::Data)
    }
}

fn finish_map(entries: JavaMap, keys: &Merger, values: &Merger) -> Result<Parsed, Fail> {
    let (key_shape, value_shape) = (keys.common(), values.common());
    let mut aligned = JavaMap::default();
    match (key_shape, value_shape) {
        (Some(k), Some(v)) => {
            for (key, value) in entries.entries {
                aligned.put(align(k, key)?, align(v, value)?);
            }
        }
        (Some(k), None) => {
            for (key, value) in entries.entries {
                aligned.put(align(k, key)?, value);
            }
        }
        _ => aligned = entries,
    }
    let boxed = |s: Option<&Shape>| s.map(|s| Box::new(s.clone()));
    let shape = match key_shape {
        Some(_) => Shape::Map(boxed(key_shape), boxed(value_shape)),
        None => Shape::Map(None, None),
    };
    Ok((shape, Value::Map(aligned.entries)))
}

fn string(text: &str) -> Parsed {
    (Shape::Plain(Schema::string()), Value::String(text.into()))
}

/// Map entries in insertion order with Java `LinkedHashMap.put` semantics.
#[derive(Debug, Default)]
struct JavaMap {
    entries: Vec<(Value, Value)>,
    index: HashMap<String, usize>,
}

impl JavaMap {
    fn put(&mut self, key: Value, value: Value) {
        let id = java_identity(&key);
        match self.index.get(&id) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(id, self.entries.len());
                self.entries.push((key, value));
            }
        }
    }
}

/// A string equal for two values exactly when Java's `equals` holds for the objects the parser
/// produces: the class counts (`Byte` 1 ≠ `Short` 1), floats compare by canonical bits,
/// decimals by value and scale, every `java.util.Date` by its milliseconds, maps regardless of
/// order.
fn java_identity(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Boolean(b) => format!("z{b}"),
        Value::Int8(v) => format!("b{v}"),
        Value::Int16(v) => format!("s{v}"),
        Value::Int32(v) => format!("i{v}"),
        Value::Int64(v) => format!("l{v}"),
        Value::Float32(f) => format!("f{:x}", if f.is_nan() { f32::NAN } else { *f }.to_bits()),
        Value::Float64(d) => format!("d{:x}", if d.is_nan() { f64::NAN } else { *d }.to_bits()),
        Value::String(s) => format!("t{s:?}"),
        Value::Decimal(d) => format!("m{}/{}", d, d.scale()),
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            format!("ms{}", value_millis(value).unwrap_or_default())
        }
        Value::Bytes(b) => format!("y{b:?}"),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(java_identity).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Map(entries) => {
            let mut parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}={}", java_identity(k), java_identity(v)))
                .collect();
            parts.sort();
            format!("{{{}}}", parts.join(","))
        }
        Value::Struct(s) => format!("{s:?}"),
    }
}
