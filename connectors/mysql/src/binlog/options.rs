//! How to reach the server and who to be on it.

use std::fmt;
use std::time::Duration;

/// Connection settings of a binlog client.
///
/// `server_id` is the id this client registers under (`COM_REGISTER_SLAVE`): it must differ
/// from the server's own id and from every other replica and binlog client of that server, or
/// the server disconnects the older connection with the same id (Debezium's
/// `database.server.id`).
#[derive(Clone)]
pub struct ConnectOptions {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User name; it needs REPLICATION SLAVE and REPLICATION CLIENT (BINLOG MONITOR).
    pub user: String,
    /// Password (masked in `Debug`).
    pub password: String,
    /// The replica server id this client registers as.
    pub server_id: u32,
    /// How long to wait for the TCP connection and handshake.
    pub connect_timeout: Duration,
    /// Ask the server to send a heartbeat event when the binlog is idle for this long
    /// (`@master_heartbeat_period`), so a dead connection is noticed; `None` disables it.
    pub heartbeat_interval: Option<Duration>,
}

impl ConnectOptions {
    /// Options with a 30 s connect timeout and 30 s heartbeats.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        user: impl Into<String>,
        password: impl Into<String>,
        server_id: u32,
    ) -> ConnectOptions {
        ConnectOptions {
            host: host.into(),
            port,
            user: user.into(),
            password: password.into(),
            server_id,
            connect_timeout: Duration::from_secs(30),
            heartbeat_interval: Some(Duration::from_secs(30)),
        }
    }

    /// How long [`BinlogStream::next`](super::BinlogStream::next) may wait before the
    /// connection counts as dead: twice the heartbeat interval plus a margin (`None` without
    /// heartbeats). Heartbeats arrive whenever the binlog is idle, so silence beyond this
    /// means the connection is lost even if TCP has not noticed.
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.heartbeat_interval
            .map(|h| h * 2 + Duration::from_secs(5))
    }

    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The `mysql_async` options: TCP only (never switch to a local socket behind the
    /// operator's back), no default database.
    pub(crate) fn mysql_opts(&self) -> mysql_async::Opts {
        mysql_async::OptsBuilder::default()
            .ip_or_hostname(self.host.clone())
            .tcp_port(self.port)
            .user(Some(self.user.clone()))
            .pass(Some(self.password.clone()))
            .prefer_socket(false)
            .tcp_keepalive(Some(Duration::from_secs(60)))
            .into()
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"********")
            .field("server_id", &self.server_id)
            .field("connect_timeout", &self.connect_timeout)
            .field("heartbeat_interval", &self.heartbeat_interval)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_the_password() {
        let o = ConnectOptions::new("h", 1, "u", "s3cret", 7);
        let s = format!("{o:?}");
        assert!(!s.contains("s3cret") && s.contains("********"), "{s}");
    }
}
