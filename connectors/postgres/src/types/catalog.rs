//! Reading the [`ColumnType`]s of a table from the catalog.
//!
//! One query over `pg_attribute`, `pg_type`, `pg_attrdef` and `pg_enum`: domains are resolved
//! to their base type and type modifier (Debezium maps a domain as its base type), enum labels
//! come in `enumsortorder` (the order of Debezium's `allowed` parameter), the names of the base
//! type and of an array's element type identify extension types (`hstore`, `ltree`, `citext`,
//! whose OIDs differ per database), and dropped columns
//! are skipped, so the columns come in the order `pgoutput` sends them.

use super::ColumnType;
use crate::{Error, Result};

const COLUMNS_SQL: &str = "\
SELECT a.attname::text,
       bt.oid::int8,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
       format_type(a.atttypid, a.atttypmod),
       NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid),
       CASE WHEN t.typtype = 'e' THEN
         ARRAY(SELECT e.enumlabel::text FROM pg_enum e
               WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
       END,
       bt.typname::text,
       et.typname::text
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typlen = -1 AND bt.typelem <> 0
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum";

/// The columns of `schema.table`, in column order; empty if the table does not exist.
pub async fn table_columns(
    client: &tokio_postgres::Client,
    schema: &str,
    table: &str,
) -> Result<Vec<ColumnType>> {
    let rows = client
        .query(COLUMNS_SQL, &[&schema, &table])
        .await
        .map_err(|e| {
            Error::from_postgres(e, &format!("reading the columns of {schema}.{table}"), "")
        })?;
    rows.iter()
        .map(|row| {
            let oid: i64 = row.get(1);
            Ok(ColumnType {
                column: row.get(0),
                oid: u32::try_from(oid).map_err(|_| Error::Protocol {
                    command: "the column catalog query".into(),
                    detail: format!("type OID {oid} out of range"),
                })?,
                type_modifier: row.get(2),
                type_name: row.get(3),
                nullable: row.get(4),
                default_expr: row.get(5),
                enum_labels: row.get(6),
                base_type_name: row.get(7),
                element_type_name: row.get(8),
            })
        })
        .collect()
}
