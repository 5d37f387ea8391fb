//! Records produced to Kafka end up in S3 objects named exactly as Confluent's S3 sink names
//! them, holding exactly those records: JSON lines with the Default partitioner, Avro container
//! files (read back by `fastavro`) with the Field partitioner, and the Hourly partitioner with
//! the `RecordField` extractor — each with `flush.size` rotation of the whole topic partition.
//!
//! Debezium-like change events (nested `before`/`after`/`source` structs, decimals, dates,
//! timestamps, optional fields, an array) as Parquet files with every `parquet.codec`, read back
//! by pyarrow, including a schema change that rotates the file; and as Avro files with the
//! `snappy` and `zstandard` codecs and with `sluice.decimal.format=string`, read by `fastavro`.
//! The same events written by the AvroConverter (as Debezium writes them) go into Avro files
//! with their bodies copied as they are (debug builds check each copy against the re-encoding).

mod s3_sink_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use s3_sink_support::{
    Env, WAIT, avro_records, create, default_key, json_lines, order, read_object, start_worker,
    worker_with_registry,
};
use serde_json::{Value, json};
use sluice_files::ObjectStore;
use sluice_worker::kafka::ProduceRecord;

/// 2024-05-01T10:00:00Z.
const TEN_AM: i64 = 1_714_557_600_000;
const HOUR: i64 = 3_600_000;

#[tokio::test]
async fn json_default_partitioner_flush_size() {
    let env = Env::new("s3-json", 2).await;
    let p0: Vec<Value> = (0..7).map(|i| order(i, "eu", TEN_AM)).collect();
    let p1: Vec<Value> = (100..104).map(|i| order(i, "us", TEN_AM)).collect();
    env.produce(0, &p0).await;
    env.produce(1, &p1).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "3"),
        ("s3.object.tagging", "true"),
    ]);
    create(&mut worker, &client, "s3-json", &config).await;

    let t = &env.topic;
    let objects = env
        .wait_for_keys(&[
            default_key(t, 0, 0, ".json"),
            default_key(t, 0, 3, ".json"),
            default_key(t, 1, 0, ".json"),
        ])
        .await;
    assert_eq!(
        json_lines(&objects[&default_key(t, 0, 0, ".json")]),
        p0[0..3]
    );
    assert_eq!(
        json_lines(&objects[&default_key(t, 0, 3, ".json")]),
        p0[3..6]
    );
    assert_eq!(
        json_lines(&objects[&default_key(t, 1, 0, ".json")]),
        p1[0..3]
    );

    // The last records make the files full; nothing else is written in between.
    env.produce(0, &[order(7, "eu", TEN_AM), order(8, "eu", TEN_AM)])
        .await;
    let objects = env
        .wait_for_keys(&[
            default_key(t, 0, 0, ".json"),
            default_key(t, 0, 3, ".json"),
            default_key(t, 0, 6, ".json"),
            default_key(t, 1, 0, ".json"),
        ])
        .await;
    let last = json_lines(&objects[&default_key(t, 0, 6, ".json")]);
    assert_eq!(
        last,
        [
            p0[6].clone(),
            order(7, "eu", TEN_AM),
            order(8, "eu", TEN_AM)
        ]
    );
    // s3.object.tagging: each object names its offsets and record count (set right after
    // the object is published, so it may trail the object by a moment).
    for (partition, start, end) in [(0, 0, 2), (0, 3, 5), (0, 6, 8), (1, 0, 2)] {
        let key = default_key(t, partition, start, ".json");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let tags = loop {
            let mut tags = env.store.object_tags(&key).await.unwrap();
            if !tags.is_empty() || std::time::Instant::now() > deadline {
                tags.sort();
                break tags;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        let expected: Vec<(String, String)> = [
            ("endOffset", end.to_string()),
            ("recordCount", "3".to_string()),
            ("startOffset", start.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(tags, expected, "{key}");
    }
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

#[tokio::test]
async fn avro_field_partitioner_read_by_fastavro() {
    let env = Env::new("s3-avro", 1).await;
    let records: Vec<Value> = (0..8)
        .map(|i| order(i, if i % 2 == 0 { "eu" } else { "us" }, TEN_AM + i))
        .collect();
    env.produce(0, &records).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.avro.AvroFormat",
        ),
        ("flush.size", "4"),
        (
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.FieldPartitioner",
        ),
        ("partition.field.name", "region"),
    ]);
    create(&mut worker, &client, "s3-avro", &config).await;

    let t = &env.topic;
    let key =
        |region: &str, offset: i64| format!("topics/{t}/region={region}/{t}+0+{offset:010}.avro");
    // flush.size counts the topic partition's records: after 4 records both files close.
    let objects = env
        .wait_for_keys(&[key("eu", 0), key("us", 1), key("eu", 4), key("us", 5)])
        .await;
    for (k, ids) in [
        (key("eu", 0), [0, 2]),
        (key("us", 1), [1, 3]),
        (key("eu", 4), [4, 6]),
        (key("us", 5), [5, 7]),
    ] {
        let (schema, got) = avro_records(&objects[&k]);
        // AvroData's schema: the Connect name and parameters are kept.
        assert_eq!(schema["name"], "shop.Order", "{schema}");
        assert_eq!(schema["connect.name"], "shop.Order", "{schema}");
        let want: Vec<Value> = ids.iter().map(|i| records[*i as usize].clone()).collect();
        assert_eq!(got, want, "{k}");
    }
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

#[tokio::test]
async fn hourly_partitioner_by_record_field() {
    let env = Env::new("s3-hourly", 1).await;
    let hours = [0, 0, 1, 1, 0, 1];
    let records: Vec<Value> = hours
        .iter()
        .enumerate()
        .map(|(i, h)| order(i as i64, "eu", TEN_AM + h * HOUR + i as i64))
        .collect();
    env.produce(0, &records).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "3"),
        (
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.HourlyPartitioner",
        ),
        ("locale", "en-US"),
        ("timezone", "UTC"),
        ("timestamp.extractor", "RecordField"),
        ("timestamp.field", "ts"),
    ]);
    create(&mut worker, &client, "s3-hourly", &config).await;

    let t = &env.topic;
    let key = |hour: u32, offset: i64| {
        format!("topics/{t}/year=2024/month=05/day=01/hour={hour}/{t}+0+{offset:010}.json")
    };
    let objects = env
        .wait_for_keys(&[key(10, 0), key(11, 2), key(11, 3), key(10, 4)])
        .await;
    for (k, ids) in [
        (key(10, 0), vec![0, 1]),
        (key(11, 2), vec![2]),
        (key(11, 3), vec![3, 5]),
        (key(10, 4), vec![4]),
    ] {
        let want: Vec<Value> = ids.iter().map(|i| records[*i].clone()).collect();
        assert_eq!(json_lines(&objects[&k]), want, "{k}");
    }
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

