//! Writes an [`AvroSchema`] as JSON text exactly as Java Avro 1.10's `Schema.toString()` (the
//! text Confluent's serializer registers).
//!
//! Java's rules, reproduced here:
//! - a primitive without properties is its bare name (`"int"`), otherwise
//!   `{"type":"int",<props>}`; arrays are `{"type":"array","items":…,<props>}`, maps
//!   `{"type":"map","values":…,<props>}`, unions `[…]`;
//! - a record is `{"type":"record","name":…,"namespace":…,"doc":…,"fields":[…],<props>,
//!   "aliases":[…]}`; the namespace is written only when it differs from the enclosing record's
//!   (`""` for a null namespace inside a non-null one), and nested types inherit it;
//! - a field is `{"name":…,"type":…,"doc":…,"default":…,"order":…,"aliases":…,<props>}`;
//! - a named type seen before is written as its name, short when its namespace is the enclosing
//!   one, full otherwise; a *different* type under a name already used is an error (Java's
//!   "Can't redefine");
//! - strings and numbers are spelled as Jackson does (the JSON converter's writer is reused).

use std::collections::HashMap;

use super::model::{AvroSchema, Json, Name, RecordField};
use crate::json::{write_f32, write_f64, write_i64, write_str};

/// The schema's text, or why Java would refuse to write it.
pub fn schema_text(schema: &AvroSchema) -> Result<String, String> {
    let mut w = Writer {
        out: Vec::with_capacity(1024),
        names: HashMap::new(),
        space: None,
    };
    w.schema(schema)?;
    // Only `write_str` and literals produce the bytes, so they are UTF-8.
    String::from_utf8(w.out).map_err(|e| format!("schema text is not UTF-8: {e}"))
}

/// Writes a JSON value as Jackson does.
pub(crate) fn write_json(out: &mut Vec<u8>, v: &Json) {
    match v {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(true) => out.extend_from_slice(b"true"),
        Json::Bool(false) => out.extend_from_slice(b"false"),
        Json::Int(i) => write_i64(out, *i),
        Json::Float(f) => write_f32(out, *f),
        Json::Double(d) => write_f64(out, *d),
        Json::String(s) => write_str(out, s),
        Json::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, item);
            }
            out.push(b']');
        }
        Json::Object(members) => {
            out.push(b'{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, k);
                out.push(b':');
                write_json(out, item);
            }
            out.push(b'}');
        }
    }
}

struct Writer {
    out: Vec<u8>,
    /// Named types written so far, by full name.
    names: HashMap<String, AvroSchema>,
    /// The enclosing namespace (Java's `Names.space`).
    space: Option<String>,
}

impl Writer {
    fn key(&mut self, k: &str) {
        write_str(&mut self.out, k);
        self.out.push(b':');
    }

    fn props(&mut self, props: &[(String, Json)]) {
        for (k, v) in props {
            self.out.push(b',');
            self.key(k);
            write_json(&mut self.out, v);
        }
    }

