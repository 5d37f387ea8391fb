//! JSON lines files read back with serde_json (and gzip files decompressed by the system's
//! `gzip`, an independent implementation).

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sluice_api::{
    Decimal, Schema, SchemaBuilder, SinkRecord, Struct, TimestampType, Value, logical,
};
use sluice_converters::json::DecimalFormat;
use sluice_files::format::JsonOptions;
use sluice_files::{Appended, Compression, JsonRecordWriter, RecordWriter};

fn temp_path(name: &str) -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("sluice-files-{}-{n}-{name}", std::process::id()))
}

fn record(offset: i64, schema: Option<Schema>, value: Value) -> SinkRecord {
    SinkRecord {
        topic: "orders".into(),
        kafka_partition: 0,
        kafka_offset: offset,
        timestamp: Some(0),
        timestamp_type: TimestampType::CreateTime,
        key_schema: None,
        key: Value::Null,
        value_schema: schema,
        value,
        encoded_value: None,
        headers: Default::default(),
    }
}

fn schema() -> Schema {
    SchemaBuilder::struct_()
        .name("shop.Order")
        .field("id", Schema::int64())
        .field("name", Schema::string())
        .field("note", Schema::optional_string())
        .field("price", logical::decimal(2).build().unwrap())
        .build()
        .unwrap()
}

fn order(schema: &Schema, id: i64) -> Value {
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("id", Value::Int64(id)).unwrap();
    s.put("name", format!("order \"{id}\" ü")).unwrap();
    if id % 2 == 0 {
        s.put("note", "even").unwrap();
    }
    s.put(
        "price",
        Value::Decimal(Decimal::from_i128(1234 + i128::from(id), 2)),
    )
    .unwrap();
    Value::Struct(s)
}

fn expected(id: i64, numeric: bool) -> serde_json::Value {
    let price = if numeric {
        serde_json::json!(((1234 + id) as f64) / 100.0)
    } else {
        // BASE64 of the unscaled big-endian two's complement.
        // Two bytes are minimal for every unscaled value used here (1234..=4233).
        let bytes = i16::try_from(1234 + id).unwrap().to_be_bytes();
        serde_json::Value::String(base64(&bytes))
    };
    serde_json::json!({
        "id": id,
        "name": format!("order \"{id}\" ü"),
        "note": if id % 2 == 0 { serde_json::json!("even") } else { serde_json::Value::Null },
        "price": price,
    })
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn json_lines_read_back_value_for_value() {
    let schema = schema();
    let mut w: Box<dyn RecordWriter> = Box::new(JsonRecordWriter::new(JsonOptions::default()));
    for id in 0..50 {
        assert_eq!(
            w.append(&record(id, Some(schema.clone()), order(&schema, id)))
                .unwrap(),
            Appended::Written
        );
    }
    assert_eq!(w.record_count(), 50);
    let bytes = w.finish().unwrap();
    let path = temp_path("orders.json");
    std::fs::write(&path, &bytes).unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 50);
    for (id, line) in lines.iter().enumerate() {
        assert_eq!(line, &expected(id as i64, false), "line {id}");
    }
    std::fs::remove_file(path).unwrap();
}

#[test]
fn numeric_decimals_schemaless_values_and_null() {
    let schema = schema();
    let options = JsonOptions {
        decimal_format: DecimalFormat::Numeric,
        ..JsonOptions::default()
    };
    let mut w = JsonRecordWriter::new(options);
    assert_eq!(
        w.append(&record(0, Some(schema.clone()), order(&schema, 3)))
            .unwrap(),
        Appended::Written
    );
    let text = String::from_utf8(Box::new(w).finish().unwrap()).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(line, expected(3, true));
    assert!(text.contains("\"price\":12.37"), "{text}");

    let mut w = JsonRecordWriter::new(JsonOptions::default());
    let map = Value::Map(vec![(Value::String("a".into()), Value::Int64(1))]);
    assert_eq!(w.append(&record(0, None, map)).unwrap(), Appended::Written);
    assert_eq!(
        w.append(&record(1, None, Value::Null)).unwrap(),
        Appended::Written
    );
    assert_eq!(
        w.append(&record(2, None, Value::String("x".into())))
            .unwrap(),
        Appended::Written
    );
    let text = String::from_utf8(Box::new(w).finish().unwrap()).unwrap();
    assert_eq!(text, "{\"a\":1}\nnull\n\"x\"\n");
}

#[test]
fn a_schema_change_asks_for_rotation_and_writes_nothing() {
    let schema = schema();
    let other = SchemaBuilder::struct_()
        .field("id", Schema::int64())
        .build()
        .unwrap();
    let mut w = JsonRecordWriter::new(JsonOptions::default());
    assert_eq!(
        w.append(&record(0, Some(schema.clone()), order(&schema, 0)))
            .unwrap(),
        Appended::Written
    );
    let changed = Value::Struct(
        Struct::new(other.clone())
            .unwrap()
            .with("id", Value::Int64(1))
            .unwrap(),
    );
    assert_eq!(
        w.append(&record(1, Some(other), changed)).unwrap(),
        Appended::SchemaChanged
    );
    assert_eq!(
        w.append(&record(2, None, Value::Null)).unwrap(),
        Appended::SchemaChanged
    );
    assert_eq!(w.record_count(), 1);
    let text = String::from_utf8(Box::new(w).finish().unwrap()).unwrap();
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn gzip_files_streamed_in_parts_decompress_with_system_gzip() {
    let schema = schema();
    let options = JsonOptions {
        compression: Compression::Gzip,
        ..JsonOptions::default()
    };
    let mut w: Box<dyn RecordWriter> = Box::new(JsonRecordWriter::new(options));
    let mut object = Vec::new();
    for id in 0..3000 {
        let _ = w
            .append(&record(id, Some(schema.clone()), order(&schema, id)))
            .unwrap();
        if id % 500 == 0 {
            object.extend(w.take_ready());
        }
    }
    object.extend(w.finish().unwrap());
    let path = temp_path("orders.json.gz");
    std::fs::write(&path, &object).unwrap();
    let out = Command::new("gzip")
        .arg("-dc")
        .arg(&path)
        .output()
        .expect("the `gzip` command is needed to check gzip output independently");
    assert!(
        out.status.success(),
        "gzip -dc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3000);
    for (id, line) in lines.iter().enumerate() {
        assert_eq!(line, &expected(id as i64, false), "line {id}");
    }
    assert!(
        object.len() < text.len() / 3,
        "gzip did not compress: {} vs {}",
        object.len(),
        text.len()
    );
    std::fs::remove_file(path).unwrap();
}
