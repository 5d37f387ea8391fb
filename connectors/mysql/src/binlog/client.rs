//! Connecting, asking the server where its binlog is, and opening a binlog dump.
//!
//! Opening a MariaDB dump takes, on one connection: `SET @mariadb_slave_capability=4` (we
//! understand GTID events, so the server sends them instead of MySQL-compatible
//! placeholders), `SET @master_binlog_checksum` (we verify and strip checksums; `mysql_async`
//! sends it), optionally `SET @master_heartbeat_period`, then either a file/position
//! `COM_BINLOG_DUMP`, or `SET @slave_connect_state='<gtid position>'` and a dump with an empty
//! file name: MariaDB's GTID positioning (MySQL's `COM_BINLOG_DUMP_GTID` is refused).

use mysql_async::prelude::Queryable;
use mysql_async::{BinlogStreamRequest, Conn};

use super::options::ConnectOptions;
use super::position::{BinlogOffset, FilePosition, StartPosition};
use super::settings::ServerSettings;
use super::stream::{BinlogStream, Skip};
use super::table::Charsets;
use crate::error::{Error, Result};
use crate::gtid::GtidPosition;

/// `MARIA_SLAVE_CAPABILITY_GTID`: the client understands MariaDB GTID events.
const MARIADB_SLAVE_CAPABILITY_GTID: u8 = 4;

/// A connection to a MariaDB (or MySQL) server, before it turns into a binlog stream.
#[derive(Debug)]
pub struct BinlogClient {
    conn: Conn,
    opts: ConnectOptions,
}

