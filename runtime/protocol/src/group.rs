//! The `connect` worker group protocol's payloads (`ConnectProtocol`,
//! `IncrementalCooperativeConnectProtocol`): the member metadata a worker sends in JoinGroup and
//! the assignment the leader hands each member in SyncGroup.
//!
//! Layouts (Kafka protocol primitives, big-endian; `STRING` = int16 length + UTF-8,
//! `NULLABLE_BYTES` = int32 length or -1, `ARRAY` = int32 count or -1):
//!
//! ```text
//! metadata v0:     int16 version | STRING url | int64 config_offset
//! metadata v1/v2:  … | NULLABLE_BYTES allocation (the worker's current assignment, v1 layout)
//! assignment v0:   int16 version | int16 error | STRING leader | STRING leader_url
//!                  | int64 config_offset | ARRAY[STRING connector, ARRAY[int32 task]]
//! assignment v1/2: … v0 fields with a nullable ARRAY | nullable ARRAY revoked | int32 delay
//! ```
//!
//! Task `-1` inside a connector entry stands for the connector instance itself. Version 2
//! (`sessioned`) is byte-identical to 1 and only signals request signing. Readers accept trailing
//! fields missing from older payloads (defaults: empty revoked, zero delay) and ignore unknown
//! trailing bytes of newer versions, as Java's schema-based reader does.

use crate::{Error, Result};

/// The task number that denotes the connector instance itself in an assignment.
pub const CONNECTOR_TASK: i32 = -1;

/// Sub-protocol names in a `sessioned` worker's order of preference, with their versions.
pub const PROTOCOLS: [(&str, i16); 3] = [("sessioned", 2), ("compatible", 1), ("default", 0)];

/// A worker's JoinGroup metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerMetadata {
    /// Protocol version: 0 (eager), 1 (compatible) or 2 (sessioned).
    pub version: i16,
    /// The worker's advertised REST URL.
    pub url: String,
    /// The config topic offset the worker has read up to.
    pub config_offset: i64,
    /// What the worker owns now (v1+), as an assignment.
    pub allocation: Option<Assignment>,
}

/// One connector's share of an assignment: its instance (`-1`) and/or some of its tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorTasks {
    /// Connector name.
    pub connector: String,
    /// Task numbers; [`CONNECTOR_TASK`] for the connector itself.
    pub tasks: Vec<i32>,
}

/// The leader's SyncGroup assignment for one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Protocol version.
    pub version: i16,
    /// 0 = no error, 1 = config mismatch (re-read the config topic and rejoin).
    pub error: i16,
    /// The leader's member id.
    pub leader: String,
    /// The leader's REST URL (followers forward config writes there).
    pub leader_url: String,
    /// The config topic offset the assignment is based on.
    pub config_offset: i64,
    /// What the member runs.
    pub assigned: Vec<ConnectorTasks>,
    /// What the member must stop (v1+).
    pub revoked: Vec<ConnectorTasks>,
    /// Milliseconds until lost work is reassigned (v1+).
    pub delay: i32,
}

impl WorkerMetadata {
    /// Encodes the metadata for JoinGroup.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.i16(self.version);
        w.string(&self.url);
        w.i64(self.config_offset);
        if self.version >= 1 {
            match &self.allocation {
                Some(a) => w.bytes(Some(&a.encode())),
                None => w.bytes(None),
            }
        }
        w.0
    }

    /// Decodes a member's metadata.
    pub fn decode(bytes: &[u8]) -> Result<WorkerMetadata> {
        let mut r = Reader::new(bytes, "connect worker metadata");
        let version = r.i16()?;
        if version < 0 {
            return Err(r.err(format!("unknown version {version}")));
        }
        let url = r.string()?;
        let config_offset = r.i64()?;
        let allocation = if version >= 1 && !r.done() {
            match r.bytes()? {
                Some(b) if !b.is_empty() => Some(Assignment::decode(b)?),
                _ => None,
            }
        } else {
            None
        };
        Ok(WorkerMetadata {
            version,
            url,
            config_offset,
            allocation,
        })
    }
}

