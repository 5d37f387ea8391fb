//! Configuration errors name the key: `validate` reports every key with its errors, and
//! `start` refuses an invalid configuration with an error whose key is the culprit.

mod common;

use common::props;
use sluice_api::connector::{Connector, ConnectorContext};
use sluice_builtin::datagen::DatagenConnector;
use sluice_builtin::file_source::FileStreamSourceConnector;
use sluice_builtin::{PluginRegistry, builtin_plugins};

#[tokio::test]
async fn a_missing_topic_is_reported_on_the_topic_key() {
    let c = FileStreamSourceConnector::default();
    let values = Connector::validate(&c, &props(&[("file", "/tmp/x")])).await;
    let names: Vec<_> = values.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, vec!["file", "topic", "batch.size"]);
    let topic = values.iter().find(|v| v.name == "topic").unwrap();
    assert_eq!(
        topic.errors,
        vec!["Missing required configuration \"topic\" which has no default value."]
    );
    assert!(
        values
            .iter()
            .filter(|v| v.name != "topic")
            .all(|v| v.errors.is_empty())
    );
    assert_eq!(values[2].value.as_deref(), Some("2000"));

    let mut c = FileStreamSourceConnector::default();
    let e = Connector::start(
        &mut c,
        props(&[("file", "/tmp/x")]),
        ConnectorContext::new(|_| {}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.config_key(), Some("topic"));
    assert!(!e.is_retriable());
}

#[tokio::test]
async fn blank_topic_and_bad_batch_size_are_refused() {
    let c = FileStreamSourceConnector::default();
    let v = Connector::validate(&c, &props(&[("topic", "  "), ("batch.size", "abcd")])).await;
    assert_eq!(
        v[1].errors,
        vec!["Invalid value    for configuration topic: String may not be empty"]
    );
    assert_eq!(
        v[2].errors,
        vec!["Invalid value abcd for configuration batch.size: Not a number of type INT"]
    );
}

#[tokio::test]
async fn datagen_errors_name_their_keys() {
    let registry = PluginRegistry::new(builtin_plugins());
    let c = registry.lookup("Datagen").unwrap().new_source().unwrap();
    let v = c
        .validate(&props(&[
            ("topic", "t"),
            ("columns", "id:int64,price:money"),
            ("rate", "-1"),
        ]))
        .await;
    let errors = |key: &str| v.iter().find(|c| c.name == key).unwrap().errors.clone();
    assert!(errors("topic").is_empty());
    assert!(
        errors("columns")[0].contains("'price:money' has an unknown type"),
        "{:?}",
        errors("columns")
    );
    assert_eq!(
        errors("rate"),
        vec!["Invalid value -1 for configuration rate: Value must be at least 0"]
    );

    let mut c = DatagenConnector::default();
    let e = Connector::start(
        &mut c,
        props(&[("records", "5")]),
        ConnectorContext::new(|_| {}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.config_key(), Some("topic"), "{e}");
}
