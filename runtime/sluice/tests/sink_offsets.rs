//! KIP-875 for a sink connector on a standalone worker against the real broker: with the
//! connector STOPPED, `GET /offsets` shows its consumer group's committed offsets, `PATCH`
//! rewinds them (the resumed sink writes the rewound records again), and `DELETE` resets them
//! (no committed offset left); a `null` offset for one partition is refused with a 400.

mod worker_process;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sluice_worker::kafka::{Admin, Properties};
use worker_process::{Worker, free_port, temp};

async fn send(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sink_offsets_are_read_altered_and_reset_while_stopped() {
    let kafka = sluice_testkit::services().kafka();
    let props: Properties = [("bootstrap.servers".to_string(), kafka.bootstrap.clone())].into();
    let topic = sluice_testkit::unique_name("sinkoff");
    let admin = Admin::new(&props, &Properties::new(), Duration::from_secs(30)).unwrap();
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());

    let input = temp("sinkoff-in", "txt");
    let output = temp("sinkoff-out", "txt");
    std::fs::write(
        &input,
        (0..5).map(|i| format!("line {i}\n")).collect::<String>(),
    )
    .unwrap();
    let port = free_port();
    let worker_file = temp("sinkoff-worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\noffset.storage.file.filename={}\n\
             offset.flush.interval.ms=500\nkey.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.storage.StringConverter\n",
            kafka.bootstrap,
            temp("sinkoff-offsets", "json").display()
        ),
    )
    .unwrap();
    let mut w = Worker::start(port, &worker_file, &[]);
    let http = reqwest::Client::new();
    let base = w.base.clone();
    wait_for("the REST API", async || {
        http.get(&base).send().await.is_ok()
    })
    .await;
    let (s, _) = send(&http, "POST", &format!("{base}/connectors"), Some(json!({"name": "src", "config": {
        "connector.class": "FileStreamSource", "file": input.display().to_string(), "topic": topic}}))).await;
    assert_eq!(s, 201);
    let sink = "sink-offsets";
    let (s, _) = send(&http, "POST", &format!("{base}/connectors"), Some(json!({"name": sink, "config": {
        "connector.class": "FileStreamSink", "file": output.display().to_string(), "topics": topic}}))).await;
    assert_eq!(s, 201);
    w.wait_running(&http, &["src", sink]).await;
    wait_for("the sink's five lines", async || lines(&output).len() == 5).await;

    // Stopped: the committed offset is readable and can be rewound.
    let offsets_url = format!("{base}/connectors/{sink}/offsets");
    let (s, _) = send(&http, "PATCH", &offsets_url, Some(json!({"offsets": []}))).await;
    assert_eq!(s, 400, "offsets change only while STOPPED");
    assert_eq!(
        send(
            &http,
            "PUT",
            &format!("{base}/connectors/{sink}/stop"),
            None
        )
        .await
        .0,
        204
    );
    let partition = json!({"kafka_topic": topic, "kafka_partition": 0});
    wait_for("the committed offset 5", async || {
        let (_, v) = send(&http, "GET", &offsets_url, None).await;
        v["offsets"] == json!([{"partition": partition, "offset": {"kafka_offset": 5}}])
    })
    .await;
    let (s, body) = send(
        &http,
        "PATCH",
        &offsets_url,
        Some(json!({"offsets": [{"partition": partition, "offset": null}]})),
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("DELETE"),
        "{body}"
    );
    let (s, body) = send(
        &http,
        "PATCH",
        &offsets_url,
        Some(json!({"offsets": [{"partition": partition, "offset": {"kafka_offset": 2}}]})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("altered successfully")
    );
    let (_, v) = send(&http, "GET", &offsets_url, None).await;
    assert_eq!(
        v["offsets"],
        json!([{"partition": partition, "offset": {"kafka_offset": 2}}])
    );

    // Resumed, the sink writes records 2..5 again.
    assert_eq!(
        send(
            &http,
            "PUT",
            &format!("{base}/connectors/{sink}/resume"),
            None
        )
        .await
        .0,
        202
    );
    wait_for("the rewound lines", async || lines(&output).len() == 8).await;
    assert_eq!(&lines(&output)[5..], ["line 2", "line 3", "line 4"]);

    // Reset: no committed offset left.
    assert_eq!(
        send(
            &http,
            "PUT",
            &format!("{base}/connectors/{sink}/stop"),
            None
        )
        .await
        .0,
        204
    );
    let (s, body) = send(&http, "DELETE", &offsets_url, None).await;
    assert_eq!(s, 200, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("reset successfully")
    );
    let (_, v) = send(&http, "GET", &offsets_url, None).await;
    assert_eq!(v["offsets"], json!([]), "{v}");
    w.terminate().await;
}