// ---- Debezium-like change events as Parquet and Avro ----

/// 2024-05-01 in days since the epoch.
const MAY_FIRST: i64 = 19_844;

/// The schema of a table row (`before`/`after`); `with_email` adds a column (a schema change).
fn row_schema(with_email: bool) -> Value {
    let mut fields = vec![
        json!({"field": "id", "type": "int32", "optional": false}),
        json!({"field": "amount", "type": "bytes", "optional": false,
               "name": "org.apache.kafka.connect.data.Decimal", "version": 1,
               "parameters": {"scale": "2", "connect.decimal.precision": "10"}}),
        json!({"field": "discount", "type": "bytes", "optional": true,
               "name": "org.apache.kafka.connect.data.Decimal", "version": 1,
               "parameters": {"scale": "3", "connect.decimal.precision": "6"}}),
        json!({"field": "created", "type": "int32", "optional": true,
               "name": "org.apache.kafka.connect.data.Date", "version": 1}),
        json!({"field": "updated_at", "type": "int64", "optional": false,
               "name": "org.apache.kafka.connect.data.Timestamp", "version": 1}),
        json!({"field": "seen_us", "type": "int64", "optional": false,
               "name": "io.debezium.time.MicroTimestamp", "version": 1}),
        json!({"field": "note", "type": "string", "optional": true}),
        json!({"field": "tags", "type": "array", "optional": false,
               "items": {"type": "string", "optional": false}}),
    ];
    if with_email {
        fields.push(json!({"field": "email", "type": "string", "optional": true}));
    }
    json!({"type": "struct", "name": "dbserver1.public.orders.Value", "optional": true,
           "fields": fields})
}

