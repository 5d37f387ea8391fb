//! Typed column values of row events.
//!
//! `mysql_common` decodes the binary row format into its generic `Value`; this module turns
//! that into a value whose variant follows from the column type, so the connector can map
//! it to a Connect schema without re-inspecting bytes. Notes on what the binlog gives:
//! DECIMAL arrives as its exact decimal text; ENUM as its 1-based index (labels are in
//! [`ColumnMeta::enum_values`]); SET as a bitmask; MariaDB's JSON is a LONGTEXT alias, so it
//! arrives as text; TIMESTAMP is seconds since the epoch (UTC) and DATETIME is wall-clock
//! time, as stored. Character columns are decoded as text when their charset is UTF-8, ASCII
//! or latin1 (which MariaDB defines as Windows-1252); other charsets stay bytes for the
//! connector to convert, with the charset named in [`ColumnMeta::charset`].

use mysql_async::Value;
use mysql_async::binlog::value::BinlogValue;

use super::table::{ColumnMeta, ColumnType};
use crate::error::{Error, Result};

/// One column value of a row image.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValue {
    /// SQL NULL.
    Null,
    /// A signed integer (TINYINT … BIGINT).
    Int(i64),
    /// An UNSIGNED integer.
    UInt(u64),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// DECIMAL, as exact decimal text (`-12.50`).
    Decimal(String),
    /// A character column (CHAR, VARCHAR, TEXT; MariaDB JSON) decoded to text.
    Text(String),
    /// A binary column (BINARY, VARBINARY, BLOB, GEOMETRY) or text in an undecoded charset.
    Bytes(Vec<u8>),
    /// DATE (zero parts as stored, e.g. `0000-00-00`).
    Date {
        /// Year.
        year: u16,
        /// Month, 1–12 (0 in zero dates).
        month: u8,
        /// Day, 1–31 (0 in zero dates).
        day: u8,
    },
    /// TIME as signed microseconds (MySQL's range is ±838:59:59.999999).
    Time(i64),
    /// DATETIME, wall-clock as stored.
    DateTime {
        /// Year.
        year: u16,
        /// Month.
        month: u8,
        /// Day.
        day: u8,
        /// Hour.
        hour: u8,
        /// Minute.
        minute: u8,
        /// Second.
        second: u8,
        /// Microseconds.
        micros: u32,
    },
    /// TIMESTAMP: seconds and microseconds since the Unix epoch, UTC.
    Timestamp {
        /// Seconds.
        secs: i64,
        /// Microseconds.
        micros: u32,
    },
    /// YEAR (0 for the zero year).
    Year(u16),
    /// ENUM: the 1-based index of the label (0 for the invalid '' value).
    Enum(u16),
    /// SET: bit `i` set when label `i` is present.
    Set(u64),
    /// BIT(n): the bits, big-endian, `ceil(n / 8)` bytes.
    Bit(Vec<u8>),
    /// MySQL's binary JSON, rendered as JSON text.
    Json(String),
}

