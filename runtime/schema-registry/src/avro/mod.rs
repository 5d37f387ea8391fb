//! Avro schemas as the registry needs them: validated, with their identity (the canonical
//! string Confluent compares) and Java's schema-resolution check.
//!
//! | Module | What |
//! |---|---|
//! | `model` | the schema's JSON as Java Avro parses it (properties in order, names resolved) |
//! | `canonical` | Java's `Schema.toString()` of it: the identity of a schema within the registry |
//! | `resolution` | can a reader read a writer: Java's `SchemaCompatibility`, with its messages |
//!
//! Validation is apache-avro's (`Schema::parse_str`: names, types, field defaults), the rest
//! works on our own tree (see `model` for why).

mod canonical;
mod model;
pub(crate) mod resolution;

use std::fmt;

use crate::{Error, Result};

/// A valid Avro schema: the text as registered, and its canonical string.
#[derive(Clone)]
pub struct AvroSchema {
    text: String,
    canonical: String,
    model: model::Model,
}

impl fmt::Debug for AvroSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvroSchema")
            .field("canonical", &self.canonical)
            .finish_non_exhaustive()
    }
}

impl AvroSchema {
    /// Parses and validates `text`. Fails with [`Error::InvalidSchema`] (Confluent's 42201)
    /// saying what is wrong.
    pub fn parse(text: &str) -> Result<AvroSchema> {
        if text.trim().is_empty() {
            return Err(Error::InvalidSchema("Empty schema".to_string()));
        }
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::InvalidSchema(format!("Invalid schema: the schema is not JSON: {e}"))
        })?;
        apache_avro::Schema::parse(&json)
            .map_err(|e| Error::InvalidSchema(format!("Invalid schema: {e}")))?;
        let model = model::Model::parse(&json)
            .map_err(|e| Error::InvalidSchema(format!("Invalid schema: {e}")))?;
        let canonical = canonical::canonical_string(&model);
        Ok(AvroSchema {
            text: text.to_string(),
            canonical,
            model,
        })
    }

    /// The text as it was given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The canonical string: what Java Avro's `Schema.toString()` writes for this schema. Two
    /// schemas are the same registered schema exactly when their canonical strings are equal.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// Every reason a reader with this schema cannot read data written with `writer`.
    pub(crate) fn read_incompatibilities(
        &self,
        writer: &AvroSchema,
    ) -> Vec<resolution::Incompatibility> {
        resolution::incompatibilities(&self.model, &writer.model)
    }

    /// Whether a reader with this schema can read data written with `writer` (Avro's schema
    /// resolution, as Java checks it).
    pub fn can_read(&self, writer: &AvroSchema) -> bool {
        self.read_incompatibilities(writer).is_empty()
    }
}

/// The canonical string of the schema `text` (see [`AvroSchema::canonical`]).
pub fn canonical_form(text: &str) -> Result<String> {
    AvroSchema::parse(text).map(|s| s.canonical)
}

#[cfg(test)]
mod tests;
