//! The captured tables: which ones (catalog discovery under the include/exclude lists), and
//! for each its Debezium schemas — key, row value and envelope — and how a row's column
//! values (from a snapshot `SELECT` or a `pgoutput` tuple) map onto them.
//!
//! A [`TableSchema`] is built from the catalog once per table and again whenever a Relation
//! message shows different columns (an `ALTER TABLE`): the new value schema then differs and
//! the converter registers a new schema version, as Debezium does (`schema.refresh.mode =
//! columns_diff`). Keys follow the primary key (or `message.key.columns`); a table without
//! one has null keys.

use sluice_api::{Schema, Struct, Value};

use super::config::PostgresConfig;
use crate::error::{Error, Result};
use crate::types::catalog::table_columns;
use crate::types::{ColumnMapping, ColumnType, row_schema};

const TABLES_SQL: &str = "\
SELECT n.nspname::text, c.relname::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
   AND n.nspname NOT LIKE 'pg_temp%'
 ORDER BY 1, 2";

const PRIMARY_KEY_SQL: &str = "\
SELECT a.attname::text
  FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
 WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass AND i.indisprimary
 ORDER BY array_position(i.indkey::int2[], a.attnum)";

/// A table's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId {
    /// The schema (namespace).
    pub schema: String,
    /// The table.
    pub table: String,
}

impl TableId {
    /// `schema.table`, as Debezium names data collections.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }

    /// The quoted identifier for SQL.
    pub fn quoted(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table))
    }
}

/// `"ident"` with embedded quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The captured tables in the database, in (schema, table) order.
pub async fn captured_tables(
    client: &tokio_postgres::Client,
    config: &PostgresConfig,
) -> Result<Vec<TableId>> {
    let rows = client.query(TABLES_SQL, &[]).await.map_err(|e| {
        Error::from_postgres(e, "listing the tables to capture", &config.connection.user)
    })?;
    Ok(rows
        .iter()
        .map(|r| TableId {
            schema: r.get(0),
            table: r.get(1),
        })
        .filter(|t| config.captures(&t.schema, &t.table))
        .collect())
}

/// One captured table's schemas and column layout.
#[derive(Debug, Clone)]
pub struct TableSchema {
    /// The table.
    pub id: TableId,
    /// `schema.table` (the data collection name of transaction metadata), built once.
    pub qualified: String,
    /// Its data topic (`<prefix>.<schema>.<table>`).
    pub topic: String,
    /// The kept columns, in table order.
    pub columns: Vec<ColumnMapping>,
    /// For each kept column, its position among the incoming values (`SELECT *` columns or
    /// the Relation message's columns).
    pub positions: Vec<usize>,
    /// How many values an incoming row has.
    pub width: usize,
    /// Indexes (into `columns`) of the key columns, in key order; empty = null keys.
    pub key_columns: Vec<usize>,
    /// The key struct schema (`<topic>.Key`), if the table has a key.
    pub key_schema: Option<Schema>,
    /// The row schema (`<topic>.Value`, optional).
    pub value_schema: Schema,
    /// The envelope schema (`<topic>.Envelope`).
    pub envelope_schema: Schema,
    /// The names of the incoming columns, in order (to detect schema changes).
    pub incoming: Vec<String>,
}

impl TableSchema {
    /// Reads `id`'s columns and key from the catalog and builds its schemas. `incoming` is the
    /// column order of the rows that will be converted (`None`: the table's own order).
    pub async fn load(
        client: &tokio_postgres::Client,
        config: &PostgresConfig,
        id: &TableId,
        incoming: Option<Vec<String>>,
        source_schema: &Schema,
    ) -> Result<TableSchema> {
        let catalog = table_columns(client, &id.schema, &id.table).await?;
        if catalog.is_empty() {
            return Err(Error::Protocol {
                command: format!("reading the columns of {}", id.qualified()),
                detail: "the table does not exist (dropped?) or has no columns".into(),
            });
        }
        Self::load_columns(client, config, id, catalog, incoming, source_schema).await
    }