impl ColumnValue {
    /// The text of a [`ColumnValue::Text`].
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ColumnValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Converts one decoded binlog value of column `col`.
pub(crate) fn column_value(col: &ColumnMeta, value: BinlogValue<'static>) -> Result<ColumnValue> {
    use ColumnType::*;
    let value = match value {
        BinlogValue::Value(v) => v,
        BinlogValue::Jsonb(j) => {
            let json = Value::try_from(BinlogValue::Jsonb(j))
                .map_err(|e| mismatch(col, &e.to_string()))?;
            return match json {
                Value::Bytes(b) => Ok(ColumnValue::Json(String::from_utf8_lossy(&b).into_owned())),
                _ => Err(mismatch(col, "JSON did not render as text")),
            };
        }
        BinlogValue::JsonDiff(_) => {
            return Err(Error::Unsupported(format!(
                "column {} carries a partial JSON update; set binlog_row_value_options='' on the server",
                col.name
            )));
        }
    };
    if value == Value::NULL {
        return Ok(ColumnValue::Null);
    }
    Ok(match (col.column_type, value) {
        (
            MYSQL_TYPE_TINY | MYSQL_TYPE_SHORT | MYSQL_TYPE_INT24 | MYSQL_TYPE_LONG
            | MYSQL_TYPE_LONGLONG,
            v,
        ) => {
            match (v, col.unsigned) {
                // mysql_common 0.37 reads a signed MEDIUMINT without sign extension, so
                // -1 arrives as 16777215. Signed MEDIUMINT stops at 8388607: anything above
                // is a negative value, restored here.
                (Value::Int(i), false) if col.column_type == MYSQL_TYPE_INT24 && i >= 1 << 23 => {
                    ColumnValue::Int(i - (1 << 24))
                }
                (Value::Int(i), false) => ColumnValue::Int(i),
                (Value::Int(i), true) => ColumnValue::UInt(
                    u64::try_from(i).map_err(|_| mismatch(col, "negative UNSIGNED"))?,
                ),
                (Value::UInt(u), true) => ColumnValue::UInt(u),
                (Value::UInt(u), false) => ColumnValue::Int(
                    i64::try_from(u).map_err(|_| mismatch(col, "signed overflow"))?,
                ),
                (other, _) => return Err(mismatch(col, &format!("{other:?}"))),
            }
        }
        (MYSQL_TYPE_FLOAT, Value::Float(f)) => ColumnValue::Float(f),
        (MYSQL_TYPE_DOUBLE, Value::Double(d)) => ColumnValue::Double(d),
        (MYSQL_TYPE_NEWDECIMAL, Value::Bytes(b)) => ColumnValue::Decimal(utf8(col, b)?),
        (MYSQL_TYPE_YEAR, Value::Bytes(b)) => {
            // mysql_common renders the stored byte y as 1900 + y; the byte 0 is year 0000.
            let year: u16 = utf8(col, b)?
                .parse()
                .map_err(|_| mismatch(col, "YEAR text"))?;
            ColumnValue::Year(if year == 1900 { 0 } else { year })
        }
        (MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE, Value::Date(year, month, day, ..)) => {
            ColumnValue::Date { year, month, day }
        }
        (
            MYSQL_TYPE_DATETIME | MYSQL_TYPE_DATETIME2,
            Value::Date(year, month, day, hour, minute, second, micros),
        ) => ColumnValue::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        },
        (MYSQL_TYPE_TIME | MYSQL_TYPE_TIME2, Value::Time(negative, days, h, m, s, us)) => {
            let secs =
                (i64::from(days) * 24 + i64::from(h)) * 3600 + i64::from(m) * 60 + i64::from(s);
            let micros = secs * 1_000_000 + i64::from(us);
            ColumnValue::Time(if negative { -micros } else { micros })
        }
        (MYSQL_TYPE_TIMESTAMP, Value::Int(secs)) => ColumnValue::Timestamp { secs, micros: 0 },
        (MYSQL_TYPE_TIMESTAMP2, Value::Bytes(b)) => timestamp(col, &utf8(col, b)?)?,
        (MYSQL_TYPE_ENUM, Value::Int(i)) => {
            ColumnValue::Enum(u16::try_from(i).map_err(|_| mismatch(col, "ENUM index"))?)
        }
        (MYSQL_TYPE_SET, Value::Bytes(b)) => {
            if b.len() > 8 {
                return Err(mismatch(col, "SET bitmap longer than 8 bytes"));
            }
            let mut bits = [0u8; 8];
            bits[..b.len()].copy_from_slice(&b);
            ColumnValue::Set(u64::from_le_bytes(bits))
        }
        (MYSQL_TYPE_BIT, Value::Bytes(b)) => ColumnValue::Bit(b),
        (
            MYSQL_TYPE_VARCHAR
            | MYSQL_TYPE_VAR_STRING
            | MYSQL_TYPE_STRING
            | MYSQL_TYPE_BLOB
            | MYSQL_TYPE_TINY_BLOB
            | MYSQL_TYPE_MEDIUM_BLOB
            | MYSQL_TYPE_LONG_BLOB,
            Value::Bytes(b),
        ) => text_or_bytes(col.charset.as_deref(), b),
        (MYSQL_TYPE_GEOMETRY | MYSQL_TYPE_VECTOR, Value::Bytes(b)) => ColumnValue::Bytes(b),
        (_, other) => return Err(mismatch(col, &format!("{other:?}"))),
    })
}

/// Decodes character data of `charset`; bytes for binary and unknown charsets.
pub(crate) fn text_or_bytes(charset: Option<&str>, bytes: Vec<u8>) -> ColumnValue {
    match charset {
        // A server only stores valid UTF-8 in these charsets; if it ever does not, the
        // replacement character marks the spot instead of failing the whole stream.
        Some("utf8mb4" | "utf8mb3" | "utf8" | "ascii") => {
            ColumnValue::Text(match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
        }
        Some("latin1") => ColumnValue::Text(bytes.iter().map(|&b| cp1252(b)).collect()),
        _ => ColumnValue::Bytes(bytes),
    }
}

/// MariaDB's `latin1` is Windows-1252; its five unassigned bytes map to the C1 controls, as in
/// MariaDB's own conversion to Unicode. (A 32-entry table, so no encoding crate is needed.)
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}',
        '\u{017D}', '\u{008F}', '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}',
        '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
        '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// `secs` or `secs.micros` as rendered by mysql_common for TIMESTAMP2.
