//! A live `sluice standalone` (file offset store) or `sluice distributed` (fresh internal
//! topics, a group of one) process — the built binary — against the real broker, on a free
//! port; killed when dropped. Same approach as `standalone_cli.rs`. Its converters are the
//! reference worker's (`JsonConverter`, which `config/validate` shows as the converters'
//! defaults).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sluice_worker::kafka::{Admin, Properties};

/// How often the worker flushes source offsets. Long enough that the golden step "offsets
/// before the first flush" (a few requests after the create) runs before it, short enough that
/// the next step does not wait long for the flush.
pub const OFFSET_FLUSH_MS: u64 = 12_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A temp path with a unique name.
pub fn temp(prefix: &str, ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.{ext}", sluice_testkit::unique_name(prefix)))
}

/// The running worker; the process is killed and its files removed on drop.
#[derive(Debug)]
pub struct Worker {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The worker's stderr (its logs), kept for diagnosis.
    pub log: PathBuf,
    files: Vec<PathBuf>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

impl Worker {
    /// Starts `sluice standalone` on a free port and waits until `GET /` answers.
    pub async fn start(bootstrap: &str) -> Worker {
        let offsets = temp("conf-offsets", "json");
        let store = format!("offset.storage.file.filename={}\n", offsets.display());
        Self::spawn("standalone", bootstrap, &store, vec![offsets], "/").await
    }

    /// Starts `sluice distributed` on a free port with fresh internal topics and group, and
    /// waits until `GET /health` answers 200 (it joined the group and holds its assignment).
    pub async fn start_distributed(bootstrap: &str) -> Worker {
        let base = sluice_testkit::unique_name("conf-dist");
        let store = format!(
            "group.id={base}-group\n\
             config.storage.topic={base}-configs\nconfig.storage.replication.factor=1\n\
             offset.storage.topic={base}-offsets\noffset.storage.replication.factor=1\n\
             status.storage.topic={base}-status\nstatus.storage.replication.factor=1\n\
             session.timeout.ms=10000\n"
        );
        Self::spawn("distributed", bootstrap, &store, Vec::new(), "/health").await
    }

    async fn spawn(
        mode: &str,
        bootstrap: &str,
        store: &str,
        mut files: Vec<PathBuf>,
        ready: &str,
    ) -> Worker {
        let port = free_port();
        let worker_file = temp("conf-worker", "properties");
        let log = temp("conf-worker", "log");
        std::fs::write(
            &worker_file,
            format!(
                "bootstrap.servers={bootstrap}\n{store}\
                 offset.flush.interval.ms={OFFSET_FLUSH_MS}\n\
                 key.converter=org.apache.kafka.connect.json.JsonConverter\n\
                 value.converter=org.apache.kafka.connect.json.JsonConverter\n\
                 listeners=http://127.0.0.1:{port}\n",
            ),
        )
        .unwrap();
        files.push(worker_file.clone());
        let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .arg(mode)
            .arg(&worker_file)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the sluice binary starts");
        let worker = Worker {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            files,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(r) = client.get(format!("{}{ready}", worker.base)).send().await
                && r.status().is_success()
            {
                return worker;
            }
            assert!(
                Instant::now() < deadline,
                "sluice {mode} did not serve {ready} within 90 s; log: {}",
                worker.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A new one-partition topic.
pub async fn topic(bootstrap: &str, prefix: &str) -> String {
    let worker: Properties = [("bootstrap.servers".to_string(), bootstrap.to_string())].into();
    let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30)).unwrap();
    let name = sluice_testkit::unique_name(prefix);
    assert!(admin.create_topic(&name, 1, 1, &[]).await.unwrap());
    name
}
