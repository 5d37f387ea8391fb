//! The Parquet writer's files read back with the `parquet` crate's own reader (a separate code
//! path from the writer); `tests/parquet_format.rs` reads them with pyarrow as well.

use ::parquet::basic::Compression;
use ::parquet::file::reader::{FileReader, SerializedFileReader};
use ::parquet::record::Field;
use bytes::Bytes;
use serde_json::{Value as Json, json};
use sluice_api::{
    Decimal, Schema, SchemaBuilder, SinkRecord, Struct, TimestampType, Value, logical,
};

use super::*;
use crate::Error;
use crate::naming::PARQUET_ROW_GROUP_BYTES_CONFIG;

fn record(offset: i64, schema: &Schema, value: Value) -> SinkRecord {
    SinkRecord {
        topic: "t".into(),
        kafka_partition: 0,
        kafka_offset: offset,
        timestamp: None,
        timestamp_type: TimestampType::NoTimestampType,
        key_schema: None,
        key: Value::Null,
        value_schema: Some(schema.clone()),
        value,
        encoded_value: None,
        headers: Default::default(),
    }
}

/// A field as plain JSON: decimals as their text, dates and times as their numbers.
fn plain(field: &Field) -> Json {
    match field {
        Field::Null => Json::Null,
        Field::Bool(b) => json!(b),
        Field::Int(i) | Field::Date(i) | Field::TimeMillis(i) => json!(i),
        Field::Long(l) | Field::TimestampMillis(l) => json!(l),
        Field::Float(f) => json!(f),
        Field::Double(d) => json!(d),
        Field::Str(s) => json!(s),
        Field::Bytes(b) => json!(b.data()),
        Field::Decimal(d) => {
            let data = d.data();
            let mut buf = [if data[0] & 0x80 != 0 { 0xFF } else { 0 }; 16];
            buf[16 - data.len()..].copy_from_slice(data);
            let unscaled = i128::from_be_bytes(buf);
            json!(plain_string(&Decimal::from_i128(unscaled, d.scale())))
        }
        Field::Group(row) => Json::Object(
            row.get_column_iter()
                .map(|(k, v)| (k.clone(), plain(v)))
                .collect(),
        ),
        Field::ListInternal(list) => Json::Array(list.elements().iter().map(plain).collect()),
        Field::MapInternal(map) => Json::Array(
            map.entries()
                .iter()
                .map(|(k, v)| json!([plain(k), plain(v)]))
                .collect(),
        ),
        other => panic!("unexpected field {other:?}"),
    }
}

fn plain_string(d: &Decimal) -> String {
    crate::format::plain_string(d)
}

fn rows(bytes: &[u8]) -> (SerializedFileReader<Bytes>, Vec<Json>) {
    let reader = SerializedFileReader::new(Bytes::copy_from_slice(bytes)).unwrap();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| plain(&Field::Group(r.unwrap())))
        .collect();
    (reader, rows)
}

/// Writes `values` as one file the way the sink does (taking ready bytes after each record).
fn write(options: ParquetOptions, schema: &Schema, values: &[Value]) -> Vec<u8> {
    let mut w: Box<dyn RecordWriter> = Box::new(ParquetRecordWriter::new(options));
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let r = record(i as i64, schema, v.clone());
        assert_eq!(w.append(&r).unwrap(), Appended::Written);
        out.extend(w.take_ready());
    }
    assert_eq!(w.record_count(), values.len() as u64);
    out.extend(w.finish().unwrap());
    out
}

