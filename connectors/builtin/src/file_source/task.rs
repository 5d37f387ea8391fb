//! The FileStreamSource task: opens the file on its first poll (waiting for it to appear),
//! seeks to the stored position, and returns complete lines in batches of `batch.size`.
//!
//! Cancel safety: the only `.await`s in `poll` are opening/seeking (nothing is kept until they
//! finish, so a cancelled open is simply redone), reads (tokio's `File` and `Stdin` keep the
//! bytes of an interrupted read for the next one) and idle sleeps. Lines already split off
//! are kept in `self.pending`, so a dropped `poll` future loses nothing.

use std::io::SeekFrom;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sluice_api::connector::{
    ConnectError, ConnectResult, SourceTask, SourceTaskContext, TaskConfig,
};
use sluice_api::{OffsetMap, Schema, SourceRecord, Value};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::lines::LineBuffer;
use super::{FileSourceConfig, POSITION_FIELD, source_offset, source_partition};
use crate::error::Error;

/// How long a poll waits when there is nothing to read (Kafka waits one second too).
const IDLE_WAIT: Duration = Duration::from_secs(1);
/// How many bytes one read asks for.
const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug)]
enum Input {
    File(tokio::fs::File),
    Stdin(tokio::io::Stdin),
}

/// The FileStreamSource task (see the module doc).
#[derive(Debug, Default)]
pub struct FileStreamSourceTask {
    config: Option<FileSourceConfig>,
    ctx: Option<SourceTaskContext>,
    partition: OffsetMap,
    input: Option<Input>,
    lines: Option<LineBuffer>,
    chunk: Vec<u8>,
    pending: Vec<SourceRecord>,
}

impl FileStreamSourceTask {
    fn not_started() -> ConnectError {
        ConnectError::definite("The file source task was polled before it was started.")
    }

    /// Opens the input and positions it; `false` if the file does not exist yet.
    async fn open(&mut self) -> ConnectResult<bool> {
        let config = self.config.as_ref().ok_or_else(Self::not_started)?;
        let Some(file) = config.file.as_deref() else {
            self.input = Some(Input::Stdin(tokio::io::stdin()));
            self.lines = Some(LineBuffer::new(None));
            return Ok(true);
        };
        let path = PathBuf::from(file);
        let mut handle = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(
                    file,
                    "The file to read does not exist; waiting for it to be created."
                );
                return Ok(false);
            }
            Err(source) => {
                return Err(Error::Io {
                    action: "open",
                    path,
                    source,
                }
                .into());
            }
        };
        let ctx = self.ctx.as_ref().ok_or_else(Self::not_started)?;
        let stored = ctx.offset_reader().offset(&self.partition).await?;
        let position = match stored.as_ref().and_then(|o| o.get(POSITION_FIELD)) {
            None | Some(serde_json::Value::Null) => 0,
            Some(v) => v
                .as_i64()
                .and_then(|p| u64::try_from(p).ok())
                .ok_or_else(|| Error::BadOffset {
                    partition: serde_json::Value::Object(self.partition.clone()).to_string(),
                    offset: v.to_string(),
                    reason: format!("'{POSITION_FIELD}' must be a non-negative integer"),
                })?,
        };
        if position > 0 {
            tracing::debug!(file, position, "Resuming from the stored position.");
            handle
                .seek(SeekFrom::Start(position))
                .await
                .map_err(|source| Error::Io {
                    action: "seek in",
                    path: path.clone(),
                    source,
                })?;
        }
        self.input = Some(Input::File(handle));
        self.lines = Some(LineBuffer::new(Some(position)));
        Ok(true)
    }

    /// Moves complete lines from the buffer to `pending`, up to the batch size.
    fn split_lines(&mut self, topic: &str, batch_size: usize) {
        let Some(lines) = self.lines.as_mut() else {
            return;
        };
        while self.pending.len() < batch_size {
            let Some((line, position)) = lines.next_line() else {
                break;
            };
            let mut record = SourceRecord::new(
                self.partition.clone(),
                source_offset(position),
                topic,
                None,
                Value::Null,
                Some(Schema::string()),
                Value::String(line.into()),
            );
            record.timestamp = Some(now_millis());
            self.pending.push(record);
        }
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl SourceTask for FileStreamSourceTask {
    async fn start(&mut self, props: TaskConfig, ctx: SourceTaskContext) -> ConnectResult<()> {
        let config = FileSourceConfig::parse(&props)?;
        self.partition = source_partition(config.file.as_deref());
        self.config = Some(config);
        self.ctx = Some(ctx);
        self.chunk = vec![0; READ_CHUNK];
        Ok(())
    }

    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        let (topic, batch_size, label) = {
            let c = self.config.as_ref().ok_or_else(Self::not_started)?;
            let label = c.file.clone().unwrap_or_else(|| "stdin".into());
            (c.topic.clone(), c.batch_size, label)
        };
        if self.input.is_none() && !self.open().await? {
            tokio::time::sleep(IDLE_WAIT).await;
            return Ok(Vec::new());
        }
        loop {
            self.split_lines(&topic, batch_size);
            let is_stdin = matches!(self.input, Some(Input::Stdin(_)));
            // Standard input blocks until data arrives: return what is ready instead.
            if self.pending.len() >= batch_size || (is_stdin && !self.pending.is_empty()) {
                break;
            }
            let read = match self.input.as_mut() {
                Some(Input::File(f)) => f.read(&mut self.chunk).await,
                Some(Input::Stdin(s)) => s.read(&mut self.chunk).await,
                None => return Err(Self::not_started()),
            };
            let n = read.map_err(|source| Error::Io {
                action: "read",
                path: PathBuf::from(&label),
                source,
            })?;
            if n == 0 {
                break;
            }
            if let Some(lines) = self.lines.as_mut() {
                lines.push(&self.chunk[..n]);
            }
        }
        if self.pending.is_empty() {
            tokio::time::sleep(IDLE_WAIT).await;
            return Ok(Vec::new());
        }
        let n = self.pending.len().min(batch_size);
        Ok(self.pending.drain(..n).collect())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        self.input = None;
        self.lines = None;
        self.pending.clear();
        Ok(())
    }
}
