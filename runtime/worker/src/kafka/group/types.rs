//! The values exchanged with [`GroupMember`](super::GroupMember): settings, offered protocols and
//! the outcomes of join, sync and heartbeat.

use std::time::Duration;

use bytes::Bytes;

/// The protocol type of Kafka Connect's worker group.
pub const CONNECT_PROTOCOL_TYPE: &str = "connect";

/// Settings of a group membership; the defaults are Kafka Connect's worker defaults.
#[derive(Debug, Clone)]
pub struct GroupConfig {
    /// `group.id`.
    pub group_id: String,
    /// `client.id` sent with every request.
    pub client_id: String,
    /// The group's protocol type; [`CONNECT_PROTOCOL_TYPE`] for workers.
    pub protocol_type: String,
    /// `session.timeout.ms` (10 s): the coordinator drops a member silent for this long.
    pub session_timeout: Duration,
    /// `rebalance.timeout.ms` (60 s): how long the coordinator waits for members to rejoin.
    pub rebalance_timeout: Duration,
    /// `heartbeat.interval.ms` (3 s): how often the caller should call [`GroupMember::heartbeat`](super::GroupMember::heartbeat).
    pub heartbeat_interval: Duration,
    /// `request.timeout.ms` (40 s) for requests other than JoinGroup.
    pub request_timeout: Duration,
    /// `retry.backoff.ms` (100 ms) between retries of a failed join.
    pub retry_backoff: Duration,
}

impl GroupConfig {
    /// A `connect` group named `group_id` with Kafka Connect's default timeouts.
    pub fn connect(group_id: impl Into<String>) -> Self {
        GroupConfig {
            group_id: group_id.into(),
            client_id: "sluice-worker".into(),
            protocol_type: CONNECT_PROTOCOL_TYPE.into(),
            session_timeout: Duration::from_millis(10_000),
            rebalance_timeout: Duration::from_millis(60_000),
            heartbeat_interval: Duration::from_millis(3_000),
            request_timeout: Duration::from_millis(40_000),
            retry_backoff: Duration::from_millis(100),
        }
    }
}

/// One sub-protocol a member offers, with its metadata for that protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolMetadata {
    /// Name (`sessioned`, `compatible`, `default`).
    pub name: String,
    /// The member's metadata (subscription) bytes for this protocol.
    pub metadata: Bytes,
}

/// A member of the group as the coordinator reports it to the leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberMetadata {
    /// Its member id.
    pub member_id: String,
    /// Its metadata bytes for the chosen protocol.
    pub metadata: Bytes,
}

/// The outcome of a completed join: one generation of the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedGroup {
    /// The generation id.
    pub generation_id: i32,
    /// Our member id.
    pub member_id: String,
    /// The leader's member id.
    pub leader_id: String,
    /// The protocol the coordinator chose (the first all members support).
    pub protocol: String,
    /// Every member with its metadata; filled for the leader only, empty for followers.
    pub members: Vec<MemberMetadata>,
}

impl JoinedGroup {
    /// Whether we lead this generation and must send the assignments.
    pub fn is_leader(&self) -> bool {
        self.member_id == self.leader_id
    }
}

/// Why the member must call [`GroupMember::join`](super::GroupMember::join) again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejoin {
    /// Another member joined or left: a new generation is forming.
    RebalanceInProgress,
    /// The coordinator no longer knows us (session expired): we join as a new member.
    UnknownMember,
    /// Our generation is outdated.
    IllegalGeneration,
    /// The coordinator moved or is unavailable; it is looked up again on the next join.
    CoordinatorChanged,
}

/// The answer to a SyncGroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// Our assignment bytes for this generation.
    Assigned(Bytes),
    /// The generation ended before it was synced.
    Rejoin(Rejoin),
}

/// The answer to a Heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatOutcome {
    /// Still a member of the current generation.
    Stable,
    /// The generation is over.
    Rejoin(Rejoin),
}
