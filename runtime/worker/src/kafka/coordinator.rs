//! Finding a group's coordinator: FindCoordinator to any bootstrap broker, then a connection to
//! the broker it names.
//!
//! Both FindCoordinator shapes are spoken: v0–v3 carry one `key` and answer with one coordinator,
//! v4+ carry `coordinator_keys` and answer with a list; we ask for our group only either way.

use std::time::Duration;

use kafka_protocol::ResponseError;
use kafka_protocol::messages::{ApiKey, FindCoordinatorRequest, FindCoordinatorResponse};
use kafka_protocol::protocol::{StrBytes, VersionRange};

use super::connection::Connection;
use crate::{Error, Result};

/// FindCoordinator versions this client speaks.
const FIND_COORDINATOR: VersionRange = VersionRange { min: 0, max: 6 };

/// `key_type` of a consumer/connect group (1 would be a transactional id).
const KEY_TYPE_GROUP: i8 = 0;

/// Asks the bootstrap brokers, in order, for `group_id`'s coordinator and connects to it.
///
/// Returns the last error when no bootstrap broker could answer; a coordinator that is not
/// available yet (the broker is still loading the group) is a retriable [`Error::Broker`].
pub(crate) async fn connect_to_coordinator(
    bootstrap: &[String],
    group_id: &str,
    client_id: &str,
    request_timeout: Duration,
) -> Result<Connection> {
    let mut last_error = None;
    for broker in bootstrap {
        match find_coordinator(broker, group_id, client_id, request_timeout).await {
            Ok(address) => {
                tracing::debug!(group = group_id, coordinator = %address, "Found the group coordinator.");
                return Connection::open(&address, client_id, request_timeout).await;
            }
            Err(e) => {
                tracing::debug!(group = group_id, broker = %broker, error = %e, "FindCoordinator failed; trying the next bootstrap broker.");
                last_error = Some(e);
            }
        }
    }
    Err(last_error.unwrap_or_else(|| Error::Config {
        key: "bootstrap.servers".into(),
        message: "no broker given; set it to a comma-separated list of host:port".into(),
    }))
}

/// Asks one broker where `group_id`'s coordinator is; returns its `host:port`.
async fn find_coordinator(
    broker: &str,
    group_id: &str,
    client_id: &str,
    request_timeout: Duration,
) -> Result<String> {
    let mut conn = Connection::open(broker, client_id, request_timeout).await?;
    let version =
        conn.pick_version(ApiKey::FindCoordinator, "FindCoordinator", FIND_COORDINATOR)?;
    let key = StrBytes::from_string(group_id.to_string());
    let mut request = FindCoordinatorRequest::default().with_key_type(KEY_TYPE_GROUP);
    request = if version >= 4 {
        request.with_coordinator_keys(vec![key])
    } else {
        request.with_key(key)
    };
    let response: FindCoordinatorResponse = conn
        .send(ApiKey::FindCoordinator, version, &request, None)
        .await?;
    let (error_code, host, port) = if version >= 4 {
        let c = response
            .coordinators
            .first()
            .ok_or_else(|| Error::Protocol {
                operation: "FindCoordinator".into(),
                broker: broker.into(),
                message: "the answer lists no coordinator".into(),
            })?;
        (c.error_code, c.host.to_string(), c.port)
    } else {
        (
            response.error_code,
            response.host.to_string(),
            response.port,
        )
    };
    if let Some(error) = ResponseError::try_from_code(error_code) {
        return Err(Error::Broker {
            operation: format!("FindCoordinator for group '{group_id}'"),
            error,
        });
    }
    Ok(format!("{host}:{port}"))
}
