//! A faithful tree of an Avro schema's JSON, with names resolved the way Java Avro's
//! `Schema.Parser` resolves them.
//!
//! Why not `apache_avro::Schema`: it validates well (and we use it for that), but it turns
//! logical types into their own variants, drops properties it does not know and does not keep
//! their order. Confluent's identity of a schema (its canonical string) and its compatibility
//! rules (Java's `SchemaCompatibility`, which ignores logical types) both work on the schema as
//! Java parses it: every custom property kept in document order, logical types just
//! properties. This tree is that.
//!
//! The tree keeps named types where they are defined; later uses are [`Node::Ref`]s, resolved
//! through [`Model::named`]. Java writes a schema back in the same depth-first document order,
//! so definitions and references come out where they went in.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Properties in document order.
pub(crate) type Props = Vec<(String, Value)>;

/// The primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Primitive {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
}

impl Primitive {
    fn from_name(name: &str) -> Option<Primitive> {
        Some(match name {
            "null" => Primitive::Null,
            "boolean" => Primitive::Boolean,
            "int" => Primitive::Int,
            "long" => Primitive::Long,
            "float" => Primitive::Float,
            "double" => Primitive::Double,
            "bytes" => Primitive::Bytes,
            "string" => Primitive::String,
            _ => return None,
        })
    }

    /// The type's name in schemas.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Primitive::Null => "null",
            Primitive::Boolean => "boolean",
            Primitive::Int => "int",
            Primitive::Long => "long",
            Primitive::Float => "float",
            Primitive::Double => "double",
            Primitive::Bytes => "bytes",
            Primitive::String => "string",
        }
    }
}

/// A name with its namespace (`None`: the null namespace).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Name {
    pub(crate) name: String,
    pub(crate) namespace: Option<String>,
}

impl Name {
    /// Java's `Name(name, space)`: a dotted name carries its own namespace; `""` is the null
    /// namespace.
    fn new(name: &str, space: Option<&str>) -> Name {
        match name.rfind('.') {
            Some(dot) => Name {
                name: name[dot + 1..].to_string(),
                namespace: Some(name[..dot].to_string()).filter(|s| !s.is_empty()),
            },
            None => Name {
                name: name.to_string(),
                namespace: space.filter(|s| !s.is_empty()).map(str::to_string),
            },
        }
    }

    /// `namespace.name`, or `name` in the null namespace.
    pub(crate) fn full(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A record field.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) doc: Option<String>,
    pub(crate) schema: Node,
    pub(crate) default: Option<Value>,
    /// `ascending` (the default, never written), `descending` or `ignore`.
    pub(crate) order: Option<String>,
    pub(crate) aliases: Vec<String>,
    pub(crate) props: Props,
}

/// A schema node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Primitive {
        kind: Primitive,
        props: Props,
    },
    Record {
        name: Name,
        is_error: bool,
        doc: Option<String>,
        fields: Vec<Field>,
        aliases: Vec<Name>,
        props: Props,
    },
    Enum {
        name: Name,
        doc: Option<String>,
        symbols: Vec<String>,
        default: Option<String>,
        aliases: Vec<Name>,
        props: Props,
    },
    Fixed {
        name: Name,
        doc: Option<String>,
        size: u64,
        aliases: Vec<Name>,
        props: Props,
    },
    Array {
        items: Box<Node>,
        props: Props,
    },
    Map {
        values: Box<Node>,
        props: Props,
    },
    Union(Vec<Node>),
    /// A use of a named type defined earlier in the document.
    Ref(Name),
}

/// A parsed schema: its tree and its named types by full name.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) root: Node,
    pub(crate) named: HashMap<String, Node>,
}

impl Model {
    /// Builds the tree of `json`. The schema must have been validated (by apache-avro) first;
    /// the errors here are for the shapes validation lets through.
    pub(crate) fn parse(json: &Value) -> Result<Model, String> {
        let mut named = HashMap::new();
        let root = parse_node(json, None, &mut named)?;
        Ok(Model { root, named })
    }

    /// The node itself, or the definition a [`Node::Ref`] names.
    pub(crate) fn resolve<'a>(&'a self, node: &'a Node) -> &'a Node {
        match node {
            Node::Ref(name) => self.named.get(&name.full()).unwrap_or(node),
            other => other,
        }
    }
}

/// Attributes of a schema object that are not properties (Java's `SCHEMA_RESERVED`).
const SCHEMA_RESERVED: &[&str] = &[
    "doc",
    "fields",
    "items",
    "name",
    "namespace",
    "size",
    "symbols",
    "values",
    "type",
    "aliases",
    "default",
];
/// Attributes of a field that are not properties (Java's `FIELD_RESERVED`).
const FIELD_RESERVED: &[&str] = &["default", "doc", "name", "order", "type", "aliases"];

