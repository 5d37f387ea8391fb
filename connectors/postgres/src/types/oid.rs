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
    /// `"char"` (18), the one-byte internal type.
    Char,
    /// `name` (19).
    Name,
    /// `point` (600).
    Point,
    /// `cidr` (650).
    Cidr,
    /// `macaddr8` (774).
    Macaddr8,
    /// `money` (790).
    Money,
    /// `macaddr` (829).
    Macaddr,
    /// `inet` (869).
    Inet,
    /// `bit(n)` (1560).
    Bit,
    /// `bit varying(n)` (1562).
    Varbit,
    /// `tsvector` (3614).
    Tsvector,
    /// The built-in range types (`int4range` 3904, `numrange` 3906, `tsrange` 3908,
    /// `tstzrange` 3910, `daterange` 3912, `int8range` 3926), all strings.
    Range,
    /// The `hstore` extension type (by name: its OID differs per database).
    Hstore,
    /// The `ltree` extension type (by name).
    Ltree,
    /// The `citext` extension type (by name).
    Citext,
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
            18 => Char,
            19 => Name,
            600 => Point,
            650 => Cidr,
            774 => Macaddr8,
            790 => Money,
            829 => Macaddr,
            869 => Inet,
            1560 => Bit,
            1562 => Varbit,
            3614 => Tsvector,
            3904 | 3906 | 3908 | 3910 | 3912 | 3926 => Range,
            _ => return None,
        })
    }

    /// The extension type of this `typname`, if it is one Sluice maps.
    pub fn from_extension_name(name: &str) -> Option<PgScalar> {
        Some(match name {
            "hstore" => PgScalar::Hstore,
            "ltree" => PgScalar::Ltree,
            "citext" => PgScalar::Citext,
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
        1041 => Inet,
        651 => Cidr,
        1040 => Macaddr,
        775 => Macaddr8,
        3905 | 3907 | 3909 | 3911 | 3913 | 3927 => Range,
        // Not money[] (791): Debezium leaves such columns out, even with
        // include.unknown.datatypes.
        _ => return None,
    })
}
