//! Table schemas as the binlog describes them (TABLE_MAP events with `binlog_row_metadata=FULL`).
//!
//! Each row event refers to a table id mapped by a TABLE_MAP event earlier in the same event
//! group, so the schema a row is decoded with is always the one in force when the row was
//! written, never "the current schema" (which may have changed since). The optional metadata
//! (`binlog_row_metadata=FULL`) carries the column names, signedness, character sets, ENUM/SET
//! labels and the primary key; without names a row cannot be labelled, so a table map
//! without them is a definite error rather than a guess.

use std::collections::{HashMap, HashSet};

use mysql_async::binlog::events::{OptionalMetaExtractor, OptionalMetadataField, TableMapEvent};
use mysql_async::prelude::Queryable;

pub use mysql_async::consts::ColumnType;

use crate::error::{Error, Result};

/// One column of a mapped table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMeta {
    /// The column name.
    pub name: String,
    /// The binlog type (the real type for ENUM and SET, which the table map stores as STRING).
    pub column_type: ColumnType,
    /// The type metadata bytes of the table map (precision/scale, fractional seconds, length).
    pub type_metadata: Vec<u8>,
    /// Whether a numeric column is UNSIGNED.
    pub unsigned: bool,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// Whether the column is part of the primary key.
    pub primary_key: bool,
    /// The collation id of a character, ENUM or SET column.
    pub collation: Option<u16>,
    /// The character set name of that collation (`utf8mb4`, `latin1`, `binary`, …).
    pub charset: Option<String>,
    /// The labels of an ENUM column, in order (the value `n` is label `n - 1`).
    pub enum_values: Vec<String>,
    /// The labels of a SET column, in bit order.
    pub set_values: Vec<String>,
}

impl ColumnMeta {
    /// `(precision, scale)` of a DECIMAL column.
    pub fn decimal_precision_scale(&self) -> Option<(u8, u8)> {
        match (self.column_type, self.type_metadata.as_slice()) {
            (ColumnType::MYSQL_TYPE_NEWDECIMAL, [p, s, ..]) => Some((*p, *s)),
            _ => None,
        }
    }

    /// The fractional-seconds precision of a TIME, DATETIME or TIMESTAMP column.
    pub fn fractional_seconds(&self) -> Option<u8> {
        use ColumnType::*;
        match (self.column_type, self.type_metadata.as_slice()) {
            (MYSQL_TYPE_TIME2 | MYSQL_TYPE_DATETIME2 | MYSQL_TYPE_TIMESTAMP2, [fsp, ..]) => {
                Some(*fsp)
            }
            (MYSQL_TYPE_TIME | MYSQL_TYPE_DATETIME | MYSQL_TYPE_TIMESTAMP, _) => Some(0),
            _ => None,
        }
    }
}

/// A table as mapped by a TABLE_MAP event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    /// The binlog's id for the table (valid within the event group that mapped it).
    pub table_id: u64,
    /// The database (schema) name.
    pub schema: String,
    /// The table name.
    pub table: String,
    /// The columns in table order.
    pub columns: Vec<ColumnMeta>,
}