fn row_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("db.public.orders.Value")
        .optional()
        .field("id", Schema::int32())
        .field(
            "amount",
            logical::decimal(2)
                .parameter("connect.decimal.precision", "10")
                .build()
                .unwrap(),
        )
        .field("big", logical::decimal(0).optional().build().unwrap())
        .field("day", logical::date().optional().build().unwrap())
        .field("at", logical::timestamp().build().unwrap())
        .field("tod", logical::time().build().unwrap())
        .field(
            "updated",
            SchemaBuilder::int64()
                .name("io.debezium.time.MicroTimestamp")
                .version(1)
                .build()
                .unwrap(),
        )
        .field("note", Schema::optional_string())
        .field(
            "tags",
            SchemaBuilder::array(Schema::string()).build().unwrap(),
        )
        .field(
            "attrs",
            SchemaBuilder::map(Schema::string(), Schema::int32())
                .optional()
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn envelope_schema() -> Schema {
    let row = row_schema();
    SchemaBuilder::struct_()
        .name("db.public.orders.Envelope")
        .field("before", row.clone())
        .field("after", row)
        .field(
            "source",
            SchemaBuilder::struct_()
                .name("io.debezium.connector.postgresql.Source")
                .field("db", Schema::string())
                .field("lsn", Schema::optional_int64())
                .build()
                .unwrap(),
        )
        .field("op", Schema::string())
        .field("ts_ms", Schema::optional_int64())
        .build()
        .unwrap()
}

fn row(id: i32, with_nulls: bool) -> Value {
    let mut s = Struct::new(row_schema()).unwrap();
    s.put("id", id).unwrap();
    s.put("amount", Decimal::from_i128(i128::from(id) * 101 - 5000, 2))
        .unwrap();
    s.put("at", Value::Timestamp(1_714_568_829_045 + i64::from(id)))
        .unwrap();
    s.put("tod", Value::Time(45_296_789)).unwrap();
    s.put("updated", 1_714_568_829_045_123_i64).unwrap();
    s.put(
        "tags",
        Value::Array((0..id % 3).map(|i| Value::from(format!("t{i}"))).collect()),
    )
    .unwrap();
    if !with_nulls {
        s.put(
            "big",
            Decimal::from_i128(123_456_789_012_345_678_901_234_567_890, 0),
        )
        .unwrap();
        s.put("day", Value::Date(19_844)).unwrap();
        s.put("note", format!("note {id}")).unwrap();
        s.put(
            "attrs",
            Value::Map(vec![
                (Value::from("a"), Value::Int32(id)),
                (Value::from("b"), Value::Int32(-id)),
            ]),
        )
        .unwrap();
    }
    Value::Struct(s)
}

fn row_json(id: i32, with_nulls: bool) -> Json {
    let amount = i64::from(id) * 101 - 5000;
    let sign = if amount < 0 { "-" } else { "" };
    json!({
        "id": id,
        "amount": format!("{sign}{}.{:02}", amount.abs() / 100, amount.abs() % 100),
        "big": if with_nulls { Json::Null } else { json!("123456789012345678901234567890") },
        "day": if with_nulls { Json::Null } else { json!(19_844) },
        "at": 1_714_568_829_045_i64 + i64::from(id),
        "tod": 45_296_789,
        "updated": 1_714_568_829_045_123_i64,
        "note": if with_nulls { Json::Null } else { json!(format!("note {id}")) },
        "tags": reader_nesting((0..id % 3).map(|i| json!(format!("t{i}"))).collect()),
        "attrs": if with_nulls { Json::Null } else { json!([["a", id], ["b", -id]]) },
    })
}

/// parquet-rs's record reader returns a two-level list of primitives (`repeated binary array`,
/// parquet-avro's layout) nested one level deeper than it is; pyarrow reads it flat
/// (`tests/parquet_format.rs`).
fn reader_nesting(items: Vec<Json>) -> Json {
    if items.is_empty() {
        json!([])
    } else {
        json!([items])
    }
}

fn envelope(id: i32) -> Value {
    let mut source =
        Struct::new(envelope_schema().field("source").unwrap().schema().clone()).unwrap();
    source.put("db", "shop").unwrap();
    if id % 2 == 0 {
        source.put("lsn", i64::from(id) * 1000).unwrap();
    }
    let mut e = Struct::new(envelope_schema()).unwrap();
    if id % 3 != 0 {
        e.put("before", row(id, true)).unwrap();
    }
    e.put("after", row(id, id % 4 == 0)).unwrap();
    e.put("source", source).unwrap();
    e.put("op", if id % 3 == 0 { "c" } else { "u" }).unwrap();
    if id % 5 != 0 {
        e.put("ts_ms", i64::from(id)).unwrap();
    }
    Value::Struct(e)
}

fn envelope_json(id: i32) -> Json {
    json!({
        "before": if id % 3 != 0 { row_json(id, true) } else { Json::Null },
        "after": row_json(id, id % 4 == 0),
        "source": {"db": "shop", "lsn": if id % 2 == 0 { json!(i64::from(id) * 1000) } else { Json::Null }},
        "op": if id % 3 == 0 { "c" } else { "u" },
        "ts_ms": if id % 5 != 0 { json!(id) } else { Json::Null },
    })
}

#[test]
fn debezium_envelopes_read_back_with_every_codec() {
    let schema = envelope_schema();
    let values: Vec<Value> = (0..50).map(envelope).collect();
    let want: Vec<Json> = (0..50).map(envelope_json).collect();
    for (codec, compression) in [
        (ParquetCodec::Uncompressed, Compression::UNCOMPRESSED),
        (ParquetCodec::Snappy, Compression::SNAPPY),
        (
            ParquetCodec::Gzip,
            Compression::GZIP(GzipLevel::try_new(6).unwrap()),
        ),
        (
            ParquetCodec::Zstd,
            Compression::ZSTD(ZstdLevel::try_new(3).unwrap()),
        ),
    ] {
        let options = ParquetOptions {
            codec,
            ..ParquetOptions::default()
        };
        let bytes = write(options, &schema, &values);
        assert_eq!(&bytes[..4], b"PAR1");
        assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
        let (reader, got) = rows(&bytes);
        assert_eq!(got, want, "{codec:?}");
        let meta = reader.metadata();
        assert_eq!(meta.num_row_groups(), 1);
        assert_eq!(meta.file_metadata().num_rows(), 50);
        for column in meta.row_group(0).columns() {
            // The level is not stored in the file.
            assert_eq!(
                std::mem::discriminant(&column.compression()),
                std::mem::discriminant(&compression),
                "{codec:?}"
            );
        }
    }
}

#[test]
fn row_groups_are_cut_by_buffered_bytes_and_streamed() {
    let schema = envelope_schema();
    let options = ParquetOptions {
        codec: ParquetCodec::Snappy,
        row_group_bytes: 64 * 1024,
    };
    let mut w = ParquetRecordWriter::new(options);
    let mut out = Vec::new();
    let mut peak = 0;
    for id in 0..3000 {
        let r = record(i64::from(id), &schema, envelope(id));
        assert_eq!(w.append(&r).unwrap(), Appended::Written);
        peak = peak.max(w.buffered_bytes());
        out.extend(w.take_ready());
    }
    assert!(
        out.len() > 4,
        "finished row groups leave the writer before the file ends"
    );
    assert!(
        peak < 64 * 1024 * 3,
        "buffers stay near a row group: {peak}"
    );
    out.extend(Box::new(w).finish().unwrap());
    let (reader, got) = rows(&out);
    assert!(reader.metadata().num_row_groups() > 3);
    assert_eq!(got.len(), 3000);
    for (id, r) in got.iter().enumerate() {
        assert_eq!(r, &envelope_json(id as i32), "row {id}");
    }
}

#[test]
fn column_buffers_count_in_buffered_bytes() {
    let schema = envelope_schema();
    let mut w = ParquetRecordWriter::new(ParquetOptions::default());
    assert_eq!(w.buffered_bytes(), 0);
    for id in 0..1000 {
        let r = record(i64::from(id), &schema, envelope(id));
        assert_eq!(w.append(&r).unwrap(), Appended::Written);
    }
    // Nothing is encoded before the row group is full: only the magic is ready, and the
    // records are held as column buffers, which the budget must see.
    assert_eq!(w.take_ready(), b"PAR1");
    let held = w.buffered_bytes();
    let shredded: usize = w
        .body
        .as_ref()
        .unwrap()
        .columns
        .iter()
        .map(|c| c.def.len() * 4)
        .sum();
    assert!(
        held >= shredded && shredded > 1000 * 40,
        "{held} bytes counted for {shredded} bytes of levels alone"
    );
}

#[test]
fn replays_are_byte_identical() {
    let schema = envelope_schema();
    let values: Vec<Value> = (0..20).map(envelope).collect();
    let a = write(ParquetOptions::default(), &schema, &values);
    let b = write(ParquetOptions::default(), &schema, &values);
    assert_eq!(a, b);
}

#[test]
fn lists_with_null_items_maps_and_nested_lists() {
    let item = SchemaBuilder::struct_()
        .name("Item")
        .optional()
        .field("n", Schema::int32())
        .field(
            "tags",
            SchemaBuilder::array(Schema::optional_string())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .field(
            "items",
            SchemaBuilder::array(item.clone())
                .optional()
                .build()
                .unwrap(),
        )
        .field(
            "grid",
            SchemaBuilder::array(SchemaBuilder::array(Schema::int64()).build().unwrap())
                .build()
                .unwrap(),
        )
        .field(
            "counts",
            SchemaBuilder::map(Schema::int32(), Schema::optional_float64())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let it = |n: i32, tags: Vec<Option<&str>>| {
        let mut s = Struct::new(item.clone()).unwrap();
        s.put("n", n).unwrap();
        s.put(
            "tags",
            Value::Array(tags.into_iter().map(Value::from).collect()),
        )
        .unwrap();
        Value::Struct(s)
    };
    let mk = |items: Value, grid: Vec<Vec<i64>>, counts: Vec<(i32, Option<f64>)>| {
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("items", items).unwrap();
        s.put(
            "grid",
            Value::Array(
                grid.into_iter()
                    .map(|r| Value::Array(r.into_iter().map(Value::from).collect()))
                    .collect(),
            ),
        )
        .unwrap();
        s.put(
            "counts",
            Value::Map(
                counts
                    .into_iter()
                    .map(|(k, v)| (Value::from(k), Value::from(v)))
                    .collect(),
            ),
        )
        .unwrap();
        Value::Struct(s)
    };
    let values = vec![
        mk(
            Value::Array(vec![
                it(1, vec![Some("a"), None, Some("b")]),
                Value::Null,
                it(2, vec![]),
            ]),
            vec![vec![1, 2], vec![], vec![3]],
            vec![(1, Some(0.5)), (2, None)],
        ),
        mk(Value::Null, vec![], vec![]),
        mk(Value::Array(vec![]), vec![vec![]], vec![(7, Some(7.0))]),
    ];
    let bytes = write(ParquetOptions::default(), &schema, &values);
    let (_, got) = rows(&bytes);
    assert_eq!(
        got,
        vec![
            json!({"items": [{"n": 1, "tags": ["a", null, "b"]}, null, {"n": 2, "tags": []}],
                   "grid": [[1, 2], [], [3]], "counts": [[1, 0.5], [2, null]]}),
            json!({"items": null, "grid": [], "counts": []}),
            json!({"items": [], "grid": [[]], "counts": [[7, 7.0]]}),
        ]
    );
}

#[test]
fn a_bad_record_fails_alone_and_leaves_the_file_whole() {
    let schema = SchemaBuilder::struct_()
        .field("id", Schema::int32())
        .field(
            "price",
            logical::decimal(2)
                .parameter("connect.decimal.precision", "4")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let mk = |id: i32, unscaled: i128| {
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("id", id).unwrap();
        s.put("price", Decimal::from_i128(unscaled, 2)).unwrap();
        Value::Struct(s)
    };
    let mut w = ParquetRecordWriter::new(ParquetOptions::default());
    assert_eq!(
        w.append(&record(0, &schema, mk(0, 9999))).unwrap(),
        Appended::Written
    );
    // 100.00 has five digits: more than DECIMAL(4,2) holds.
    let err = w.append(&record(1, &schema, mk(1, 10_000))).unwrap_err();
    let Error::Format {
        offset, message, ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(*offset, 1);
    assert!(
        message.contains("price") && message.contains("precision"),
        "{message}"
    );
    assert_eq!(
        w.append(&record(2, &schema, mk(2, -9999))).unwrap(),
        Appended::Written
    );
    assert_eq!(w.record_count(), 2);
    let bytes = Box::new(w).finish().unwrap();
    let (_, got) = rows(&bytes);
    assert_eq!(
        got,
        vec![
            json!({"id": 0, "price": "99.99"}),
            json!({"id": 2, "price": "-99.99"})
        ]
    );
}

#[test]
fn schema_changes_and_schemaless_values() {
    let a = SchemaBuilder::struct_()
        .field("x", Schema::int32())
        .build()
        .unwrap();
    let b = SchemaBuilder::struct_()
        .field("y", Schema::int32())
        .build()
        .unwrap();
    let mut w = ParquetRecordWriter::new(ParquetOptions::default());
    let v =
        |s: &Schema, n: &str| Value::Struct(Struct::new(s.clone()).unwrap().with(n, 1).unwrap());
    assert_eq!(
        w.append(&record(0, &a, v(&a, "x"))).unwrap(),
        Appended::Written
    );
    assert_eq!(
        w.append(&record(1, &b, v(&b, "y"))).unwrap(),
        Appended::SchemaChanged
    );
    assert_eq!(w.record_count(), 1);

    let mut schemaless = ParquetRecordWriter::new(ParquetOptions::default());
    let mut r = record(5, &a, Value::from("x"));
    r.value_schema = None;
    let err = schemaless.append(&r).unwrap_err();
    assert!(matches!(err, Error::Format { offset: 5, .. }), "{err}");
    assert!(Box::new(schemaless).finish().unwrap().is_empty());
}

#[test]
fn codec_and_row_group_settings() {
    let props = |pairs: &[(&str, &str)]| -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let codec =
        |c: &str| ParquetOptions::from_props(&props(&[("parquet.codec", c)])).map(|o| o.codec);
    assert_eq!(
        ParquetOptions::from_props(&props(&[])).unwrap(),
        ParquetOptions::default()
    );
    assert_eq!(codec("none").unwrap(), ParquetCodec::Uncompressed);
    assert_eq!(codec("UNCOMPRESSED").unwrap(), ParquetCodec::Uncompressed);
    assert_eq!(codec("gzip").unwrap(), ParquetCodec::Gzip);
    assert_eq!(codec("zstd").unwrap(), ParquetCodec::Zstd);
    for bad in ["lz4", "brotli", "lzo", "bzip2"] {
        assert!(matches!(codec(bad), Err(Error::Config { .. })), "{bad}");
    }
    let small = ParquetOptions::from_props(&props(&[(PARQUET_ROW_GROUP_BYTES_CONFIG, "1000")]));
    assert!(matches!(small, Err(Error::Config { .. })));
}
