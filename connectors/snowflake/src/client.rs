//! A Snowflake session over the driver protocol: login, queries, renewal, heartbeat, logout.
//!
//! The flow, as the official drivers speak it (gosnowflake's `restful.go`, the Python connector's
//! `network.py`):
//!
//! ```text
//! POST /session/v1/login-request?databaseName&schemaName&warehouse&roleName   → token, masterToken
//! POST /queries/v1/query-request  Authorization: Snowflake Token="<token>"   → data | 3333xx
//!   while code is 333333/333334: GET <getResultUrl>                           (long poll)
//!   on 390112 (session expired): POST /session/token-request with the master token, retry once
//! POST /session?delete=true                                                    logout
//! ```
//!
//! Every request carries a `requestId` (one per statement, kept when the statement is re-sent
//! after a session renewal, so that Snowflake can recognise the resend) and a fresh `request_guid`. Errors keep Snowflake's code,
//! message and SQLSTATE (see [`crate::Error`]). The client does not retry on its own: whether a
//! statement may be repeated (a `COPY` is idempotent through its load history, a `MERGE` keyed on
//! the source position is) is the caller's decision, guided by [`crate::Error::is_retriable`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Method, RequestBuilder};
use serde_json::{Map, Value as Json, json};
use url::Url;

use crate::auth::{self, Authenticator, ClientIdentity};
use crate::error::{self, Error, Result};
use crate::result::{self, QueryResult};
use crate::wire::{Envelope, ErrorData, LoginData, QueryData, RenewData, SessionInfo};

/// Codes meaning "the query is still running; poll `getResultUrl`".
const QUERY_IN_PROGRESS: [&str; 2] = ["333333", "333334"];

/// How to reach and log in to Snowflake.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The account's base URL, e.g. `https://xy12345.eu-central-1.snowflakecomputing.com`.
    pub url: Url,
    /// The account identifier (the part before `.snowflakecomputing.com`, or the locator).
    pub account: String,
    /// The login name.
    pub user: String,
    /// How to authenticate.
    pub authenticator: Authenticator,
    /// The database to use for the session (`databaseName` at login).
    pub database: Option<String>,
    /// The schema to use for the session (`schemaName`).
    pub schema: Option<String>,
    /// The warehouse to run statements in (`warehouse`).
    pub warehouse: Option<String>,
    /// The role to use (`roleName`).
    pub role: Option<String>,
    /// Session parameters to set at login (`SESSION_PARAMETERS`), e.g. `QUERY_TAG`.
    pub session_parameters: Map<String, Json>,
    /// The identity announced at login.
    pub identity: ClientIdentity,
    /// Time allowed for one HTTP exchange (a long-running query is polled, so this bounds one
    /// poll, not the statement).
    pub request_timeout: Duration,
}

impl ClientConfig {
    /// A configuration with no database, schema, warehouse or role and the default identity.
    pub fn new(
        url: Url,
        account: impl Into<String>,
        user: impl Into<String>,
        authenticator: Authenticator,
    ) -> Self {
        ClientConfig {
            url,
            account: account.into(),
            user: user.into(),
            authenticator,
            database: None,
            schema: None,
            warehouse: None,
            role: None,
            session_parameters: Map::new(),
            identity: ClientIdentity::default(),
            request_timeout: Duration::from_secs(120),
        }
    }
}

/// The current tokens; replaced when the session is renewed.
#[derive(Clone)]
struct Tokens {
    session: String,
    master: Option<String>,
}

/// A logged-in Snowflake session. Statements run one at a time per call; the session may be
/// shared (`&self`) between tasks, and Snowflake orders them by `sequenceId`.
pub struct Session {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: Mutex<Tokens>,
    sequence: AtomicU64,
    info: SessionInfo,
    server_version: Option<String>,
}

