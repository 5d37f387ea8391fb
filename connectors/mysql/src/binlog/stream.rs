//! The binlog stream: raw events in, [`ChangeEvent`]s with restartable offsets out.
//!
//! State kept while reading, and why each piece makes offsets correct:
//! - `file`/`next_pos`: where the next event starts. Advanced by every real event's header
//!   (`log_pos` is the position after it) and set by ROTATE; the events the server makes up
//!   at the start of a dump (artificial flag or `log_pos` 0) and heartbeats do not move it.
//! - `committed`: the GTID position of every transaction committed before `next_pos`;
//!   advanced at the end of each transaction, never in the middle, so an offset inside a
//!   transaction names the position *before* it and resuming replays it whole.
//! - `tx`: the open transaction (its GTID, where its GTID event starts, how many of its
//!   events were handled). A row's offset is (transaction start, events before its row
//!   event, its row number + 1): replaying from the start and skipping that much delivers
//!   exactly the rows after it, which is what [`StartPosition::Resume`] does.
//!
//! [`BinlogStream::next`] is cancel-safe: decoded events wait in a queue, and the only await
//! is on the driver's stream, whose read state lives in the stream, not in the future.
//!
//! [`StartPosition::Resume`]: super::position::StartPosition::Resume

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use futures::StreamExt;
use mysql_async::binlog::EventFlags;
use mysql_async::binlog::EventType;
use mysql_async::binlog::events::{
    Event, EventData, QueryEvent, RowsEventData, TableMapEvent, XidEvent,
};
use mysql_async::binlog::row::BinlogRow;

use super::event::{ChangeEvent, RowChange, RowOp, Statement, TxBegin, TxCommit};
use super::options::ConnectOptions;
use super::position::{BinlogOffset, FilePosition};
use super::rotate::rotate_target;
use super::table::{Charsets, TableSchema};
use super::value::{ColumnValue, column_value};
use crate::error::{Error, Result};
use crate::gtid::events::{self as mariadb, MariadbEvent};
use crate::gtid::{Gtid, GtidPosition};

/// How much of the first transaction a resumed stream skips.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Skip {
    events: u64,
    rows: u64,
}

impl Skip {
    pub(crate) fn from_offset(o: &BinlogOffset) -> Skip {
        Skip {
            events: o.event,
            rows: o.row,
        }
    }
}

#[derive(Debug)]
struct Tx {
    gtid: Option<Gtid>,
    start: FilePosition,
    events: u64,
    standalone: bool,
    skip: Skip,
}

/// A running binlog dump, yielding [`ChangeEvent`]s.
pub struct BinlogStream {
    inner: mysql_async::BinlogStream,
    opts: ConnectOptions,
    charsets: Charsets,
    tables: HashMap<u64, Arc<TableSchema>>,
    pending: VecDeque<ChangeEvent>,
    file: String,
    next_pos: u64,
    committed: GtidPosition,
    tx: Option<Tx>,
    annotate: Option<Arc<str>>,
    resume_skip: Option<Skip>,
    started_from: String,
    server_id: u32,
    ts_sec: u32,
}

impl fmt::Debug for BinlogStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BinlogStream")
            .field("server", &self.opts.address())
            .field("started_from", &self.started_from)
            .field("file", &self.file)
            .field("next_pos", &self.next_pos)
            .field("committed", &self.committed.to_string())
            .finish_non_exhaustive()
    }
}