fn props_of(obj: &Map<String, Value>, reserved: &[&str]) -> Props {
    obj.iter()
        .filter(|(k, _)| !reserved.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn parse_node(
    json: &Value,
    space: Option<&str>,
    named: &mut HashMap<String, Node>,
) -> Result<Node, String> {
    match json {
        Value::String(s) => reference(s, space, named),
        Value::Array(branches) => Ok(Node::Union(
            branches
                .iter()
                .map(|b| parse_node(b, space, named))
                .collect::<Result<_, _>>()?,
        )),
        Value::Object(obj) => parse_object(obj, space, named),
        other => Err(format!("{other} is not a schema")),
    }
}

/// A type name used as a schema: a primitive, or a named type defined before (looked up in the
/// current namespace first, then in the null namespace, as Java does).
fn reference(s: &str, space: Option<&str>, named: &HashMap<String, Node>) -> Result<Node, String> {
    if let Some(kind) = Primitive::from_name(s) {
        return Ok(Node::Primitive {
            kind,
            props: Vec::new(),
        });
    }
    let qualified = Name::new(s, space);
    if named.contains_key(&qualified.full()) {
        return Ok(Node::Ref(qualified));
    }
    let unqualified = Name::new(s, None);
    if named.contains_key(&unqualified.full()) {
        return Ok(Node::Ref(unqualified));
    }
    Err(format!("\"{s}\" is not a defined name"))
}

fn aliases(obj: &Map<String, Value>, space: Option<&str>) -> Vec<Name> {
    obj.get("aliases")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|s| Name::new(s, space))
                .collect()
        })
        .unwrap_or_default()
}

fn parse_object(
    obj: &Map<String, Value>,
    space: Option<&str>,
    named: &mut HashMap<String, Node>,
) -> Result<Node, String> {
    let ty = match obj.get("type") {
        Some(Value::String(t)) => t.as_str(),
        // `{"type": {...}}` / `{"type": [...]}`: the inner schema (outer attributes ignored).
        Some(inner @ (Value::Object(_) | Value::Array(_))) => {
            return parse_node(inner, space, named);
        }
        _ => return Err("a schema object needs a \"type\"".to_string()),
    };
    if let Some(kind) = Primitive::from_name(ty) {
        return Ok(Node::Primitive {
            kind,
            props: props_of(obj, SCHEMA_RESERVED),
        });
    }
    let doc = text(obj, "doc").map(str::to_string);
    match ty {
        "array" => {
            let items = obj.get("items").ok_or("an array needs \"items\"")?;
            Ok(Node::Array {
                items: Box::new(parse_node(items, space, named)?),
                props: props_of(obj, SCHEMA_RESERVED),
            })
        }
        "map" => {
            let values = obj.get("values").ok_or("a map needs \"values\"")?;
            Ok(Node::Map {
                values: Box::new(parse_node(values, space, named)?),
                props: props_of(obj, SCHEMA_RESERVED),
            })
        }
        "record" | "error" | "enum" | "fixed" => {
            let name = declared_name(obj, space)?;
            let own_space = name.namespace.clone();
            let node = match ty {
                "enum" => Node::Enum {
                    symbols: obj
                        .get("symbols")
                        .and_then(Value::as_array)
                        .map(|s| {
                            s.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    default: text(obj, "default").map(str::to_string),
                    aliases: aliases(obj, own_space.as_deref()),
                    props: props_of(obj, SCHEMA_RESERVED),
                    name,
                    doc,
                },
                "fixed" => Node::Fixed {
                    size: obj
                        .get("size")
                        .and_then(Value::as_u64)
                        .ok_or("a fixed needs a \"size\"")?,
                    aliases: aliases(obj, own_space.as_deref()),
                    props: props_of(obj, SCHEMA_RESERVED),
                    name,
                    doc,
                },
                _ => {
                    // Register the name before the fields, so a field may refer to its record.
                    let placeholder = Node::Record {
                        name: name.clone(),
                        is_error: ty == "error",
                        doc: doc.clone(),
                        fields: Vec::new(),
                        aliases: Vec::new(),
                        props: Vec::new(),
                    };
                    named.insert(name.full(), placeholder);
                    let fields = obj
                        .get("fields")
                        .and_then(Value::as_array)
                        .ok_or("a record needs \"fields\"")?
                        .iter()
                        .map(|f| parse_field(f, own_space.as_deref(), named))
                        .collect::<Result<_, _>>()?;
                    Node::Record {
                        is_error: ty == "error",
                        fields,
                        aliases: aliases(obj, own_space.as_deref()),
                        props: props_of(obj, SCHEMA_RESERVED),
                        name,
                        doc,
                    }
                }
            };
            if let Node::Record { name, .. } | Node::Enum { name, .. } | Node::Fixed { name, .. } =
                &node
            {
                named.insert(name.full(), node.clone());
                return Ok(node);
            }
            Ok(node)
        }
        other => reference(other, space, named),
    }
}

fn declared_name(obj: &Map<String, Value>, space: Option<&str>) -> Result<Name, String> {
    let name = text(obj, "name").ok_or("a named type needs a \"name\"")?;
    let space = match obj.get("namespace") {
        Some(Value::String(ns)) => Some(ns.as_str()),
        _ => space,
    };
    Ok(Name::new(name, space))
}

fn parse_field(
    json: &Value,
    space: Option<&str>,
    named: &mut HashMap<String, Node>,
) -> Result<Field, String> {
    let obj = json.as_object().ok_or("a field must be an object")?;
    let name = text(obj, "name")
        .ok_or("a field needs a \"name\"")?
        .to_string();
    let schema = parse_node(
        obj.get("type").ok_or("a field needs a \"type\"")?,
        space,
        named,
    )?;
    let order = text(obj, "order")
        .map(str::to_ascii_lowercase)
        .filter(|o| o != "ascending");
    Ok(Field {
        name,
        doc: text(obj, "doc").map(str::to_string),
        schema,
        default: obj.get("default").cloned(),
        order,
        aliases: obj
            .get("aliases")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        props: props_of(obj, FIELD_RESERVED),
    })
}
