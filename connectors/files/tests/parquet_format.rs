//! Parquet files read back by an independent reader: pyarrow, from the venv at
//! `~/.cache/sluice/venv` (the test fails, never skips, when it is missing). Covers what the
//! shredding gets wrong first: nulls at every level, empty and nested lists, both list layouts,
//! maps, fixed and binary decimals, several row groups.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value as Json, json};
use sluice_api::{
    Decimal, Schema, SchemaBuilder, SinkRecord, Struct, TimestampType, Value, logical,
};
use sluice_files::format::{ParquetCodec, ParquetOptions};
use sluice_files::{Appended, ParquetRecordWriter, RecordWriter};

/// Prints the file's schema (as pyarrow types), row groups and rows as one JSON document.
const READER: &str = r#"
import base64, datetime, decimal, json, sys
import pyarrow.parquet as pq
def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        return int(v.timestamp() * 1000)
    if isinstance(v, datetime.date):
        return (v - datetime.date(1970, 1, 1)).days
    if isinstance(v, datetime.time):
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000 + v.microsecond // 1000
    return v
f = pq.ParquetFile(sys.argv[1])
table = f.read()
print(json.dumps({
    "types": {field.name: str(field.type) for field in table.schema},
    "row_groups": f.metadata.num_row_groups,
    "codec": f.metadata.row_group(0).column(0).compression,
    "rows": [plain(r) for r in table.to_pylist()],
}))
"#;

fn read_back(path: &Path) -> Json {
    let home = std::env::var("HOME").expect("HOME is not set");
    let python = Path::new(&home).join(".cache/sluice/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: create the venv with `pyarrow` (tests/services installs it)",
        python.display()
    );
    let out = Command::new(python)
        .arg("-c")
        .arg(READER)
        .arg(path)
        .output()
        .expect("running the pyarrow reader");
    assert!(
        out.status.success(),
        "pyarrow could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn temp_path(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("sluice-files-{}-{n}-{name}", std::process::id()))
}

fn write(options: ParquetOptions, schema: &Schema, values: &[Value], name: &str) -> PathBuf {
    let mut w: Box<dyn RecordWriter> = Box::new(ParquetRecordWriter::new(options));
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let r = SinkRecord {
            topic: "t".into(),
            kafka_partition: 0,
            kafka_offset: i as i64,
            timestamp: None,
            timestamp_type: TimestampType::NoTimestampType,
            key_schema: None,
            key: Value::Null,
            value_schema: Some(schema.clone()),
            value: v.clone(),
            encoded_value: None,
            headers: Default::default(),
        };
        assert_eq!(w.append(&r).unwrap(), Appended::Written);
        out.extend(w.take_ready());
    }
    out.extend(w.finish().unwrap());
    let path = temp_path(name);
    std::fs::write(&path, out).unwrap();
    path
}

