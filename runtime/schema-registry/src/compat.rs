//! Compatibility levels and the check a registration must pass, with Confluent's messages.
//!
//! For a level, the new schema is checked against the subject's versions that are not
//! soft-deleted (oldest first):
//!
//! | Level | Check | Against |
//! |---|---|---|
//! | `BACKWARD` | the new schema reads data written with the old one | the latest version |
//! | `FORWARD` | the old schema reads data written with the new one | the latest version |
//! | `FULL` | both | the latest version |
//! | `*_TRANSITIVE` | the same | every version, newest first, stopping at the first failure |
//! | `NONE` | nothing | — |
//!
//! The messages are those of Confluent's `SchemaValidatorBuilder` + `Difference`: one
//! `{errorType:…, description:…, additionalInfo:…}` per incompatibility, then
//! `{oldSchemaVersion: n}`, `{oldSchema: '…'}` and `{validateFields: 'false', compatibility: '…'}`.

use std::fmt;
use std::str::FromStr;

use crate::Error;
use crate::avro::AvroSchema;
use crate::avro::resolution::{Incompatibility, Kind};

/// A subject's compatibility level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompatibilityLevel {
    /// No check.
    None,
    /// The new schema reads the latest.
    Backward,
    /// The new schema reads every earlier one.
    BackwardTransitive,
    /// The latest reads the new schema.
    Forward,
    /// Every earlier schema reads the new one.
    ForwardTransitive,
    /// Backward and forward against the latest.
    Full,
    /// Backward and forward against every earlier schema.
    FullTransitive,
}

impl CompatibilityLevel {
    /// The level's name (`BACKWARD`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CompatibilityLevel::None => "NONE",
            CompatibilityLevel::Backward => "BACKWARD",
            CompatibilityLevel::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityLevel::Forward => "FORWARD",
            CompatibilityLevel::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityLevel::Full => "FULL",
            CompatibilityLevel::FullTransitive => "FULL_TRANSITIVE",
        }
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompatibilityLevel {
    type Err = Error;

    /// Case-insensitive, as Confluent's `CompatibilityLevel.forName`.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "NONE" => CompatibilityLevel::None,
            "BACKWARD" => CompatibilityLevel::Backward,
            "BACKWARD_TRANSITIVE" => CompatibilityLevel::BackwardTransitive,
            "FORWARD" => CompatibilityLevel::Forward,
            "FORWARD_TRANSITIVE" => CompatibilityLevel::ForwardTransitive,
            "FULL" => CompatibilityLevel::Full,
            "FULL_TRANSITIVE" => CompatibilityLevel::FullTransitive,
            _ => return Err(Error::InvalidCompatibilityLevel),
        })
    }
}

/// An earlier version of the subject.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Previous<'a> {
    pub(crate) version: i32,
    pub(crate) schema: &'a AvroSchema,
}

