//! The hand-off between the reader (snapshot and stream, on a background task) and the
//! worker's `poll`: batches of at most `max.batch.size` records over a bounded channel of
//! `max.queue.size` records, so a slow Kafka slows the reader instead of filling memory. The
//! emitter also counts what it hands over ([`PgMetrics`]: events emitted, queue size), and
//! lends the task's metric handles to the snapshot and the stream.

use sluice_api::SourceRecord;
use tokio::sync::mpsc;

use super::metrics::PgMetrics;
use crate::error::Result;

/// What the reader sends: a batch, or the error that ended it.
pub type Batch = Result<Vec<SourceRecord>>;

/// Collects records into batches and sends them.
#[derive(Debug)]
pub struct Emitter {
    tx: mpsc::Sender<Batch>,
    batch: Vec<SourceRecord>,
    max: usize,
    metrics: PgMetrics,
}

/// The receiving side went away: the task is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

impl Emitter {
    /// An emitter of batches of at most `max` records and its receiver, holding at most
    /// `queue` records in flight; what it hands over is counted in `metrics` (the receiving
    /// side reports what it takes with [`PgMetrics::taken`]).
    pub fn channel(
        max: usize,
        queue: usize,
        metrics: PgMetrics,
    ) -> (Emitter, mpsc::Receiver<Batch>) {
        let (tx, rx) = mpsc::channel((queue / max.max(1)).max(1));
        (
            Emitter {
                tx,
                batch: Vec::with_capacity(max),
                max,
                metrics,
            },
            rx,
        )
    }

    /// The task's metric handles.
    pub fn metrics(&self) -> &PgMetrics {
        &self.metrics
    }

    /// Adds a record, first sending the batch if it is full: the last record pushed stays
    /// here until [`Emitter::flush`], so [`Emitter::position_last`] can still give it a
    /// position.
    pub async fn push(&mut self, record: SourceRecord) -> Result<(), Stopped> {
        if self.batch.len() >= self.max {
            self.flush().await?;
        }
        self.batch.push(record);
        Ok(())
    }

    /// Gives the last record pushed the position `offset` if it has none (an empty source
    /// offset) and was not sent yet; whether it did.
    pub fn position_last(&mut self, offset: sluice_api::OffsetMap) -> bool {
        match self.batch.last_mut() {
            Some(last) if last.source_offset.is_empty() => {
                last.source_offset = offset;
                true
            }
            _ => false,
        }
    }

    /// Sends what is collected.
    pub async fn flush(&mut self) -> Result<(), Stopped> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.max));
        let n = batch.len();
        // Counted before the send, which may wait for room: the receiver may take the batch
        // (and subtract it) before the send returns.
        self.metrics.enqueued(n);
        match self.tx.send(Ok(batch)).await {
            Ok(()) => {
                self.metrics.emitted(n);
                Ok(())
            }
            Err(_) => {
                self.metrics.not_enqueued(n);
                Err(Stopped)
            }
        }
    }

    /// Sends the error that ends the reader (after what is collected).
    pub async fn fail(&mut self, error: crate::Error) {
        if self.flush().await.is_ok() {
            let _ = self.tx.send(Err(error)).await;
        }
    }
}
