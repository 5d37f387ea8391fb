//! Records produced to Kafka end up in S3 objects named exactly as Confluent's S3 sink names
//! them, holding exactly those records: JSON lines with the Default partitioner, Avro container
//! files (read back by `fastavro`) with the Field partitioner, and the Hourly partitioner with
//! the `RecordField` extractor — each with `flush.size` rotation of the whole topic partition.

mod s3_sink_support;

use s3_sink_support::{Env, avro_records, create, default_key, json_lines, order, start_worker};
use serde_json::Value;

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
