//! The built-in PostgreSQL types Sluice maps, by OID (`pg_type.oid`, fixed for built-in types
//! in every PostgreSQL release), and the element type of each built-in array type.

use crate::pgoutput::Oid;

/// A built-in scalar PostgreSQL type that has a Debezium mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgScalar {
    /// `boolean` (16).
    Bool,
    /// `bytea` (17).
    Bytea,
    /// `bigint` (20).
    Int8,
    /// `smallint` (21).
    Int2,
    /// `integer` (23).
    Int4,
    /// `text` (25).
    Text,
    /// `oid` (26).
    Oid,
    /// `json` (114).
    Json,
    /// `xml` (142).
    Xml,
    /// `real` (700).
    Float4,
    /// `double precision` (701).
    Float8,
    /// `character(n)` (1042).
    Bpchar,
    /// `character varying(n)` (1043).
    Varchar,
    /// `date` (1082).
    Date,
    /// `time(p)` (1083).
    Time,
    /// `timestamp(p)` (1114).
    Timestamp,
    /// `timestamptz(p)` (1184).
    Timestamptz,
    /// `interval` (1186).
    Interval,
    /// `timetz(p)` (1266).
    Timetz,
    /// `numeric(p,s)` (1700).
    Numeric,
    /// `uuid` (2950).
    Uuid,
    /// `jsonb` (3802).
    Jsonb,
}

impl PgScalar {
    /// The scalar type of this OID, if it is one Sluice maps.
    pub fn from_oid(oid: Oid) -> Option<PgScalar> {
        use PgScalar::*;
        Some(match oid {
            16 => Bool,
            17 => Bytea,
            20 => Int8,
            21 => Int2,
            23 => Int4,
            25 => Text,
            26 => Oid,
            114 => Json,
            142 => Xml,
            700 => Float4,
            701 => Float8,
            1042 => Bpchar,
            1043 => Varchar,
            1082 => Date,
            1083 => Time,
            1114 => Timestamp,
            1184 => Timestamptz,
            1186 => Interval,
            1266 => Timetz,
            1700 => Numeric,
            2950 => Uuid,
            3802 => Jsonb,
            _ => return None,
        })
    }
}

/// The element type of a built-in array type (`pg_type.typelem` of `_int4` etc.).
pub fn array_element(oid: Oid) -> Option<PgScalar> {
    use PgScalar::*;
    Some(match oid {
        1000 => Bool,
        1001 => Bytea,
        1016 => Int8,
        1005 => Int2,
        1007 => Int4,
        1009 => Text,
        1028 => Oid,
        199 => Json,
        143 => Xml,
        1021 => Float4,
        1022 => Float8,
        1014 => Bpchar,
        1015 => Varchar,
        1182 => Date,
        1183 => Time,
        1115 => Timestamp,
        1185 => Timestamptz,
        1187 => Interval,
        1270 => Timetz,
        1231 => Numeric,
        2951 => Uuid,
        3807 => Jsonb,
        _ => return None,
    })
}
