//! Snowflake sink: files staged through Snowflake's own protocol and loaded with `COPY INTO` /
//! `MERGE`, accepting the configs of `com.snowflake.kafka.connector.SnowflakeSinkConnector`.
//!
//! Depends on the data model and `sluice-files`; never on the worker, a Kafka client or the REST API.
//!
//! # The Snowflake client
//!
//! [`Session`] speaks Snowflake's driver protocol (the REST protocol of the official drivers, not
//! the SQL API, because only the driver protocol can `PUT` files to internal stages):
//! [`client`] logs in and runs statements, [`result`] decodes Arrow and JSON result sets into
//! [`Row`]s, [`stage`] uploads in-memory files to a stage for `COPY INTO`.
//!
//! Why our own client: `snowflake-connector-rs` decodes only JSON result sets (Snowflake sends
//! queries, DDL and `COPY` results as Arrow) and does not upload to stages; `snowflake-api`
//! cannot target a custom host (a private link, a proxy, or the fakesnow emulator the tests run
//! against). The protocol surface a sink needs — login, query, PUT, result decoding — is small
//! enough to own; `reqwest` and `arrow-ipc` do the HTTP and Arrow work.
//!
//! ```text
//!  Session::login ──► POST /session/v1/login-request ──► token
//!  Session::query ──► POST /queries/v1/query-request ──► rowtype + rowset | rowsetBase64 ──► QueryResult
//!  Session::put   ──► PUT 'file:///f.gz' @stage (a query) ──► stageInfo ──► HTTP PUT to storage
//! ```

pub mod auth;
pub mod client;
mod error;
pub mod result;
pub mod stage;
mod wire;

pub use auth::{Authenticator, ClientIdentity};
pub use client::{ClientConfig, Session};
pub use error::{Error, Result};
pub use result::{Column, QueryResult, Row, Value};
pub use stage::PutOutcome;
pub use wire::SessionInfo;
