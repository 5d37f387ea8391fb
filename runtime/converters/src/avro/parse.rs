//! Reads Avro schema JSON text (from the Schema Registry) into an [`AvroSchema`], keeping
//! properties in document order.
//!
//! Name resolution follows the Avro specification as Java implements it: a dotted name is full;
//! otherwise the enclosing namespace applies, and a name not found there is looked up in the null
//! namespace. A named type may be referenced after its definition. Recursive types (a record that
//! contains itself) are rejected with a clear error: a Kafka Connect schema cannot describe them.

use std::collections::HashMap;
use std::sync::Arc;

use super::model::{
    AvroSchema, EnumSchema, FixedSchema, Json, Name, Primitive, Record, RecordField,
};
use crate::json::{JsonNode as Node, parse_json};

/// Parses schema text.
pub fn parse_schema(text: &str) -> Result<AvroSchema, String> {
    let doc = parse_json(text.as_bytes()).map_err(|e| format!("the schema is not JSON: {e}"))?;
    let mut p = Parser {
        names: HashMap::new(),
        defining: Vec::new(),
    };
    p.schema(&doc.root, None)
}

/// Converts parsed JSON into the model's [`Json`].
pub(crate) fn to_json(node: &Node<'_>) -> Json {
    match node {
        Node::Null => Json::Null,
        Node::Bool(b) => Json::Bool(*b),
        Node::Number(text) => {
            let integral = !text.contains(['.', 'e', 'E']);
            match (integral, text.parse::<i64>()) {
                (true, Ok(v)) => Json::Int(v),
                _ => Json::Double(text.parse::<f64>().unwrap_or(f64::NAN)),
            }
        }
        Node::String(s) => Json::String(s.to_string()),
        Node::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Node::Object(members) => Json::Object(
            members
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

struct Parser {
    names: HashMap<String, AvroSchema>,
    /// Full names of the records being defined (to detect recursion).
    defining: Vec<String>,
}

fn text<'n>(node: &'n Node<'_>, key: &str) -> Result<Option<&'n str>, String> {
    match node.get(key) {
        None | Some(Node::Null) => Ok(None),
        Some(Node::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!(
            "\"{key}\" must be a string, not {}",
            other.type_name()
        )),
    }
}

fn strings(node: &Node<'_>, key: &str) -> Result<Vec<String>, String> {
    match node.get(key) {
        None | Some(Node::Null) => Ok(Vec::new()),
        Some(Node::Array(items)) => items
            .iter()
            .map(|i| match i {
                Node::String(s) => Ok(s.to_string()),
                other => Err(format!(
                    "\"{key}\" must hold strings, not {}",
                    other.type_name()
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "\"{key}\" must be an array, not {}",
            other.type_name()
        )),
    }
}

/// The members of an object other than the reserved keys, as properties.
fn props(node: &Node<'_>, reserved: &[&str]) -> Vec<(String, Json)> {
    match node {
        Node::Object(members) => members
            .iter()
            .filter(|(k, _)| !reserved.contains(&k.as_ref()))
            .map(|(k, v)| (k.to_string(), to_json(v)))
            .collect(),
        _ => Vec::new(),
    }
}

impl Parser {
    fn schema(&mut self, node: &Node<'_>, space: Option<&str>) -> Result<AvroSchema, String> {
        match node {
            Node::String(name) => self.named_or_primitive(name, space),
            Node::Array(branches) => {
                let parsed = branches
                    .iter()
                    .map(|b| self.schema(b, space))
                    .collect::<Result<Vec<_>, _>>()?;
                if parsed.iter().any(|b| matches!(b, AvroSchema::Union(_))) {
                    return Err("a union may not directly contain a union".into());
                }
                Ok(AvroSchema::Union(parsed))
            }
            Node::Object(_) => self.object(node, space),
            other => Err(format!(
                "a schema must be a string, array or object, not {}",
                other.type_name()
            )),
        }
    }

    fn named_or_primitive(&self, name: &str, space: Option<&str>) -> Result<AvroSchema, String> {
        if let Some(p) = Primitive::from_name(name) {
            return Ok(AvroSchema::primitive(p));
        }
        let candidates = match (name.contains('.'), space) {
            (false, Some(ns)) if !ns.is_empty() => vec![format!("{ns}.{name}"), name.to_string()],
            _ => vec![name.to_string()],
        };
        for full in &candidates {
            if let Some(s) = self.names.get(full) {
                return Ok(s.clone());
            }
            if self.defining.contains(full) {
                return Err(format!(
                    "the Avro type {full} refers to itself; recursive types cannot be mapped to Kafka Connect schemas"
                ));
            }
        }
        Err(format!("undefined Avro type name: {name}"))
    }

    fn name(&self, node: &Node<'_>, space: Option<&str>) -> Result<Name, String> {
        let name = text(node, "name")?.ok_or("a named type needs a \"name\"")?;
        if name.contains('.') {
            return Ok(Name::from_full(name));
        }
        let namespace = match text(node, "namespace")? {
            Some(ns) => Some(ns.to_string()),
            None => space.map(str::to_string),
        };
        Ok(Name {
            name: name.to_string(),
            namespace: namespace.filter(|ns| !ns.is_empty()),
        })
    }

    fn define(&mut self, name: &Name, schema: AvroSchema) -> Result<AvroSchema, String> {
        let full = name.full();
        if self.names.contains_key(&full) {
            return Err(format!("Can't redefine: {full}"));
        }
        self.names.insert(full, schema.clone());
        Ok(schema)
    }

    fn object(&mut self, node: &Node<'_>, space: Option<&str>) -> Result<AvroSchema, String> {
        let ty = match node.get("type") {
            Some(Node::String(t)) => t.to_string(),
            Some(nested @ (Node::Object(_) | Node::Array(_))) => return self.schema(nested, space),
            _ => return Err("a schema object needs a \"type\" string".into()),
        };
        match ty.as_str() {
            "record" | "error" => self.record(node, space),
            "enum" => {
                let name = self.name(node, space)?;
                let schema = AvroSchema::Enum(Arc::new(EnumSchema {
                    doc: text(node, "doc")?.map(str::to_string),
                    symbols: strings(node, "symbols")?,
                    default: text(node, "default")?.map(str::to_string),
                    props: props(
                        node,
                        &[
                            "type",
                            "name",
                            "namespace",
                            "doc",
                            "symbols",
                            "default",
                            "aliases",
                        ],
                    ),
                    aliases: strings(node, "aliases")?,
                    name: name.clone(),
                }));
                self.define(&name, schema)
            }
            "fixed" => {
                let name = self.name(node, space)?;
                let size = match node.get("size") {
                    Some(Node::Number(n)) => n
                        .parse::<usize>()
                        .map_err(|_| format!("invalid fixed size {n}"))?,
                    _ => return Err(format!("the fixed type {} needs a \"size\"", name.full())),
                };
                let schema = AvroSchema::Fixed(Arc::new(FixedSchema {
                    doc: text(node, "doc")?.map(str::to_string),
                    size,
                    props: props(
                        node,
                        &["type", "name", "namespace", "doc", "size", "aliases"],
                    ),
                    aliases: strings(node, "aliases")?,
                    name: name.clone(),
                }));
                self.define(&name, schema)
            }
            "array" => {
                let items = node.get("items").ok_or("an array schema needs \"items\"")?;
                Ok(AvroSchema::Array(
                    Box::new(self.schema(items, space)?),
                    props(node, &["type", "items"]),
                ))
            }
            "map" => {
                let values = node.get("values").ok_or("a map schema needs \"values\"")?;
                Ok(AvroSchema::Map(
                    Box::new(self.schema(values, space)?),
                    props(node, &["type", "values"]),
                ))
            }
            other => match Primitive::from_name(other) {
                Some(p) => Ok(AvroSchema::Primitive(p, props(node, &["type"]))),
                None => {
                    // `{"type":"SomeNamedType"}` references a named type.
                    self.named_or_primitive(other, space)
                }
            },
        }
    }

    fn record(&mut self, node: &Node<'_>, space: Option<&str>) -> Result<AvroSchema, String> {
        let name = self.name(node, space)?;
        let full = name.full();
        if self.names.contains_key(&full) {
            return Err(format!("Can't redefine: {full}"));
        }
        self.defining.push(full);
        let inner_space = name.namespace.clone();
        let Some(Node::Array(field_nodes)) = node.get("fields") else {
            return Err(format!(
                "the record {} needs a \"fields\" array",
                name.full()
            ));
        };
        let mut fields = Vec::with_capacity(field_nodes.len());
        for f in field_nodes {
            let fname = text(f, "name")?.ok_or("a record field needs a \"name\"")?;
            let ftype = f
                .get("type")
                .ok_or_else(|| format!("field {fname} of {} has no \"type\"", name.full()))?;
            let schema = self
                .schema(ftype, inner_space.as_deref())
                .map_err(|e| format!("field {fname}: {e}"))?;
            fields.push(RecordField {
                name: fname.to_string(),
                schema,
                doc: text(f, "doc")?.map(str::to_string),
                default: f.get("default").map(to_json),
                order: text(f, "order")?.map(str::to_string),
                aliases: strings(f, "aliases")?,
                props: props(f, &["name", "type", "doc", "default", "order", "aliases"]),
            });
        }
        self.defining.pop();
        let schema = AvroSchema::Record(Arc::new(Record {
            doc: text(node, "doc")?.map(str::to_string),
            fields,
            props: props(
                node,
                &["type", "name", "namespace", "doc", "fields", "aliases"],
            ),
            aliases: strings(node, "aliases")?,
            name: name.clone(),
        }));
        self.define(&name, schema)
    }
}
