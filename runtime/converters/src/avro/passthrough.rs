//! Avro bodies kept encoded: [`AvroEncoding`] (the writer schema and its read plan, which
//! decodes on demand), the check that a body is exactly what this crate's decode → encode round
//! trip would write ([`is_canonical`]), and the check that two Avro schemas encode the same
//! values into the same bytes ([`same_encoding`]).
//!
//! Correctness argument. A sink that copies a body into a file written with schema `F` instead
//! of decoding it (writer schema `W`) and encoding the value with `F` must produce the same
//! bytes. Two things make that hold:
//!
//! 1. [`same_encoding`]`(W, F)`: Avro's binary encoding depends only on the types, their order,
//!    union branch order, enum symbol order and fixed sizes — never on names, docs or
//!    properties. Record fields must also have the same names in the same order, so each value
//!    lands in the field it came from.
//! 2. [`is_canonical`]`(plan, body)`: the body is read in full (no trailing bytes), and every
//!    datum is in the one form the encoder writes: minimal varints, booleans `0`/`1`, ints
//!    within the Connect type's range (an `int8` is narrowed on decode), `Time` within a day,
//!    valid UTF-8, decimals in minimal two's complement, arrays and maps as one positive block
//!    then `0`, and no null in a record field whose Connect schema has a default (the encoder
//!    writes the default there, as Java's `Struct.get` does). Connect unions
//!    (`io.confluent.connect.avro.Union`) are never passed through.
//!
//! A body that fails either check is decoded and encoded as before, so what lands in the file
//! never depends on which path was taken; debug builds of the file sink verify that on every
//! body they pass through.

use std::any::Any;

use sluice_api::{Schema, Value, ValueEncoding, logical};

use super::decode::{self, ReadPlan};
use super::encode::IntKind;
use super::model::AvroSchema;

/// The encoding of bodies written with one writer schema, as the Avro converter read it from
/// the registry: decodes bodies into Connect values of the record's value schema.
#[derive(Debug)]
pub struct AvroEncoding {
    writer: AvroSchema,
    plan: ReadPlan,
}

impl AvroEncoding {
    pub(crate) fn new(writer: AvroSchema, plan: ReadPlan) -> Self {
        AvroEncoding { writer, plan }
    }

    /// The writer schema (from the registry).
    pub fn writer_schema(&self) -> &AvroSchema {
        &self.writer
    }

    pub(crate) fn plan(&self) -> &ReadPlan {
        &self.plan
    }

    /// Whether `body` is a complete body in canonical form (see the module doc).
    pub fn is_canonical(&self, body: &[u8]) -> bool {
        is_canonical(&self.plan, body)
    }
}

