//! `store.kafka.keys`, `store.kafka.headers` and `behavior.on.null.values=write` against the
//! test S3 server: every data file gets `.keys`/`.headers` side files of the same name holding
//! the same records' keys and headers in the same order, null values land in side files under
//! the `tombstone` directory, and independent readers (`fastavro`, `pyarrow`) read them all.

mod s3_sink_support;

use std::process::Command;

use s3_sink_support::{Env, avro_records, create, order, start_worker, temp};
use serde_json::{Value, json};
use sluice_worker::kafka::ProduceRecord;

const TEN_AM: i64 = 1_714_557_600_000;

fn key_envelope(id: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schema": {"type": "struct", "name": "shop.OrderKey", "optional": false,
                   "fields": [{"field": "id", "type": "int64", "optional": false}]},
        "payload": {"id": id}
    }))
    .unwrap()
}

/// Produces orders 0..6 to partition 0 with a struct key `{id}` and two headers each; offset 2
/// is a null value (a tombstone).
async fn produce(env: &Env) -> Vec<Value> {
    let mut orders = Vec::new();
    for id in 0..6 {
        let order = order(id, "eu", TEN_AM + id);
        let key = key_envelope(id);
        let value = s3_sink_support::envelope(&order);
        let trace = format!("t{id}");
        let n = id.to_string();
        env.producer
            .send(ProduceRecord {
                topic: &env.topic,
                partition: Some(0),
                key: Some(&key),
                value: (id != 2).then_some(value.as_slice()),
                headers: &[("trace", Some(trace.as_bytes())), ("n", Some(n.as_bytes()))],
            })
            .await
            .unwrap();
        orders.push(order);
    }
    orders
}

fn headers_of(id: i64) -> Value {
    json!([{"key": "trace", "value": format!("t{id}")}, {"key": "n", "value": id.to_string()}])
}

fn config(env: &Env, extra: &[(&str, &str)]) -> Value {
    let mut all = vec![
        ("flush.size", "3"),
        ("store.kafka.keys", "true"),
        ("store.kafka.headers", "true"),
        ("behavior.on.null.values", "write"),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
    ];
    all.extend_from_slice(extra);
    env.sink_config(&all)
}

#[tokio::test]
async fn avro_keys_headers_and_tombstones_read_by_fastavro() {
    let env = Env::new("s3-side-avro", 1).await;
    let orders = produce(&env).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = config(
        &env,
        &[(
            "format.class",
            "io.confluent.connect.s3.format.avro.AvroFormat",
        )],
    );
    create(&mut worker, &client, "s3-side-avro", &config).await;

    let t = &env.topic;
    let data = |start: i64, ext: &str| format!("topics/{t}/partition=0/{t}+0+{start:010}{ext}");
    let tomb = |ext: &str| format!("topics/{t}/tombstone/{t}+0+{:010}{ext}", 2);
    // flush.size=3 counts the topic partition's records: after offsets 0, 1 and the tombstone
    // at 2 both open files close; 3, 4, 5 make the next file.
    let objects = env
        .wait_for_keys(&[
            data(0, ".avro"),
            data(0, ".keys.avro"),
            data(0, ".headers.avro"),
            tomb(".keys.avro"),
            tomb(".headers.avro"),
            data(3, ".avro"),
            data(3, ".keys.avro"),
            data(3, ".headers.avro"),
        ])
        .await;
    for (start, ids) in [(0, vec![0, 1]), (3, vec![3, 4, 5])] {
        let (_, values) = avro_records(&objects[&data(start, ".avro")]);
        let want: Vec<Value> = ids.iter().map(|i| orders[*i as usize].clone()).collect();
        assert_eq!(values, want);
        let (schema, keys) = avro_records(&objects[&data(start, ".keys.avro")]);
        assert_eq!(schema["name"], "shop.OrderKey", "{schema}");
        let want: Vec<Value> = ids.iter().map(|i| json!({"id": i})).collect();
        assert_eq!(keys, want);
        let (schema, headers) = avro_records(&objects[&data(start, ".headers.avro")]);
        assert_eq!(schema["type"], "array", "{schema}");
        let want: Vec<Value> = ids.iter().map(|i| headers_of(*i)).collect();
        assert_eq!(headers, want);
    }
    let (_, keys) = avro_records(&objects[&tomb(".keys.avro")]);
    assert_eq!(keys, vec![json!({"id": 2})]);
    let (_, headers) = avro_records(&objects[&tomb(".headers.avro")]);
    assert_eq!(headers, vec![headers_of(2)]);
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

/// A Parquet object's rows, read by pyarrow.
fn parquet_rows(bytes: &[u8]) -> Vec<Value> {
    let path = temp("s3-object", "parquet");
    std::fs::write(&path, bytes).unwrap();
    let python = std::env::var("HOME")
        .map(|h| format!("{h}/.cache/sluice/venv/bin/python"))
        .unwrap();
    let script = "import json, sys, pyarrow.parquet as pq\n\
        print(json.dumps(pq.read_table(sys.argv[1]).to_pylist()))\n";
    let out = Command::new(python)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("the test services' Python runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pyarrow failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn parquet_data_with_parquet_keys_and_json_headers() {
    let env = Env::new("s3-side-parquet", 1).await;
    let orders = produce(&env).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = config(
        &env,
        &[
            (
                "format.class",
                "io.confluent.connect.s3.format.parquet.ParquetFormat",
            ),
            (
                "keys.format.class",
                "io.confluent.connect.s3.format.parquet.ParquetFormat",
            ),
            (
                "headers.format.class",
                "io.confluent.connect.s3.format.json.JsonFormat",
            ),
        ],
    );
    create(&mut worker, &client, "s3-side-parquet", &config).await;

    let t = &env.topic;
    let data = |start: i64, ext: &str| format!("topics/{t}/partition=0/{t}+0+{start:010}{ext}");
    let tomb = |ext: &str| format!("topics/{t}/tombstone/{t}+0+{:010}{ext}", 2);
    let objects = env
        .wait_for_keys(&[
            data(0, ".snappy.parquet"),
            data(0, ".keys.snappy.parquet"),
            data(0, ".headers.json"),
            tomb(".keys.snappy.parquet"),
            tomb(".headers.json"),
            data(3, ".snappy.parquet"),
            data(3, ".keys.snappy.parquet"),
            data(3, ".headers.json"),
        ])
        .await;
    for (start, ids) in [(0, vec![0, 1]), (3, vec![3, 4, 5])] {
        let values = parquet_rows(&objects[&data(start, ".snappy.parquet")]);
        let want: Vec<Value> = ids.iter().map(|i| orders[*i as usize].clone()).collect();
        assert_eq!(values, want);
        // Parquet needs a struct at the top: keys are wrapped as Confluent wraps them.
        let keys = parquet_rows(&objects[&data(start, ".keys.snappy.parquet")]);
        let want: Vec<Value> = ids.iter().map(|i| json!({"key": {"id": i}})).collect();
        assert_eq!(keys, want);
        let lines: Vec<Value> = std::str::from_utf8(&objects[&data(start, ".headers.json")])
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let want: Vec<Value> = ids
            .iter()
            .map(|i| json!({"headers": headers_of(*i)}))
            .collect();
        assert_eq!(lines, want);
    }
    assert_eq!(
        parquet_rows(&objects[&tomb(".keys.snappy.parquet")]),
        vec![json!({"key": {"id": 2}})]
    );
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}
