//! One framed TCP connection to a Kafka broker, speaking the `kafka-protocol` crate's messages.
//!
//! Kafka's wire format: every request and response is an `int32` size followed by that many bytes;
//! a request is a header (API key, version, correlation id, client id) then the body; a response
//! is a header (the correlation id) then the body. Header and body versions depend on the API
//! version, which is negotiated once per connection with ApiVersions ([`Connection::open`]).
//!
//! One request is in flight at a time (`&mut self`): the group client needs no pipelining, and a
//! strictly sequential connection makes matching answers to requests trivial; the correlation id
//! is still checked so a desynchronized stream is reported instead of misread.
//!
//! Why not a library: the `kafka-protocol` crate only encodes and decodes messages (sans-io), and
//! librdkafka exposes no raw request API; the framing is a dozen lines.
//!
//! Plaintext only for now: TLS (rustls around the stream) and SASL (SaslHandshake/SaslAuthenticate
//! after ApiVersions) are not implemented yet, so the worker group needs a plaintext listener.

use std::collections::HashMap;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes, VersionRange};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Error, Result};

/// Largest response accepted (a JoinGroup answer to the leader carries every member's metadata;
/// 100 MiB is the broker's own default `socket.request.max.bytes`).
const MAX_RESPONSE_BYTES: usize = 100 * 1024 * 1024;

/// ApiVersions version used for negotiation: v3 (Kafka 2.4+) reports the broker's versions of every
/// API; any broker that can host a `connect` group with the versions we need answers it.
const API_VERSIONS_VERSION: i16 = 3;

/// A connection to one broker, with the API versions it supports.
#[derive(Debug)]
pub struct Connection {
    broker: String,
    stream: TcpStream,
    client_id: StrBytes,
    correlation_id: i32,
    request_timeout: Duration,
    /// API key → the broker's supported version range.
    supported: HashMap<i16, VersionRange>,
}