    fn strings(&mut self, key: &str, items: &[String]) {
        self.out.push(b',');
        self.key(key);
        self.out.push(b'[');
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_str(&mut self.out, s);
        }
        self.out.push(b']');
    }

    fn schema(&mut self, schema: &AvroSchema) -> Result<(), String> {
        match schema {
            AvroSchema::Primitive(p, props) => {
                if props.is_empty() {
                    write_str(&mut self.out, p.name());
                } else {
                    self.out.extend_from_slice(b"{\"type\":");
                    write_str(&mut self.out, p.name());
                    self.props(props);
                    self.out.push(b'}');
                }
            }
            AvroSchema::Array(items, props) => {
                self.out
                    .extend_from_slice(b"{\"type\":\"array\",\"items\":");
                self.schema(items)?;
                self.props(props);
                self.out.push(b'}');
            }
            AvroSchema::Map(values, props) => {
                self.out.extend_from_slice(b"{\"type\":\"map\",\"values\":");
                self.schema(values)?;
                self.props(props);
                self.out.push(b'}');
            }
            AvroSchema::Union(branches) => {
                self.out.push(b'[');
                for (i, b) in branches.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.schema(b)?;
                }
                self.out.push(b']');
            }
            AvroSchema::Record(r) => {
                if self.name_ref(&r.name, schema)? {
                    return Ok(());
                }
                let saved = self.space.clone();
                self.out.extend_from_slice(b"{\"type\":\"record\"");
                self.name(&r.name);
                self.space = non_empty(&r.name.namespace);
                if let Some(doc) = &r.doc {
                    self.out.push(b',');
                    self.key("doc");
                    write_str(&mut self.out, doc);
                }
                self.out.extend_from_slice(b",\"fields\":[");
                for (i, f) in r.fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.field(f)?;
                }
                self.out.push(b']');
                self.props(&r.props);
                if !r.aliases.is_empty() {
                    self.strings("aliases", &r.aliases);
                }
                self.out.push(b'}');
                self.space = saved;
            }
            AvroSchema::Enum(e) => {
                if self.name_ref(&e.name, schema)? {
                    return Ok(());
                }
                self.out.extend_from_slice(b"{\"type\":\"enum\"");
                self.name(&e.name);
                if let Some(doc) = &e.doc {
                    self.out.push(b',');
                    self.key("doc");
                    write_str(&mut self.out, doc);
                }
                self.strings("symbols", &e.symbols);
                if let Some(d) = &e.default {
                    self.out.push(b',');
                    self.key("default");
                    write_str(&mut self.out, d);
                }
                self.props(&e.props);
                if !e.aliases.is_empty() {
                    self.strings("aliases", &e.aliases);
                }
                self.out.push(b'}');
            }
            AvroSchema::Fixed(f) => {
                if self.name_ref(&f.name, schema)? {
                    return Ok(());
                }
                self.out.extend_from_slice(b"{\"type\":\"fixed\"");
                self.name(&f.name);
                if let Some(doc) = &f.doc {
                    self.out.push(b',');
                    self.key("doc");
                    write_str(&mut self.out, doc);
                }
                self.out.extend_from_slice(b",\"size\":");
                write_i64(&mut self.out, f.size as i64);
                self.props(&f.props);
                if !f.aliases.is_empty() {
                    self.strings("aliases", &f.aliases);
                }
                self.out.push(b'}');
            }
        }
        Ok(())
    }

    /// Java's `writeNameRef`: writes a reference and returns true if this type was written
    /// before; otherwise records it.
    fn name_ref(&mut self, name: &Name, schema: &AvroSchema) -> Result<bool, String> {
        let full = name.full();
        if let Some(seen) = self.names.get(&full) {
            if seen == schema {
                let space = non_empty(&name.namespace);
                let text = if space.is_none() || space == self.space {
                    name.name.clone()
                } else {
                    full
                };
                write_str(&mut self.out, &text);
                return Ok(true);
            }
            return Err(format!(
                "Can't redefine: {full} (two different types would share this Avro name; give the \
                 Connect schemas distinct names)"
            ));
        }
        self.names.insert(full, schema.clone());
        Ok(false)
    }

    /// Java's `Name.writeName`.
    fn name(&mut self, name: &Name) {
        self.out.push(b',');
        self.key("name");
        write_str(&mut self.out, &name.name);
        match non_empty(&name.namespace) {
            Some(ns) => {
                if self.space.as_deref() != Some(ns.as_str()) {
                    self.out.push(b',');
                    self.key("namespace");
                    write_str(&mut self.out, &ns);
                }
            }
            None => {
                if self.space.is_some() {
                    self.out.extend_from_slice(b",\"namespace\":\"\"");
                }
            }
        }
    }

    fn field(&mut self, f: &RecordField) -> Result<(), String> {
        self.out.push(b'{');
        self.key("name");
        write_str(&mut self.out, &f.name);
        self.out.push(b',');
        self.key("type");
        self.schema(&f.schema)?;
        if let Some(doc) = &f.doc {
            self.out.push(b',');
            self.key("doc");
            write_str(&mut self.out, doc);
        }
        if let Some(d) = &f.default {
            self.out.push(b',');
            self.key("default");
            write_json(&mut self.out, d);
        }
        if let Some(order) = &f.order {
            self.out.push(b',');
            self.key("order");
            write_str(&mut self.out, order);
        }
        if !f.aliases.is_empty() {
            self.strings("aliases", &f.aliases);
        }
        self.props(&f.props);
        self.out.push(b'}');
        Ok(())
    }
}

fn non_empty(ns: &Option<String>) -> Option<String> {
    ns.as_ref().filter(|s| !s.is_empty()).cloned()
}
