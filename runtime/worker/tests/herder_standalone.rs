//! The standalone herder end to end on the real broker: a FileStreamSource publishes a file's
//! lines, a FileStreamSink writes them back to another file; pause, resume, stop (with the
//! source's stored offset read back through the offsets API), reset offsets, and delete.

mod herder_common;

use std::io::Write;
use std::time::Duration;

use herder_common::*;
use serde_json::json;
use sluice_rest::{ConnectorType, Error, Herder, State};
use sluice_worker::kafka::{Admin, Properties, TopicReader};

async fn states(h: &impl Herder, name: &str) -> Option<(State, Vec<State>)> {
    let s = h.connector_status(name).await.ok()?;
    Some((s.connector.state, s.tasks.iter().map(|t| t.state).collect()))
}

async fn wait_states(h: &impl Herder, name: &str, want: State, tasks: usize) {
    eventually(&format!("{name} to be {want:?}"), || async {
        let (c, t) = states(h, name).await?;
        (c == want && t.len() == tasks && t.iter().all(|s| *s == want)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_source_to_file_sink_through_the_standalone_herder() {
    let offsets_file = temp_path("offsets", "json");
    let input = temp_path("input", "txt");
    let output = temp_path("output", "txt");
    let first: Vec<String> = (0..500).map(|i| format!("line {i}")).collect();
    std::fs::write(&input, first.join("\n") + "\n").unwrap();
    let topic = sluice_testkit::unique_name("herder-lines");
    let worker = worker(&offsets_file);
    let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30)).unwrap();
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());
    let h = herder(&offsets_file).await;

    // Create the source: validated, written, started, RUNNING.
    let src = "file-source";
    let update = h
        .put_connector_config(
            src,
            config(&[
                ("connector.class", "FileStreamSource"),
                ("file", input.to_str().unwrap()),
                ("topic", &topic),
                (
                    "key.converter",
                    "org.apache.kafka.connect.storage.StringConverter",
                ),
                (
                    "value.converter",
                    "org.apache.kafka.connect.storage.StringConverter",
                ),
                ("name", src),
            ]),
            false,
            None,
        )
        .await
        .unwrap();
    assert!(update.created);
    assert_eq!(update.info.connector_type, ConnectorType::Source);
    assert_eq!(update.info.tasks.len(), 1);
    wait_states(&h, src, State::Running, 1).await;
    let again = h
        .put_connector_config(src, update.info.config.clone(), false, None)
        .await
        .unwrap_err();
    assert_eq!(again, Error::already_exists(src));

    // The lines are in Kafka, in order.
    let mut reader = TopicReader::open(&worker, &topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let mut values = Vec::new();
    let deadline = std::time::Instant::now() + WAIT;
    while values.len() < first.len() && std::time::Instant::now() < deadline {
        for r in reader.read_to_end(WAIT).await.unwrap() {
            values.push(String::from_utf8(r.value.unwrap().to_vec()).unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(values, first);

    // A sink writes them back out.
    let sink = "file-sink";
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
            ("offset.flush.interval.ms", "500"),
            ("consumer.override.session.timeout.ms", "10000"),
            ("name", sink),
        ]),
        false,
        None,
    )
    .await
    .unwrap();
    wait_states(&h, sink, State::Running, 1).await;
    eventually("the sink's file to hold every line", || async {
        (lines(&output) == first).then_some(())
    })
    .await;

    // Pause, then resume with new lines appended meanwhile: they arrive after the resume.
    h.pause_connector(src).await.unwrap();
    wait_states(&h, src, State::Paused, 1).await;
    let second: Vec<String> = (500..600).map(|i| format!("line {i}")).collect();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .unwrap();
    f.write_all((second.join("\n") + "\n").as_bytes()).unwrap();
    drop(f);
    h.resume_connector(src).await.unwrap();
    wait_states(&h, src, State::Running, 1).await;
    let all: Vec<String> = first.iter().chain(&second).cloned().collect();
    eventually("the appended lines to reach the sink's file", || async {
        (lines(&output) == all).then_some(())
    })
    .await;

    // Stop: STOPPED, no tasks, and the offsets API shows the file position (flushed at stop).
    h.stop_connector(src).await.unwrap();
    let status = h.connector_status(src).await.unwrap();
    assert_eq!(status.connector.state, State::Stopped);
    assert!(status.tasks.is_empty(), "{status:?}");
    assert!(h.task_configs(src).await.unwrap().is_empty());
    let length = std::fs::metadata(&input).unwrap().len();
    let offsets = h.connector_offsets(src).await.unwrap();
    assert_eq!(offsets.offsets.len(), 1, "{offsets:?}");
    assert_eq!(
        serde_json::Value::Object(offsets.offsets[0].partition.clone()),
        json!({ "filename": input.to_str().unwrap() })
    );
    assert_eq!(
        offsets.offsets[0]
            .offset
            .clone()
            .map(serde_json::Value::Object),
        Some(json!({ "position": length }))
    );
    // Offsets of a running connector cannot change; of a stopped one they can be reset.
    assert_eq!(
        h.reset_connector_offsets(sink).await.unwrap_err(),
        Error::offsets_need_stopped(sink)
    );
    h.reset_connector_offsets(src).await.unwrap();
    assert!(h.connector_offsets(src).await.unwrap().offsets.is_empty());

    // The sink's committed consumer offsets are its offsets.
    let sink_offsets = eventually("the sink to commit its offsets", || async {
        let o = h.connector_offsets(sink).await.unwrap();
        let done = o.offsets.first().and_then(|o| o.offset.clone())
            == Some(
                json!({ "kafka_offset": all.len() })
                    .as_object()
                    .unwrap()
                    .clone(),
            );
        done.then_some(o)
    })
    .await;
    assert_eq!(
        serde_json::Value::Object(sink_offsets.offsets[0].partition.clone()),
        json!({ "kafka_topic": topic, "kafka_partition": 0 })
    );

    // Delete both: gone from every answer.
    h.delete_connector(src).await.unwrap();
    h.delete_connector(sink).await.unwrap();
    assert_eq!(
        h.connector_info(src).await.unwrap_err(),
        Error::connector_not_found(src)
    );
    assert_eq!(
        h.connector_status(sink).await.unwrap_err(),
        Error::no_connector_status(sink)
    );
    assert!(h.connectors().await.unwrap().is_empty());
    h.shutdown().await;
    for f in [&input, &output, &offsets_file] {
        let _ = std::fs::remove_file(f);
    }
}