/// Confluent's messages for why `new` breaks `level` against `previous` (oldest first); empty
/// when it is compatible.
pub(crate) fn check(
    level: CompatibilityLevel,
    new: &AvroSchema,
    previous: &[Previous<'_>],
) -> Vec<String> {
    use CompatibilityLevel::*;
    let mut messages = match level {
        None => Vec::new(),
        Backward | Forward | Full => previous
            .last()
            .map(|old| one(level, new, old))
            .unwrap_or_default(),
        BackwardTransitive | ForwardTransitive | FullTransitive => previous
            .iter()
            .rev()
            .map(|old| one(level, new, old))
            .find(|m| !m.is_empty())
            .unwrap_or_default(),
    };
    if !messages.is_empty() {
        messages.push(format!(
            "{{validateFields: 'false', compatibility: '{level}'}}"
        ));
    }
    messages
}

fn one(level: CompatibilityLevel, new: &AvroSchema, old: &Previous<'_>) -> Vec<String> {
    use CompatibilityLevel::*;
    match level {
        None => Vec::new(),
        Backward | BackwardTransitive => format(
            new.read_incompatibilities(old.schema),
            "new",
            "old",
            Some(old),
        ),
        Forward | ForwardTransitive => format(
            old.schema.read_incompatibilities(new),
            "old",
            "new",
            Some(old),
        ),
        Full | FullTransitive => {
            let mut out = format(
                old.schema.read_incompatibilities(new),
                "old",
                "new",
                Option::None,
            );
            out.extend(format(
                new.read_incompatibilities(old.schema),
                "new",
                "old",
                Some(old),
            ));
            out
        }
    }
}

/// Confluent's `formatErrorMessages`: `reader`/`writer` name the two schemas in descriptions.
fn format(
    found: Vec<Incompatibility>,
    reader: &str,
    writer: &str,
    append: Option<&Previous<'_>>,
) -> Vec<String> {
    if found.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = found
        .iter()
        .map(|i| difference(i, reader, writer))
        .collect();
    if let Some(old) = append {
        out.push(format!("{{oldSchemaVersion: {}}}", old.version));
        out.push(format!("{{oldSchema: '{}'}}", old.schema.canonical()));
    }
    out
}

/// Confluent's `Difference.error()`.
fn difference(i: &Incompatibility, reader: &str, writer: &str) -> String {
    let path = &i.location;
    let description = match i.kind {
        Kind::FixedSizeMismatch => format!(
            "The size of FIXED type field at path '{path}' in the {reader} schema does not match with the {writer} schema"
        ),
        Kind::TypeMismatch => {
            format!(
                "The type (path '{path}') of a field in the {reader} schema does not match with the {writer} schema"
            )
        }
        Kind::NameMismatch => format!("The name of the schema has changed (path '{path}')"),
        Kind::MissingEnumSymbols => format!(
            "The {reader} schema is missing enum symbols '{}' at path '{path}' in the {writer} schema",
            i.message
        ),
        Kind::MissingUnionBranch => {
            format!(
                "The {reader} schema is missing a type inside a union field at path '{path}' in the {writer} schema"
            )
        }
        Kind::ReaderFieldMissingDefaultValue => format!(
            "The field '{}' at path '{path}' in the {reader} schema has no default value and is missing in the {writer} schema",
            i.message
        ),
    };
    format!(
        "{{errorType:'{}', description:'{description}', additionalInfo:'{}'}}",
        i.kind.as_str(),
        i.message
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &str) -> AvroSchema {
        let text = format!(r#"{{"type":"record","name":"R","fields":[{fields}]}}"#);
        AvroSchema::parse(&text).unwrap()
    }

    #[test]
    fn backward_messages_are_confluents() {
        let old = record(r#"{"name":"a","type":"int"}"#);
        let new = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
        let messages = check(
            CompatibilityLevel::Backward,
            &new,
            &[Previous {
                version: 1,
                schema: &old,
            }],
        );
        assert_eq!(
            messages,
            vec![
                "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new \
                 schema has no default value and is missing in the old schema', additionalInfo:'b'}"
                    .to_string(),
                "{oldSchemaVersion: 1}".to_string(),
                format!("{{oldSchema: '{}'}}", old.canonical()),
                "{validateFields: 'false', compatibility: 'BACKWARD'}".to_string(),
            ]
        );
    }

    #[test]
    fn transitive_levels_check_every_version_and_plain_ones_the_latest() {
        let v1 = record(r#"{"name":"a","type":"int"}"#);
        let v2 = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string","default":""}"#);
        // Reads v2 (which has b) but not v1 (b is missing there and has no default here).
        let v3 = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
        let history = [
            Previous {
                version: 1,
                schema: &v1,
            },
            Previous {
                version: 2,
                schema: &v2,
            },
        ];
        assert!(check(CompatibilityLevel::None, &v3, &history).is_empty());
        assert!(check(CompatibilityLevel::Backward, &v3, &history).is_empty());
        let transitive = check(CompatibilityLevel::BackwardTransitive, &v3, &history);
        assert!(
            transitive.contains(&"{oldSchemaVersion: 1}".to_string()),
            "{transitive:?}"
        );
        assert!(check(CompatibilityLevel::Full, &v3, &history).is_empty());
        assert!(!check(CompatibilityLevel::FullTransitive, &v3, &history).is_empty());
        assert!(check(CompatibilityLevel::ForwardTransitive, &v3, &history).is_empty());
    }

    #[test]
    fn levels_parse_case_insensitively() {
        assert_eq!(
            "full_transitive".parse::<CompatibilityLevel>().unwrap(),
            CompatibilityLevel::FullTransitive
        );
        assert!("sideways".parse::<CompatibilityLevel>().is_err());
    }
}
