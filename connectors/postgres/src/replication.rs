//! The replication stream: decoded `pgoutput` messages from a logical slot, and the flushed
//! position reported back to the server.
//!
//! Transport is `pgwire-replication`: it authenticates, sends `START_REPLICATION … LOGICAL
//! <lsn> (proto_version '1', publication_names '…', messages 'true')`, answers keepalives and
//! sends standby status updates carrying the position [`ReplicationStream::confirm_flushed`]
//! was given. It hands over most payloads raw (decoded here by [`crate::pgoutput::decode`]),
//! but decodes Begin, Commit and logical Message itself and delivers them as its own events
//! without the payload. Those are mapped back to [`Message`] values losslessly, except that
//! the Commit flags (unused by protocol version 1, always 0) and the `XLogData` header
//! positions of those three messages are not available ([`WalMessage::wal_start`] is `None`).
//!
//! # Positions and confirmation
//! The server resumes a logical slot at its `confirmed_flush_lsn`, whatever earlier start LSN is
//! requested, and advances it only from standby status updates. So nothing is lost as long as
//! the consumer confirms a position only after everything before it is durable; the natural
//! position is a [`crate::pgoutput::Commit::end_lsn`]. Until the first confirmation the stream
//! reports its start LSN, which never moves the slot backwards (the server ignores that).

use std::time::Duration;

use pgwire_replication::{ReplicationClient, ReplicationEvent};

use crate::connection::{PgConnectionConfig, validate_publication_name, validate_slot_name};
use crate::error::{Error, Result};
use crate::lsn::Lsn;
use crate::pgoutput::{self, Begin, Commit, LogicalMessage, Message};

/// What to stream.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// The logical slot (created with `pgoutput`).
    pub slot: String,
    /// The publications whose tables are streamed.
    pub publications: Vec<String>,
    /// Where to start: the slot's consistent point or the last durable position.
    pub start_lsn: Lsn,
    /// The longest a confirmed position waits before it is sent to the server.
    pub status_interval: Duration,
}

impl StreamOptions {
    /// Options with a 10-second status interval.
    pub fn new(
        slot: impl Into<String>,
        publications: Vec<String>,
        start_lsn: Lsn,
    ) -> StreamOptions {
        StreamOptions {
            slot: slot.into(),
            publications,
            start_lsn,
            status_interval: Duration::from_secs(10),
        }
    }

    /// Sets how soon a confirmed position reaches the server.
    pub fn with_status_interval(mut self, interval: Duration) -> StreamOptions {
        self.status_interval = interval;
        self
    }
}

/// One decoded message and where it was in the WAL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalMessage {
    /// The `XLogData` start position; `None` for Begin, Commit and logical messages, whose
    /// framing the transport consumed (their own LSN fields remain).
    pub wal_start: Option<Lsn>,
    /// The server's WAL end when the message was sent (for lag); `None` when unknown.
    pub server_wal_end: Option<Lsn>,
    /// The message.
    pub message: Message,
}

/// What the stream yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// A decoded `pgoutput` message.
    Message(WalMessage),
    /// The server is alive and its WAL ends at `wal_end` (the transport already replied if
    /// asked). An idle consumer may confirm up to here when it has nothing in flight.
    KeepAlive {
        /// The server's current WAL end.
        wal_end: Lsn,
    },
}

/// A running logical replication stream.
pub struct ReplicationStream {
    client: ReplicationClient,
    user: String,
    context: String,
}

impl std::fmt::Debug for ReplicationStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicationStream")
            .field("context", &self.context)
            .field("running", &self.client.is_running())
            .finish()
    }
}

impl ReplicationStream {
    /// Connects, starts streaming and waits until the server accepted `START_REPLICATION` (from
    /// then on this session holds the slot).
    pub async fn start(
        conn: &PgConnectionConfig,
        options: StreamOptions,
    ) -> Result<ReplicationStream> {
        validate_slot_name(&options.slot)?;
        if options.publications.is_empty() {
            return Err(Error::InvalidName {
                what: "publication list",
                name: String::new(),
                rule: "name at least one publication to stream",
            });
        }
        for p in &options.publications {
            validate_publication_name(p)?;
        }
        let context = format!("streaming from replication slot '{}'", options.slot);
        let config = conn
            .replication_config(&options.slot, &options.publications)?
            .with_start_lsn(options.start_lsn.into())
            .with_status_interval(options.status_interval);
        let wire = |e| Error::from_replication(e, &context, &conn.user);
        let mut client = ReplicationClient::connect(config).await.map_err(wire)?;
        client.wait_started().await.map_err(wire)?;
        tracing::info!(slot = %options.slot, start_lsn = %options.start_lsn, "Started logical replication.");
        Ok(ReplicationStream {
            client,
            user: conn.user.clone(),
            context,
        })
    }

    /// The next event; `None` once the stream ended cleanly (after [`Self::shutdown`]).
    ///
    /// Cancel-safe: dropping the future loses no event.
    pub async fn recv(&mut self) -> Result<Option<StreamEvent>> {
        let event = self
            .client
            .recv()
            .await
            .map_err(|e| Error::from_replication(e, &self.context, &self.user))?;
        let message = |wal_start, server_wal_end, message| {
            StreamEvent::Message(WalMessage {
                wal_start,
                server_wal_end,
                message,
            })
        };
        Ok(match event {
            None | Some(ReplicationEvent::StoppedAt { .. }) => None,
            Some(ReplicationEvent::KeepAlive { wal_end, .. }) => Some(StreamEvent::KeepAlive {
                wal_end: wal_end.into(),
            }),
            Some(ReplicationEvent::XLogData {
                wal_start,
                wal_end,
                data,
                ..
            }) => {
                let server_end = (!wal_end.is_zero()).then(|| wal_end.into());
                Some(message(
                    Some(wal_start.into()),
                    server_end,
                    pgoutput::decode(data)?,
                ))
            }
            Some(ReplicationEvent::Begin {
                final_lsn,
                xid,
                commit_time_micros,
            }) => Some(message(
                None,
                None,
                Message::Begin(Begin {
                    final_lsn: final_lsn.into(),
                    commit_time_micros,
                    xid,
                }),
            )),
            Some(ReplicationEvent::Commit {
                lsn,
                end_lsn,
                commit_time_micros,
            }) => Some(message(
                None,
                None,
                Message::Commit(Commit {
                    flags: 0,
                    commit_lsn: lsn.into(),
                    end_lsn: end_lsn.into(),
                    commit_time_micros,
                }),
            )),
            Some(ReplicationEvent::Message {
                transactional,
                lsn,
                prefix,
                content,
            }) => Some(message(
                None,
                None,
                Message::Message(LogicalMessage {
                    transactional,
                    lsn: lsn.into(),
                    prefix,
                    content,
                }),
            )),
        })
    }

    /// Tells the server everything before `lsn` is durably processed, so the slot's
    /// `confirmed_flush_lsn` advances (within the status interval) and the server may recycle
    /// older WAL. Monotonic: an older position is ignored. [`Self::shutdown`] does not send a
    /// last status update, so a position confirmed within the status interval before it may
    /// not reach the server: the next session then replays from the previous one (at least
    /// once, never a loss).
    pub fn confirm_flushed(&self, lsn: Lsn) {
        self.client.update_applied_lsn(lsn.into());
    }

    /// Ends the stream gracefully (`CopyDone`), discarding events not received yet, and waits
    /// for the session to end.
    pub async fn shutdown(mut self) -> Result<()> {
        self.client
            .shutdown()
            .await
            .map_err(|e| Error::from_replication(e, &self.context, &self.user))
    }
}
