//! [`GroupMember`]: the JoinGroup/SyncGroup/Heartbeat/LeaveGroup calls and the handling of their
//! error codes (see the parent module for the protocol and the retry rules).

use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ApiKey, GroupId, HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse,
    LeaveGroupRequest, LeaveGroupResponse, SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::{StrBytes, VersionRange};

use super::types::{
    GroupConfig, HeartbeatOutcome, JoinedGroup, MemberMetadata, ProtocolMetadata, Rejoin,
    SyncOutcome,
};
use crate::kafka::connection::Connection;
use crate::kafka::coordinator::connect_to_coordinator;
use crate::{Error, Result};

/// Versions of the group APIs this client speaks.
const JOIN_GROUP: VersionRange = VersionRange { min: 0, max: 9 };
const SYNC_GROUP: VersionRange = VersionRange { min: 0, max: 5 };
const HEARTBEAT: VersionRange = VersionRange { min: 0, max: 4 };
const LEAVE_GROUP: VersionRange = VersionRange { min: 0, max: 5 };

/// A member of one group: owns the connection to the group's coordinator.
#[derive(Debug)]
pub struct GroupMember {
    bootstrap: Vec<String>,
    config: GroupConfig,
    coordinator: Option<Connection>,
    member_id: String,
    generation_id: i32,
    protocol: Option<String>,
}

