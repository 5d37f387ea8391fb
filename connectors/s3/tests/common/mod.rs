//! A byte-for-byte TCP forwarder between a store and the S3 server of the test suite that
//! keeps the head of every request: tests check what really went over the wire, while the
//! server's answers show the requests were still valid S3.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use sluice_files::ObjectStore;
use sluice_s3::{S3Store, S3StoreConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as seen on the wire: its request line and lower-cased headers.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) line: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads HTTP/1.1 requests from the client side of one connection, recording each head and
/// skipping its body by `content-length` (the SDK sends sized bodies).
struct RequestTap {
    buf: Vec<u8>,
    /// Body bytes of the current request still to skip.
    skip: usize,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl RequestTap {
    fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        loop {
            if self.skip > 0 {
                let n = self.skip.min(self.buf.len());
                self.buf.drain(..n);
                self.skip -= n;
                if self.skip > 0 {
                    return;
                }
            }
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                return;
            };
            let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
            self.buf.drain(..end + 4);
            let mut lines = head.split("\r\n");
            let line = lines.next().unwrap_or_default().to_string();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let seen = Seen { line, headers };
            self.skip = seen
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            self.seen.lock().unwrap().push(seen);
        }
    }
}

/// Listens on a free port and forwards every connection to `upstream`, recording requests.
async fn recording_forwarder(upstream: String) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let requests = async move {
                    let mut tap = RequestTap {
                        buf: Vec::new(),
                        skip: 0,
                        seen,
                    };
                    let mut chunk = vec![0u8; 64 * 1024];
                    loop {
                        match client_read.read(&mut chunk).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                tap.feed(&chunk[..n]);
                                if server_write.write_all(&chunk[..n]).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = server_write.shutdown().await;
                };
                let responses = async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    let _ = client_write.shutdown().await;
                };
                tokio::join!(requests, responses);
            });
        }
    });
    (format!("http://{addr}"), recorded)
}

fn pattern(len: usize) -> Bytes {
    (0..len).map(|i| (i.wrapping_mul(131) >> 3) as u8).collect()
}

/// A store on a fresh bucket named after `prefix`, reached through a forwarder in front of
/// the test suite's S3 server, with `customize` applied to its config; and what the forwarder saw.
pub(crate) async fn tapped_store(
    prefix: &str,
    customize: impl FnOnce(S3StoreConfig) -> S3StoreConfig,
) -> (S3Store, Arc<Mutex<Vec<Seen>>>) {
    let s3 = sluice_testkit::services().s3();
    let (endpoint, seen) = tap_s3().await;
    let config = S3StoreConfig::new(sluice_testkit::unique_name(prefix), s3.region)
        .with_endpoint(endpoint, true)
        .with_credentials(s3.access_key, s3.secret_key);
    let store = S3Store::connect(customize(config)).await.unwrap();
    store.create_bucket().await.unwrap();
    (store, seen)
}

/// A forwarder in front of the test suite's S3 server: its endpoint URL and what it saw.
async fn tap_s3() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let s3 = sluice_testkit::services().s3();
    let upstream = s3
        .endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    recording_forwarder(upstream).await
}

/// Writes `t/a.json` with one PutObject and `t/b.avro` with a two-part upload (5 MiB and 4
/// bytes) through `store`, and checks that both read back byte for byte.
pub(crate) async fn write_and_read_back(store: &S3Store) {
    let small = Bytes::from_static(b"{\"id\":1}\n");
    store.put("t/a.json", small.clone()).await.unwrap();
    let part = pattern(5 * 1024 * 1024);
    let mut upload = store.start_upload("t/b.avro").await.unwrap();
    upload.put_part(part.clone()).await.unwrap();
    upload.put_part(Bytes::from_static(b"tail")).await.unwrap();
    upload.complete().await.unwrap();

    assert_eq!(store.get("t/a.json").await.unwrap(), small);
    let mut whole = part.to_vec();
    whole.extend_from_slice(b"tail");
    assert_eq!(store.get("t/b.avro").await.unwrap(), Bytes::from(whole));
}
