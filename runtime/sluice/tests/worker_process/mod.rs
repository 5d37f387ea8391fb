//! A `sluice standalone` process for tests that need the real binary: started on a free port
//! with a `worker.properties` and connector files, killed with SIGKILL (no chance to flush) or
//! stopped with SIGTERM (clean shutdown, which must exit 0).
// Shared by several test binaries, each using only some of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the worker may take to answer its REST API and run its connectors.
pub(crate) const WAIT: Duration = Duration::from_secs(90);

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh path in the temporary directory.
pub(crate) fn temp(prefix: &str, ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.{ext}", sluice_testkit::unique_name(prefix)))
}

/// A running `sluice standalone`; dropped, it is killed (so a failing test leaves no process).
#[derive(Debug)]
pub(crate) struct Worker {
    child: Child,
    /// The REST API's base URL.
    pub(crate) base: String,
}

impl Worker {
    /// Starts `sluice standalone worker_file connectors…`; the worker file must set
    /// `listeners=http://127.0.0.1:<port>`.
    pub(crate) fn start(port: u16, worker_file: &Path, connectors: &[&Path]) -> Worker {
        let log = std::env::var("SLUICE_TEST_LOG").unwrap_or_else(|_| "warn".into());
        Worker::start_with(
            port,
            worker_file,
            connectors,
            &[("RUST_LOG", &log)],
            Stdio::inherit(),
        )
    }

    /// Like [`Worker::start`], with these environment variables and the child's stderr going
    /// to `stderr` (e.g. a file, to read its logs).
    pub(crate) fn start_with(
        port: u16,
        worker_file: &Path,
        connectors: &[&Path],
        env: &[(&str, &str)],
        stderr: Stdio,
    ) -> Worker {
        let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .arg("standalone")
            .arg(worker_file)
            .args(connectors)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("the sluice binary starts");
        Worker {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Waits until every connector in `names` and all its tasks are RUNNING.
    pub(crate) async fn wait_running(&mut self, client: &reqwest::Client, names: &[&str]) {
        let deadline = Instant::now() + WAIT;
        for name in names {
            let url = format!("{}/connectors/{name}/status", self.base);
            loop {
                if let Some(status) = self.exited() {
                    panic!("sluice exited ({status}) before connector '{name}' ran");
                }
                if let Ok(r) = client.get(&url).send().await
                    && r.status().is_success()
                    && let Ok(v) = r.json::<Value>().await
                    && running(&v)
                {
                    break;
                }
                assert!(Instant::now() < deadline, "timed out waiting for {url}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The peak resident set size so far (`VmHWM`), in bytes.
    pub(crate) fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap()
            * 1024
    }

    /// The exit status if the process has ended.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// SIGKILL, then reaps the process: nothing of the worker runs after this returns.
    pub(crate) fn kill_9(mut self) {
        signal("KILL", self.child.id());
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "a killed worker cannot exit 0: {status}");
    }

    /// SIGTERM, then waits (up to 60 s) for the worker to exit by itself; returns its status.
    pub(crate) async fn terminate(mut self) -> ExitStatus {
        signal("TERM", self.child.id());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(s) = self.exited() {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "sluice did not stop within 60 s of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn signal(name: &str, pid: u32) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} {pid} failed");
}

/// Whether a `/connectors/<name>/status` body says the connector and all its tasks run.
pub(crate) fn running(status: &Value) -> bool {
    status["connector"]["state"] == "RUNNING"
        && status["tasks"]
            .as_array()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["state"] == "RUNNING"))
}
