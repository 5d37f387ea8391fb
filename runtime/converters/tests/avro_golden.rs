//! Byte-exactness against Confluent's AvroData 7.0: every key and value Connect schema that
//! Debezium's PostgreSQL and MySQL connectors produced (read from the golden JsonConverter records
//! with Sluice's JsonConverter) must map to exactly the Avro schema text Java registered for its
//! subject (`registry.json`), and every record must encode to exactly the golden Avro bytes (body
//! after the 5-byte header, whose schema id must be the id of that schema text).
//! The golden bytes must also decode, and the decoded value re-encode to the same bytes.

use std::collections::{BTreeSet, HashMap};

use sluice_api::{Schema, SchemaAndValue, Struct, Value};
use sluice_converters::avro::{
    AvroDataConfig, AvroReader, AvroWriter, from_connect_schema, parse_schema, same_encoding,
    schema_text, to_connect_schema, wire,
};
use sluice_converters::{Converter, ConverterConfig, JsonConverter};

struct RegistryEntry {
    subject: String,
    version: i32,
    id: u32,
    schema: String,
}

fn golden(path: &str) -> String {
    let p = sluice_testkit::golden(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn registry(connector: &str) -> Vec<RegistryEntry> {
    let v: serde_json::Value =
        serde_json::from_str(&golden(&format!("events/{connector}/avro/registry.json"))).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| RegistryEntry {
            subject: e["subject"].as_str().unwrap().to_string(),
            version: e["version"].as_i64().unwrap() as i32,
            id: e["id"].as_u64().unwrap() as u32,
            schema: e["schema"].as_str().unwrap().to_string(),
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn json_converter(is_key: bool) -> JsonConverter {
    let mut c = JsonConverter::default();
    c.configure(&ConverterConfig::new(), is_key).unwrap();
    c
}

/// Checks one side (key or value) of one record; returns the subject and id it used.
fn check_side(
    reg: &[RegistryEntry],
    topic: &str,
    what: &str,
    data: &SchemaAndValue,
    golden_hex: Option<&str>,
    line: usize,
) -> Option<(String, u32)> {
    let config = AvroDataConfig::default();
    let Some(schema) = &data.schema else {
        assert!(
            golden_hex.is_none(),
            "line {line}: {what} has no schema but golden Avro bytes"
        );
        return None;
    };
    let subject = format!("{topic}-{what}");
    let avro = from_connect_schema(schema, &config).unwrap();
    let text = schema_text(&avro).unwrap();
    let entry = reg
        .iter()
        .find(|e| e.subject == subject && e.schema == text)
        .unwrap_or_else(|| {
            let candidates: Vec<&str> = reg.iter().filter(|e| e.subject == subject).map(|e| e.schema.as_str()).collect();
            panic!("line {line}: the {what} schema of {topic} maps to\n{text}\nwhich is none of the registered texts of {subject}:\n{candidates:#?}")
        });
    let Some(golden_hex) = golden_hex else {
        assert!(
            data.value.is_null(),
            "line {line}: {what} has a value but no golden bytes"
        );
        return Some((subject, entry.id));
    };
    let golden_bytes = hex(golden_hex);
    let (id, body) = wire::split(&golden_bytes).unwrap();
    assert_eq!(id, entry.id, "line {line}: {what} schema id");
    let mut ours = Vec::new();
    let value = as_java_json_read(&data.value);
    AvroWriter::new(schema, &avro)
        .unwrap()
        .write(&value, &mut ours)
        .unwrap();
    assert_eq!(
        hex_of(&ours),
        hex_of(body),
        "line {line}: {what} Avro body of {topic}"
    );

    // Reading: the golden body decodes with the registered schema and re-encodes identically.
    let writer = parse_schema(&entry.schema).unwrap();
    let reader = AvroReader::new(&writer, Some(entry.version), &config).unwrap();
    let decoded = reader.read(body).unwrap();
    let mut again = Vec::new();
    AvroWriter::new(reader.connect_schema(), &writer)
        .unwrap()
        .write(&decoded, &mut again)
        .unwrap();
    assert_eq!(
        hex_of(&again),
        hex_of(body),
        "line {line}: {what} decode → encode of {topic}"
    );

    // The S3 sink's Avro files (AvroFormat's AvroData: enhanced schema support and Connect
    // metadata on) encode like the writer schema, so it copies these bodies as they are; the
    // copy is what the file's own encoding of the value would be.
    let file_config = AvroDataConfig {
        connect_meta_data: true,
        enhanced_schema_support: true,
    };
    let file = from_connect_schema(reader.connect_schema(), &file_config).unwrap();
    assert!(
        same_encoding(&writer, &file),
        "line {line}: {what} of {topic}: the file schema {} encodes differently from the writer's",
        schema_text(&file).unwrap()
    );
    assert!(
        reader.encoding().is_canonical(body),
        "line {line}: {what} of {topic}: the body is not canonical"
    );
    let mut in_file = Vec::new();
    AvroWriter::new(reader.connect_schema(), &file)
        .unwrap()
        .write(&decoded, &mut in_file)
        .unwrap();
    assert_eq!(hex_of(&in_file), hex_of(body), "line {line}: {what} file body of {topic}");
    Some((subject, entry.id))
}

/// The golden Avro records were made by Java from the values Java's JsonConverter read back, and
/// Java reads the JSON strings `"NaN"`/`"Infinity"` of a float field as 0.0 (Jackson's
/// `TextNode.floatValue()`), where Sluice's JsonConverter keeps the special value. The Avro side
/// is compared on Java's input, so non-finite floats become 0.0 here.
fn as_java_json_read(value: &Value) -> Value {
    match value {
        Value::Float32(f) if !f.is_finite() => Value::Float32(0.0),
        Value::Float64(f) if !f.is_finite() => Value::Float64(0.0),
        Value::Array(items) => Value::Array(items.iter().map(as_java_json_read).collect()),
        Value::Struct(s) => {
            let mut out = Struct::new(s.schema().clone()).unwrap();
            for (i, v) in s.values().iter().enumerate() {
                out.put_at(i, as_java_json_read(v)).unwrap();
            }
            Value::Struct(out)
        }
        other => other.clone(),
    }
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn check_connector(connector: &str) {
    let reg = registry(connector);
    let records = golden(&format!("events/{connector}/all_records.jsonl"));
    let avro_records = golden(&format!("events/{connector}/avro/avro_records.jsonl"));
    let mut avro_by_pos: HashMap<(String, i64, i64), serde_json::Value> = HashMap::new();
    for l in avro_records.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let key = (
            v["topic"].as_str().unwrap().to_string(),
            v["partition"].as_i64().unwrap(),
            v["offset"].as_i64().unwrap(),
        );
        avro_by_pos.insert(key, v);
    }
    let (keys, values) = (json_converter(true), json_converter(false));
    let mut used = BTreeSet::new();
    let mut distinct_schemas: Vec<Schema> = Vec::new();
    let mut checked = 0;
    for (i, l) in records
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        let topic = r["topic"].as_str().unwrap();
        let pos = (
            topic.to_string(),
            r["partition"].as_i64().unwrap(),
            r["offset"].as_i64().unwrap(),
        );
        let avro = avro_by_pos
            .get(&pos)
            .unwrap_or_else(|| panic!("line {}: no Avro record for {pos:?}", i + 1));
        for (conv, text, hex_key, what) in [
            (&keys, "key_text", "key_avro_hex", "key"),
            (&values, "value_text", "value_avro_hex", "value"),
        ] {
            let data = conv
                .to_connect(topic, r[text].as_str().map(str::as_bytes))
                .unwrap();
            if let Some(s) = &data.schema
                && !distinct_schemas.contains(s)
            {
                distinct_schemas.push(s.clone());
            }
            if let Some(u) = check_side(&reg, topic, what, &data, avro[hex_key].as_str(), i + 1) {
                used.insert(u);
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 80,
        "{connector}: only {checked} keys/values checked"
    );
    // Every registered schema was produced by some record.
    for e in &reg {
        assert!(
            used.contains(&(e.subject.clone(), e.id)),
            "{connector}: no record maps to {} v{} (id {})",
            e.subject,
            e.version,
            e.id
        );
    }
    assert!(
        distinct_schemas.len() >= reg.len(),
        "{connector}: {} distinct Connect schemas",
        distinct_schemas.len()
    );
    // Avro → Connect → Avro gives back the registered text (no registry version injected).
    for e in &reg {
        let avro = parse_schema(&e.schema).unwrap();
        let connect = to_connect_schema(&avro, None, &AvroDataConfig::default()).unwrap();
        let back = schema_text(&from_connect_schema(&connect, &AvroDataConfig::default()).unwrap())
            .unwrap();
        assert_eq!(
            back, e.schema,
            "{connector}: {} v{} does not survive Avro → Connect → Avro",
            e.subject, e.version
        );
    }
}

#[test]
fn postgres_schemas_and_records_match_avro_data() {
    check_connector("pg");
}

#[test]
fn mysql_schemas_and_records_match_avro_data() {
    check_connector("mysql");
}

/// The pretty-printed `.avsc` files hold the same schemas, member order included.
#[test]
fn avsc_files_match_the_registry_texts() {
    for connector in ["pg", "mysql"] {
        let reg = registry(connector);
        let dir = sluice_testkit::golden(&format!("events/{connector}/avro"));
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("avsc") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // serde_json (preserve_order) re-serialises both in document order, compactly.
            let compact =
                serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap())
                    .unwrap();
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let ours = reg.iter().find(|e| {
                let ours = serde_json::to_string(
                    &serde_json::from_str::<serde_json::Value>(&e.schema).unwrap(),
                )
                .unwrap();
                ours == compact && stem.starts_with(&e.subject)
            });
            assert!(
                ours.is_some(),
                "{}: no registry entry has this text",
                path.display()
            );
            // And our own text of the parsed schema is that registry text.
            let parsed = parse_schema(&ours.unwrap().schema).unwrap();
            assert_eq!(schema_text(&parsed).unwrap(), ours.unwrap().schema);
            seen += 1;
        }
        assert!(seen >= 8, "{connector}: only {seen} .avsc files");
    }
}