    /// Like [`TableSchema::load`], for a table of the replication stream: when the table is no
    /// longer in the catalog (dropped after the change was written), its columns are taken
    /// from the stream's Relation message, with what only the catalog knows (nullability,
    /// defaults, enum labels) left out, and a warning, rather than failing the task.
    pub async fn load_streamed(
        client: &tokio_postgres::Client,
        config: &PostgresConfig,
        id: &TableId,
        relation: &crate::pgoutput::Relation,
        source_schema: &Schema,
    ) -> Result<TableSchema> {
        let incoming: Vec<String> = relation.columns.iter().map(|c| c.name.clone()).collect();
        let catalog = table_columns(client, &id.schema, &id.table).await?;
        if !catalog.is_empty() {
            let loaded = Self::load_columns(
                client,
                config,
                id,
                catalog,
                Some(incoming.clone()),
                source_schema,
            )
            .await;
            match loaded {
                // Dropped between the two catalog queries (undefined_table): described from
                // the stream below, as if the first query had not found it.
                Err(Error::Server {
                    sqlstate: Some(code),
                    ..
                }) if code == "42P01" => {}
                other => return other,
            }
        }
        tracing::warn!(
            table = %id.qualified(),
            "The table is no longer in the catalog (dropped?); describing its columns from the \
             replication stream: every column is optional and defaults are unknown."
        );
        let columns: Vec<ColumnType> = relation
            .columns
            .iter()
            .map(|c| ColumnType {
                column: c.name.clone(),
                oid: c.type_oid,
                type_modifier: c.type_modifier,
                type_name: format!("type oid {}", c.type_oid),
                nullable: true,
                default_expr: None,
                enum_labels: None,
                base_type_name: String::new(),
                element_type_name: None,
            })
            .collect();
        let key_names: Vec<String> = match config.message_key(&id.schema, &id.table) {
            Some(cols) => cols.to_vec(),
            None => relation
                .columns
                .iter()
                .filter(|c| c.is_key)
                .map(|c| c.name.clone())
                .collect(),
        };
        Self::build(config, id, &columns, incoming, &key_names, source_schema)
    }

    async fn load_columns(
        client: &tokio_postgres::Client,
        config: &PostgresConfig,
        id: &TableId,
        catalog: Vec<ColumnType>,
        incoming: Option<Vec<String>>,
        source_schema: &Schema,
    ) -> Result<TableSchema> {
        let key_names: Vec<String> = match config.message_key(&id.schema, &id.table) {
            Some(cols) => cols.to_vec(),
            None => client
                .query(PRIMARY_KEY_SQL, &[&id.schema, &id.table])
                .await
                .map_err(|e| {
                    Error::from_postgres(
                        e,
                        &format!("reading the primary key of {}", id.qualified()),
                        &config.connection.user,
                    )
                })?
                .iter()
                .map(|r| r.get(0))
                .collect(),
        };
        let incoming =
            incoming.unwrap_or_else(|| catalog.iter().map(|c| c.column.clone()).collect());
        Self::build(config, id, &catalog, incoming, &key_names, source_schema)
    }