impl TableSchema {
    /// The index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Builds the schema from a table map, resolving collations with `charsets`.
    pub(crate) fn from_table_map(
        tme: &TableMapEvent<'_>,
        charsets: &Charsets,
    ) -> Result<TableSchema> {
        let schema = tme.database_name().into_owned();
        let table = tme.table_name().into_owned();
        let bad = |reason: String| {
            Error::malformed("TABLE_MAP", format!("table {schema}.{table}: {reason}"))
        };
        let count =
            usize::try_from(tme.columns_count()).map_err(|_| bad("too many columns".into()))?;
        let meta =
            OptionalMetaExtractor::new(tme.iter_optional_meta()).map_err(|e| bad(e.to_string()))?;

        // The same per-kind iterators `mysql_common` uses to decode rows, so signedness and
        // charsets line up with the values it decodes.
        let mut unsigned = meta.iter_signedness();
        let mut charset = meta.iter_charset();
        let mut enum_set_charset = meta.iter_enum_and_set_charset();
        let primary_key: HashSet<u64> = meta
            .iter_primary_key()
            .collect::<std::io::Result<_>>()
            .map_err(|e| bad(e.to_string()))?;
        let names: Vec<String> = meta
            .iter_column_name()
            .map(|n| n.map(|n| n.name().into_owned()))
            .collect::<std::io::Result<_>>()
            .map_err(|e| bad(e.to_string()))?;
        if names.len() != count {
            return Err(Error::Unsupported(format!(
                "the table map of {schema}.{table} carries {} column names for {count} columns: \
                 this part of the binlog was written with binlog_row_metadata other than FULL. \
                 Set binlog_row_metadata=FULL on the server and start from a later position",
                names.len()
            )));
        }
        let (mut enum_labels, mut set_labels) = labels(tme).map_err(|e| bad(e.to_string()))?;

        let mut columns = Vec::with_capacity(count);
        for (i, name) in names.into_iter().enumerate() {
            let column_type = match tme.get_column_type(i) {
                Ok(Some(t)) => t,
                Ok(None) => return Err(bad(format!("no type for column {i}"))),
                Err(e) => return Err(bad(format!("column {name}: {e}"))),
            };
            let collation = if column_type.is_character_type() {
                charset.next().transpose().map_err(|e| bad(e.to_string()))?
            } else if column_type.is_enum_or_set_type() {
                enum_set_charset
                    .next()
                    .transpose()
                    .map_err(|e| bad(e.to_string()))?
            } else {
                None
            };
            columns.push(ColumnMeta {
                unsigned: column_type.is_numeric_type() && unsigned.next().unwrap_or(false),
                nullable: tme.null_bitmask().get(i).is_some_and(|b| *b),
                primary_key: primary_key.contains(&(i as u64)),
                charset: collation
                    .and_then(|c| charsets.charset(c))
                    .map(str::to_string),
                collation,
                enum_values: match column_type {
                    ColumnType::MYSQL_TYPE_ENUM => enum_labels.next().unwrap_or_default(),
                    _ => Vec::new(),
                },
                set_values: match column_type {
                    ColumnType::MYSQL_TYPE_SET => set_labels.next().unwrap_or_default(),
                    _ => Vec::new(),
                },
                type_metadata: tme.get_column_metadata(i).unwrap_or(&[]).to_vec(),
                column_type,
                name,
            });
        }
        Ok(TableSchema {
            table_id: tme.table_id(),
            schema,
            table,
            columns,
        })
    }
}

type Labels = std::vec::IntoIter<Vec<String>>;

/// The ENUM and SET labels of the optional metadata, one list per ENUM (resp. SET) column.
fn labels(tme: &TableMapEvent<'_>) -> std::io::Result<(Labels, Labels)> {
    let (mut enums, mut sets) = (Vec::new(), Vec::new());
    for field in tme.iter_optional_meta() {
        match field? {
            OptionalMetadataField::EnumStrValue(v) => {
                for column in v.iter_values() {
                    let column = column?;
                    enums.push(
                        column
                            .values()
                            .iter()
                            .map(|l| l.value().into_owned())
                            .collect(),
                    );
                }
            }
            OptionalMetadataField::SetStrValue(v) => {
                for column in v.iter_values() {
                    let column = column?;
                    sets.push(
                        column
                            .values()
                            .iter()
                            .map(|l| l.value().into_owned())
                            .collect(),
                    );
                }
            }
            _ => {}
        }
    }
    Ok((enums.into_iter(), sets.into_iter()))
}

/// Collation id → character set name, as the server defines them
/// (`information_schema.COLLATIONS`); read once per connection rather than hard-coded, so
/// collations of newer servers resolve too.
#[derive(Debug, Clone, Default)]
pub struct Charsets {
    by_collation: HashMap<u16, String>,
}

impl Charsets {
    /// Reads the server's collations.
    pub(crate) async fn load(conn: &mut mysql_async::Conn) -> Result<Charsets, mysql_async::Error> {
        let rows: Vec<(u64, String)> = conn
            .query("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATIONS WHERE ID IS NOT NULL")
            .await?;
        Ok(Charsets {
            by_collation: rows
                .into_iter()
                .filter_map(|(id, cs)| u16::try_from(id).ok().map(|id| (id, cs)))
                .collect(),
        })
    }

    /// The character set of collation `id`.
    pub fn charset(&self, id: u16) -> Option<&str> {
        self.by_collation.get(&id).map(String::as_str)
    }
}