impl Assignment {
    /// Encodes the assignment for SyncGroup.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.i16(self.version);
        w.i16(self.error);
        w.string(&self.leader);
        w.string(&self.leader_url);
        w.i64(self.config_offset);
        w.connector_tasks(&self.assigned);
        if self.version >= 1 {
            w.connector_tasks(&self.revoked);
            w.i32(self.delay);
        }
        w.0
    }

    /// Decodes an assignment.
    pub fn decode(bytes: &[u8]) -> Result<Assignment> {
        let mut r = Reader::new(bytes, "connect assignment");
        let version = r.i16()?;
        if version < 0 {
            return Err(r.err(format!("unknown version {version}")));
        }
        let error = r.i16()?;
        let leader = r.string()?;
        let leader_url = r.string()?;
        let config_offset = r.i64()?;
        let assigned = r.connector_tasks()?;
        let (revoked, delay) = if version >= 1 && !r.done() {
            let revoked = r.connector_tasks()?;
            let delay = if r.done() { 0 } else { r.i32()? };
            (revoked, delay)
        } else {
            (Vec::new(), 0)
        };
        Ok(Assignment {
            version,
            error,
            leader,
            leader_url,
            config_offset,
            assigned,
            revoked,
            delay,
        })
    }
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn i16(&mut self, v: i16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn string(&mut self, s: &str) {
        // Connector names and URLs are far below 32 KiB; longer ones are cut at a char boundary
        // rather than written with a wrapped length.
        let mut end = s.len().min(i16::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.i16(end as i16);
        self.0.extend_from_slice(&s.as_bytes()[..end]);
    }
    fn bytes(&mut self, b: Option<&[u8]>) {
        match b {
            Some(b) => {
                self.i32(b.len() as i32);
                self.0.extend_from_slice(b);
            }
            None => self.i32(-1),
        }
    }
    fn connector_tasks(&mut self, list: &[ConnectorTasks]) {
        self.i32(list.len() as i32);
        for c in list {
            self.string(&c.connector);
            self.i32(c.tasks.len() as i32);
            for t in &c.tasks {
                self.i32(*t);
            }
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, pos: 0, what }
    }
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
    fn err(&self, message: String) -> Error {
        Error::Malformed {
            what: self.what,
            message: format!("{message} at byte {}", self.pos),
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() - self.pos < n {
            return Err(self.err(format!(
                "truncated: needed {n} more bytes, {} left",
                self.buf.len() - self.pos
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn i16(&mut self) -> Result<i16> {
        let b = self.take(2)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }
    fn i32(&mut self) -> Result<i32> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn i64(&mut self) -> Result<i64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }
    fn string(&mut self) -> Result<String> {
        let len = self.i16()?;
        if len < 0 {
            return Err(self.err("null string".into()));
        }
        let b = self.take(len as usize)?;
        String::from_utf8(b.to_vec()).map_err(|_| self.err("string is not UTF-8".into()))
    }
    fn bytes(&mut self) -> Result<Option<&'a [u8]>> {
        let len = self.i32()?;
        if len < 0 {
            return Ok(None);
        }
        Ok(Some(self.take(len as usize)?))
    }
    fn count(&mut self) -> Result<usize> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(0);
        }
        // Every element takes at least 2 bytes: reject counts the buffer cannot hold before
        // allocating for them.
        if n as usize > (self.buf.len() - self.pos) / 2 {
            return Err(self.err(format!("array of {n} elements does not fit")));
        }
        Ok(n as usize)
    }
    fn connector_tasks(&mut self) -> Result<Vec<ConnectorTasks>> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let connector = self.string()?;
            let k = self.count()?;
            let mut tasks = Vec::with_capacity(k);
            for _ in 0..k {
                tasks.push(self.i32()?);
            }
            out.push(ConnectorTasks { connector, tasks });
        }
        Ok(out)
    }
}