/// A Debezium PostgreSQL envelope schema around [`row_schema`].
fn envelope_schema(with_email: bool) -> Value {
    let field = |name: &str, schema: Value| {
        let mut f = schema;
        f["field"] = json!(name);
        f
    };
    json!({"type": "struct", "name": "dbserver1.public.orders.Envelope", "optional": false,
    "fields": [
        field("before", row_schema(with_email)),
        field("after", row_schema(with_email)),
        {"field": "source", "type": "struct", "optional": false,
         "name": "io.debezium.connector.postgresql.Source", "fields": [
            {"field": "connector", "type": "string", "optional": false},
            {"field": "db", "type": "string", "optional": false},
            {"field": "table", "type": "string", "optional": false},
            {"field": "lsn", "type": "int64", "optional": true},
        ]},
        {"field": "op", "type": "string", "optional": false},
        {"field": "ts_ms", "type": "int64", "optional": true},
    ]})
}

/// Row `id` as produced (decimals as JSON numbers, which the JsonConverter reads exactly) and as
/// expected back (decimals as their text, dates as days, timestamps as epoch milliseconds).
fn row(id: i64, with_email: bool) -> (Value, Value) {
    let cents = id * 101 - 5000;
    let amount = format!(
        "{}{}.{:02}",
        if cents < 0 { "-" } else { "" },
        cents.abs() / 100,
        cents.abs() % 100
    );
    let discount = (id % 2 == 1).then(|| format!("0.{:03}", id * 7));
    let created = (id % 3 != 0).then_some(MAY_FIRST + id);
    let note = (id % 4 != 0).then(|| format!("note {id}"));
    let tags: Vec<String> = (0..id % 3).map(|t| format!("t{t}")).collect();
    let number = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    let mut produced = json!({
        "id": id,
        "amount": number(&amount),
        "discount": discount.as_deref().map(number),
        "created": created,
        "updated_at": TEN_AM + id,
        "seen_us": (TEN_AM + id) * 1000 + 7,
        "note": note,
        "tags": tags,
    });
    let mut expected = produced.clone();
    expected["amount"] = json!(amount);
    expected["discount"] = json!(discount);
    if with_email {
        produced["email"] = json!(format!("c{id}@example.com"));
        expected["email"] = produced["email"].clone();
    }
    (produced, expected)
}

/// Change event `id` (`c` without `before`, else `u`), as produced and as expected back.
fn change(id: i64, with_email: bool) -> (Value, Value) {
    let (after, after_want) = row(id, with_email);
    let (before, before_want) = if id % 3 == 0 {
        (Value::Null, Value::Null)
    } else {
        row(id - 1, with_email)
    };
    let source = json!({"connector": "postgresql", "db": "shop", "table": "orders",
                        "lsn": if id % 2 == 0 { json!(id * 1000) } else { Value::Null }});
    let op = if id % 3 == 0 { "c" } else { "u" };
    let ts_ms = if id % 5 == 0 {
        Value::Null
    } else {
        json!(TEN_AM + id)
    };
    (
        json!({"before": before, "after": after, "source": source, "op": op, "ts_ms": ts_ms}),
        json!({"before": before_want, "after": after_want, "source": source, "op": op,
               "ts_ms": ts_ms}),
    )
}

/// Produces change events `ids` to partition 0 (as JsonConverter envelopes with schema) and
/// returns what each must read back as.
async fn produce_changes(env: &Env, ids: std::ops::Range<i64>, with_email: bool) -> Vec<Value> {
    let mut expected = Vec::new();
    for id in ids {
        let (payload, want) = change(id, with_email);
        let value =
            serde_json::to_vec(&json!({"schema": envelope_schema(with_email), "payload": payload}))
                .unwrap();
        produce_value(env, &value).await;
        expected.push(want);
    }
    expected
}

/// Produces one value to partition 0 and waits for its acknowledgement.
async fn produce_value(env: &Env, value: &[u8]) {
    env.producer
        .send(ProduceRecord {
            topic: &env.topic,
            partition: Some(0),
            value: Some(value),
            ..ProduceRecord::default()
        })
        .await
        .unwrap();
}

