//! The standalone herder's answers beyond the happy path: validation with Kafka's messages,
//! plugins, a connector created STOPPED whose offsets are set before its first run (and are
//! then honoured), a task that fails and its restart, loggers, server info and shutdown.

mod herder_common;

use std::time::Duration;

use herder_common::*;
use serde_json::json;
use sluice_rest::{
    ConnectorOffset, ConnectorOffsets, ConnectorTaskId, Error, Health, Herder, InitialState,
    LogLevel, PluginType, RestartRequest, State,
};
use sluice_worker::kafka::{Admin, Properties, TopicReader};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_and_plugins_answer_like_kafka_connect() {
    let offsets_file = temp_path("offsets", "json");
    let h = herder(&offsets_file).await;

    let e = h
        .put_connector_config(
            "no-class",
            config(&[("name", "no-class"), ("tasks.max", "1")]),
            false,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Connector config {name=no-class, tasks.max=1} contains no connector type"
    );
    let e = h
        .put_connector_config(
            "",
            config(&[
                ("connector.class", "FileStreamSource"),
                ("topic", "t"),
                ("name", ""),
            ]),
            false,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e,
        Error::invalid_config(&[
            "Invalid value  for configuration name: String may not be empty".into()
        ])
    );
    let e = h
        .put_connector_config(
            "x",
            config(&[("connector.class", "NoSuchConnector"), ("name", "x")]),
            false,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::BadRequest(m) if m.contains("NoSuchConnector")),
        "{e:?}"
    );
    let bad = config(&[
        ("connector.class", "FileStreamSource"),
        ("name", "bad"),
        ("tasks.max", "0"),
        ("value.converter", "com.example.NoConverter"),
    ]);
    let infos = h
        .validate_connector_config("FileStreamSource", bad.clone())
        .await
        .unwrap();
    assert_eq!(
        infos.name,
        "org.apache.kafka.connect.file.FileStreamSourceConnector"
    );
    let errors = infos.error_messages();
    assert_eq!(infos.error_count, 3, "{errors:?}"); // tasks.max, value.converter, topic
    assert!(errors.iter().any(|e| e.contains("tasks.max")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("topic")), "{errors:?}");
    let e = h
        .put_connector_config("bad", bad, false, None)
        .await
        .unwrap_err();
    assert_eq!(e, Error::invalid_config(&errors));
    assert!(
        h.connectors().await.unwrap().is_empty(),
        "nothing was created"
    );

    let plugins = h.plugins().await.unwrap();
    assert_eq!(
        plugins[0].plugin_type,
        PluginType::Sink,
        "sinks first: {plugins:?}"
    );
    assert!(
        plugins
            .iter()
            .any(|p| p.class_name.ends_with("FileStreamSourceConnector"))
    );
    let def = h.plugin_config("FileStreamSink").await.unwrap();
    assert!(def.key("file").is_some());
    assert_eq!(
        h.plugin_config("Nope").await.unwrap_err(),
        Error::unknown_plugin("Nope")
    );

    assert_eq!(
        h.server_info().await.unwrap().kafka_cluster_id,
        "test-cluster"
    );
    assert_eq!(
        h.set_worker_logger_level("io.sluice", LogLevel::Debug)
            .await
            .unwrap(),
        ["io.sluice"]
    );
    let level = h.logger("io.sluice").await.unwrap();
    assert_eq!(level.level, "DEBUG");
    assert!(level.last_modified.is_some());
    assert!(h.loggers().await.unwrap().contains_key("root"));

    assert_eq!(h.health().await, Health::Ready);
    h.shutdown().await;
    assert!(matches!(h.health().await, Health::Unhealthy(_)));
    assert!(matches!(h.connectors().await, Err(Error::Unavailable(_))));
    let _ = std::fs::remove_file(&offsets_file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_set_while_stopped_are_where_the_source_resumes() {
    let offsets_file = temp_path("offsets", "json");
    let input = temp_path("input", "txt");
    let lines: Vec<String> = (0..20).map(|i| format!("row {i:02}")).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let worker = worker(&offsets_file);
    let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30)).unwrap();
    let topic = sluice_testkit::unique_name("herder-offsets");
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());
    let h = herder(&offsets_file).await;
    let name = "resume-here";
    let info = h
        .put_connector_config(
            name,
            config(&[
                ("connector.class", "FileStreamSource"),
                ("file", input.to_str().unwrap()),
                ("topic", &topic),
                ("value.converter", "StringConverter"),
                ("name", name),
            ]),
            false,
            Some(InitialState::Stopped),
        )
        .await
        .unwrap()
        .info;
    assert!(info.tasks.is_empty(), "created STOPPED: no tasks");
    assert_eq!(
        h.connector_status(name).await.unwrap().connector.state,
        State::Stopped
    );
    // Skip the first 15 lines (7 bytes each: "row NN\n").
    let partition = json!({ "filename": input.to_str().unwrap() });
    let offset = json!({ "position": 15 * 7 });
    h.alter_connector_offsets(
        name,
        ConnectorOffsets {
            offsets: vec![ConnectorOffset {
                partition: partition.as_object().unwrap().clone(),
                offset: Some(offset.as_object().unwrap().clone()),
            }],
        },
    )
    .await
    .unwrap();
    let read = h.connector_offsets(name).await.unwrap();
    assert_eq!(read.offsets[0].offset, offset.as_object().cloned());

    h.resume_connector(name).await.unwrap();
    eventually("the source to run", || async {
        let s = h.connector_status(name).await.ok()?;
        (s.connector.state == State::Running
            && s.tasks.len() == 1
            && s.tasks[0].state == State::Running)
            .then_some(())
    })
    .await;
    let mut reader = TopicReader::open(&worker, &topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let mut values = Vec::new();
    let deadline = std::time::Instant::now() + WAIT;
    while values.len() < 5 && std::time::Instant::now() < deadline {
        for r in reader.read_to_end(WAIT).await.unwrap() {
            values.push(String::from_utf8(r.value.unwrap().to_vec()).unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        values,
        lines[15..].to_vec(),
        "resumed at the altered offset"
    );

    // Restart with its tasks: every instance shows RESTARTING in the answer, then RUNNING.
    let plan = h
        .restart_connector_and_tasks(RestartRequest {
            connector: name.into(),
            only_failed: false,
            include_tasks: true,
        })
        .await
        .unwrap();
    assert_eq!(plan.connector.state, State::Restarting);
    assert_eq!(plan.tasks[0].state, State::Restarting);
    eventually("the restarted task to run", || async {
        let s = h
            .task_status(&ConnectorTaskId {
                connector: name.into(),
                task: 0,
            })
            .await
            .ok()?;
        (s.state == State::Running).then_some(())
    })
    .await;
    assert_eq!(
        h.restart_task(&ConnectorTaskId {
            connector: name.into(),
            task: 7
        })
        .await
        .unwrap_err(),
        Error::unknown_task(name, 7)
    );
    h.shutdown().await;
    for f in [&input, &offsets_file] {
        let _ = std::fs::remove_file(f);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_cannot_start_is_failed_with_its_reason_and_restartable() {
    let offsets_file = temp_path("offsets", "json");
    let h = herder(&offsets_file).await;
    let name = "bad-client";
    h.put_connector_config(
        name,
        config(&[
            ("connector.class", "FileStreamSource"),
            ("file", "/nonexistent"),
            ("topic", "never"),
            ("producer.override.no.such.librdkafka.property", "1"),
            ("name", name),
        ]),
        false,
        None,
    )
    .await
    .unwrap();
    let status = h.connector_status(name).await.unwrap();
    assert_eq!(
        status.connector.state,
        State::Running,
        "the connector itself runs"
    );
    assert_eq!(status.tasks[0].state, State::Failed);
    let trace = status.tasks[0].trace.clone().unwrap();
    assert!(trace.contains("no.such.librdkafka.property"), "{trace}");

    let plan = h
        .restart_connector_and_tasks(RestartRequest {
            connector: name.into(),
            only_failed: true,
            include_tasks: true,
        })
        .await
        .unwrap();
    assert_eq!(
        plan.connector.state,
        State::Running,
        "not failed: not restarted"
    );
    assert_eq!(plan.tasks[0].state, State::Restarting);
    assert_eq!(
        h.task_status(&ConnectorTaskId {
            connector: name.into(),
            task: 0
        })
        .await
        .unwrap()
        .state,
        State::Failed,
        "fails again for the same reason"
    );
    h.delete_connector(name).await.unwrap();
    assert_eq!(
        h.delete_connector(name).await.unwrap_err(),
        Error::connector_not_found(name)
    );
    h.shutdown().await;
    let _ = std::fs::remove_file(&offsets_file);
}
