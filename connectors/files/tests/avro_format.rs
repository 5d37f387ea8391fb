//! Avro object container files read back by an independent reader: Python's `fastavro`, from
//! the venv at `~/.cache/sluice/venv` (the test fails, never skips, when it is missing).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sluice_api::{
    Decimal, Schema, SchemaBuilder, SinkRecord, Struct, TimestampType, Value, logical,
};
use sluice_converters::avro::{AvroDataConfig, from_connect_schema, schema_text};
use sluice_files::format::{AvroCodec, AvroOptions, DecimalEncoding, sync_marker_for};
use sluice_files::{Appended, AvroRecordWriter, Error, RecordWriter};

// 2024-05-01T13:07:09.045Z
const T: i64 = 1_714_568_829_045;

/// Prints the container's metadata, its block count and every record as one JSON document.
const READER: &str = r#"
import base64, datetime, decimal, json, sys
import fastavro
def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        return int(v.timestamp() * 1000)
    return v
with open(sys.argv[1], 'rb') as f:
    reader = fastavro.reader(f)
    records = [plain(r) for r in reader]
    meta = {k: v if isinstance(v, str) else v.decode() for k, v in reader.metadata.items()}
with open(sys.argv[1], 'rb') as f:
    raw = f.read()
with open(sys.argv[1], 'rb') as f:
    blocks = list(fastavro.block_reader(f))
# Snappy blocks end with the big-endian CRC-32 of the uncompressed data (then the sync
# marker); fastavro skips it, so check it here with zlib.
import zlib
crc_ok = None
if meta.get("avro.codec") == "snappy":
    crc_ok = all(
        raw[b.offset + b.size - 20 : b.offset + b.size - 16]
        == zlib.crc32(b.bytes_.getvalue()).to_bytes(4, "big")
        for b in blocks
    )
print(json.dumps({"meta": meta, "blocks": len(blocks), "crc_ok": crc_ok, "records": records}))
"#;

fn python() -> PathBuf {
    let home = std::env::var("HOME").expect("HOME is not set");
    let python = Path::new(&home).join(".cache/sluice/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: create the venv with `fastavro` (tests/services installs it) to check Avro output",
        python.display()
    );
    python
}