/// Waits until the bucket holds exactly `keys` under `prefix`, then returns those objects.
async fn wait_for_prefix(env: &Env, prefix: &str, keys: &[String]) -> BTreeMap<String, Vec<u8>> {
    let deadline = Instant::now() + WAIT;
    let mut want = keys.to_vec();
    want.sort();
    loop {
        let got: Vec<String> = env
            .store
            .list(prefix)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.key)
            .collect();
        if got == want {
            let mut out = BTreeMap::new();
            for k in got {
                out.insert(k.clone(), env.store.get(&k).await.unwrap().to_vec());
            }
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {want:?}; {prefix} holds {got:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn parquet_change_events_with_every_codec_read_by_pyarrow() {
    let env = Env::new("s3-parquet", 1).await;
    // Offsets 0-5 with one row schema, 6-9 with a column more: flush.size=4 gives files at 0
    // (4 records), 4 (2, closed by the schema change) and 6 (4).
    let mut expected = produce_changes(&env, 0..6, false).await;
    expected.extend(produce_changes(&env, 6..10, true).await);
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let codecs = [
        ("snappy", ".snappy.parquet", "SNAPPY"),
        ("gzip", ".gz.parquet", "GZIP"),
        ("zstd", ".zstd.parquet", "ZSTD"),
        ("none", ".parquet", "UNCOMPRESSED"),
    ];
    for (codec, _, _) in codecs {
        let dir = format!("pq-{codec}");
        let config = env.sink_config(&[
            (
                "format.class",
                "io.confluent.connect.s3.format.parquet.ParquetFormat",
            ),
            ("parquet.codec", codec),
            ("flush.size", "4"),
            ("topics.dir", &dir),
        ]);
        create(
            &mut worker,
            &client,
            &format!("s3-parquet-{codec}"),
            &config,
        )
        .await;
    }

    let t = &env.topic;
    for (codec, ext, name) in codecs {
        let dir = format!("pq-{codec}");
        let key = |offset: i64| format!("{dir}/{t}/partition=0/{t}+0+{offset:010}{ext}");
        let objects = wait_for_prefix(&env, &format!("{dir}/"), &[key(0), key(4), key(6)]).await;
        for (offset, range) in [(0, 0..4), (4, 4..6), (6, 6..10)] {
            let doc = read_object("parquet", &objects[&key(offset)]);
            assert_eq!(doc["codec"], name, "{}", key(offset));
            assert_eq!(
                doc["records"].as_array().unwrap(),
                &expected[range],
                "{}",
                key(offset)
            );
            // Typed columns: what Redshift's COPY … FORMAT AS PARQUET loads natively.
            let after = doc["schema"]["after"].as_str().unwrap();
            for column in [
                "amount: decimal128(10, 2) not null",
                "discount: decimal128(6, 3)",
                "created: date32[day]",
                "updated_at: timestamp[ms, tz=UTC] not null",
                "seen_us: int64 not null",
                "tags: list<",
            ] {
                assert!(after.contains(column), "{column} in {after}");
            }
            assert_eq!(after.contains("email"), offset == 6, "{after}");
            assert!(
                doc["schema"]["source"]
                    .as_str()
                    .unwrap()
                    .starts_with("struct<")
            );
        }
    }
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

/// The Avro schema of the row, defined in `before` (inside its `["null", record]` union; `after`
/// refers to it by name).
fn avro_row_schema(schema: &Value) -> &Value {
    let before = schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "before")
        .unwrap();
    before["type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t.is_object())
        .unwrap()
}

fn avro_field<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
}

#[tokio::test]
async fn avro_snappy_zstandard_and_string_decimals_read_by_fastavro() {
    let env = Env::new("s3-avro-codecs", 1).await;
    let expected = produce_changes(&env, 0..8, false).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let runs = [
        ("snappy", "bytes"),
        ("zstandard", "bytes"),
        ("deflate", "string"),
    ];
    for (codec, decimals) in runs {
        let dir = format!("avro-{codec}");
        let config = env.sink_config(&[
            (
                "format.class",
                "io.confluent.connect.s3.format.avro.AvroFormat",
            ),
            ("avro.codec", codec),
            ("sluice.decimal.format", decimals),
            ("flush.size", "4"),
            ("topics.dir", &dir),
        ]);
        create(&mut worker, &client, &format!("s3-avro-{codec}"), &config).await;
    }

    let t = &env.topic;
    for (codec, decimals) in runs {
        let dir = format!("avro-{codec}");
        let key = |offset: i64| format!("{dir}/{t}/partition=0/{t}+0+{offset:010}.avro");
        let objects = wait_for_prefix(&env, &format!("{dir}/"), &[key(0), key(4)]).await;
        for (offset, range) in [(0, 0..4), (4, 4..8)] {
            let doc = read_object("avro", &objects[&key(offset)]);
            assert_eq!(doc["codec"], codec);
            // Decimals, dates and timestamps come back with their values (fastavro applies the
            // logical types; string decimals are the same text).
            assert_eq!(
                doc["records"].as_array().unwrap(),
                &expected[range],
                "{}",
                key(offset)
            );
            let row = avro_row_schema(&doc["schema"]);
            assert_eq!(
                row["connect.name"], "dbserver1.public.orders.Value",
                "{row}"
            );
            let amount = &avro_field(row, "amount")["type"];
            let created = avro_field(row, "created")["type"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t.is_object())
                .unwrap()
                .clone();
            assert_eq!(created["logicalType"], "date", "{created}");
            if decimals == "string" {
                // What Redshift's COPY … FORMAT AS AVRO loads into a DECIMAL column.
                assert_eq!(amount["type"], "string", "{amount}");
                assert!(amount.get("logicalType").is_none(), "{amount}");
                assert_eq!(amount["connect.parameters"]["scale"], "2", "{amount}");
            } else {
                assert_eq!(amount["type"], "bytes", "{amount}");
                assert_eq!(amount["logicalType"], "decimal", "{amount}");
                assert_eq!(amount["precision"], 10, "{amount}");
            }
        }
    }
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

/// Change events in Confluent's Avro wire format (the AvroConverter's, as Debezium's are) reach
/// the Avro files with their bodies copied as they are: the sink task accepts encoded values.
/// One body carries a trailing byte, which readers ignore but the copy must not keep: it is
/// decoded and encoded again. fastavro reads back every event.
#[tokio::test]
async fn avro_converter_events_copied_into_avro_files() {
    use sluice_converters::{AvroConverter, Converter, JsonConverter};

    let env = Env::new("s3-avro-copy", 1).await;
    let client = reqwest::Client::new();
    let (mut worker, registry) = worker_with_registry(&env, &client, "").await;
    let mut json = JsonConverter::default();
    json.configure(&Default::default(), false).unwrap();
    let mut avro = AvroConverter::default();
    avro.configure(
        &[("schema.registry.url".to_string(), registry.clone())].into(),
        false,
    )
    .unwrap();
    let mut expected = Vec::new();
    for id in 0..8 {
        let (payload, want) = change(id, false);
        let envelope =
            serde_json::to_vec(&json!({"schema": envelope_schema(false), "payload": payload}))
                .unwrap();
        let data = json.to_connect(&env.topic, Some(&envelope)).unwrap();
        let mut value = avro
            .from_connect_async(&env.topic, data.schema.as_ref(), &data.value)
            .await
            .unwrap()
            .unwrap();
        if id == 5 {
            value.push(0);
        }
        produce_value(&env, &value).await;
        expected.push(want);
    }
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.avro.AvroFormat",
        ),
        ("flush.size", "4"),
        ("value.converter", "io.confluent.connect.avro.AvroConverter"),
        ("value.converter.schema.registry.url", &registry),
    ]);
    create(&mut worker, &client, "s3-avro-copy", &config).await;

    let t = &env.topic;
    let objects = env
        .wait_for_keys(&[default_key(t, 0, 0, ".avro"), default_key(t, 0, 4, ".avro")])
        .await;
    for (offset, range) in [(0, 0..4), (4, 4..8)] {
        let key = default_key(t, 0, offset, ".avro");
        let doc = read_object("avro", &objects[&key]);
        assert_eq!(
            doc["records"].as_array().unwrap(),
            &expected[range],
            "{key}"
        );
        let row = avro_row_schema(&doc["schema"]);
        assert_eq!(
            row["connect.name"], "dbserver1.public.orders.Value",
            "{row}"
        );
    }
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}
