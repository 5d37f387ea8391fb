//! The AvroConverter against a real Confluent-compatible Schema Registry.
//!
//! Each scenario is a function taking the registry's base URL, so it can run against Sluice's
//! own registry (runtime/schema-registry, started in-process on the test broker — the default)
//! or Confluent's (`SLUICE_SCHEMA_REGISTRY_URL=http://host:8081`).

use sluice_api::SchemaAndValue;
use sluice_converters::avro::{SchemaRegistryClient, wire};
use sluice_converters::{AvroConverter, Converter, ConverterConfig, Error, JsonConverter};

/// The customers envelope of the golden PostgreSQL events (schema and value) and the schema text
/// Java registered for it.
fn customers_value() -> (SchemaAndValue, String) {
    let records =
        std::fs::read_to_string(sluice_testkit::golden("events/pg/all_records.jsonl")).unwrap();
    let line = records
        .lines()
        .find(|l| l.contains("\"topic\": \"dbserver1.inventory.customers\""))
        .unwrap();
    let r: serde_json::Value = serde_json::from_str(line).unwrap();
    let mut json = JsonConverter::default();
    json.configure(&ConverterConfig::new(), false).unwrap();
    let data = json
        .to_connect("t", r["value_text"].as_str().map(str::as_bytes))
        .unwrap();
    let reg: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sluice_testkit::golden("events/pg/avro/registry.json")).unwrap(),
    )
    .unwrap();
    let text = reg
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == 4)
        .unwrap()["schema"]
        .as_str()
        .unwrap()
        .to_string();
    (data, text)
}

fn converter(url: &str, extra: &[(&str, &str)]) -> AvroConverter {
    let mut cfg = ConverterConfig::new();
    cfg.insert("schema.registry.url".into(), url.into());
    for (k, v) in extra {
        cfg.insert((*k).into(), (*v).into());
    }
    let mut c = AvroConverter::default();
    c.configure(&cfg, false).unwrap();
    c
}

fn client(url: &str) -> SchemaRegistryClient {
    SchemaRegistryClient::new(&[url.to_string()], None).unwrap()
}

/// Registers Java's exact text, and a second converter reads the record back to the same bytes.
pub async fn register_and_read_back(url: &str) {
    let topic = sluice_testkit::unique_name("avro-rt");
    let (data, golden_text) = customers_value();
    let writer = converter(url, &[]);
    let bytes = writer
        .from_connect_async(&topic, data.schema.as_ref(), &data.value)
        .await
        .unwrap()
        .unwrap();
    let (id, _) = wire::split(&bytes).unwrap();
    let latest = client(url).latest(&format!("{topic}-value")).await.unwrap();
    assert_eq!(
        (latest.id, &*latest.schema),
        (id, golden_text.as_str()),
        "the registry holds Java's text"
    );

    let reader = converter(url, &[]);
    let read = reader.to_connect_async(&topic, Some(&bytes)).await.unwrap();
    assert_eq!(
        read.schema.as_ref().unwrap().version(),
        Some(2),
        "connect.version wins over the registry version"
    );
    let again = writer
        .from_connect_async(&topic, read.schema.as_ref(), &read.value)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, bytes);
    // The synchronous trait methods give the same answers (cache hits, then a fresh converter).
    assert_eq!(
        writer
            .from_connect(&topic, data.schema.as_ref(), &data.value)
            .unwrap()
            .unwrap(),
        bytes
    );
    assert_eq!(
        converter(url, &[])
            .to_connect(&topic, Some(&bytes))
            .unwrap(),
        read
    );
}

/// An id the registry does not know is a definite error with the registry's code.
pub async fn unknown_schema_id(url: &str) {
    let c = converter(url, &[]);
    let e = c
        .to_connect_async("t", Some(&[0, 0x7f, 0xff, 0xff, 0xf0, 0]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Registry {
                error_code: Some(40403),
                retriable: false,
                ..
            }
        ),
        "{e}"
    );
}

/// With `auto.register.schemas=false` the schema must already be registered under the subject.
pub async fn lookup_without_registering(url: &str) {
    let topic = sluice_testkit::unique_name("avro-lookup");
    let (data, _) = customers_value();
    let lookup = converter(url, &[("auto.register.schemas", "false")]);
    let e = lookup
        .from_connect_async(&topic, data.schema.as_ref(), &data.value)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Registry {
                error_code: Some(40401 | 40403),
                ..
            }
        ),
        "{e}"
    );
    let registered = converter(url, &[])
        .from_connect_async(&topic, data.schema.as_ref(), &data.value)
        .await
        .unwrap();
    let looked_up = lookup
        .from_connect_async(&topic, data.schema.as_ref(), &data.value)
        .await
        .unwrap();
    assert_eq!(registered, looked_up);
    // use.latest.version writes with the subject's latest schema (the same one here).
    let latest = converter(
        url,
        &[
            ("auto.register.schemas", "false"),
            ("use.latest.version", "true"),
        ],
    );
    assert_eq!(
        latest
            .from_connect_async(&topic, data.schema.as_ref(), &data.value)
            .await
            .unwrap(),
        registered
    );
}

/// RecordNameStrategy and TopicRecordNameStrategy register under the record's full name.
pub async fn record_name_strategies(url: &str) {
    let topic = sluice_testkit::unique_name("avro-rns");
    let (data, _) = customers_value();
    let full = "dbserver1.inventory.customers.Envelope";
    let trns = converter(
        url,
        &[(
            "value.subject.name.strategy",
            "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
        )],
    );
    let bytes = trns
        .from_connect_async(&topic, data.schema.as_ref(), &data.value)
        .await
        .unwrap()
        .unwrap();
    let latest = client(url)
        .latest(&format!("{topic}-{full}"))
        .await
        .unwrap();
    assert_eq!(wire::split(&bytes).unwrap().0, latest.id);
    let rns = converter(
        url,
        &[("value.subject.name.strategy", "RecordNameStrategy")],
    );
    let bytes = rns
        .from_connect_async(&topic, data.schema.as_ref(), &data.value)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        wire::split(&bytes).unwrap().0,
        client(url).latest(full).await.unwrap().id
    );
}

/// A registry for this test: `$SLUICE_SCHEMA_REGISTRY_URL` when set (e.g. Confluent's), else
/// Sluice's own, started in-process on the test broker with a schemas topic of its own.
async fn registry_url() -> (String, Option<tokio::sync::oneshot::Sender<()>>) {
    if let Ok(url) = std::env::var("SLUICE_SCHEMA_REGISTRY_URL") {
        return (url, None);
    }
    let kafka = sluice_testkit::services().kafka();
    let mut config = sluice_schema_registry::RegistryConfig::new(&kafka.bootstrap)
        .with_topic(sluice_testkit::unique_name("schemas"));
    config.replication_factor = 1;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let registry = sluice_schema_registry::Registry::open(config)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(registry.run(listener, async move {
        let _ = stopped.await;
    }));
    (url, Some(stop))
}

// Multi-threaded: the scenarios also call the synchronous trait methods, which block their
// caller on a cache miss until the registry answers — and the in-process registry is served by
// this same runtime, so a single-threaded one would deadlock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_schema_registry() {
    let (url, _stop) = registry_url().await;
    register_and_read_back(&url).await;
    unknown_schema_id(&url).await;
    lookup_without_registering(&url).await;
    record_name_strategies(&url).await;
}
