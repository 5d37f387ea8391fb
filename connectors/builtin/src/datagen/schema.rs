//! The generated records' shape and values: a struct of typed columns whose values are a pure
//! function of the record number, so two runs (or a run and its resumption) produce the same
//! records, and a consumer can check any record it receives by recomputing it.
//!
//! Values are drawn from SplitMix64 of (record number, column position) — a few arithmetic
//! operations, so generation never limits a benchmark (a random-number crate would add a
//! dependency for no gain). A column named `id` holds the record number itself.

use sluice_api::{Schema, SchemaBuilder, Struct, Value, logical};

/// The schema name of generated values.
pub const VALUE_SCHEMA_NAME: &str = "sluice.datagen.Value";

/// 2024-01-01T00:00:00Z in milliseconds: the base of generated timestamps.
const BASE_MILLIS: i64 = 1_704_067_200_000;

const WORDS: [&str; 16] = [
    "amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper",
    "kestrel", "lagoon", "maple", "nectar", "orchid", "pebble",
];

/// A column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `boolean`.
    Boolean,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
    /// `float64`.
    Float64,
    /// `string`.
    String,
    /// Kafka Connect's `Timestamp` logical type.
    Timestamp,
}

impl ColumnType {
    /// Parses a type name as written in `columns`.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "boolean" => ColumnType::Boolean,
            "int32" => ColumnType::Int32,
            "int64" => ColumnType::Int64,
            "float64" => ColumnType::Float64,
            "string" => ColumnType::String,
            "timestamp" => ColumnType::Timestamp,
            _ => return None,
        })
    }

    fn schema(self) -> sluice_api::Result<Schema> {
        Ok(match self {
            ColumnType::Boolean => Schema::boolean(),
            ColumnType::Int32 => Schema::int32(),
            ColumnType::Int64 => Schema::int64(),
            ColumnType::Float64 => Schema::float64(),
            ColumnType::String => Schema::string(),
            ColumnType::Timestamp => logical::timestamp().build()?,
        })
    }
}

/// One column: a field name and a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The field name.
    pub name: String,
    /// The type.
    pub ty: ColumnType,
}

/// The fixed typical 10-column schema used when `columns` is empty.
pub fn default_columns() -> Vec<Column> {
    use ColumnType as T;
    [
        ("id", T::Int64),
        ("customer_id", T::Int32),
        ("first_name", T::String),
        ("last_name", T::String),
        ("email", T::String),
        ("amount", T::Float64),
        ("quantity", T::Int32),
        ("active", T::Boolean),
        ("created_at", T::Timestamp),
        ("note", T::String),
    ]
    .into_iter()
    .map(|(name, ty)| Column {
        name: name.into(),
        ty,
    })
    .collect()
}

/// Parses `name:type` entries; `Err` says which entry is wrong and what is accepted.
pub fn parse_columns(entries: &[String]) -> Result<Vec<Column>, String> {
    let mut columns: Vec<Column> = Vec::with_capacity(entries.len());
    for entry in entries {
        let (name, ty) = entry
            .split_once(':')
            .ok_or_else(|| format!("'{entry}' is not of the form name:type"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(format!("'{entry}' has an empty column name"));
        }
        let ty = ColumnType::parse(ty).ok_or_else(|| {
            format!(
                "'{entry}' has an unknown type; use boolean, int32, int64, float64, string or timestamp"
            )
        })?;
        if columns.iter().any(|c| c.name == name) {
            return Err(format!("column '{name}' is defined twice"));
        }
        columns.push(Column {
            name: name.into(),
            ty,
        });
    }
    Ok(columns)
}

/// Makes the values of record `n` for a fixed list of columns.
#[derive(Debug, Clone)]
pub struct Generator {
    columns: Vec<Column>,
    schema: Schema,
}

impl Generator {
    /// A generator for `columns` (the default schema when empty).
    pub fn new(columns: Vec<Column>) -> sluice_api::Result<Self> {
        let columns = if columns.is_empty() {
            default_columns()
        } else {
            columns
        };
        let mut b = SchemaBuilder::struct_().name(VALUE_SCHEMA_NAME);
        for c in &columns {
            b = b.field(c.name.clone(), c.ty.schema()?);
        }
        Ok(Generator {
            schema: b.build()?,
            columns,
        })
    }

    /// The value schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The value of record `n`.
    pub fn value(&self, n: u64) -> sluice_api::Result<Value> {
        let mut s = Struct::new(self.schema.clone())?;
        for (i, c) in self.columns.iter().enumerate() {
            s.put_at(i, column_value(c, i, n))?;
        }
        Ok(Value::Struct(s))
    }
}

/// SplitMix64: a well-mixed 64-bit value from a counter.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The value of column `c` (at position `i`) in record `n`.
pub fn column_value(c: &Column, i: usize, n: u64) -> Value {
    let h = mix(n.wrapping_mul(64).wrapping_add(i as u64));
    if c.name == "id" {
        return match c.ty {
            ColumnType::Int32 => Value::Int32(n as i32),
            ColumnType::String => Value::String(sluice_api::ToCompactString::to_compact_string(&n)),
            ColumnType::Timestamp => Value::Timestamp(BASE_MILLIS.wrapping_add(n as i64)),
            ColumnType::Float64 => Value::Float64(n as f64),
            ColumnType::Boolean => Value::Boolean(n % 2 == 1),
            ColumnType::Int64 => Value::Int64(n as i64),
        };
    }
    match c.ty {
        ColumnType::Boolean => Value::Boolean(h & 1 == 1),
        ColumnType::Int32 => Value::Int32((h % 1_000_000) as i32),
        ColumnType::Int64 => Value::Int64((h >> 1) as i64),
        ColumnType::Float64 => Value::Float64((h % 10_000_000) as f64 / 100.0),
        ColumnType::String => Value::String(sluice_api::format_compact!(
            "{}-{}",
            WORDS[(h % WORDS.len() as u64) as usize],
            (h >> 8) % 100_000
        )),
        ColumnType::Timestamp => {
            Value::Timestamp(BASE_MILLIS + (n as i64).wrapping_mul(1000) + (h % 1000) as i64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_parse_and_reject_with_reasons() {
        let c = parse_columns(&["id:int64".into(), " name : string".into()]).unwrap();
        assert_eq!(c[1].name, "name");
        assert_eq!(c[1].ty, ColumnType::String);
        assert!(
            parse_columns(&["x".into()])
                .unwrap_err()
                .contains("name:type")
        );
        assert!(
            parse_columns(&["x:uuid".into()])
                .unwrap_err()
                .contains("unknown type")
        );
        assert!(
            parse_columns(&["x:int32".into(), "x:int64".into()])
                .unwrap_err()
                .contains("twice")
        );
    }

    #[test]
    fn values_are_a_function_of_the_record_number() {
        let g = Generator::new(Vec::new()).unwrap();
        assert_eq!(g.columns().len(), 10);
        assert_eq!(g.value(42).unwrap(), g.value(42).unwrap());
        assert_ne!(g.value(42).unwrap(), g.value(43).unwrap());
        let v = g.value(42).unwrap();
        assert_eq!(v.as_struct().unwrap().get("id").unwrap(), &Value::Int64(42));
    }
}
