//! [`TypeError`]: a column whose type Sluice cannot map, or a value whose text it cannot read.
//!
//! Both are definite: the same column or value would fail again. The connector decides whether
//! to skip the column (Debezium's `include.unknown.datatypes=false` drops unknown columns) or to
//! fail the task.

/// A type-mapping failure; every message names the column and its PostgreSQL type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypeError {
    /// The column's type has no Debezium mapping in Sluice.
    #[error(
        "column '{column}' has PostgreSQL type {type_name} (OID {oid}), which Sluice cannot map \
         to a Kafka Connect schema; exclude the column (column.exclude.list) or change its type"
    )]
    Unsupported {
        /// The column name.
        column: String,
        /// The type as PostgreSQL names it (`format_type`).
        type_name: String,
        /// The type OID.
        oid: u32,
    },

    /// A value's text is not what the column's type produces in PostgreSQL's text format.
    #[error("column '{column}' ({type_name}): cannot read the value '{text}': {reason}")]
    BadValue {
        /// The column name.
        column: String,
        /// The type as PostgreSQL names it.
        type_name: String,
        /// The offending text (possibly cut to 200 characters).
        text: String,
        /// What is wrong, and where relevant which server setting produces it.
        reason: String,
    },

    /// Building the Connect schema or value failed (a bug in the mapping, not in the data).
    #[error("column '{column}': {detail}")]
    Schema {
        /// The column name.
        column: String,
        /// The data-model error.
        detail: String,
    },
}
