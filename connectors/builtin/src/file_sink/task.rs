//! The FileStreamSink task: `put` renders values into an in-memory buffer, `flush` appends the
//! buffer to the file (or standard output) and flushes it to the operating system, as Java's
//! `PrintStream.flush` does (no `fsync`). Memory stays bounded: `put` writes the buffer out
//! early once it holds [`WRITE_THRESHOLD`] bytes (writing early is always safe; only what is
//! committed must have been written).

use std::path::PathBuf;

use sluice_api::SinkRecord;
use sluice_api::connector::{
    CommitOffsets, ConnectError, ConnectResult, SinkTask, SinkTaskContext, TaskConfig,
};
use tokio::io::AsyncWriteExt;

use super::FileSinkConfig;
use super::text::value_text;
use crate::error::Error;

/// Buffered bytes above which `put` writes them out without waiting for a flush.
pub const WRITE_THRESHOLD: usize = 1 << 20;

#[derive(Debug)]
enum Output {
    File(tokio::fs::File),
    Stdout(tokio::io::Stdout),
}

/// The FileStreamSink task (see the module doc).
#[derive(Debug, Default)]
pub struct FileStreamSinkTask {
    label: String,
    output: Option<Output>,
    /// Rendered lines not yet written out.
    buffer: String,
}

impl FileStreamSinkTask {
    fn io(&self, action: &'static str, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: PathBuf::from(&self.label),
            source,
        }
    }
}

impl SinkTask for FileStreamSinkTask {
    async fn start(&mut self, props: TaskConfig, _ctx: SinkTaskContext) -> ConnectResult<()> {
        let config = FileSinkConfig::parse(&props)?;
        match config.file {
            None => {
                self.label = "stdout".into();
                self.output = Some(Output::Stdout(tokio::io::stdout()));
            }
            Some(file) => {
                self.label = file;
                let opened = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.label)
                    .await;
                match opened {
                    Ok(f) => self.output = Some(Output::File(f)),
                    Err(e) => return Err(self.io("open for appending", e).into()),
                }
            }
        }
        Ok(())
    }

    async fn put(&mut self, records: &[SinkRecord]) -> ConnectResult<()> {
        for r in records {
            tracing::trace!(file = %self.label, "Buffering a line.");
            self.buffer.push_str(&value_text(&r.value));
            self.buffer.push('\n');
        }
        if self.buffer.len() >= WRITE_THRESHOLD {
            self.write_buffer().await?;
        }
        Ok(())
    }

    async fn flush(&mut self, _offsets: &CommitOffsets) -> ConnectResult<()> {
        self.write_buffer().await
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        // Nothing buffered is written here: its offsets were not committed, so it is consumed
        // again by the next owner of the partitions.
        self.buffer.clear();
        self.output = None;
        Ok(())
    }
}

impl FileStreamSinkTask {
    /// Appends the buffer to the output and flushes it to the operating system.
    async fn write_buffer(&mut self) -> ConnectResult<()> {
        let result = match self.output.as_mut() {
            None => {
                return Err(ConnectError::definite(
                    "The file sink task was flushed before it was started.",
                ));
            }
            Some(Output::File(f)) => write_out(f, &self.buffer).await,
            Some(Output::Stdout(s)) => write_out(s, &self.buffer).await,
        };
        match result {
            Ok(()) => {
                self.buffer.clear();
                Ok(())
            }
            // The buffer is kept: the next flush writes it again. Part of it may already be
            // in the file, so a retried flush may append some lines twice (at-least-once).
            Err(e) => Err(self.io("write to", e).into()),
        }
    }
}

async fn write_out(
    w: &mut (impl tokio::io::AsyncWrite + Unpin + Send),
    text: &str,
) -> std::io::Result<()> {
    w.write_all(text.as_bytes()).await?;
    w.flush().await
}