impl ValueEncoding for AvroEncoding {
    fn decode(&self, body: &[u8]) -> Result<Value, String> {
        decode::Reader::new(body).read(&self.plan)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Whether values encoded with `writer` and with `file` have the same bytes (see the module
/// doc): the same structure, union branches, enum symbols, fixed sizes and record field names.
pub fn same_encoding(writer: &AvroSchema, file: &AvroSchema) -> bool {
    use AvroSchema as S;
    match (writer, file) {
        (S::Primitive(a, _), S::Primitive(b, _)) => a == b,
        (S::Array(a, _), S::Array(b, _)) | (S::Map(a, _), S::Map(b, _)) => same_encoding(a, b),
        (S::Union(a), S::Union(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_encoding(x, y))
        }
        (S::Record(a), S::Record(b)) => {
            a.fields.len() == b.fields.len()
                && a.fields
                    .iter()
                    .zip(&b.fields)
                    .all(|(x, y)| x.name == y.name && same_encoding(&x.schema, &y.schema))
        }
        (S::Enum(a), S::Enum(b)) => a.symbols == b.symbols,
        (S::Fixed(a), S::Fixed(b)) => a.size == b.size,
        _ => false,
    }
}

/// Whether `body` holds exactly one value of `plan` in the form the encoder writes (see the
/// module doc). Never allocates.
pub(crate) fn is_canonical(plan: &ReadPlan, body: &[u8]) -> bool {
    let mut w = Walker {
        bytes: body,
        pos: 0,
    };
    w.value(plan).is_some() && w.pos == body.len()
}

/// A cursor that checks instead of building values; `None` means "not canonical (or not
/// valid): decode instead".
struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Walker<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// A zig-zag varint in its minimal form (no trailing zero continuation byte).
    fn long(&mut self) -> Option<i64> {
        let mut n: u64 = 0;
        for (i, shift) in (0..70).step_by(7).enumerate() {
            let b = *self.bytes.get(self.pos)?;
            self.pos += 1;
            if shift == 63 && b > 1 {
                return None;
            }
            n |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                if b == 0 && i > 0 {
                    return None;
                }
                return Some(((n >> 1) as i64) ^ -((n & 1) as i64));
            }
        }
        None
    }

    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.long()?).ok()
    }

    fn string(&mut self) -> Option<()> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok().map(drop)
    }

    /// The item count of an array or map: one positive block then `0`, or just `0`. Returns the
    /// count, and whether a closing `0` must follow.
    fn block(&mut self) -> Option<usize> {
        let n = self.long()?;
        if n < 0 {
            return None;
        }
        usize::try_from(n).ok()
    }

    fn end_block(&mut self) -> Option<()> {
        (self.long()? == 0).then_some(())
    }

    fn value(&mut self, plan: &ReadPlan) -> Option<()> {
        match plan {
            ReadPlan::Null => {}
            ReadPlan::Boolean => {
                if self.take(1)?[0] > 1 {
                    return None;
                }
            }
            ReadPlan::Int(kind) | ReadPlan::Long(kind) => {
                let v = self.long()?;
                let fits = match kind {
                    IntKind::I8 => i8::try_from(v).is_ok(),
                    IntKind::I16 => i16::try_from(v).is_ok(),
                    IntKind::I32 | IntKind::Date => i32::try_from(v).is_ok(),
                    IntKind::Time => (0..=i64::from(logical::MILLIS_PER_DAY)).contains(&v),
                    IntKind::I64 | IntKind::Timestamp => true,
                };
                if !fits {
                    return None;
                }
            }
            ReadPlan::Float => {
                self.take(4)?;
            }
            ReadPlan::Double => {
                self.take(8)?;
            }
            ReadPlan::String => self.string()?,
            ReadPlan::Enum(symbols) => {
                let i = usize::try_from(self.long()?).ok()?;
                if i >= symbols.len() {
                    return None;
                }
            }
            ReadPlan::Bytes => {
                let n = self.len()?;
                self.take(n)?;
            }
            ReadPlan::Fixed(n) => {
                self.take(*n)?;
            }
            // A fixed decimal is re-encoded sign-extended to its size: only bytes decimals are
            // checked here, fixed ones are decoded.
            ReadPlan::Decimal { fixed: Some(_), .. } => return None,
            ReadPlan::Decimal { fixed: None, .. } => {
                let n = self.len()?;
                let b = self.take(n)?;
                if !minimal_twos_complement(b) {
                    return None;
                }
            }
            ReadPlan::Array(item) => {
                let n = self.block()?;
                if n > 0 {
                    for _ in 0..n {
                        self.value(item)?;
                    }
                    self.end_block()?;
                }
            }
            ReadPlan::StringMap(value) => {
                let n = self.block()?;
                if n > 0 {
                    for _ in 0..n {
                        self.string()?;
                        self.value(value)?;
                    }
                    self.end_block()?;
                }
            }
            ReadPlan::EntryMap {
                key,
                value,
                key_first,
            } => {
                // Entries are in the writer's field order, which `same_encoding` requires the
                // file to share.
                let (first, second) = if *key_first {
                    (key, value)
                } else {
                    (value, key)
                };
                let n = self.block()?;
                if n > 0 {
                    for _ in 0..n {
                        self.value(first)?;
                        self.value(second)?;
                    }
                    self.end_block()?;
                }
            }
            ReadPlan::Record { schema, fields } => self.record(schema, fields)?,
            ReadPlan::Optional(branches) => {
                let i = usize::try_from(self.long()?).ok()?;
                if let Some(p) = branches.get(i)? {
                    self.value(p)?;
                }
            }
            ReadPlan::Union { .. } => return None,
        }
        Some(())
    }

    fn record(&mut self, schema: &Schema, fields: &[(usize, ReadPlan)]) -> Option<()> {
        let connect = schema.fields();
        for (index, plan) in fields {
            if connect.get(*index)?.schema().default_value().is_some() {
                // A null here is encoded as the field's default: only a non-null is canonical.
                match plan {
                    ReadPlan::Optional(branches) => {
                        let i = usize::try_from(self.long()?).ok()?;
                        self.value(branches.get(i)?.as_ref()?)?;
                    }
                    ReadPlan::Null => return None,
                    p => self.value(p)?,
                }
            } else {
                self.value(plan)?;
            }
        }
        Some(())
    }
}

