//! `store.kafka.keys`, `store.kafka.headers` and `behavior.on.null.values=write` against the
//! test S3 server: every data file gets `.keys`/`.headers` side files of the same name holding
//! the same records' keys and headers in the same order, null values land in side files under
//! the `tombstone` directory, and independent readers (`fastavro`, `pyarrow`) read them all.

mod s3_sink_support;

use s3_sink_support::{Env, avro_records, create, order, read_object, start_worker};
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

/// Object names of the produced records, given the extensions of values, keys and headers.
/// flush.size=3 counts the topic partition's records: after offsets 0, 1 and the tombstone at 2
/// both open files close (data files at 0, key and header files at 2 under `tombstone`); 3, 4
/// and 5 make the next file.
struct Names {
    topic: String,
    value: &'static str,
    keys: &'static str,
    headers: &'static str,
}

impl Names {
    fn data(&self, start: i64, ext: &str) -> String {
        let t = &self.topic;
        format!("topics/{t}/partition=0/{t}+0+{start:010}{ext}")
    }

    fn tomb(&self, ext: &str) -> String {
        let t = &self.topic;
        format!("topics/{t}/tombstone/{t}+0+{:010}{ext}", 2)
    }

    /// Every object the six records make.
    fn all(&self) -> Vec<String> {
        let mut all = vec![self.tomb(self.keys), self.tomb(self.headers)];
        for start in [0, 3] {
            for ext in [self.value, self.keys, self.headers] {
                all.push(self.data(start, ext));
            }
        }
        all
    }
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

    let names = Names {
        topic: env.topic.clone(),
        value: ".avro",
        keys: ".keys.avro",
        headers: ".headers.avro",
    };
    let objects = env.wait_for_keys(&names.all()).await;
    for (start, ids) in [(0, vec![0, 1]), (3, vec![3, 4, 5])] {
        let (_, values) = avro_records(&objects[&names.data(start, names.value)]);
        let want: Vec<Value> = ids.iter().map(|i| orders[*i as usize].clone()).collect();
        assert_eq!(values, want);
        let (schema, keys) = avro_records(&objects[&names.data(start, names.keys)]);
        assert_eq!(schema["name"], "shop.OrderKey", "{schema}");
        let want: Vec<Value> = ids.iter().map(|i| json!({"id": i})).collect();
        assert_eq!(keys, want);
        let (schema, headers) = avro_records(&objects[&names.data(start, names.headers)]);
        assert_eq!(schema["type"], "array", "{schema}");
        let want: Vec<Value> = ids.iter().map(|i| headers_of(*i)).collect();
        assert_eq!(headers, want);
    }
    let (_, keys) = avro_records(&objects[&names.tomb(names.keys)]);
    assert_eq!(keys, vec![json!({"id": 2})]);
    let (_, headers) = avro_records(&objects[&names.tomb(names.headers)]);
    assert_eq!(headers, vec![headers_of(2)]);
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

/// A Parquet object's rows, read by pyarrow.
fn parquet_rows(bytes: &[u8]) -> Vec<Value> {
    read_object("parquet", bytes)["records"]
        .as_array()
        .unwrap()
        .clone()
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

    let names = Names {
        topic: env.topic.clone(),
        value: ".snappy.parquet",
        keys: ".keys.snappy.parquet",
        headers: ".headers.json",
    };
    let objects = env.wait_for_keys(&names.all()).await;
    for (start, ids) in [(0, vec![0, 1]), (3, vec![3, 4, 5])] {
        let values = parquet_rows(&objects[&names.data(start, names.value)]);
        let want: Vec<Value> = ids.iter().map(|i| orders[*i as usize].clone()).collect();
        assert_eq!(values, want);
        // Parquet needs a struct at the top: keys are wrapped as Confluent wraps them.
        let keys = parquet_rows(&objects[&names.data(start, names.keys)]);
        let want: Vec<Value> = ids.iter().map(|i| json!({"key": {"id": i}})).collect();
        assert_eq!(keys, want);
        let lines: Vec<Value> = std::str::from_utf8(&objects[&names.data(start, names.headers)])
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
        parquet_rows(&objects[&names.tomb(names.keys)]),
        vec![json!({"key": {"id": 2}})]
    );
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}