impl BinlogClient {
    /// Connects and authenticates. A refused password is [`Error::Authentication`].
    pub async fn connect(opts: ConnectOptions) -> Result<BinlogClient> {
        let address = opts.address();
        let context = format!("connecting to {address}");
        let conn =
            match tokio::time::timeout(opts.connect_timeout, Conn::new(opts.mysql_opts())).await {
                Ok(Ok(conn)) => conn,
                Ok(Err(e)) => return Err(Error::from_driver(e, context, &opts.user, &address)),
                Err(_) => {
                    let timeout = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no answer within {:?}", opts.connect_timeout),
                    );
                    let e = mysql_async::Error::Io(mysql_async::IoError::Io(timeout));
                    return Err(Error::from_driver(e, context, &opts.user, &address));
                }
            };
        tracing::debug!(address = %address, server_id = opts.server_id, "Connected to the binlog server.");
        Ok(BinlogClient { conn, opts })
    }

    /// The options this client connected with.
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    fn err(&self, e: mysql_async::Error, context: impl Into<String>) -> Error {
        Error::from_driver(e, context, &self.opts.user, &self.opts.address())
    }

    /// The server's binlog settings.
    pub async fn server_settings(&mut self) -> Result<ServerSettings> {
        match ServerSettings::read(&mut self.conn).await {
            Ok(s) => Ok(s),
            Err(e) => Err(self.err(e, "reading the server's binlog settings")),
        }
    }

    async fn gtid_variable(&mut self, name: &'static str) -> Result<GtidPosition> {
        let query = format!("SELECT @@GLOBAL.{name}");
        match self.conn.query_first::<Option<String>, _>(query).await {
            Ok(v) => v.flatten().unwrap_or_default().parse(),
            Err(e) => Err(self.err(e, format!("reading @@{name} (is this a MariaDB server?)"))),
        }
    }

    /// `@@gtid_binlog_pos`: the GTID of the last transaction written to the binlog, per domain.
    pub async fn gtid_binlog_pos(&mut self) -> Result<GtidPosition> {
        self.gtid_variable("gtid_binlog_pos").await
    }

    /// `@@gtid_current_pos`: the last transaction applied, per domain, written or replicated.
    pub async fn gtid_current_pos(&mut self) -> Result<GtidPosition> {
        self.gtid_variable("gtid_current_pos").await
    }

    /// `SHOW MASTER STATUS`: the end of the current binlog file.
    pub async fn master_status(&mut self) -> Result<FilePosition> {
        let row: Option<mysql_async::Row> = match self.conn.query_first("SHOW MASTER STATUS").await
        {
            Ok(r) => r,
            Err(e) => return Err(self.err(e, "running SHOW MASTER STATUS")),
        };
        let parsed = row.and_then(|r| {
            Some((
                r.get_opt::<String, _>(0)?.ok()?,
                r.get_opt::<u64, _>(1)?.ok()?,
            ))
        });
        match parsed {
            Some((file, pos)) => Ok(FilePosition { file, pos }),
            None => Err(Error::ServerSetting {
                name: "log_bin",
                found: "OFF (SHOW MASTER STATUS is empty)".into(),
                required: "ON",
                fix: "Start the server with --log-bin.",
            }),
        }
    }

    /// `BINLOG_GTID_POS(file, pos)`: the GTID position at a binlog file position; `None` when
    /// the server cannot tell (not an event boundary, or the file is gone).
    pub async fn gtid_position_at(&mut self, at: &FilePosition) -> Result<Option<GtidPosition>> {
        let query = "SELECT BINLOG_GTID_POS(?, ?)";
        match self
            .conn
            .exec_first::<Option<String>, _, _>(query, (at.file.as_str(), at.pos))
            .await
        {
            Ok(v) => v.flatten().map(|s| s.parse()).transpose(),
            Err(e) => Err(self.err(e, format!("running BINLOG_GTID_POS for {at}"))),
        }
    }

    /// Checks the server, then turns this connection into a binlog stream starting at `from`.
    pub async fn start(mut self, from: StartPosition) -> Result<BinlogStream> {
        let settings = self.server_settings().await?;
        settings.validate()?;
        if settings.server_id == self.opts.server_id {
            return Err(Error::Config(sluice_api::Error::Config {
                key: "database.server.id".into(),
                message: format!(
                    "{} is the server's own server_id; choose an id no other replica or binlog \
                     client of {} uses",
                    self.opts.server_id,
                    self.opts.address()
                ),
            }));
        }
        let charsets = match Charsets::load(&mut self.conn).await {
            Ok(c) => c,
            Err(e) => return Err(self.err(e, "reading the server's collations")),
        };

        let (gtid_start, file_start, skip) = match from {
            StartPosition::Gtid(g) => (Some(g), None, Skip::default()),
            StartPosition::File(f) => (None, Some(f), Skip::default()),
            StartPosition::Resume(o) => {
                let skip = Skip::from_offset(&o);
                let BinlogOffset {
                    file, pos, gtids, ..
                } = o;
                if gtids.is_empty() {
                    (None, Some(FilePosition { file, pos }), skip)
                } else {
                    (Some(gtids), None, skip)
                }
            }
        };

        // `@master_binlog_checksum` is not set here: `get_binlog_stream` sets it itself (to
        // 'ALL'), which tells the server we are checksum-aware; mysql_common then verifies and
        // strips checksums as the FORMAT_DESCRIPTION event announces them.
        let mut session = vec![format!(
            "SET @mariadb_slave_capability={MARIADB_SLAVE_CAPABILITY_GTID}"
        )];
        if let Some(period) = self.opts.heartbeat_interval.filter(|d| !d.is_zero()) {
            session.push(format!(
                "SET @master_heartbeat_period={}",
                period.as_nanos().min(u128::from(u64::MAX))
            ));
        }
        // The GTID position's text is digits, '-' and ',' only (it was parsed), so it can be
        // inlined safely.
        if let Some(g) = &gtid_start {
            session.push(format!("SET @slave_connect_state='{g}'"));
        }
        for stmt in &session {
            if let Err(e) = self.conn.query_drop(stmt).await {
                return Err(self.err(e, format!("preparing the binlog dump ({stmt})")));
            }
        }

        let (file, pos, gtids, described) = match (&gtid_start, file_start) {
            (Some(g), _) => (String::new(), 4, g.clone(), format!("GTID position '{g}'")),
            (None, Some(f)) => {
                let gtids = self.gtid_position_at(&f).await?.unwrap_or_else(|| {
                    tracing::warn!(position = %f, "The server cannot tell the GTID position at this binlog position; GTIDs before the first transaction are unknown.");
                    GtidPosition::new()
                });
                let described = format!("binlog position {f}");
                (f.file, f.pos, gtids, described)
            }
            (None, None) => (
                String::new(),
                4,
                GtidPosition::new(),
                "the first binlog".to_string(),
            ),
        };
        tracing::info!(server_id = self.opts.server_id, from = %described, "Starting the binlog stream.");

        let BinlogClient { conn, opts } = self;
        let request = BinlogStreamRequest::new(opts.server_id)
            .with_filename(file.as_bytes())
            .with_pos(pos);
        let inner = match conn.get_binlog_stream(request).await {
            Ok(s) => s,
            Err(e) => {
                let address = opts.address();
                return Err(Error::from_driver(
                    e,
                    format!("requesting the binlog from {described}"),
                    &opts.user,
                    &address,
                ));
            }
        };
        Ok(BinlogStream::new(
            inner, opts, charsets, file, pos, gtids, skip, described,
        ))
    }

    /// Runs a statement on this connection (e.g. to take a snapshot before streaming).
    pub async fn execute(&mut self, sql: &str) -> Result<()> {
        match self.conn.query_drop(sql).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.err(e, format!("running `{sql}`"))),
        }
    }

    /// Closes the connection.
    pub async fn close(self) -> Result<()> {
        let address = self.opts.address();
        self.conn
            .disconnect()
            .await
            .map_err(|e| Error::from_driver(e, "disconnecting", &self.opts.user, &address))
    }
}