/// Whether `b` is non-empty minimal big-endian two's complement (Java's `BigInteger.toByteArray`).
fn minimal_twos_complement(b: &[u8]) -> bool {
    match b {
        [] => false,
        [_] => true,
        [first, second, ..] => {
            let redundant =
                (*first == 0x00 && second & 0x80 == 0) || (*first == 0xFF && second & 0x80 != 0);
            !redundant
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::{AvroDataConfig, to_connect_schema};
    use crate::avro::{AvroWriter, from_connect_schema, parse_schema};

    fn config() -> AvroDataConfig {
        AvroDataConfig {
            connect_meta_data: true,
            enhanced_schema_support: true,
        }
    }

    /// The writer schema, its encoding, and the file schema AvroData derives from its Connect
    /// schema (what the Avro file format writes with).
    fn setup(text: &str) -> (AvroEncoding, AvroSchema, Schema) {
        let writer = parse_schema(text).unwrap();
        let connect = to_connect_schema(&writer, Some(1), &config()).unwrap();
        let plan = decode::compile(&writer, &connect, true).unwrap();
        let file = from_connect_schema(&connect, &config()).unwrap();
        (AvroEncoding::new(writer, plan), file, connect)
    }

    /// The body re-encoded the slow way.
    fn round_trip(enc: &AvroEncoding, file: &AvroSchema, connect: &Schema, body: &[u8]) -> Vec<u8> {
        let value = enc.decode(body).unwrap();
        let mut out = Vec::new();
        AvroWriter::new(connect, file)
            .unwrap()
            .write(&value, &mut out)
            .unwrap();
        out
    }

    const ROW: &str = r#"{"type":"record","name":"Row","namespace":"t","fields":[
        {"name":"id","type":"int"},
        {"name":"small","type":{"type":"int","connect.type":"int8"}},
        {"name":"name","type":["null","string"],"default":null},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal"}},
        {"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"attrs","type":{"type":"map","values":"long"}},
        {"name":"ok","type":"boolean"},
        {"name":"level","type":{"type":"enum","name":"Level","symbols":["LOW","HIGH"]}},
        {"name":"ratio","type":"double"}
    ]}"#;

    fn zigzag(v: i64, out: &mut Vec<u8>) {
        let mut n = ((v << 1) ^ (v >> 63)) as u64;
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    /// A canonical body of [`ROW`].
    fn row(id: i64, small: i64, name: Option<&str>, price: &[u8], flag: u8) -> Vec<u8> {
        let mut b = Vec::new();
        zigzag(id, &mut b);
        zigzag(small, &mut b);
        match name {
            None => zigzag(0, &mut b),
            Some(n) => {
                zigzag(1, &mut b);
                zigzag(n.len() as i64, &mut b);
                b.extend_from_slice(n.as_bytes());
            }
        }
        zigzag(price.len() as i64, &mut b);
        b.extend_from_slice(price);
        zigzag(2, &mut b);
        for t in ["a", "bc"] {
            zigzag(t.len() as i64, &mut b);
            b.extend_from_slice(t.as_bytes());
        }
        zigzag(0, &mut b);
        zigzag(1, &mut b);
        zigzag(1, &mut b);
        b.push(b'k');
        zigzag(-300, &mut b);
        zigzag(0, &mut b);
        b.push(flag);
        zigzag(1, &mut b);
        b.extend_from_slice(&1.5f64.to_le_bytes());
        b
    }

    #[test]
    fn canonical_bodies_equal_their_round_trip() {
        let (enc, file, connect) = setup(ROW);
        assert!(same_encoding(enc.writer_schema(), &file));
        for body in [
            row(1, 5, Some("x"), &[0x30, 0x39], 1),
            row(-70000, -128, None, &[0xFF], 0),
            row(i64::from(i32::MAX), 127, Some("été"), &[0x00, 0x80], 1),
        ] {
            assert!(enc.is_canonical(&body), "{body:?}");
            assert_eq!(round_trip(&enc, &file, &connect, &body), body);
        }
    }

    #[test]
    fn non_canonical_bodies_are_refused_and_differ_after_a_round_trip() {
        let (enc, file, connect) = setup(ROW);
        let good = row(1, 5, Some("x"), &[0x30, 0x39], 1);
        let mut trailing = good.clone();
        trailing.push(0);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("an overlong varint", {
                let mut b = vec![0x82, 0x00];
                b.extend_from_slice(&good[1..]);
                b
            }),
            ("an int8 out of range", row(1, 300, None, &[1], 1)),
            (
                "a redundant decimal byte",
                row(1, 5, None, &[0x00, 0x01], 1),
            ),
            ("a boolean of 2", row(1, 5, None, &[1], 2)),
            ("trailing bytes", trailing),
        ];
        for (what, body) in cases {
            assert!(!enc.is_canonical(&body), "{what} passed");
            if let Ok(value) = enc.decode(&body) {
                let mut out = Vec::new();
                if AvroWriter::new(&connect, &file)
                    .unwrap()
                    .write(&value, &mut out)
                    .is_ok()
                {
                    assert_ne!(out, body, "{what}: the round trip keeps the bytes");
                }
            }
        }
        // Invalid UTF-8 and a truncated body are refused too (the decoder reports them).
        let mut bad_utf8 = row(1, 5, Some("x"), &[1], 1);
        let at = bad_utf8.iter().position(|b| *b == b'x').unwrap();
        bad_utf8[at] = 0xFF;
        assert!(!enc.is_canonical(&bad_utf8));
        assert!(!enc.is_canonical(&good[..good.len() - 1]));
    }

    #[test]
    fn a_null_in_a_field_with_a_default_is_decoded() {
        // The encoder writes a field's Connect default where the value is null.
        let writer = parse_schema(
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"]}]}"#,
        )
        .unwrap();
        let connect = sluice_api::SchemaBuilder::struct_()
            .name("R")
            .field(
                "a",
                sluice_api::SchemaBuilder::string()
                    .optional()
                    .default_value("dflt")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let plan = decode::compile(&writer, &connect, true).unwrap();
        assert!(
            !is_canonical(&plan, &[0]),
            "a null where a default is written"
        );
        assert!(is_canonical(&plan, &[2, 2, b'h']));
        let mut out = Vec::new();
        let value = decode::Reader::new(&[0]).read(&plan).unwrap();
        AvroWriter::new(&connect, &writer)
            .unwrap()
            .write(&value, &mut out)
            .unwrap();
        assert_ne!(out, [0], "the round trip writes the default");
    }

    #[test]
    fn schemas_that_encode_differently_are_told_apart() {
        let p = |t: &str| parse_schema(t).unwrap();
        let opt = p(r#"["null","string"]"#);
        assert!(!same_encoding(&opt, &p(r#"["string","null"]"#)));
        assert!(!same_encoding(&p(r#""string""#), &p(r#""bytes""#)));
        assert!(!same_encoding(
            &p(r#"{"type":"enum","name":"E","symbols":["A","B"]}"#),
            &p(r#"{"type":"enum","name":"E","symbols":["B","A"]}"#)
        ));
        assert!(!same_encoding(
            &p(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#),
            &p(r#"{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}"#)
        ));
        // Names, namespaces and properties do not change the bytes.
        assert!(same_encoding(
            &p(
                r#"{"type":"record","name":"R","namespace":"x","fields":[{"name":"a","type":{"type":"long","connect.name":"io.debezium.time.Timestamp"}}]}"#
            ),
            &p(r#"{"type":"record","name":"S","fields":[{"name":"a","type":"long"}]}"#)
        ));
    }
}
