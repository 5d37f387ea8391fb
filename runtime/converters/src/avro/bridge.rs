//! Runs the registry's async HTTP calls for a synchronous caller.
//!
//! [`crate::Converter`] is synchronous, but it is called from async task loops (multi- or
//! current-thread Tokio runtimes) as well as from plain threads. Blocking on a future from inside a
//! runtime panics with Tokio's `block_on`, and `block_in_place` panics on a current-thread
//! runtime, so registry calls run on one dedicated thread owning a small current-thread runtime:
//! callers hand it a future and wait on a standard channel (or, from async code, await a oneshot).
//! This only happens on a cache miss — once a schema is known no record waits on this thread.
//! The thread ends when the converter is dropped (its job channel closes).

use std::future::Future;
use std::pin::Pin;

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The registry I/O thread.
#[derive(Debug)]
pub(crate) struct IoThread {
    jobs: mpsc::UnboundedSender<Job>,
}

fn stopped() -> Error {
    Error::Registry {
        request: "run a Schema Registry request".to_string(),
        message: "the converter's registry I/O thread has stopped".to_string(),
        error_code: None,
        retriable: true,
    }
}

impl IoThread {
    /// Starts the thread.
    pub(crate) fn start() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Registry {
                request: "start the registry I/O runtime".to_string(),
                message: e.to_string(),
                error_code: None,
                retriable: true,
            })?;
        let (jobs, mut rx) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("sluice-avro-registry".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = rx.recv().await {
                        tokio::spawn(job);
                    }
                });
            })
            .map_err(|e| Error::Registry {
                request: "start the registry I/O thread".to_string(),
                message: e.to_string(),
                error_code: None,
                retriable: true,
            })?;
        Ok(IoThread { jobs })
    }

    /// Runs `fut` on the I/O thread and blocks the caller until it completes.
    pub(crate) fn block_on<T, F>(&self, fut: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.jobs
            .send(Box::pin(async move {
                let _ = tx.send(fut.await);
            }))
            .map_err(|_| stopped())?;
        // Called from a worker thread of a multi-thread runtime (a source task loop converting
        // a record whose schema is new), plain blocking would also freeze the tasks queued on
        // this thread — a task in its LIFO slot cannot be stolen by the other workers — and
        // that can be the very Schema Registry the request waits for (a worker serving its
        // embedded registry), until the request times out. `block_in_place` hands this
        // thread's queue to another worker first.
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| rx.recv()).map_err(|_| stopped())
            }
            _ => rx.recv().map_err(|_| stopped()),
        }
    }

    /// Runs `fut` on the I/O thread and awaits it without blocking the caller's runtime.
    pub(crate) async fn run<T, F>(&self, fut: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Box::pin(async move {
                let _ = tx.send(fut.await);
            }))
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())
    }
}