fn line_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("shop.Line")
        .optional()
        .field("sku", Schema::string())
        .field(
            "price",
            logical::decimal(2)
                .parameter("connect.decimal.precision", "12")
                .build()
                .unwrap(),
        )
        .field(
            "notes",
            SchemaBuilder::array(Schema::optional_string())
                .optional()
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn schema() -> Schema {
    SchemaBuilder::struct_()
        .name("shop.Order")
        .field("id", Schema::int64())
        .field("small", Schema::int16())
        .field("day", logical::date().build().unwrap())
        .field("at", logical::timestamp().optional().build().unwrap())
        .field("tod", logical::time().build().unwrap())
        .field("total", logical::decimal(4).optional().build().unwrap())
        .field("raw", Schema::optional_bytes())
        .field("ok", Schema::boolean())
        .field("ratio", Schema::float32())
        .field(
            "lines",
            SchemaBuilder::array(line_schema()).build().unwrap(),
        )
        .field(
            "grid",
            SchemaBuilder::array(SchemaBuilder::array(Schema::int32()).build().unwrap())
                .optional()
                .build()
                .unwrap(),
        )
        .field(
            "stock",
            SchemaBuilder::map(Schema::int32(), Schema::optional_string())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn line(sku: &str, cents: i128, notes: Option<Vec<Option<&str>>>) -> Value {
    let mut s = Struct::new(line_schema()).unwrap();
    s.put("sku", sku).unwrap();
    s.put("price", Decimal::from_i128(cents, 2)).unwrap();
    if let Some(notes) = notes {
        s.put(
            "notes",
            Value::Array(notes.into_iter().map(Value::from).collect()),
        )
        .unwrap();
    }
    Value::Struct(s)
}

/// Order `id` and its expected row.
fn order(id: i64) -> (Value, Json) {
    let mut s = Struct::new(schema()).unwrap();
    s.put("id", id).unwrap();
    s.put("small", Value::Int16(-(id as i16))).unwrap();
    s.put("day", Value::Date(19_844 + id as i32)).unwrap();
    if id % 2 == 0 {
        s.put("at", Value::Timestamp(1_714_568_829_045 + id))
            .unwrap();
    }
    s.put("tod", Value::Time(1_000 * id as i32)).unwrap();
    if id % 3 != 0 {
        s.put(
            "total",
            Decimal::from_i128(-123_456_789 * i128::from(id), 4),
        )
        .unwrap();
    }
    if id % 4 == 1 {
        s.put("raw", Value::Bytes(vec![0, 255, id as u8])).unwrap();
    }
    s.put("ok", id % 2 == 1).unwrap();
    s.put("ratio", Value::Float32(id as f32 / 4.0)).unwrap();
    let (lines, lines_json) = match id % 4 {
        0 => (vec![], json!([])),
        1 => (
            vec![
                line("a", 199, Some(vec![Some("x"), None])),
                Value::Null,
                line("b", -5, None),
            ],
            json!([
                {"sku": "a", "price": "1.99", "notes": ["x", null]},
                null,
                {"sku": "b", "price": "-0.05", "notes": null}
            ]),
        ),
        2 => (
            vec![line("c", 9_999_999_999, Some(vec![]))],
            json!([{"sku": "c", "price": "99999999.99", "notes": []}]),
        ),
        _ => (vec![Value::Null], json!([null])),
    };
    s.put("lines", Value::Array(lines)).unwrap();
    let grid = match id % 3 {
        0 => None,
        1 => Some(vec![vec![1, 2], vec![], vec![3]]),
        _ => Some(vec![]),
    };
    if let Some(g) = &grid {
        s.put(
            "grid",
            Value::Array(
                g.iter()
                    .map(|r| Value::Array(r.iter().map(|v| Value::Int32(*v)).collect()))
                    .collect(),
            ),
        )
        .unwrap();
    }
    s.put(
        "stock",
        Value::Map(
            (0..id % 3)
                .map(|k| {
                    let v = if k == 1 {
                        Value::Null
                    } else {
                        Value::from(format!("s{k}"))
                    };
                    (Value::Int32(k as i32), v)
                })
                .collect(),
        ),
    )
    .unwrap();
    let total = if id % 3 != 0 {
        let unscaled = -123_456_789 * i128::from(id);
        json!(format!(
            "-{}.{:04}",
            unscaled.unsigned_abs() / 10_000,
            unscaled.unsigned_abs() % 10_000
        ))
    } else {
        Json::Null
    };
    let want = json!({
        "id": id,
        "small": -id,
        "day": 19_844 + id,
        "at": if id % 2 == 0 { json!(1_714_568_829_045 + id) } else { Json::Null },
        "tod": 1_000 * id,
        "total": total,
        "raw": if id % 4 == 1 { json!(base64(&[0, 255, id as u8])) } else { Json::Null },
        "ok": id % 2 == 1,
        "ratio": id as f64 / 4.0,
        "lines": lines_json,
        "grid": grid.map_or(Json::Null, |g| json!(g)),
        "stock": (0..id % 3)
            .map(|k| json!([k, if k == 1 { Json::Null } else { json!(format!("s{k}")) }]))
            .collect::<Vec<_>>(),
    });
    (Value::Struct(s), want)
}

/// Base64 of three bytes (enough for the test values), not trusting any encoder under test.
fn base64(b: &[u8; 3]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
    (0..4)
        .map(|i| A[((n >> (18 - 6 * i)) & 63) as usize] as char)
        .collect()
}

#[test]
fn nested_values_and_logical_types_read_back_with_pyarrow() {
    let (values, want): (Vec<Value>, Vec<Json>) = (0..400).map(order).unzip();
    for (codec, name) in [
        (ParquetCodec::Snappy, "SNAPPY"),
        (ParquetCodec::Gzip, "GZIP"),
        (ParquetCodec::Zstd, "ZSTD"),
        (ParquetCodec::Uncompressed, "UNCOMPRESSED"),
    ] {
        let options = ParquetOptions {
            codec,
            // Small row groups, so the file has several.
            row_group_bytes: 64 * 1024,
        };
        let path = write(options, &schema(), &values, "orders.parquet");
        let doc = read_back(&path);
        assert_eq!(doc["codec"], name);
        assert!(
            doc["row_groups"].as_u64().unwrap() > 1,
            "{}",
            doc["row_groups"]
        );
        let rows = doc["rows"].as_array().unwrap();
        assert_eq!(rows.len(), want.len());
        for (got, want) in rows.iter().zip(&want) {
            assert_eq!(got, want, "{name}");
        }
        let types = &doc["types"];
        assert_eq!(types["small"], "int32");
        assert_eq!(types["day"], "date32[day]");
        assert_eq!(types["at"], "timestamp[ms, tz=UTC]");
        assert_eq!(types["tod"], "time32[ms]");
        assert_eq!(types["total"], "decimal256(64, 4)");
        assert!(
            types["stock"]
                .as_str()
                .unwrap()
                .starts_with("map<int32, string"),
            "a Parquet MAP with typed keys: {}",
            types["stock"]
        );
        assert!(
            types["lines"]
                .as_str()
                .unwrap()
                .contains("price: decimal128(12, 2)"),
            "{}",
            types["lines"]
        );
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn two_level_lists_of_structs_and_lists_read_back_with_pyarrow() {
    // No array has optional items, so every list has parquet-avro's two-level layout.
    let point = SchemaBuilder::struct_()
        .name("Point")
        .field("x", Schema::int32())
        .field("label", Schema::optional_string())
        .build()
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .field(
            "points",
            SchemaBuilder::array(point.clone()).build().unwrap(),
        )
        .field(
            "grid",
            SchemaBuilder::array(SchemaBuilder::array(Schema::int64()).build().unwrap())
                .optional()
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let p = |x: i32, label: Option<&str>| {
        let mut s = Struct::new(point.clone()).unwrap();
        s.put("x", x).unwrap();
        if let Some(l) = label {
            s.put("label", l).unwrap();
        }
        Value::Struct(s)
    };
    let mk = |points: Vec<Value>, grid: Option<Vec<Vec<i64>>>| {
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("points", Value::Array(points)).unwrap();
        if let Some(g) = grid {
            s.put(
                "grid",
                Value::Array(
                    g.into_iter()
                        .map(|r| Value::Array(r.into_iter().map(Value::Int64).collect()))
                        .collect(),
                ),
            )
            .unwrap();
        }
        Value::Struct(s)
    };
    let values = vec![
        mk(
            vec![p(1, Some("a")), p(2, None)],
            Some(vec![vec![1], vec![], vec![2, 3]]),
        ),
        mk(vec![], None),
        mk(vec![p(3, None)], Some(vec![])),
    ];
    let path = write(
        ParquetOptions::default(),
        &schema,
        &values,
        "two-level.parquet",
    );
    let doc = read_back(&path);
    assert_eq!(
        doc["rows"],
        json!([
            {"points": [{"x": 1, "label": "a"}, {"x": 2, "label": null}], "grid": [[1], [], [2, 3]]},
            {"points": [], "grid": null},
            {"points": [{"x": 3, "label": null}], "grid": []},
        ])
    );
    std::fs::remove_file(path).unwrap();
}
