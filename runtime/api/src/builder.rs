//! [`SchemaBuilder`]: the fluent way to describe a [`Schema`], as Java's `SchemaBuilder`.
//!
//! Setters never fail, so a chain reads like the Java one; every check Java makes eagerly (a name
//! or version set twice, fields on a non-struct, duplicate field names, a default that does not
//! fit the schema) is made by [`SchemaBuilder::build`], which returns the first problem found.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::schema::{Field, Schema, SchemaInner, Type};
use crate::validate::validate_value;
use crate::value::Value;

/// Describes a schema step by step; [`SchemaBuilder::build`] checks it and makes the [`Schema`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SchemaBuilder {
    ty: Type,
    optional: bool,
    default: Option<Value>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    parameters: Option<Vec<(String, String)>>,
    fields: Vec<Field>,
    key: Option<Schema>,
    value: Option<Schema>,
    /// The first misuse seen by a setter, reported by `build`.
    problem: Option<String>,
}

macro_rules! primitive_ctors {
    ($($fn_name:ident => $ty:expr;)*) => {
        $(
            #[doc = concat!("A builder for a `", stringify!($fn_name), "` schema.")]
            pub fn $fn_name() -> SchemaBuilder {
                SchemaBuilder::new($ty)
            }
        )*
    };
}

impl SchemaBuilder {
    /// A builder of the given type, required, with nothing else set.
    pub fn new(ty: Type) -> Self {
        SchemaBuilder {
            ty,
            optional: false,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: None,
            fields: Vec::new(),
            key: None,
            value: None,
            problem: None,
        }
    }

    primitive_ctors! {
        int8 => Type::Int8;
        int16 => Type::Int16;
        int32 => Type::Int32;
        int64 => Type::Int64;
        float32 => Type::Float32;
        float64 => Type::Float64;
        boolean => Type::Boolean;
        string => Type::String;
        bytes => Type::Bytes;
    }

    /// A builder for a struct schema; add fields with [`SchemaBuilder::field`].
    pub fn struct_() -> Self {
        SchemaBuilder::new(Type::Struct)
    }

    /// A builder for an array of `value_schema` elements.
    pub fn array(value_schema: Schema) -> Self {
        let mut b = SchemaBuilder::new(Type::Array);
        b.value = Some(value_schema);
        b
    }

    /// A builder for a map from `key_schema` to `value_schema`.
    pub fn map(key_schema: Schema, value_schema: Schema) -> Self {
        let mut b = SchemaBuilder::new(Type::Map);
        b.key = Some(key_schema);
        b.value = Some(value_schema);
        b
    }

    /// A builder initialised from an existing schema (all attributes and fields copied), to derive
    /// a variant of it.
    pub fn from_schema(schema: &Schema) -> Self {
        let s = &schema.0;
        SchemaBuilder {
            ty: s.ty,
            optional: s.optional,
            default: s.default.clone(),
            name: s.name.clone(),
            version: s.version,
            doc: s.doc.clone(),
            parameters: s.parameters.clone(),
            fields: s.fields.clone(),
            key: s.key.clone(),
            value: s.value.clone(),
            problem: None,
        }
    }

    fn misuse(&mut self, message: String) {
        if self.problem.is_none() {
            self.problem = Some(message);
        }
    }

    /// Makes `null` a valid value.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Makes `null` invalid (the default).
    pub fn required(mut self) -> Self {
        self.optional = false;
        self
    }

    /// Sets the default value; `build` checks that it fits the schema.
    pub fn default_value(mut self, value: impl Into<Value>) -> Self {
        if self.default.is_some() {
            self.misuse("default value has already been set".into());
        }
        self.default = Some(value.into());
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        if self.name.is_some() {
            self.misuse("name has already been set".into());
        }
        self.name = Some(name.into());
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: i32) -> Self {
        if self.version.is_some() {
            self.misuse("version has already been set".into());
        }
        self.version = Some(version);
        self
    }

    /// Sets the documentation.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        if self.doc.is_some() {
            self.misuse("doc has already been set".into());
        }
        self.doc = Some(doc.into());
        self
    }

    /// Adds (or replaces, keeping its position) one parameter.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        let params = self.parameters.get_or_insert_with(Vec::new);
        match params.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => params.push((key, value)),
        }
        self
    }

    /// Adds parameters in the iterator's order; calling it with no parameters still makes the
    /// schema's parameter map present (and empty), as in Java.
    pub fn parameters<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.parameters.get_or_insert_with(Vec::new);
        for (k, v) in params {
            self = self.parameter(k, v);
        }
        self
    }

    /// Appends a field to a struct schema.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Self {
        let name = name.into();
        if self.ty != Type::Struct {
            self.misuse(format!(
                "cannot create fields on type {} (field '{name}')",
                self.ty
            ));
        } else if name.is_empty() {
            self.misuse("field name cannot be empty".into());
        } else if self.fields.iter().any(|f| f.name == name) {
            self.misuse(format!(
                "cannot create field because of field name duplication '{name}'"
            ));
        }
        let index = self.fields.len();
        self.fields.push(Field {
            name,
            index,
            schema,
        });
        self
    }

    /// The type being built.
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// Checks the description and makes the schema.
    pub fn build(self) -> Result<Schema> {
        if let Some(problem) = self.problem {
            return Err(Error::schema(problem));
        }
        match self.ty {
            Type::Array if self.value.is_none() => {
                return Err(Error::schema("an array schema needs an element schema"));
            }
            Type::Map if self.key.is_none() || self.value.is_none() => {
                return Err(Error::schema("a map schema needs key and value schemas"));
            }
            _ => {}
        }
        let by_name = self
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.index))
            .collect::<HashMap<_, _>>();
        let mut inner = SchemaInner {
            ty: self.ty,
            optional: self.optional,
            default: None,
            name: self.name,
            version: self.version,
            doc: self.doc,
            parameters: self.parameters,
            fields: self.fields,
            key: self.key,
            value: self.value,
            by_name,
        };
        if let Some(default) = self.default {
            // The default is checked against the schema without its default (a struct default
            // cannot name a schema that contains itself).
            let without_default = Schema(Arc::new(inner));
            validate_value(None, &without_default, &default)
                .map_err(|e| Error::schema(format!("invalid default value: {e}")))?;
            inner = match Arc::try_unwrap(without_default.0) {
                Ok(inner) => inner,
                Err(shared) => clone_inner(&shared),
            };
            inner.default = Some(default);
        }
        Ok(Schema(Arc::new(inner)))
    }
}

/// A field-by-field copy, for the (unexpected) case where the validation kept a reference.
fn clone_inner(s: &SchemaInner) -> SchemaInner {
    SchemaInner {
        ty: s.ty,
        optional: s.optional,
        default: s.default.clone(),
        name: s.name.clone(),
        version: s.version,
        doc: s.doc.clone(),
        parameters: s.parameters.clone(),
        fields: s.fields.clone(),
        key: s.key.clone(),
        value: s.value.clone(),
        by_name: s.by_name.clone(),
    }
}