impl BinlogStream {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        inner: mysql_async::BinlogStream,
        opts: ConnectOptions,
        charsets: Charsets,
        file: String,
        pos: u64,
        committed: GtidPosition,
        skip: Skip,
        started_from: String,
    ) -> BinlogStream {
        BinlogStream {
            inner,
            opts,
            charsets,
            tables: HashMap::new(),
            pending: VecDeque::new(),
            file,
            next_pos: pos,
            committed,
            tx: None,
            annotate: None,
            resume_skip: (skip != Skip::default()).then_some(skip),
            started_from,
            server_id: 0,
            ts_sec: 0,
        }
    }

    /// The next change; `Ok(None)` when the server ended the dump. After an error, drop the
    /// stream and open a new one from the offset of the last event delivered downstream.
    pub async fn next(&mut self) -> Result<Option<ChangeEvent>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(Some(e));
            }
            match self.inner.next().await {
                None => return Ok(None),
                Some(Ok(event)) => self.handle(&event)?,
                Some(Err(e)) => {
                    let context = format!(
                        "reading the binlog at {}:{} (the stream started from {})",
                        self.file, self.next_pos, self.started_from
                    );
                    return Err(Error::from_driver(
                        e,
                        context,
                        &self.opts.user,
                        &self.opts.address(),
                    ));
                }
            }
        }
    }

    /// Where the next event from the server starts.
    pub fn server_position(&self) -> FilePosition {
        FilePosition {
            file: self.file.clone(),
            pos: self.next_pos,
        }
    }

    /// The GTID position of the transactions committed so far (read, not necessarily delivered).
    pub fn committed_gtids(&self) -> &GtidPosition {
        &self.committed
    }

    /// Ends the dump and closes the connection.
    pub async fn close(self) -> Result<()> {
        let (user, address) = (self.opts.user.clone(), self.opts.address());
        self.inner
            .close()
            .await
            .map_err(|e| Error::from_driver(e, "closing the binlog stream", &user, &address))
    }

    fn offset(&self, event: u64, row: u64) -> BinlogOffset {
        let (file, pos) = match &self.tx {
            Some(tx) => (tx.start.file.clone(), tx.start.pos),
            None => (self.file.clone(), self.next_pos),
        };
        BinlogOffset {
            file,
            pos,
            gtids: self.committed.clone(),
            event,
            row,
            server_id: self.server_id,
            ts_sec: self.ts_sec,
        }
    }

    fn handle(&mut self, event: &Event) -> Result<()> {
        let header = event.header();
        let ty = header.event_type_raw();
        let end = u64::from(header.log_pos());
        // Heartbeats carry the server's own write position, not ours, so they never count.
        let real = end != 0
            && !header.flags().contains(EventFlags::LOG_EVENT_ARTIFICIAL_F)
            && ty != EventType::HEARTBEAT_EVENT as u8;
        if real {
            self.server_id = header.server_id();
            self.ts_sec = header.timestamp();
        }
        let advance = |s: &mut BinlogStream| {
            if real {
                s.next_pos = end;
            }
        };

        match ty {
            t if t == EventType::ROTATE_EVENT as u8 => {
                let FilePosition { file, pos } = rotate_target(event)?;
                self.file = file;
                self.next_pos = pos;
                return Ok(());
            }
            t if t == EventType::HEARTBEAT_EVENT as u8 => {
                let offset = self.offset(0, 0);
                self.pending.push_back(ChangeEvent::Heartbeat(offset));
                return Ok(());
            }
            mariadb::GTID_EVENT => {
                let g = mariadb::decode_gtid(event.data())?;
                if let Some(open) = &self.tx {
                    tracing::warn!(gtid = ?open.gtid, "A transaction ended without COMMIT or XID in the binlog.");
                }
                let gtid = g.gtid(header.server_id());
                self.tx = Some(Tx {
                    gtid: Some(gtid),
                    start: self.server_position(),
                    events: 0,
                    standalone: g.is_standalone(),
                    skip: self.resume_skip.take().unwrap_or_default(),
                });
                let offset = self.offset(0, 0);
                advance(self);
                self.pending.push_back(ChangeEvent::Begin(TxBegin {
                    gtid,
                    standalone: g.is_standalone(),
                    ddl: g.is_ddl(),
                    offset,
                }));
                return Ok(());
            }
            t if t == EventType::XID_EVENT as u8 => {
                let x: XidEvent = event.read_event().map_err(io("XID"))?;
                advance(self);
                self.commit(Some(x.xid));
                return Ok(());
            }
            t if t == EventType::QUERY_EVENT as u8 => {
                let q: QueryEvent<'_> = event.read_event().map_err(io("QUERY"))?;
                if self.query(&q) {
                    advance(self);
                    self.commit(None);
                    return Ok(());
                }
            }
            t if t == EventType::TABLE_MAP_EVENT as u8 => {
                let tme: TableMapEvent<'_> = event.read_event().map_err(io("TABLE_MAP"))?;
                let schema = TableSchema::from_table_map(&tme, &self.charsets)?;
                self.tables.insert(schema.table_id, Arc::new(schema));
            }
            t if (EventType::WRITE_ROWS_EVENT_V1 as u8..=EventType::DELETE_ROWS_EVENT_V1 as u8)
                .contains(&t)
                || (EventType::WRITE_ROWS_EVENT as u8..=EventType::DELETE_ROWS_EVENT as u8)
                    .contains(&t)
                || t == EventType::PARTIAL_UPDATE_ROWS_EVENT as u8 =>
            {
                self.rows(event)?;
            }
            mariadb::ANNOTATE_ROWS_EVENT
            | mariadb::GTID_LIST_EVENT
            | mariadb::BINLOG_CHECKPOINT_EVENT => {
                match mariadb::decode_mariadb_event(ty, event.data())? {
                    Some(MariadbEvent::AnnotateRows(sql)) => self.annotate = Some(sql.into()),
                    Some(other) => tracing::debug!(event = ?other, "MariaDB binlog event."),
                    None => {}
                }
            }
            // MariaDB's compressed QUERY and row events (log_bin_compress=ON).
            165..=171 => {
                return Err(Error::Unsupported(format!(
                    "compressed binlog event (type {ty}) at {}:{}; set log_bin_compress=OFF on the server",
                    self.file, self.next_pos
                )));
            }
            _ => {}
        }
        advance(self);
        if let Some(tx) = &mut self.tx {
            tx.events += 1;
        }
        Ok(())
    }

    /// Handles a QUERY event; true when it ends the transaction.
    fn query(&mut self, q: &QueryEvent<'_>) -> bool {
        let sql = q.query();
        let keyword = sql
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match keyword.as_str() {
            "BEGIN" => false,
            // ROLLBACK is logged only when non-transactional changes inside the transaction
            // could not be undone; they stay, so the transaction ends like a commit.
            "COMMIT" | "ROLLBACK" => true,
            _ => {
                let index = self.tx.as_ref().map_or(0, |t| t.events);
                if !self.skipped(index) {
                    let offset = self.offset(index + 1, 0);
                    let gtid = self.tx.as_ref().and_then(|t| t.gtid);
                    self.pending.push_back(ChangeEvent::Statement(Statement {
                        schema: q.schema().into_owned(),
                        sql: sql.into_owned(),
                        gtid,
                        offset,
                    }));
                }
                self.tx.as_ref().is_some_and(|t| t.standalone)
            }
        }
    }

    /// Whether event number `index` of the open transaction was delivered before a resume.
    fn skipped(&self, index: u64) -> bool {
        self.tx.as_ref().is_some_and(|t| index < t.skip.events)
    }

    fn commit(&mut self, xid: Option<u64>) {
        let gtid = self.tx.take().and_then(|t| t.gtid);
        if let Some(g) = gtid {
            self.committed.advance(g);
        }
        self.annotate = None;
        // Every event group maps its tables again before its rows, so forgetting them here
        // bounds memory and never loses a mapping still needed.
        self.tables.clear();
        let offset = self.offset(0, 0);
        self.pending
            .push_back(ChangeEvent::Commit(TxCommit { gtid, xid, offset }));
    }

    fn rows(&mut self, event: &Event) -> Result<()> {
        let Some(EventData::RowsEvent(data)) = event.read_data().map_err(io("rows"))? else {
            return Err(Error::malformed(
                "rows",
                "the event body is not a rows event",
            ));
        };
        let op = match &data {
            RowsEventData::WriteRowsEventV1(_) | RowsEventData::WriteRowsEvent(_) => RowOp::Insert,
            RowsEventData::UpdateRowsEventV1(_) | RowsEventData::UpdateRowsEvent(_) => {
                RowOp::Update
            }
            RowsEventData::DeleteRowsEventV1(_) | RowsEventData::DeleteRowsEvent(_) => {
                RowOp::Delete
            }
            RowsEventData::PartialUpdateRowsEvent(_) => {
                return Err(Error::Unsupported(
                    "partial JSON updates (PARTIAL_UPDATE_ROWS); set binlog_row_value_options='' on the server".into(),
                ));
            }
        };
        let table_id = data.table_id();
        let (Some(table), Some(tme)) = (self.tables.get(&table_id), self.inner.get_tme(table_id))
        else {
            return Err(Error::malformed(
                "rows",
                format!(
                    "no TABLE_MAP for table id {table_id} precedes it at {}:{}",
                    self.file, self.next_pos
                ),
            ));
        };
        let (index, skip) = match &self.tx {
            Some(tx) => (tx.events, tx.skip),
            None => (0, Skip::default()),
        };
        let skip_rows = match index.cmp(&skip.events) {
            std::cmp::Ordering::Less => u64::MAX,
            std::cmp::Ordering::Equal => skip.rows,
            std::cmp::Ordering::Greater => 0,
        };
        let gtid = self.tx.as_ref().and_then(|t| t.gtid);
        let mut changes = Vec::new();
        for (n, row) in (0u64..).zip(data.rows(tme)) {
            let (before, after) = row.map_err(io("rows"))?;
            if n < skip_rows {
                continue;
            }
            changes.push(ChangeEvent::Row(RowChange {
                op,
                table: Arc::clone(table),
                before: before.map(|r| image(table, r)).transpose()?,
                after: after.map(|r| image(table, r)).transpose()?,
                gtid,
                query: self.annotate.clone(),
                offset: self.offset(index, n + 1),
            }));
        }
        self.pending.extend(changes);
        Ok(())
    }
}

/// The values of a row image, in table column order.
fn image(table: &TableSchema, mut row: BinlogRow) -> Result<Vec<ColumnValue>> {
    if row.len() != table.columns.len() {
        return Err(Error::ServerSetting {
            name: "binlog_row_image",
            found: format!(
                "not FULL when {}.{} was changed (a row image has {} of {} columns)",
                table.schema,
                table.table,
                row.len(),
                table.columns.len()
            ),
            required: "FULL",
            fix: "Set binlog_row_image=FULL and start from a position written after the change.",
        });
    }
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, col)| match row.take(i) {
            Some(v) => column_value(col, v.into_owned()),
            None => Err(Error::malformed(
                "rows",
                format!("column {} has no value", col.name),
            )),
        })
        .collect()
}

fn io(event: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |e| Error::malformed(event, e.to_string())
}
