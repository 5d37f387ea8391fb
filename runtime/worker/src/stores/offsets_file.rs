//! The offset store of standalone mode: a local file (`offset.storage.file.filename`), Kafka
//! Connect's `FileOffsetBackingStore`.
//!
//! # Format (not Java's)
//! Java writes this file with Java object serialization of a `HashMap<ByteBuffer, ByteBuffer>`,
//! which Sluice cannot reasonably produce or read. Sluice writes **JSON lines** instead, one per
//! source partition, holding the same key and value bytes Kafka Connect would put on the offsets
//! topic, as JSON strings:
//!
//! ```text
//! {"key":"[\"inventory\",{\"server\":\"dbserver1\"}]","value":"{\"lsn\":478745872}"}
//! ```
//!
//! So offsets move between the file and an offsets topic byte for byte (e.g. with a script), but
//! a file written by Java is refused at start with an error saying so, rather than misread.
//!
//! # Durability
//! [`OffsetStore::set`] writes the complete new table to `<file>.tmp`, fsyncs it, renames it
//! over the file and fsyncs the directory; only then does `get` answer the new offsets. The
//! rename is atomic, so after a crash the file holds either the old or the new table, never a
//! torn one. Writers are serialized, so two batches cannot interleave their files.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex as AsyncMutex;

use super::lock;
use super::offsets::{
    OffsetStore, OffsetTable, OffsetWrite, SourceOffset, SourcePartition, encode_batch,
};
use crate::kafka::Properties;
use crate::{Error, Result};

/// `offset.storage.file.filename`.
pub const OFFSET_STORAGE_FILE: &str = "offset.storage.file.filename";

/// One line of the file.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    key: String,
    value: String,
}

/// Offsets kept in a local file (see the module doc).
#[derive(Debug)]
pub struct FileOffsetStore {
    path: PathBuf,
    table: Arc<Mutex<OffsetTable>>,
    /// Serializes file writes.
    writer: AsyncMutex<()>,
}

impl FileOffsetStore {
    /// A store in `path`; the file is read by [`OffsetStore::start`] (absent = no offsets yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileOffsetStore {
            path: path.into(),
            table: Arc::new(Mutex::new(OffsetTable::default())),
            writer: AsyncMutex::new(()),
        }
    }

    /// A store in the file named by the worker's `offset.storage.file.filename`.
    pub fn from_worker(worker: &Properties) -> Result<Self> {
        match worker.get(OFFSET_STORAGE_FILE).map(|v| v.trim()) {
            Some(v) if !v.is_empty() => Ok(Self::new(v)),
            _ => Err(Error::Config {
                key: OFFSET_STORAGE_FILE.into(),
                message: "missing; standalone workers keep source offsets in this file (e.g. \
                          /var/lib/sluice/connect.offsets)"
                    .into(),
            }),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn io_error(path: &Path, operation: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::OffsetFile {
        path,
        operation,
        source,
    }
}

/// Reads the file into a table; a missing file is an empty table.
fn load(path: &Path) -> Result<OffsetTable> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OffsetTable::default()),
        Err(e) => return Err(io_error(path, "read")(e)),
    };
    let corrupt = |line: usize, message: String| Error::OffsetFileCorrupt {
        path: path.to_path_buf(),
        line,
        message,
    };
    if bytes.starts_with(&[0xac, 0xed]) {
        return Err(corrupt(
            1,
            "it is a Java serialization stream (written by Java Kafka Connect)".into(),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| corrupt(1, e.to_string()))?;
    let mut table = OffsetTable::default();
    for (i, l) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line: Line = serde_json::from_str(l).map_err(|e| corrupt(i + 1, e.to_string()))?;
        table.apply_raw(line.key.as_bytes(), Some(line.value.as_bytes()), None);
    }
    Ok(table)
}

/// Writes `contents` to `path` atomically (temp file, fsync, rename, fsync the directory).
fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = File::create(&tmp).map_err(io_error(&tmp, "create"))?;
    file.write_all(contents).map_err(io_error(&tmp, "write"))?;
    file.sync_all().map_err(io_error(&tmp, "sync"))?;
    drop(file);
    fs::rename(&tmp, path).map_err(io_error(path, "replace"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // The rename is durable once the directory entry is; a directory cannot be opened for
    // syncing on every platform, so a failure to open it is not an error.
    if let Ok(d) = File::open(dir) {
        d.sync_all()
            .map_err(io_error(dir, "sync the directory of"))?;
    }
    Ok(())
}

fn render(table: &OffsetTable) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in table.raw() {
        // Keys and values are sluice-protocol's JSON, always UTF-8 (the lossy conversion never
        // replaces anything).
        let line = Line {
            key: String::from_utf8_lossy(key).into_owned(),
            value: String::from_utf8_lossy(value).into_owned(),
        };
        // Serializing two strings cannot fail.
        if let Ok(json) = serde_json::to_vec(&line) {
            out.extend_from_slice(&json);
            out.push(b'\n');
        }
    }
    out
}

impl OffsetStore for FileOffsetStore {
    async fn start(&mut self) -> Result<()> {
        let path = self.path.clone();
        let table = tokio::task::spawn_blocking(move || load(&path))
            .await
            .map_err(|e| io_error(&self.path, "read")(std::io::Error::other(e)))??;
        *lock(&self.table) = table;
        Ok(())
    }

    async fn stop(&mut self) -> Result<()> {
        // Every `set` was written through before it returned.
        Ok(())
    }

    async fn get(
        &self,
        connector: &str,
        partition: &SourcePartition,
    ) -> Result<Option<SourceOffset>> {
        Ok(lock(&self.table).get(connector, partition))
    }

    async fn set(&self, writes: Vec<OffsetWrite>) -> Result<()> {
        let _writer = self.writer.lock().await;
        let mut next = lock(&self.table).clone();
        for (key, value) in &encode_batch(&writes) {
            next.apply_raw(key, value.as_deref(), None);
        }
        let contents = render(&next);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_atomically(&path, &contents))
            .await
            .map_err(|e| io_error(&self.path, "write")(std::io::Error::other(e)))??;
        *lock(&self.table) = next;
        Ok(())
    }

    async fn partitions(&self, connector: &str) -> Result<Vec<SourcePartition>> {
        Ok(lock(&self.table).partitions(connector))
    }
}
