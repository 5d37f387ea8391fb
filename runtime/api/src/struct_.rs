//! [`Struct`]: the value of a struct schema, with schema-checked `put` and `get` (Java's `Struct`).
//!
//! Every `put` validates the value against the field's schema ([`crate::validate_value`]), so a
//! struct can only hold values that fit; a struct is complete ([`Struct::validate`]) when every
//! required field without a default has a value. `get` returns the field's default for an unset
//! field, as Java's `Struct.get`; [`Struct::get_without_default`] does not.

use std::fmt;

use crate::error::{Error, Result};
use crate::schema::{Field, Schema, Type};
use crate::validate::validate_value;
use crate::value::Value;

/// A struct value: a struct schema and one value per field ([`Value::Null`] when unset).
#[derive(Clone, PartialEq, Eq)]
pub struct Struct {
    schema: Schema,
    values: Vec<Value>,
}

impl Struct {
    /// An empty struct of `schema`; fails if the schema is not a struct schema.
    pub fn new(schema: Schema) -> Result<Self> {
        if schema.ty() != Type::Struct {
            return Err(Error::data(format!(
                "Not a struct schema: {schema}; a Struct needs a schema of type STRUCT"
            )));
        }
        let values = vec![Value::Null; schema.fields().len()];
        Ok(Struct { schema, values })
    }

    /// A struct of `schema` holding `values`, one per field in field order, without checking
    /// each value against its field's schema (only the count is checked; debug builds check
    /// everything, as [`Struct::validate`]). For code that builds values from the very schemas
    /// it derived them with — a change event's envelope around rows that were checked when
    /// they were built — where checking again would walk every nested struct once more per
    /// record.
    pub fn from_values(schema: Schema, values: Vec<Value>) -> Result<Self> {
        if schema.ty() != Type::Struct || schema.fields().len() != values.len() {
            return Err(Error::data(format!(
                "{} values do not fit {schema}: a Struct needs a STRUCT schema and one value per field",
                values.len()
            )));
        }
        let s = Struct { schema, values };
        debug_assert!(s.validate().is_ok(), "{:?}", s.validate());
        Ok(s)
    }

    /// The struct's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The raw values, one per field in field order ([`Value::Null`] when unset).
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    fn lookup(&self, name: &str) -> Result<&Field> {
        self.schema.field(name).ok_or_else(|| {
            Error::data(format!(
                "{name} is not a valid field name of {}",
                self.schema
            ))
        })
    }

    /// Sets a field by name after checking the value against the field's schema.
    pub fn put(&mut self, name: &str, value: impl Into<Value>) -> Result<&mut Self> {
        let field = self.lookup(name)?;
        let index = field.index();
        let value = value.into();
        validate_value(Some(field.name()), field.schema(), &value)?;
        self.values[index] = value;
        Ok(self)
    }

    /// Sets a field by position after checking the value against the field's schema.
    pub fn put_at(&mut self, index: usize, value: impl Into<Value>) -> Result<&mut Self> {
        let field = self.schema.fields().get(index).ok_or_else(|| {
            Error::data(format!("{} has no field at position {index}", self.schema))
        })?;
        let value = value.into();
        validate_value(Some(field.name()), field.schema(), &value)?;
        self.values[index] = value;
        Ok(self)
    }

    /// Builder-style [`Struct::put`]: `Struct::new(s)?.with("id", 1i64)?.with("name", "x")?`.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Result<Self> {
        self.put(name, value)?;
        Ok(self)
    }

    /// A field's value, or the field's default when it is unset (Java's `Struct.get`); fails for an
    /// unknown field name.
    pub fn get(&self, name: &str) -> Result<&Value> {
        let field = self.lookup(name)?;
        Ok(self.get_field(field))
    }

    /// A field's value or its default, by [`Field`] (which must belong to this struct's schema).
    pub fn get_field<'a>(&'a self, field: &'a Field) -> &'a Value {
        match &self.values[field.index()] {
            Value::Null => field.schema().default_value().unwrap_or(&Value::Null),
            v => v,
        }
    }

    /// A field's value as set, `Null` when unset even if the field has a default.
    pub fn get_without_default(&self, name: &str) -> Result<&Value> {
        let field = self.lookup(name)?;
        Ok(&self.values[field.index()])
    }

    /// Checks that every required field without a default has a value (Java's `Struct.validate`).
    pub fn validate(&self) -> Result<()> {
        for (field, value) in self.schema.fields().iter().zip(&self.values) {
            let schema = field.schema();
            if value.is_null() && (schema.is_optional() || schema.default_value().is_some()) {
                continue;
            }
            validate_value(Some(field.name()), schema, value)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct(&format!("Struct<{}>", self.schema.name().unwrap_or("")));
        for (field, value) in self.schema.fields().iter().zip(&self.values) {
            s.field(field.name(), value);
        }
        s.finish()
    }
}