    fn build(
        config: &PostgresConfig,
        id: &TableId,
        catalog: &[ColumnType],
        incoming: Vec<String>,
        key_names: &[String],
        source_schema: &Schema,
    ) -> Result<TableSchema> {
        let topic = sluice_cdc::naming::data_topic(
            &config.prefix,
            &id.schema,
            &id.table,
            &config.delimiter,
        );
        let mut columns = Vec::new();
        let mut positions = Vec::new();
        for (position, name) in incoming.iter().enumerate() {
            if !config.keeps_column(&id.schema, &id.table, name) {
                continue;
            }
            // A column the catalog no longer has (dropped since the row was written) is skipped.
            let Some(column) = catalog.iter().find(|c| &c.column == name) else {
                continue;
            };
            match ColumnMapping::new(column, &config.modes) {
                Ok(mapping) => columns.push(mapping),
                // As Debezium: a column of a type without a converter is left out of the
                // events (include.unknown.datatypes=true emits most such types as bytes).
                Err(crate::types::TypeError::Unsupported {
                    column, type_name, ..
                }) => {
                    tracing::warn!(
                        table = %id.qualified(), %column, %type_name,
                        "No converter for column {}.{column} of type {type_name}; the column \
                         is left out of the change events (set include.unknown.datatypes=true \
                         to emit it as the bytes of its text).",
                        id.qualified()
                    );
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            positions.push(position);
        }
        let mut key_columns = Vec::new();
        for name in key_names {
            match columns.iter().position(|c| c.column() == name) {
                Some(i) => key_columns.push(i),
                None => {
                    return Err(Error::Config(sluice_api::Error::Config {
                        key: "message.key.columns".into(),
                        message: format!(
                            "the key column '{name}' of {} is not a captured column of the table",
                            id.qualified()
                        ),
                    }));
                }
            }
        }
        let schema_error = |e: sluice_cdc::Error| Error::Protocol {
            command: format!("building the schemas of {}", id.qualified()),
            detail: e.to_string(),
        };
        let key_schema = if key_columns.is_empty() {
            None
        } else {
            let key: Vec<ColumnMapping> = key_columns.iter().map(|&i| columns[i].clone()).collect();
            Some(row_schema(
                &sluice_cdc::naming::key_schema_name(&topic),
                &key,
                false,
            )?)
        };
        let value_schema = row_schema(
            &sluice_cdc::naming::value_schema_name(&topic),
            &columns,
            true,
        )?;
        let envelope_schema = sluice_cdc::envelope_schema(&topic, &value_schema, source_schema)
            .map_err(schema_error)?;
        Ok(TableSchema {
            id: id.clone(),
            qualified: id.qualified(),
            topic,
            columns,
            positions,
            width: incoming.len(),
            key_columns,
            key_schema,
            value_schema,
            envelope_schema,
            incoming,
        })
    }

    /// The row struct from one value per incoming column (`None` = NULL). `unchanged` marks
    /// unchanged TOASTed values, which become `placeholder`.
    pub fn row(
        &self,
        values: &[Option<&[u8]>],
        unchanged: &[bool],
        placeholder: &str,
    ) -> Result<Struct> {
        let mut row = Struct::new(self.value_schema.clone()).map_err(|e| self.data_error(e))?;
        for (index, (column, &position)) in self.columns.iter().zip(&self.positions).enumerate() {
            let value = if unchanged.get(position).copied().unwrap_or(false) {
                placeholder_value(column.schema(), placeholder)
            } else {
                column.value(values.get(position).copied().flatten())?
            };
            row.put_at(index, value).map_err(|e| self.data_error(e))?;
        }
        Ok(row)
    }

    /// The row struct from an old key-only tuple: the key columns carry values, the other
    /// required columns their type's zero value, as Debezium fills them.
    pub fn key_only_row(&self, values: &[Option<&[u8]>]) -> Result<Struct> {
        let mut row = Struct::new(self.value_schema.clone()).map_err(|e| self.data_error(e))?;
        for (index, (column, &position)) in self.columns.iter().zip(&self.positions).enumerate() {
            let text = values.get(position).copied().flatten();
            let value = match text {
                Some(_) => column.value(text)?,
                None if column.schema().is_optional() => Value::Null,
                None => zero_value(column.schema()),
            };
            row.put_at(index, value).map_err(|e| self.data_error(e))?;
        }
        Ok(row)
    }

    /// The key struct of a row, `None` for a table without a key.
    pub fn key(&self, row: &Struct) -> Result<Option<Struct>> {
        let Some(schema) = &self.key_schema else {
            return Ok(None);
        };
        let mut key = Struct::new(schema.clone()).map_err(|e| self.data_error(e))?;
        for (index, &column) in self.key_columns.iter().enumerate() {
            key.put_at(index, row.values()[column].clone())
                .map_err(|e| self.data_error(e))?;
        }
        Ok(Some(key))
    }

    fn data_error(&self, e: sluice_api::Error) -> Error {
        Error::Protocol {
            command: format!("building a change event of {}", self.id.qualified()),
            detail: e.to_string(),
        }
    }
}

/// Debezium's stand-in for an unchanged TOASTed value of a column of `schema`.
fn placeholder_value(schema: &Schema, placeholder: &str) -> Value {
    use sluice_api::Type;
    match schema.ty() {
        Type::String => Value::String(placeholder.into()),
        Type::Bytes if schema.name().is_none() => Value::Bytes(placeholder.as_bytes().to_vec()),
        Type::Array => Value::Array(vec![placeholder_value(
            schema.value_schema().unwrap_or(schema),
            placeholder,
        )]),
        _ => Value::Null,
    }
}

/// The value Debezium puts in a required column it has no value for (a key-only old row).
fn zero_value(schema: &Schema) -> Value {
    use sluice_api::Type;
    if let Some(default) = schema.default_value() {
        return default.clone();
    }
    if schema.name() == Some(sluice_api::logical::DECIMAL_NAME) {
        let scale = schema
            .parameter(sluice_api::logical::DECIMAL_SCALE_PARAM)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        return Value::Decimal(sluice_api::Decimal::from_i128(0, scale));
    }
    match schema.ty() {
        Type::Int8 => Value::Int8(0),
        Type::Int16 => Value::Int16(0),
        Type::Int32 => Value::Int32(0),
        Type::Int64 => Value::Int64(0),
        Type::Float32 => Value::Float32(0.0),
        Type::Float64 => Value::Float64(0.0),
        Type::Boolean => Value::Boolean(false),
        Type::String => Value::String(Default::default()),
        Type::Bytes => Value::Bytes(Vec::new()),
        Type::Array => Value::Array(Vec::new()),
        Type::Map => Value::Map(Vec::new()),
        Type::Struct => Value::Null,
    }
}
