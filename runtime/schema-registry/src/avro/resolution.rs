//! Can a reader schema read what a writer schema wrote? Avro's schema-resolution rules as Java
//! Avro's `SchemaCompatibility` checks them, with the same incompatibility kinds, JSON-pointer
//! locations and messages, since Confluent reports those verbatim.
//!
//! Why not `apache_avro::schema_compatibility`: it answers `Partial` (not an error) when a
//! reader enum lacks some writer symbols or a reader union lacks some writer branches, which
//! Java (and so Confluent) rejects; it compares decimal precision, which Java ignores (logical
//! types play no part in Java's check); and it gives no locations.
//!
//! The rules (reader ← writer):
//! - same primitive: yes; promotions int→long/float/double, long→float/double, float→double,
//!   string↔bytes;
//! - records: same unqualified name (or a reader alias naming the writer), and each reader field
//!   either matches a writer field (by name, then reader aliases) whose type it can read, or has
//!   a default;
//! - enums: same name, and every writer symbol in the reader (unless the reader has a default);
//! - fixed: same name and size; arrays/maps: items/values recursively;
//! - writer union: every branch readable; reader union: some branch reads the writer.
//!
//! Recursive records: a pair already being checked counts as compatible, as in Java.

use std::collections::HashSet;

use super::model::{Field, Model, Node, Primitive};

/// Java's `SchemaIncompatibilityType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::NameMismatch => "NAME_MISMATCH",
            Kind::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            Kind::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            Kind::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            Kind::TypeMismatch => "TYPE_MISMATCH",
            Kind::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

/// One reason the reader cannot read the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incompatibility {
    pub(crate) kind: Kind,
    /// JSON pointer into the reader schema (`/fields/1/type`).
    pub(crate) location: String,
    pub(crate) message: String,
}

/// Every reason `reader` cannot read data written with `writer` (empty: it can).
pub(crate) fn incompatibilities(reader: &Model, writer: &Model) -> Vec<Incompatibility> {
    let mut checker = Checker {
        reader,
        writer,
        in_progress: HashSet::new(),
        path: Vec::new(),
    };
    checker.check(&reader.root, &writer.root)
}

struct Checker<'a> {
    reader: &'a Model,
    writer: &'a Model,
    /// (reader, writer) full names of records being checked, for recursive types.
    in_progress: HashSet<(String, String)>,
    path: Vec<String>,
}

/// Java's `Schema.Type` names, as they appear in messages.
fn type_name(node: &Node) -> &'static str {
    match node {
        Node::Primitive { kind, .. } => match kind {
            Primitive::Null => "NULL",
            Primitive::Boolean => "BOOLEAN",
            Primitive::Int => "INT",
            Primitive::Long => "LONG",
            Primitive::Float => "FLOAT",
            Primitive::Double => "DOUBLE",
            Primitive::Bytes => "BYTES",
            Primitive::String => "STRING",
        },
        Node::Record { .. } => "RECORD",
        Node::Enum { .. } => "ENUM",
        Node::Fixed { .. } => "FIXED",
        Node::Array { .. } => "ARRAY",
        Node::Map { .. } => "MAP",
        Node::Union(_) => "UNION",
        Node::Ref(_) => "RECORD",
    }
}

fn promotes(reader: Primitive, writer: Primitive) -> bool {
    use Primitive::*;
    reader == writer
        || matches!(
            (reader, writer),
            (Long, Int)
                | (Float, Int | Long)
                | (Double, Int | Long | Float)
                | (Bytes, String)
                | (String, Bytes)
        )
}

impl<'a> Checker<'a> {
    fn location(&self) -> String {
        let escaped: Vec<String> = self
            .path
            .iter()
            .map(|c| c.replace('~', "~0").replace('/', "~1"))
            .collect();
        format!("/{}", escaped.join("/"))
    }

    fn incompatible(&self, kind: Kind, message: String) -> Vec<Incompatibility> {
        vec![Incompatibility {
            kind,
            location: self.location(),
            message,
        }]
    }

    fn within<T>(&mut self, token: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(token.to_string());
        let result = f(self);
        self.path.pop();
        result
    }

    /// Whether `reader` reads `writer`, with a fresh location (details are not reported).
    fn compatible(&mut self, reader: &'a Node, writer: &'a Node) -> bool {
        let saved = std::mem::take(&mut self.path);
        let ok = self.check(reader, writer).is_empty();
        self.path = saved;
        ok
    }

