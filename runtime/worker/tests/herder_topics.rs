//! Active topic tracking (KIP-558) through the standalone herder on the real broker: a
//! FileStreamSource's output topic and a FileStreamSink's input topic are listed once used;
//! a reset empties the list, which fills again as the tasks use the topics after it; a
//! deleted connector has none; and the 403s of `topic.tracking.enable=false` and
//! `topic.tracking.allow.reset=false`.

mod herder_common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use herder_common::*;
use sluice_rest::{Error, Herder};
use sluice_worker::kafka::{Admin, Properties};

fn append(file: &Path, from: usize, to: usize) {
    let text: String = (from..to).map(|i| format!("line {i}\n")).collect();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(file)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

async fn topics_become(h: &impl Herder, connector: &str, want: &[&str]) {
    let want: Vec<String> = want.iter().map(|t| t.to_string()).collect();
    eventually(
        &format!("{connector}'s active topics to be {want:?}"),
        || async {
            let got = h.connector_active_topics(connector).await.unwrap();
            (got == want).then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_and_sink_topics_are_tracked_reset_and_tracked_again() {
    let offsets_file = temp_path("topics-offsets", "json");
    let input = temp_path("topics-input", "txt");
    let output = temp_path("topics-output", "txt");
    append(&input, 0, 10);
    let topic = sluice_testkit::unique_name("herder-active");
    let worker = worker(&offsets_file);
    let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30)).unwrap();
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());
    let h = herder(&offsets_file).await;

    let (src, sink) = ("topics-source", "topics-sink");
    assert!(h.connector_active_topics(src).await.unwrap().is_empty());
    h.put_connector_config(
        src,
        config(&[
            ("connector.class", "FileStreamSource"),
            ("file", input.to_str().unwrap()),
            ("topic", &topic),
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("name", src),
        ]),
        false,
        None,
    )
    .await
    .unwrap();
    topics_become(&h, src, &[&topic]).await;

    h.put_connector_config(
        sink,
        config(&[
            (
                "connector.class",
                "org.apache.kafka.connect.file.FileStreamSinkConnector",
            ),
            ("file", output.to_str().unwrap()),
            ("topics", &topic),
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("consumer.override.session.timeout.ms", "10000"),
            ("name", sink),
        ]),
        false,
        None,
    )
    .await
    .unwrap();
    topics_become(&h, sink, &[&topic]).await;
    eventually("the sink to write the first lines", || async {
        (lines(&output).len() == 10).then_some(())
    })
    .await;

    // Reset both: nothing listed while no new record flows.
    h.reset_connector_active_topics(src).await.unwrap();
    h.reset_connector_active_topics(sink).await.unwrap();
    assert!(h.connector_active_topics(src).await.unwrap().is_empty());
    assert!(h.connector_active_topics(sink).await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(h.connector_active_topics(src).await.unwrap().is_empty());
    assert!(h.connector_active_topics(sink).await.unwrap().is_empty());

    // New lines: the source produces, the sink consumes, both list the topic again.
    append(&input, 10, 20);
    topics_become(&h, src, &[&topic]).await;
    topics_become(&h, sink, &[&topic]).await;
    eventually("the sink to write the new lines", || async {
        (lines(&output).len() == 20).then_some(())
    })
    .await;

    // A deleted connector's topics are forgotten.
    h.delete_connector(src).await.unwrap();
    assert!(h.connector_active_topics(src).await.unwrap().is_empty());
    assert_eq!(
        h.connector_active_topics(sink).await.unwrap(),
        vec![topic.clone()]
    );
    h.delete_connector(sink).await.unwrap();
    assert!(h.connector_active_topics(sink).await.unwrap().is_empty());
    h.shutdown().await;
    for f in [&input, &output, &offsets_file] {
        let _ = std::fs::remove_file(f);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_tracking_and_reset_answer_403() {
    let offsets_file = temp_path("topics-off-offsets", "json");
    let off = herder_with(&offsets_file, &[("topic.tracking.enable", "false")]).await;
    assert_eq!(
        off.connector_active_topics("any").await.unwrap_err(),
        Error::topic_tracking_disabled()
    );
    assert_eq!(
        off.reset_connector_active_topics("any").await.unwrap_err(),
        Error::topic_tracking_disabled()
    );
    off.shutdown().await;

    let no_reset = herder_with(&offsets_file, &[("topic.tracking.allow.reset", "FALSE")]).await;
    assert!(
        no_reset
            .connector_active_topics("any")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        no_reset
            .reset_connector_active_topics("any")
            .await
            .unwrap_err(),
        Error::topic_tracking_reset_disabled()
    );
    no_reset.shutdown().await;

    let bad = temp_path("topics-bad-offsets", "json");
    let mut props = worker(&bad);
    props.insert("topic.tracking.enable".into(), "yes".into());
    let err = sluice_worker::herder::StandaloneHerder::start(
        sluice_worker::herder::StandaloneConfig {
            worker: props,
            worker_id: "127.0.0.1:8083".into(),
            kafka_cluster_id: "test-cluster".into(),
        },
        std::sync::Arc::new(Builtins(sluice_builtin::registry::PluginRegistry::new(
            sluice_builtin::registry::builtin_plugins(),
        ))),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("topic.tracking.enable"), "{err}");
    for f in [&offsets_file, &bad] {
        let _ = std::fs::remove_file(f);
    }
}
