//! Reading a table in primary-key order, one chunk at a time (keyset pagination): each chunk is
//! `SELECT * FROM t WHERE (k1, k2) > (<last key>) ORDER BY k1, k2 LIMIT n`, so the snapshot can
//! stop after any row and later continue after that row's key (see `offsets.rs`).
//!
//! The primary key's btree index serves both the row comparison and the order, so every chunk
//! starts where the previous one ended without rescanning. Key values travel as PostgreSQL's
//! own text form (what a simple query returns) and come back as literals cast to the column's
//! type, so any key type round-trips exactly.

use super::tables::{TableId, quote_ident};
use crate::error::{Error, Result};

const PRIMARY_KEY_SQL: &str = "\
SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
  FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
 WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass AND i.indisprimary
 ORDER BY array_position(i.indkey::int2[], a.attnum)";

/// A table's primary key: the columns the snapshot orders and resumes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    /// The key columns, in key order.
    pub columns: Vec<String>,
    /// Each column's SQL type (`format_type`), for the casts of resumed keys.
    pub types: Vec<String>,
}

/// The primary key of `id`, `None` when it has none.
pub async fn primary_key(
    client: &tokio_postgres::Client,
    id: &TableId,
    user: &str,
) -> Result<Option<PrimaryKey>> {
    let rows = client
        .query(PRIMARY_KEY_SQL, &[&id.schema, &id.table])
        .await
        .map_err(|e| {
            Error::from_postgres(
                e,
                &format!("reading the primary key of {}", id.qualified()),
                user,
            )
        })?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(PrimaryKey {
        columns: rows.iter().map(|r| r.get(0)).collect(),
        types: rows.iter().map(|r| r.get(1)).collect(),
    }))
}

impl PrimaryKey {
    /// The query of the chunk of at most `limit` rows of `table` after `after` (the key's
    /// values as text; `None`: from the first row).
    pub fn chunk_query(&self, table: &TableId, after: Option<&[String]>, limit: usize) -> String {
        let columns = self
            .columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        let filter = match after {
            None => String::new(),
            Some(values) => {
                let literals = values
                    .iter()
                    .zip(&self.types)
                    .map(|(v, ty)| format!("{}::{ty}", quote_literal(v)))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(" WHERE ({columns}) > ({literals})")
            }
        };
        format!(
            "SELECT * FROM {}{filter} ORDER BY {columns} LIMIT {limit}",
            table.quoted()
        )
    }
}

/// A string literal for `text`, safe whatever `standard_conforming_strings` says: quotes are
/// doubled, and a text with backslashes is written as an escape string (`E'…'`) with them
/// doubled.
pub fn quote_literal(text: &str) -> String {
    let quoted = text.replace('\'', "''");
    if quoted.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> TableId {
        TableId {
            schema: "public".into(),
            table: "Items".into(),
        }
    }

    #[test]
    fn the_first_chunk_has_no_filter() {
        let pk = PrimaryKey {
            columns: vec!["id".into()],
            types: vec!["bigint".into()],
        };
        assert_eq!(
            pk.chunk_query(&table(), None, 500),
            r#"SELECT * FROM "public"."Items" ORDER BY "id" LIMIT 500"#
        );
    }

    #[test]
    fn later_chunks_start_after_the_key_with_typed_literals() {
        let pk = PrimaryKey {
            columns: vec!["region".into(), "Order No".into()],
            types: vec!["character varying(8)".into(), "integer".into()],
        };
        let after = ["it's".to_string(), "7".to_string()];
        assert_eq!(
            pk.chunk_query(&table(), Some(&after), 10),
            r#"SELECT * FROM "public"."Items" WHERE ("region", "Order No") > ('it''s'::character varying(8), '7'::integer) ORDER BY "region", "Order No" LIMIT 10"#
        );
    }

    #[test]
    fn literals_survive_quotes_and_backslashes() {
        assert_eq!(quote_literal("plain"), "'plain'");
        assert_eq!(quote_literal("o'brien"), "'o''brien'");
        assert_eq!(quote_literal(r"a\b'c"), r"E'a\\b''c'");
    }
}