    fn check(&mut self, reader: &'a Node, writer: &'a Node) -> Vec<Incompatibility> {
        let reader = self.reader.resolve(reader);
        let writer = self.writer.resolve(writer);
        match (reader, writer) {
            (Node::Primitive { kind: r, .. }, Node::Primitive { kind: w, .. })
                if promotes(*r, *w) =>
            {
                Vec::new()
            }
            (Node::Array { items: r, .. }, Node::Array { items: w, .. }) => {
                self.within("items", |c| c.check(r, w))
            }
            (Node::Map { values: r, .. }, Node::Map { values: w, .. }) => {
                self.within("values", |c| c.check(r, w))
            }
            (
                Node::Fixed {
                    name: rn,
                    size: rs,
                    aliases,
                    ..
                },
                Node::Fixed {
                    name: wn, size: ws, ..
                },
            ) => {
                let mut out = self.names(rn, aliases, wn);
                if rs != ws {
                    out.extend(self.within("size", |c| {
                        c.incompatible(
                            Kind::FixedSizeMismatch,
                            format!("expected: {ws}, found: {rs}"),
                        )
                    }));
                }
                out
            }
            (
                Node::Enum {
                    name: rn,
                    symbols: rs,
                    default,
                    aliases,
                    ..
                },
                Node::Enum {
                    name: wn,
                    symbols: ws,
                    ..
                },
            ) => {
                let mut out = self.names(rn, aliases, wn);
                if default.is_none() {
                    // Java lists them sorted (a TreeSet).
                    let mut missing: Vec<&String> = ws.iter().filter(|s| !rs.contains(s)).collect();
                    missing.sort();
                    missing.dedup();
                    if !missing.is_empty() {
                        let list = missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        out.extend(self.within("symbols", |c| {
                            c.incompatible(Kind::MissingEnumSymbols, format!("[{list}]"))
                        }));
                    }
                }
                out
            }
            (
                Node::Record {
                    name: rn,
                    fields: rf,
                    aliases,
                    ..
                },
                Node::Record {
                    name: wn,
                    fields: wf,
                    ..
                },
            ) => {
                let key = (rn.full(), wn.full());
                if !self.in_progress.insert(key.clone()) {
                    return Vec::new();
                }
                let mut out = self.names(rn, aliases, wn);
                out.extend(self.within("fields", |c| c.fields(rf, wf)));
                self.in_progress.remove(&key);
                out
            }
            (Node::Union(_), Node::Union(wb)) => {
                let mut out = Vec::new();
                for (i, branch) in wb.iter().enumerate() {
                    self.path.push(i.to_string());
                    if !self.compatible(reader, branch) {
                        let message = format!(
                            "reader union lacking writer type: {}",
                            type_name(self.writer.resolve(branch))
                        );
                        out.extend(self.incompatible(Kind::MissingUnionBranch, message));
                    }
                    self.path.pop();
                }
                out
            }
            (_, Node::Union(wb)) => {
                let mut out = Vec::new();
                for (i, branch) in wb.iter().enumerate() {
                    out.extend(self.within(&i.to_string(), |c| c.check(reader, branch)));
                }
                out
            }
            (Node::Union(rb), _) => {
                if rb.iter().any(|branch| self.compatible(branch, writer)) {
                    Vec::new()
                } else {
                    let message =
                        format!("reader union lacking writer type: {}", type_name(writer));
                    self.incompatible(Kind::MissingUnionBranch, message)
                }
            }
            _ => {
                let message = format!(
                    "reader type: {} not compatible with writer type: {}",
                    type_name(reader),
                    type_name(writer)
                );
                self.incompatible(Kind::TypeMismatch, message)
            }
        }
    }

    /// Java's `schemaNameEquals`: same unqualified name, or the writer's full name among the
    /// reader's aliases.
    fn names(
        &mut self,
        reader: &super::model::Name,
        aliases: &[super::model::Name],
        writer: &super::model::Name,
    ) -> Vec<Incompatibility> {
        if reader.name == writer.name || aliases.iter().any(|a| a.full() == writer.full()) {
            Vec::new()
        } else {
            self.within("name", |c| {
                c.incompatible(Kind::NameMismatch, format!("expected: {}", writer.full()))
            })
        }
    }

    fn fields(&mut self, reader: &'a [Field], writer: &'a [Field]) -> Vec<Incompatibility> {
        let mut out = Vec::new();
        for (pos, field) in reader.iter().enumerate() {
            let found = std::iter::once(&field.name)
                .chain(field.aliases.iter())
                .find_map(|n| writer.iter().find(|w| &w.name == n));
            out.extend(self.within(&pos.to_string(), |c| match found {
                Some(w) => c.within("type", |c| c.check(&field.schema, &w.schema)),
                None if field.default.is_some() => Vec::new(),
                None => c.incompatible(Kind::ReaderFieldMissingDefaultValue, field.name.clone()),
            }));
        }
        out
    }
}