impl std::fmt::Debug for Session {
    /// Never prints the tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("url", &self.config.url.as_str())
            .field("account", &self.config.account)
            .field("user", &self.config.user)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Logs in and returns the session. A refused login is [`Error::Login`] (definite).
    pub async fn login(config: ClientConfig) -> Result<Session> {
        let action = "logging in to Snowflake";
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .user_agent(config.identity.application.clone())
            .build()
            .map_err(|source| Error::Transport {
                action: action.into(),
                url: config.url.to_string(),
                source,
            })?;
        let mut url = endpoint(&config.url, "/session/v1/login-request", action)?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("requestId", &uuid::Uuid::new_v4().to_string());
            let optional = [
                ("databaseName", &config.database),
                ("schemaName", &config.schema),
                ("warehouse", &config.warehouse),
                ("roleName", &config.role),
            ];
            for (key, value) in optional {
                if let Some(value) = value {
                    q.append_pair(key, value);
                }
            }
            q.append_pair("request_guid", &uuid::Uuid::new_v4().to_string());
        }
        let body = auth::login_body(
            &config.account,
            &config.user,
            &config.authenticator,
            &config.identity,
            &config.session_parameters,
        );
        let request = http
            .post(url.clone())
            .header("Accept", "application/json")
            .json(&body);
        let envelope = send(request, &url, action).await?;
        if !envelope.success {
            return Err(Error::Login {
                account: config.account.clone(),
                user: config.user.clone(),
                code: envelope.code.unwrap_or_default(),
                message: envelope.message.unwrap_or_default(),
            });
        }
        let data: LoginData = parse(envelope.data, action)?;
        tracing::info!(
            account = %config.account,
            user = %config.user,
            session_id = ?data.session_id,
            database = ?data.session_info.database_name,
            schema = ?data.session_info.schema_name,
            "Logged in to Snowflake."
        );
        Ok(Session {
            http,
            tokens: Mutex::new(Tokens {
                session: data.token,
                master: data.master_token,
            }),
            sequence: AtomicU64::new(0),
            info: data.session_info,
            server_version: data.server_version,
            config,
        })
    }

    /// The session context Snowflake reported at login.
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    /// The server version reported at login, if any.
    pub fn server_version(&self) -> Option<&str> {
        self.server_version.as_deref()
    }

    /// Runs one SQL statement and returns its decoded result (rows for a query, counts for DML,
    /// a status row for DDL and `COPY`). A statement Snowflake rejects is [`Error::Statement`].
    pub async fn query(&self, sql: &str) -> Result<QueryResult> {
        let data = self.execute(sql).await?;
        let data: QueryData = parse(data, &format!("running `{}`", error::shorten(sql)))?;
        result::decode(data, sql)
    }

    /// Runs a statement and returns the raw `data` of Snowflake's answer (the PUT command's
    /// answer is a stage description, not a result set).
    pub(crate) async fn execute(&self, sql: &str) -> Result<Json> {
        let action = format!("running `{}`", error::shorten(sql));
        let sequence_id = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let body = json!({
            "sqlText": sql,
            "asyncExec": false,
            "sequenceId": sequence_id,
            "isInternal": false,
            "parameters": {},
        });
        // One request id for the statement: Snowflake uses it to recognise a resent request.
        let request_id = uuid::Uuid::new_v4().to_string();
        let mut renewed = false;
        loop {
            let mut url = endpoint(&self.config.url, "/queries/v1/query-request", &action)?;
            url.query_pairs_mut()
                .append_pair("requestId", &request_id)
                .append_pair("request_guid", &uuid::Uuid::new_v4().to_string());
            let request = self.authorized(Method::POST, url.clone()).json(&body);
            let mut envelope = send(request, &url, &action).await?;
            while envelope
                .code
                .as_deref()
                .is_some_and(|c| QUERY_IN_PROGRESS.contains(&c))
            {
                let poll = parse::<ErrorData>(envelope.data, &action)?
                    .get_result_url
                    .ok_or_else(|| Error::Protocol {
                        action: action.clone(),
                        detail: "a running query without getResultUrl".into(),
                    })?;
                tracing::debug!(%poll, "Snowflake query still running; polling for its result.");
                let url = endpoint(&self.config.url, &poll, &action)?;
                envelope = send(self.authorized(Method::GET, url.clone()), &url, &action).await?;
            }
            if envelope.success {
                return Ok(envelope.data);
            }
            let code = envelope.code.clone().unwrap_or_default();
            if code == error::SESSION_EXPIRED && !renewed {
                self.renew(&action).await?;
                renewed = true;
                continue;
            }
            return Err(self.failure(envelope, sql, &action));
        }
    }

    /// Keeps the session alive (`POST /session/heartbeat`); a sink calls it when idle for long
    /// periods so that its session does not time out.
    pub async fn heartbeat(&self) -> Result<()> {
        self.session_call("/session/heartbeat", "sending a Snowflake heartbeat")
            .await
    }

    /// Logs out (`POST /session?delete=true`); afterwards every call fails with
    /// [`Error::SessionExpired`].
    pub async fn close(&self) -> Result<()> {
        self.session_call("/session?delete=true", "logging out of Snowflake")
            .await
    }

    async fn session_call(&self, path: &str, action: &str) -> Result<()> {
        let mut url = endpoint(&self.config.url, path, action)?;
        url.query_pairs_mut()
            .append_pair("requestId", &uuid::Uuid::new_v4().to_string());
        let envelope = send(self.authorized(Method::POST, url.clone()), &url, action).await?;
        if envelope.success {
            Ok(())
        } else {
            Err(self.failure(envelope, "", action))
        }
    }

    /// Renews the session token with the master token (`POST /session/token-request`).
    async fn renew(&self, action: &str) -> Result<()> {
        let tokens = self.current_tokens();
        let expired = |message: String| Error::SessionExpired {
            action: action.to_string(),
            code: error::SESSION_EXPIRED.to_string(),
            message,
        };
        let Some(master) = tokens.master else {
            return Err(expired(
                "the session expired and the login gave no master token to renew it".into(),
            ));
        };
        let mut url = endpoint(&self.config.url, "/session/token-request", action)?;
        url.query_pairs_mut()
            .append_pair("requestId", &uuid::Uuid::new_v4().to_string());
        let request = self
            .http
            .post(url.clone())
            .header("Accept", "application/json")
            .header("Authorization", format!("Snowflake Token=\"{master}\""))
            .json(&json!({ "oldSessionToken": tokens.session, "requestType": "RENEW" }));
        let envelope = send(request, &url, action).await?;
        if !envelope.success {
            return Err(expired(envelope.message.unwrap_or_default()));
        }
        let data: RenewData = parse(envelope.data, action)?;
        tracing::info!("Renewed the Snowflake session token.");
        if let Ok(mut guard) = self.tokens.lock() {
            guard.session = data.session_token;
            if data.master_token.is_some() {
                guard.master = data.master_token;
            }
        }
        Ok(())
    }

    /// Maps an unsuccessful answer to the error saying what failed.
    fn failure(&self, envelope: Envelope, sql: &str, action: &str) -> Error {
        let code = envelope.code.unwrap_or_default();
        let message = envelope.message.unwrap_or_default();
        if code == error::SESSION_EXPIRED
            || error::SESSION_GONE.contains(&code.as_str())
            || error::MASTER_TOKEN_GONE.contains(&code.as_str())
        {
            return Error::SessionExpired {
                action: action.to_string(),
                code,
                message,
            };
        }
        let data: ErrorData = serde_json::from_value(envelope.data).unwrap_or_default();
        let sql_state = data.sql_state.unwrap_or_default();
        // Some servers (fakesnow) already prefix the message with "<code> (<sqlstate>): ", which the
        // error's own message adds; keep it once.
        let prefix = format!("{code} ({sql_state}): ");
        let message = message
            .strip_prefix(&prefix)
            .map(str::to_string)
            .unwrap_or(message);
        Error::Statement {
            sql: error::shorten(sql),
            code,
            sql_state,
            message,
            query_id: data.query_id,
        }
    }

    fn current_tokens(&self) -> Tokens {
        match self.tokens.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A request with the session's headers.
    pub(crate) fn authorized(&self, method: Method, url: Url) -> RequestBuilder {
        let token = self.current_tokens().session;
        self.http
            .request(method, url)
            .header("Accept", "application/snowflake")
            .header("Authorization", format!("Snowflake Token=\"{token}\""))
    }

    /// The HTTP client, shared with stage uploads.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

/// Resolves an endpoint path (with optional query) against the account URL.
fn endpoint(base: &Url, path: &str, action: &str) -> Result<Url> {
    base.join(path).map_err(|e| Error::Protocol {
        action: action.to_string(),
        detail: format!("bad URL path {path}: {e}"),
    })
}

/// Sends a request and reads Snowflake's envelope, whatever the HTTP status: Snowflake (and
/// fakesnow) put the error code and message in a JSON body also on 4xx/5xx answers. A body that
/// is not an envelope becomes [`Error::Http`].
pub(crate) async fn send(request: RequestBuilder, url: &Url, action: &str) -> Result<Envelope> {
    let shown = without_query(url);
    let response = request.send().await.map_err(|source| Error::Transport {
        action: action.to_string(),
        url: shown.clone(),
        source,
    })?;
    let status = response.status();
    let body = response.bytes().await.map_err(|source| Error::Transport {
        action: action.to_string(),
        url: shown.clone(),
        source,
    })?;
    match serde_json::from_slice::<Envelope>(&body) {
        Ok(envelope) if status.is_success() || envelope.code.is_some() => Ok(envelope),
        _ => Err(Error::Http {
            action: action.to_string(),
            url: shown,
            status: status.as_u16(),
            body: error::shorten(&String::from_utf8_lossy(&body)),
        }),
    }
}

/// A URL for messages: without its query string, which may carry request ids or signatures.
pub(crate) fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

/// Deserializes an answer's `data` into the expected shape.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(data: Json, action: &str) -> Result<T> {
    serde_json::from_value(data).map_err(|e| Error::Protocol {
        action: action.to_string(),
        detail: e.to_string(),
    })
}