fn read_back(path: &Path) -> serde_json::Value {
    let out = Command::new(python())
        .arg("-c")
        .arg(READER)
        .arg(path)
        .output()
        .expect("running the fastavro reader");
    assert!(
        out.status.success(),
        "fastavro could not read {}: {}",
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

fn record(offset: i64, schema: Option<Schema>, value: Value) -> SinkRecord {
    SinkRecord {
        topic: "orders".into(),
        kafka_partition: 0,
        kafka_offset: offset,
        timestamp: Some(T),
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
        .field("qty", Schema::int32())
        .field("name", Schema::string())
        .field("note", Schema::optional_string())
        .field("vip", Schema::boolean())
        .field("score", Schema::float64())
        .field("blob", Schema::bytes())
        .field(
            "price",
            logical::decimal(2)
                .parameter("connect.decimal.precision", "10")
                .build()
                .unwrap(),
        )
        .field("created", logical::timestamp().build().unwrap())
        .build()
        .unwrap()
}

fn order(schema: &Schema, id: i64) -> Value {
    let mut s = Struct::new(schema.clone()).unwrap();
    s.put("id", Value::Int64(id)).unwrap();
    s.put("qty", Value::Int32(i32::try_from(id % 1000).unwrap() - 500))
        .unwrap();
    s.put("name", format!("order {id} – {}", "x".repeat(40)))
        .unwrap();
    if id % 3 == 0 {
        s.put("note", "third").unwrap();
    }
    s.put("vip", id % 2 == 0).unwrap();
    s.put("score", Value::Float64(id as f64 / 8.0)).unwrap();
    s.put("blob", Value::Bytes(vec![0, 1, 2, (id % 256) as u8]))
        .unwrap();
    s.put(
        "price",
        Value::Decimal(Decimal::from_i128(-5000 + i128::from(id), 2)),
    )
    .unwrap();
    s.put("created", Value::Timestamp(T + id)).unwrap();
    Value::Struct(s)
}

fn check(id: i64, got: &serde_json::Value) {
    use base64_like::encode;
    let unscaled = -5000 + id;
    let price = format!(
        "{}{}.{:02}",
        if unscaled < 0 { "-" } else { "" },
        unscaled.abs() / 100,
        unscaled.abs() % 100
    );
    let want = serde_json::json!({
        "id": id,
        "qty": id % 1000 - 500,
        "name": format!("order {id} – {}", "x".repeat(40)),
        "note": if id % 3 == 0 { serde_json::json!("third") } else { serde_json::Value::Null },
        "vip": id % 2 == 0,
        "score": id as f64 / 8.0,
        "blob": encode(&[0, 1, 2, (id % 256) as u8]),
        "price": price,
        "created": T + id,
    });
    assert_eq!(got, &want, "record {id}");
}

/// A tiny base64 encoder for expected values (kept here so the test does not trust the code
/// under test).
mod base64_like {
    pub(super) fn encode(bytes: &[u8]) -> String {
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
}

fn write_file(codec: AvroCodec, count: i64, name: &str) -> (PathBuf, usize) {
    let schema = schema();
    let options = AvroOptions {
        codec,
        ..AvroOptions::default()
    };
    let key = format!("topics/orders/partition=0/orders+0+0000000000.avro#{name}");
    let mut w: Box<dyn RecordWriter> =
        Box::new(AvroRecordWriter::new(options, sync_marker_for(&key)));
    let mut object = Vec::new();
    for id in 0..count {
        let r = record(id, Some(schema.clone()), order(&schema, id));
        assert_eq!(w.append(&r).unwrap(), Appended::Written);
        // Stream completed blocks out as a multipart upload would.
        object.extend(w.take_ready());
    }
    assert_eq!(w.record_count(), count as u64);
    object.extend(w.finish().unwrap());
    let path = temp_path(name);
    std::fs::write(&path, &object).unwrap();
    (path, object.len())
}

fn expected_schema_text() -> String {
    let config = AvroDataConfig {
        connect_meta_data: true,
        enhanced_schema_support: true,
    };
    schema_text(&from_connect_schema(&schema(), &config).unwrap()).unwrap()
}

#[test]
fn null_codec_file_with_several_blocks_reads_back() {
    let (path, _) = write_file(AvroCodec::Null, 2500, "null.avro");
    let doc = read_back(&path);
    assert_eq!(doc["meta"]["avro.codec"], "null");
    assert_eq!(doc["meta"]["avro.schema"], expected_schema_text().as_str());
    let blocks = doc["blocks"].as_u64().unwrap();
    assert!(blocks >= 2, "expected several 64 kB blocks, got {blocks}");
    let records = doc["records"].as_array().unwrap();
    assert_eq!(records.len(), 2500);
    for (id, r) in records.iter().enumerate() {
        check(id as i64, r);
    }
    std::fs::remove_file(path).unwrap();
}

#[test]
fn deflate_codec_file_reads_back_and_is_smaller() {
    let (plain, plain_len) = write_file(AvroCodec::Null, 2500, "plain.avro");
    let (path, len) = write_file(AvroCodec::Deflate(6), 2500, "deflate.avro");
    assert!(len < plain_len / 2, "deflate {len} vs null {plain_len}");
    let doc = read_back(&path);
    assert_eq!(doc["meta"]["avro.codec"], "deflate");
    let records = doc["records"].as_array().unwrap();
    assert_eq!(records.len(), 2500);
    for (id, r) in records.iter().enumerate() {
        check(id as i64, r);
    }
    std::fs::remove_file(path).unwrap();
    std::fs::remove_file(plain).unwrap();
}

#[test]
fn snappy_and_zstandard_files_read_back_and_are_smaller() {
    let (plain, plain_len) = write_file(AvroCodec::Null, 2500, "plain2.avro");
    for (codec, name) in [
        (AvroCodec::Snappy, "snappy"),
        (AvroCodec::Zstandard(3), "zstandard"),
    ] {
        let (path, len) = write_file(codec, 2500, &format!("{name}.avro"));
        assert!(len < plain_len / 2, "{name} {len} vs null {plain_len}");
        let doc = read_back(&path);
        assert_eq!(doc["meta"]["avro.codec"], name);
        if name == "snappy" {
            assert_eq!(doc["crc_ok"], true, "every block's CRC-32 matches its data");
        }
        assert!(
            doc["blocks"].as_u64().unwrap() >= 2,
            "{name}: several blocks"
        );
        let records = doc["records"].as_array().unwrap();
        assert_eq!(records.len(), 2500, "{name}");
        for (id, r) in records.iter().enumerate() {
            check(id as i64, r);
        }
        std::fs::remove_file(path).unwrap();
    }
    std::fs::remove_file(plain).unwrap();
}

#[test]
fn decimals_as_strings_for_redshift() {
    let schema = schema();
    let options = AvroOptions {
        decimals: DecimalEncoding::Text,
        ..AvroOptions::default()
    };
    let mut w: Box<dyn RecordWriter> =
        Box::new(AvroRecordWriter::new(options, sync_marker_for("dec")));
    for id in 0..3 {
        let r = record(id, Some(schema.clone()), order(&schema, id));
        assert_eq!(w.append(&r).unwrap(), Appended::Written);
    }
    let path = temp_path("decimal-text.avro");
    std::fs::write(&path, w.finish().unwrap()).unwrap();
    let doc = read_back(&path);
    let avro_schema: serde_json::Value =
        serde_json::from_str(doc["meta"]["avro.schema"].as_str().unwrap()).unwrap();
    let price = avro_schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "price")
        .unwrap();
    // A plain Avro string (no logical type), the decimal's scale and precision kept as
    // Connect parameters.
    assert_eq!(price["type"]["type"], "string", "{price}");
    assert!(price["type"].get("logicalType").is_none(), "{price}");
    assert_eq!(price["type"]["connect.parameters"]["scale"], "2", "{price}");
    for (id, r) in doc["records"].as_array().unwrap().iter().enumerate() {
        // check() expects the decimal's text, which is now what the file holds.
        check(id as i64, r);
        assert!(r["price"].is_string());
    }
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_single_record_file_and_replays_are_byte_identical() {
    let (a, _) = write_file(AvroCodec::Deflate(6), 1, "one.avro");
    let (b, _) = write_file(AvroCodec::Deflate(6), 1, "one.avro");
    let doc = read_back(&a);
    assert_eq!(doc["blocks"], 1);
    check(0, &doc["records"][0]);
    // Same key, same records: same bytes (the sync marker derives from the key).
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::remove_file(a).unwrap();
    std::fs::remove_file(b).unwrap();
}

#[test]
fn schema_change_and_schemaless_values() {
    let schema = schema();
    let mut w = AvroRecordWriter::new(AvroOptions::default(), sync_marker_for("k"));
    assert_eq!(
        w.append(&record(0, Some(schema.clone()), order(&schema, 0)))
            .unwrap(),
        Appended::Written
    );
    let other = SchemaBuilder::struct_()
        .field("id", Schema::int64())
        .build()
        .unwrap();
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
    assert_eq!(w.record_count(), 1);

    let mut schemaless = AvroRecordWriter::new(AvroOptions::default(), sync_marker_for("k"));
    let err = schemaless
        .append(&record(5, None, Value::String("x".into())))
        .unwrap_err();
    assert!(matches!(err, Error::Format { offset: 5, .. }), "{err}");
    // Nothing written: no bytes, so no empty object is ever uploaded.
    assert!(Box::new(schemaless).finish().unwrap().is_empty());
}

#[test]
fn codec_settings() {
    let props = |codec: &str| {
        [("avro.codec".to_string(), codec.to_string())]
            .into_iter()
            .collect()
    };
    assert_eq!(
        AvroOptions::from_props(&props("deflate")).unwrap().codec,
        AvroCodec::Deflate(6)
    );
    assert_eq!(
        AvroOptions::from_props(&props("null")).unwrap().codec,
        AvroCodec::Null
    );
    assert_eq!(
        AvroOptions::from_props(&props("snappy")).unwrap().codec,
        AvroCodec::Snappy
    );
    assert_eq!(
        AvroOptions::from_props(&props("zstandard")).unwrap().codec,
        AvroCodec::Zstandard(3)
    );
    for bad in ["bzip2", "xz", "zstd", "lzma"] {
        assert!(
            matches!(
                AvroOptions::from_props(&props(bad)),
                Err(Error::Config { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn a_size_hint_allocates_the_file_buffer_once_and_changes_no_byte() {
    let schema = schema();
    let write = |hint: Option<usize>| {
        let mut w: Box<dyn RecordWriter> = Box::new(AvroRecordWriter::new(
            AvroOptions::default(),
            sync_marker_for("hint"),
        ));
        if let Some(bytes) = hint {
            w.reserve(bytes);
        }
        let mut capacities = Vec::new();
        for id in 0..2500 {
            let r = record(id, Some(schema.clone()), order(&schema, id));
            assert_eq!(w.append(&r).unwrap(), Appended::Written);
            capacities.push(w.buffered_bytes());
        }
        (w.finish().unwrap(), capacities)
    };
    let (plain, _) = write(None);
    let (hinted, capacities) = write(Some(plain.len() + (1 << 16)));
    assert_eq!(plain, hinted, "the hint must not change the file");
    assert!(
        capacities.iter().all(|c| *c >= plain.len()),
        "the buffer was allocated for the whole file from the first record"
    );
    // Only the 64 kB block buffer grows, during the first block; the file buffer never does.
    assert!(
        capacities[1000..].windows(2).all(|w| w[0] == w[1]),
        "and never grew: {:?}",
        capacities.iter().collect::<std::collections::BTreeSet<_>>()
    );
}