fn timestamp(col: &ColumnMeta, text: &str) -> Result<ColumnValue> {
    let (secs, micros) = text.split_once('.').unwrap_or((text, "0"));
    Ok(ColumnValue::Timestamp {
        secs: secs
            .parse()
            .map_err(|_| mismatch(col, "TIMESTAMP seconds"))?,
        micros: micros
            .parse()
            .map_err(|_| mismatch(col, "TIMESTAMP microseconds"))?,
    })
}

fn utf8(col: &ColumnMeta, b: Vec<u8>) -> Result<String> {
    String::from_utf8(b).map_err(|_| mismatch(col, "non-UTF-8 text"))
}

fn mismatch(col: &ColumnMeta, what: &str) -> Error {
    Error::malformed(
        "row",
        format!(
            "column {} of type {:?}: unexpected value {what}",
            col.name, col.column_type
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(column_type: ColumnType, unsigned: bool, charset: Option<&str>) -> ColumnMeta {
        ColumnMeta {
            name: "c".into(),
            column_type,
            type_metadata: vec![],
            unsigned,
            nullable: true,
            primary_key: false,
            collation: None,
            charset: charset.map(str::to_string),
            enum_values: vec![],
            set_values: vec![],
        }
    }

    fn conv(c: &ColumnMeta, v: Value) -> ColumnValue {
        column_value(c, BinlogValue::Value(v)).unwrap()
    }

    #[test]
    fn converts_by_column_type() {
        use ColumnType::*;
        assert_eq!(
            conv(&col(MYSQL_TYPE_LONG, false, None), Value::Int(-5)),
            ColumnValue::Int(-5)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_LONG, true, None), Value::Int(5)),
            ColumnValue::UInt(5)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_INT24, false, None), Value::Int(0xFF_FFFF)),
            ColumnValue::Int(-1)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_INT24, false, None), Value::Int(0x80_0000)),
            ColumnValue::Int(-8_388_608)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_INT24, false, None), Value::Int(0x7F_FFFF)),
            ColumnValue::Int(8_388_607)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_INT24, true, None), Value::Int(0xFF_FFFF)),
            ColumnValue::UInt(0xFF_FFFF)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_LONGLONG, true, None), Value::UInt(u64::MAX)),
            ColumnValue::UInt(u64::MAX)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_LONG, false, None), Value::NULL),
            ColumnValue::Null
        );
        assert_eq!(
            conv(
                &col(MYSQL_TYPE_NEWDECIMAL, false, None),
                Value::Bytes(b"-1.50".to_vec())
            ),
            ColumnValue::Decimal("-1.50".into())
        );
        assert_eq!(
            conv(
                &col(MYSQL_TYPE_YEAR, false, None),
                Value::Bytes(b"1900".to_vec())
            ),
            ColumnValue::Year(0)
        );
        assert_eq!(
            conv(
                &col(MYSQL_TYPE_YEAR, false, None),
                Value::Bytes(b"2024".to_vec())
            ),
            ColumnValue::Year(2024)
        );
        assert_eq!(
            conv(
                &col(MYSQL_TYPE_TIME2, false, None),
                Value::Time(true, 1, 2, 3, 4, 5)
            ),
            ColumnValue::Time(-((26 * 3600 + 3 * 60 + 4) * 1_000_000 + 5))
        );
        assert_eq!(
            conv(
                &col(MYSQL_TYPE_TIMESTAMP2, false, None),
                Value::Bytes(b"1700000000.000120".to_vec())
            ),
            ColumnValue::Timestamp {
                secs: 1_700_000_000,
                micros: 120
            }
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_ENUM, false, None), Value::Int(2)),
            ColumnValue::Enum(2)
        );
        assert_eq!(
            conv(&col(MYSQL_TYPE_SET, false, None), Value::Bytes(vec![5, 1])),
            ColumnValue::Set(0x105)
        );
        assert!(
            column_value(
                &col(MYSQL_TYPE_LONG, false, None),
                BinlogValue::Value(Value::Bytes(vec![]))
            )
            .is_err()
        );
    }

    #[test]
    fn decodes_charsets() {
        assert_eq!(
            text_or_bytes(Some("utf8mb4"), "é€".as_bytes().to_vec()),
            ColumnValue::Text("é€".into())
        );
        assert_eq!(
            text_or_bytes(Some("latin1"), vec![0x63, 0xE9, 0x80]),
            ColumnValue::Text("cé€".into())
        );
        assert_eq!(
            text_or_bytes(Some("binary"), vec![0, 1]),
            ColumnValue::Bytes(vec![0, 1])
        );
        assert_eq!(
            text_or_bytes(None, vec![0xff]),
            ColumnValue::Bytes(vec![0xff])
        );
        assert_eq!(
            text_or_bytes(Some("utf8mb4"), vec![0x61, 0xff]),
            ColumnValue::Text("a\u{FFFD}".into())
        );
    }
}
