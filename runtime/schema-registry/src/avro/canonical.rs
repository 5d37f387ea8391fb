//! The canonical string of a schema: what Java Avro's `Schema.toString()` writes for it, which
//! is what Confluent compares to decide whether two registrations are the same schema
//! (`AvroSchema.canonicalString()`).
//!
//! Java writes, for each node, a fixed order of the attributes it knows (`type`, `name`,
//! `namespace` only where it differs from the enclosing one, `doc`, `fields`/`symbols`/`size`,
//! then custom properties in document order, then `aliases`), primitives without properties as
//! bare strings, named types after their first definition as names relative to the enclosing
//! namespace, and no whitespace. So `{"type":"string"}` and `"string"`, or a pretty-printed and
//! a compact text, have the same canonical string, while a different property order or doc does
//! not. Checked against every golden schema (Java's own output, which must come back unchanged).
//!
//! This is not Avro's "Parsing Canonical Form" (which strips docs, defaults and properties):
//! Confluent keeps those in a schema's identity.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::model::{Field, Model, Name, Node};

/// Writes `model` as Java's `Schema.toString()` would.
pub(crate) fn canonical_string(model: &Model) -> String {
    let mut writer = Writer {
        space: None,
        written: HashSet::new(),
    };
    writer.node(&model.root).to_string()
}

struct Writer {
    /// The enclosing namespace (Java's `names.space`).
    space: Option<String>,
    /// Named types already written in full.
    written: HashSet<String>,
}

/// Type names: a named type called like one is always written with its namespace.
const TYPE_NAMES: &[&str] = &[
    "record", "enum", "array", "map", "union", "fixed", "string", "bytes", "int", "long", "float",
    "double", "boolean", "null",
];

/// Java's `Name.getQualified(space)`.
fn qualified(name: &Name, space: Option<&str>) -> String {
    let same_space = name.namespace.is_some() && name.namespace.as_deref() == space;
    if same_space && !TYPE_NAMES.contains(&name.name.as_str()) {
        name.name.clone()
    } else {
        name.full()
    }
}

fn put_props(obj: &mut Map<String, Value>, props: &[(String, Value)]) {
    for (k, v) in props {
        obj.insert(k.clone(), v.clone());
    }
}

impl Writer {
    fn node(&mut self, node: &Node) -> Value {
        match node {
            Node::Primitive { kind, props } if props.is_empty() => {
                Value::String(kind.name().into())
            }
            Node::Primitive { kind, props } => {
                let mut obj = Map::new();
                obj.insert("type".into(), kind.name().into());
                put_props(&mut obj, props);
                Value::Object(obj)
            }
            Node::Ref(name) => Value::String(qualified(name, self.space.as_deref())),
            Node::Union(branches) => Value::Array(branches.iter().map(|b| self.node(b)).collect()),
            Node::Array { items, props } => {
                let mut obj = Map::new();
                obj.insert("type".into(), "array".into());
                obj.insert("items".into(), self.node(items));
                put_props(&mut obj, props);
                Value::Object(obj)
            }
            Node::Map { values, props } => {
                let mut obj = Map::new();
                obj.insert("type".into(), "map".into());
                obj.insert("values".into(), self.node(values));
                put_props(&mut obj, props);
                Value::Object(obj)
            }
            Node::Record {
                name,
                is_error,
                doc,
                fields,
                aliases,
                props,
            } => {
                if !self.written.insert(name.full()) {
                    return Value::String(qualified(name, self.space.as_deref()));
                }
                let mut obj = Map::new();
                obj.insert(
                    "type".into(),
                    if *is_error { "error" } else { "record" }.into(),
                );
                self.name(&mut obj, name);
                let saved = std::mem::replace(&mut self.space, name.namespace.clone());
                if let Some(doc) = doc {
                    obj.insert("doc".into(), doc.clone().into());
                }
                let fields: Vec<Value> = fields.iter().map(|f| self.field(f)).collect();
                obj.insert("fields".into(), Value::Array(fields));
                put_props(&mut obj, props);
                self.aliases(&mut obj, name, aliases);
                self.space = saved;
                Value::Object(obj)
            }
            Node::Enum {
                name,
                doc,
                symbols,
                default,
                aliases,
                props,
            } => {
                if !self.written.insert(name.full()) {
                    return Value::String(qualified(name, self.space.as_deref()));
                }
                let mut obj = Map::new();
                obj.insert("type".into(), "enum".into());
                self.name(&mut obj, name);
                if let Some(doc) = doc {
                    obj.insert("doc".into(), doc.clone().into());
                }
                obj.insert(
                    "symbols".into(),
                    symbols.iter().map(|s| Value::from(s.as_str())).collect(),
                );
                if let Some(default) = default {
                    obj.insert("default".into(), default.clone().into());
                }
                put_props(&mut obj, props);
                self.aliases(&mut obj, name, aliases);
                Value::Object(obj)
            }
            Node::Fixed {
                name,
                doc,
                size,
                aliases,
                props,
            } => {
                if !self.written.insert(name.full()) {
                    return Value::String(qualified(name, self.space.as_deref()));
                }
                let mut obj = Map::new();
                obj.insert("type".into(), "fixed".into());
                self.name(&mut obj, name);
                if let Some(doc) = doc {
                    obj.insert("doc".into(), doc.clone().into());
                }
                obj.insert("size".into(), (*size).into());
                put_props(&mut obj, props);
                self.aliases(&mut obj, name, aliases);
                Value::Object(obj)
            }
        }
    }

    /// Java's `writeName`: the namespace only where it differs from the enclosing one (`""`
    /// for the null namespace inside a non-null one).
    fn name(&self, obj: &mut Map<String, Value>, name: &Name) {
        obj.insert("name".into(), name.name.clone().into());
        match (&name.namespace, &self.space) {
            (Some(ns), space) if Some(ns) != space.as_ref() => {
                obj.insert("namespace".into(), ns.clone().into());
            }
            (None, Some(_)) => {
                obj.insert("namespace".into(), "".into());
            }
            _ => {}
        }
    }

    fn aliases(&self, obj: &mut Map<String, Value>, name: &Name, aliases: &[Name]) {
        if !aliases.is_empty() {
            let list = aliases
                .iter()
                .map(|a| Value::from(qualified(a, name.namespace.as_deref())))
                .collect();
            obj.insert("aliases".into(), Value::Array(list));
        }
    }

    fn field(&mut self, field: &Field) -> Value {
        let mut obj = Map::new();
        obj.insert("name".into(), field.name.clone().into());
        obj.insert("type".into(), self.node(&field.schema));
        if let Some(doc) = &field.doc {
            obj.insert("doc".into(), doc.clone().into());
        }
        if let Some(default) = &field.default {
            obj.insert("default".into(), default.clone());
        }
        if let Some(order) = &field.order {
            obj.insert("order".into(), order.clone().into());
        }
        if !field.aliases.is_empty() {
            obj.insert(
                "aliases".into(),
                field
                    .aliases
                    .iter()
                    .map(|a| Value::from(a.as_str()))
                    .collect(),
            );
        }
        put_props(&mut obj, &field.props);
        Value::Object(obj)
    }
}
