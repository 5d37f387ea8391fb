//! The values the registry's operations take and give (the REST layer maps them to Confluent's
//! JSON).

/// A schema as posted to register, look up or check (`schemaType` absent means Avro).
#[derive(Debug, Clone, Default)]
pub struct SchemaRequest {
    /// The schema text.
    pub schema: String,
    /// `AVRO` or absent; other types are refused.
    pub schema_type: Option<String>,
    /// How many schema references came with it (references are not supported).
    pub references: usize,
}

/// A version of a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectVersion {
    /// Subject.
    pub subject: String,
    /// Version.
    pub version: i32,
    /// Global schema id.
    pub id: i32,
    /// `AVRO`, or the type a record of the topic gave.
    pub schema_type: String,
    /// The schema text as stored.
    pub schema: String,
}

/// A schema by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaById {
    /// `AVRO`, or the type a record of the topic gave.
    pub schema_type: String,
    /// The schema text as stored, byte for byte.
    pub schema: String,
}