impl Connection {
    /// Connects to `broker` (`host:port`) and asks it which API versions it supports.
    ///
    /// `request_timeout` bounds the connection and every request that does not pass its own.
    pub async fn open(broker: &str, client_id: &str, request_timeout: Duration) -> Result<Self> {
        let stream = tokio::time::timeout(request_timeout, TcpStream::connect(broker))
            .await
            .map_err(|_| Error::Timeout {
                operation: format!("connect to broker {broker}"),
                after: request_timeout,
            })?
            .map_err(|source| Error::Io {
                operation: "connect".into(),
                broker: broker.into(),
                source,
            })?;
        // Requests are small and latency-bound (heartbeats); do not let Nagle delay them.
        stream.set_nodelay(true).map_err(|source| Error::Io {
            operation: "set TCP_NODELAY".into(),
            broker: broker.into(),
            source,
        })?;
        let mut conn = Connection {
            broker: broker.to_string(),
            stream,
            client_id: StrBytes::from_string(client_id.to_string()),
            correlation_id: 0,
            request_timeout,
            supported: HashMap::new(),
        };
        let request = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("sluice"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let response: ApiVersionsResponse = conn
            .send(ApiKey::ApiVersions, API_VERSIONS_VERSION, &request, None)
            .await?;
        if let Some(error) = kafka_protocol::ResponseError::try_from_code(response.error_code) {
            return Err(Error::Broker {
                operation: format!("ApiVersions with broker {broker}"),
                error,
            });
        }
        conn.supported = response
            .api_keys
            .iter()
            .map(|k| {
                (
                    k.api_key,
                    VersionRange {
                        min: k.min_version,
                        max: k.max_version,
                    },
                )
            })
            .collect();
        tracing::debug!(
            broker,
            apis = conn.supported.len(),
            "Connected to the broker and read its API versions."
        );
        Ok(conn)
    }

    /// `host:port` of the broker.
    pub fn broker(&self) -> &str {
        &self.broker
    }

    /// The highest version of `api` that both the broker and this client (`ours`) speak.
    pub fn pick_version(&self, api: ApiKey, name: &'static str, ours: VersionRange) -> Result<i16> {
        let theirs = self.supported.get(&(api as i16)).copied();
        match theirs.map(|t| t.intersect(&ours)) {
            Some(common) if !common.is_empty() => Ok(common.max),
            _ => Err(Error::UnsupportedApi {
                broker: self.broker.clone(),
                api: name,
                ours: ours.to_string(),
                theirs: theirs.map_or_else(|| "none".to_string(), |t| t.to_string()),
            }),
        }
    }

    /// Sends `request` as `api` at `version` and reads its response.
    ///
    /// `timeout` overrides the connection's request timeout (JoinGroup waits for a whole
    /// rebalance). On a timeout the connection is left in an unknown state: drop it.
    pub async fn send<Req, Resp>(
        &mut self,
        api: ApiKey,
        version: i16,
        request: &Req,
        timeout: Option<Duration>,
    ) -> Result<Resp>
    where
        Req: Encodable + HeaderVersion,
        Resp: Decodable + HeaderVersion,
    {
        let timeout = timeout.unwrap_or(self.request_timeout);
        let operation = format!("{api:?} v{version}");
        match tokio::time::timeout(timeout, self.round_trip(api, version, request)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                operation: format!("{operation} with broker {}", self.broker),
                after: timeout,
            }),
        }
    }

    async fn round_trip<Req, Resp>(
        &mut self,
        api: ApiKey,
        version: i16,
        request: &Req,
    ) -> Result<Resp>
    where
        Req: Encodable + HeaderVersion,
        Resp: Decodable + HeaderVersion,
    {
        let operation = format!("{api:?} v{version}");
        self.correlation_id = self.correlation_id.wrapping_add(1);
        let correlation_id = self.correlation_id;
        let header = RequestHeader::default()
            .with_request_api_key(api as i16)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(self.client_id.clone()));

        // Reserve the size prefix, encode, then patch the size in.
        let mut buf = BytesMut::with_capacity(256);
        buf.put_i32(0);
        header
            .encode(&mut buf, Req::header_version(version))
            .and_then(|()| request.encode(&mut buf, version))
            .map_err(|e| {
                self.protocol_error(&operation, format!("cannot encode the request: {e}"))
            })?;
        let size = i32::try_from(buf.len() - 4)
            .map_err(|_| self.protocol_error(&operation, "request larger than 2 GiB".into()))?;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        self.stream
            .write_all(&buf)
            .await
            .map_err(|e| self.io_error(&operation, e))?;

        let size = self
            .stream
            .read_i32()
            .await
            .map_err(|e| self.io_error(&operation, e))?;
        let size = usize::try_from(size)
            .ok()
            .filter(|s| *s <= MAX_RESPONSE_BYTES)
            .ok_or_else(|| {
                self.protocol_error(&operation, format!("invalid response size {size}"))
            })?;
        let mut body = vec![0u8; size];
        self.stream
            .read_exact(&mut body)
            .await
            .map_err(|e| self.io_error(&operation, e))?;
        let mut body = Bytes::from(body);

        let header =
            ResponseHeader::decode(&mut body, Resp::header_version(version)).map_err(|e| {
                self.protocol_error(
                    &operation,
                    format!("cannot decode the response header: {e}"),
                )
            })?;
        if header.correlation_id != correlation_id {
            return Err(self.protocol_error(
                &operation,
                format!(
                    "response for correlation id {} while waiting for {correlation_id}",
                    header.correlation_id
                ),
            ));
        }
        let response = Resp::decode(&mut body, version).map_err(|e| {
            self.protocol_error(&operation, format!("cannot decode the response: {e}"))
        })?;
        if body.has_remaining() {
            tracing::debug!(broker = %self.broker, %operation, extra = body.remaining(), "Ignoring trailing bytes after a response.");
        }
        Ok(response)
    }

    fn io_error(&self, operation: &str, source: std::io::Error) -> Error {
        Error::Io {
            operation: operation.to_string(),
            broker: self.broker.clone(),
            source,
        }
    }

    fn protocol_error(&self, operation: &str, message: String) -> Error {
        Error::Protocol {
            operation: operation.to_string(),
            broker: self.broker.clone(),
            message,
        }
    }
}
