//! Membership of a Kafka group with a custom protocol type: the worker group (`connect`).
//!
//! # Why not librdkafka
//! Workers form a cluster by joining a group whose `protocol_type` is `connect` and whose
//! sub-protocols (`sessioned`, `compatible`, `default`) carry the worker's URL and config offset;
//! the elected leader computes connector/task assignments and hands them out through SyncGroup.
//! librdkafka only joins groups as a consumer (`protocol_type = "consumer"`, its own assignors
//! over topic partitions) and has no API to send arbitrary metadata or assignments, so we speak
//! JoinGroup/SyncGroup/Heartbeat/LeaveGroup ourselves over [`Connection`](super::connection::Connection) with the
//! `kafka-protocol` message types.
//!
//! # The protocol, as driven by the caller (the herder)
//! ```text
//!   join(protocols) ──► JoinedGroup ──► sync(assignments if leader) ──► Assigned(bytes)
//!        ▲                                      │                            │
//!        │                                      ▼                            ▼ every heartbeat_interval
//!        └──────────────── Rejoin(reason) ◄─────┴────────────────────── heartbeat()
//!   leave() on shutdown
//! ```
//! [`GroupMember::join`] hides the retries that need no decision from the caller, as Kafka's own
//! `AbstractCoordinator` does: `MEMBER_ID_REQUIRED` (JoinGroup v4+ hands out the member id on a
//! first, empty-id join; we rejoin with it at once), `UNKNOWN_MEMBER_ID` (forget the id, join
//! afresh), `REBALANCE_IN_PROGRESS`, and a coordinator that moved or is loading (find it again
//! after `retry_backoff`). Sync and heartbeat report the need to rejoin as a value
//! ([`Rejoin`]) rather than an error, because a rebalance is a normal event for a worker.
//!
//! The metadata and assignment bytes are opaque here; their layout (spec/internals.md §5) is
//! encoded by `sluice-protocol`.
//!
//! API versions: the highest each side speaks, asked with ApiVersions; every version of these
//! five APIs is handled (field presence differs by version, see the `version >= n` branches).
//! Tansu 0.6 speaks the newest of each (JoinGroup v9, SyncGroup v5, Heartbeat v4, LeaveGroup v5,
//! FindCoordinator v6).
//!
//! Broker differences seen on Tansu 0.6 (not a problem for workers of one Sluice version):
//! Apache Kafka picks the first protocol that *all* members support, while Tansu fixes the
//! group's protocol to the first member's first choice and refuses later members that lack it
//! with `INCONSISTENT_GROUP_PROTOCOL` (an [`crate::Error::Broker`] here); and Tansu completes a
//! rebalance about half a session timeout after it starts (~5 s with the 10 s default).

mod member;
mod types;

pub use member::GroupMember;
pub use types::{
    CONNECT_PROTOCOL_TYPE, GroupConfig, HeartbeatOutcome, JoinedGroup, MemberMetadata,
    ProtocolMetadata, Rejoin, SyncOutcome,
};