impl GroupMember {
    /// A member that will join through `bootstrap_servers` (comma-separated `host:port`). No I/O.
    pub fn new(bootstrap_servers: &str, config: GroupConfig) -> Result<Self> {
        let bootstrap: Vec<String> = bootstrap_servers
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.strip_prefix("PLAINTEXT://").unwrap_or(s).to_string())
            .collect();
        if bootstrap.is_empty() {
            return Err(Error::Config {
                key: "bootstrap.servers".into(),
                message: "no broker given; set it to a comma-separated list of host:port".into(),
            });
        }
        Ok(GroupMember {
            bootstrap,
            config,
            coordinator: None,
            member_id: String::new(),
            generation_id: -1,
            protocol: None,
        })
    }

    /// The settings.
    pub fn config(&self) -> &GroupConfig {
        &self.config
    }

    /// Our member id (empty before the first join and after [`GroupMember::leave`]).
    pub fn member_id(&self) -> &str {
        &self.member_id
    }

    /// The generation we last joined (-1 when none).
    pub fn generation_id(&self) -> i32 {
        self.generation_id
    }

    /// Joins the group offering `protocols` (most preferred first) and waits for the generation to
    /// form. Retries the transient outcomes described in the module doc until the rebalance
    /// timeout plus one request timeout has passed.
    pub async fn join(&mut self, protocols: &[ProtocolMetadata]) -> Result<JoinedGroup> {
        let deadline = Instant::now() + self.config.rebalance_timeout + self.config.request_timeout;
        loop {
            let error = match self.join_once(protocols).await {
                Ok(Ok(joined)) => return Ok(joined),
                Ok(Err(error)) => error,
                Err(e) if e.is_retriable() => {
                    tracing::debug!(group = %self.config.group_id, error = %e, "Join failed; finding the coordinator again.");
                    self.coordinator = None;
                    ResponseError::CoordinatorNotAvailable
                }
                Err(e) => return Err(e),
            };
            let backoff = match error {
                ResponseError::MemberIdRequired => Duration::ZERO,
                ResponseError::UnknownMemberId => {
                    self.member_id.clear();
                    Duration::ZERO
                }
                ResponseError::RebalanceInProgress | ResponseError::CoordinatorLoadInProgress => {
                    self.config.retry_backoff
                }
                ResponseError::NotCoordinator | ResponseError::CoordinatorNotAvailable => {
                    self.coordinator = None;
                    self.config.retry_backoff
                }
                error => {
                    return Err(Error::Broker {
                        operation: self.operation("JoinGroup"),
                        error,
                    });
                }
            };
            if Instant::now() + backoff > deadline {
                return Err(Error::Timeout {
                    operation: self.operation("JoinGroup"),
                    after: self.config.rebalance_timeout + self.config.request_timeout,
                });
            }
            tracing::debug!(group = %self.config.group_id, %error, "Rejoining the group.");
            tokio::time::sleep(backoff).await;
        }
    }

    /// One JoinGroup round trip; the inner `Err` is a broker error code left for [`Self::join`].
    async fn join_once(
        &mut self,
        protocols: &[ProtocolMetadata],
    ) -> Result<Result<JoinedGroup, ResponseError>> {
        let (group_id, member_id) = (
            self.group_id(),
            StrBytes::from_string(self.member_id.clone()),
        );
        let request = JoinGroupRequest::default()
            .with_group_id(group_id)
            .with_session_timeout_ms(millis(self.config.session_timeout))
            .with_rebalance_timeout_ms(millis(self.config.rebalance_timeout))
            .with_member_id(member_id)
            .with_protocol_type(StrBytes::from_string(self.config.protocol_type.clone()))
            .with_protocols(
                protocols
                    .iter()
                    .map(|p| {
                        JoinGroupRequestProtocol::default()
                            .with_name(StrBytes::from_string(p.name.clone()))
                            .with_metadata(p.metadata.clone())
                    })
                    .collect(),
            );
        // The coordinator answers when the generation forms, which takes up to the rebalance
        // timeout; allow it plus a margin for the network, as Kafka's clients do.
        let timeout = self.config.rebalance_timeout + Duration::from_secs(5);
        let conn = self.coordinator().await?;
        let version = conn.pick_version(ApiKey::JoinGroup, "JoinGroup", JOIN_GROUP)?;
        let response: JoinGroupResponse = conn
            .send(ApiKey::JoinGroup, version, &request, Some(timeout))
            .await?;
        if let Some(error) = ResponseError::try_from_code(response.error_code) {
            if error == ResponseError::MemberIdRequired {
                self.member_id = response.member_id.to_string();
            }
            return Ok(Err(error));
        }
        self.member_id = response.member_id.to_string();
        self.generation_id = response.generation_id;
        let protocol = response
            .protocol_name
            .map(|p| p.to_string())
            .unwrap_or_default();
        self.protocol = Some(protocol.clone());
        let joined = JoinedGroup {
            generation_id: response.generation_id,
            member_id: self.member_id.clone(),
            leader_id: response.leader.to_string(),
            protocol,
            members: response
                .members
                .into_iter()
                .map(|m| MemberMetadata {
                    member_id: m.member_id.to_string(),
                    metadata: m.metadata,
                })
                .collect(),
        };
        tracing::info!(group = %self.config.group_id, generation = joined.generation_id, member = %joined.member_id,
            leader = joined.is_leader(), protocol = %joined.protocol, "Joined the group.");
        Ok(Ok(joined))
    }

    /// Completes the generation with SyncGroup. The leader passes every member's assignment
    /// (member id, bytes); followers pass none. Returns our own assignment.
    pub async fn sync(&mut self, assignments: &[(String, Bytes)]) -> Result<SyncOutcome> {
        let protocol = self.protocol.clone().map(StrBytes::from_string);
        let request = SyncGroupRequest::default()
            .with_group_id(self.group_id())
            .with_generation_id(self.generation_id)
            .with_member_id(StrBytes::from_string(self.member_id.clone()))
            .with_protocol_type(Some(StrBytes::from_string(
                self.config.protocol_type.clone(),
            )))
            .with_protocol_name(protocol)
            .with_assignments(
                assignments
                    .iter()
                    .map(|(member, bytes)| {
                        SyncGroupRequestAssignment::default()
                            .with_member_id(StrBytes::from_string(member.clone()))
                            .with_assignment(bytes.clone())
                    })
                    .collect(),
            );
        // Followers wait in SyncGroup until the leader has synced: allow a whole rebalance.
        let timeout = self.config.rebalance_timeout + Duration::from_secs(5);
        let response: SyncGroupResponse = self
            .call(
                ApiKey::SyncGroup,
                "SyncGroup",
                SYNC_GROUP,
                &request,
                Some(timeout),
            )
            .await?;
        match ResponseError::try_from_code(response.error_code) {
            None => Ok(SyncOutcome::Assigned(response.assignment)),
            Some(error) => self
                .rejoin_or_fail(error, "SyncGroup")
                .map(SyncOutcome::Rejoin),
        }
    }

    /// Tells the coordinator we are alive; call every [`GroupConfig::heartbeat_interval`].
    pub async fn heartbeat(&mut self) -> Result<HeartbeatOutcome> {
        let request = HeartbeatRequest::default()
            .with_group_id(self.group_id())
            .with_generation_id(self.generation_id)
            .with_member_id(StrBytes::from_string(self.member_id.clone()));
        let response: HeartbeatResponse = self
            .call(ApiKey::Heartbeat, "Heartbeat", HEARTBEAT, &request, None)
            .await?;
        match ResponseError::try_from_code(response.error_code) {
            None => Ok(HeartbeatOutcome::Stable),
            Some(error) => self
                .rejoin_or_fail(error, "Heartbeat")
                .map(HeartbeatOutcome::Rejoin),
        }
    }

    /// Leaves the group so it rebalances at once instead of after the session timeout. A
    /// coordinator that already forgot us is fine. Forgets the member id and generation.
    pub async fn leave(&mut self) -> Result<()> {
        if self.member_id.is_empty() {
            return Ok(());
        }
        let member_id = StrBytes::from_string(std::mem::take(&mut self.member_id));
        self.generation_id = -1;
        self.protocol = None;
        let conn = self.coordinator().await?;
        let version = conn.pick_version(ApiKey::LeaveGroup, "LeaveGroup", LEAVE_GROUP)?;
        let mut request = LeaveGroupRequest::default()
            .with_group_id(GroupId(StrBytes::from_string(self.config.group_id.clone())));
        request = if version >= 3 {
            request.with_members(vec![
                MemberIdentity::default()
                    .with_member_id(member_id)
                    .with_reason(Some(StrBytes::from_static_str(
                        "the worker is shutting down",
                    ))),
            ])
        } else {
            request.with_member_id(member_id)
        };
        let response: LeaveGroupResponse = self
            .coordinator()
            .await?
            .send(ApiKey::LeaveGroup, version, &request, None)
            .await?;
        let codes = std::iter::once(response.error_code)
            .chain(response.members.iter().map(|m| m.error_code));
        for error in codes.filter_map(ResponseError::try_from_code) {
            if error != ResponseError::UnknownMemberId {
                return Err(Error::Broker {
                    operation: self.operation("LeaveGroup"),
                    error,
                });
            }
        }
        tracing::info!(group = %self.config.group_id, "Left the group.");
        Ok(())
    }

    /// Maps the error of a SyncGroup or Heartbeat to the rejoin it calls for, or to an error.
    fn rejoin_or_fail(&mut self, error: ResponseError, api: &str) -> Result<Rejoin> {
        let rejoin = match error {
            ResponseError::RebalanceInProgress => Rejoin::RebalanceInProgress,
            ResponseError::IllegalGeneration => Rejoin::IllegalGeneration,
            ResponseError::UnknownMemberId => {
                self.member_id.clear();
                Rejoin::UnknownMember
            }
            ResponseError::NotCoordinator | ResponseError::CoordinatorNotAvailable => {
                self.coordinator = None;
                Rejoin::CoordinatorChanged
            }
            error => {
                return Err(Error::Broker {
                    operation: self.operation(api),
                    error,
                });
            }
        };
        tracing::info!(group = %self.config.group_id, %error, "{api} asks us to rejoin the group.");
        Ok(rejoin)
    }

    /// Sends a request to the coordinator; a failed connection is dropped so the next call finds
    /// the coordinator again.
    async fn call<Req, Resp>(
        &mut self,
        api: ApiKey,
        name: &'static str,
        ours: VersionRange,
        request: &Req,
        timeout: Option<Duration>,
    ) -> Result<Resp>
    where
        Req: kafka_protocol::protocol::Encodable + kafka_protocol::protocol::HeaderVersion,
        Resp: kafka_protocol::protocol::Decodable + kafka_protocol::protocol::HeaderVersion,
    {
        let conn = self.coordinator().await?;
        let version = conn.pick_version(api, name, ours)?;
        let result = conn.send(api, version, request, timeout).await;
        if matches!(
            result,
            Err(Error::Io { .. } | Error::Timeout { .. } | Error::Protocol { .. })
        ) {
            self.coordinator = None;
        }
        result
    }

    /// The connection to the coordinator, found and opened on first use.
    async fn coordinator(&mut self) -> Result<&mut Connection> {
        if self.coordinator.is_none() {
            let conn = connect_to_coordinator(
                &self.bootstrap,
                &self.config.group_id,
                &self.config.client_id,
                self.config.request_timeout,
            )
            .await?;
            self.coordinator = Some(conn);
        }
        self.coordinator.as_mut().ok_or_else(|| Error::Protocol {
            operation: "FindCoordinator".into(),
            broker: self.bootstrap.join(","),
            message: "no coordinator connection".into(),
        })
    }

    fn group_id(&self) -> GroupId {
        GroupId(StrBytes::from_string(self.config.group_id.clone()))
    }

    fn operation(&self, api: &str) -> String {
        format!("{api} for group '{}'", self.config.group_id)
    }
}

/// A duration as the protocol's `int32` milliseconds (saturating).
fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}
