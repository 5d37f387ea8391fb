//! Confluent's `ByteArrayFormat`: each record value's raw bytes followed by a separator
//! (`format.bytearray.separator`, default the line separator `\n`), optionally gzip-compressed
//! as a whole (`s3.compression.type=gzip`). Values must be bytes (use the
//! `ByteArrayConverter`); a string value is written as its UTF-8 bytes.

use std::io::Write;

use flate2::write::GzEncoder;
use sluice_api::{SinkRecord, Value};

use super::json::gzip_level;
use super::{Appended, RecordWriter};
use crate::config::Props;
use crate::naming::Compression;
use crate::{Error, Result};

/// `format.bytearray.separator`: written after every value (default `\n`).
pub const BYTEARRAY_SEPARATOR_CONFIG: &str = "format.bytearray.separator";

/// The ByteArray format settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteArrayOptions {
    /// Whole-file compression.
    pub compression: Compression,
    /// gzip level (0–9).
    pub level: u32,
    /// Bytes written after each value.
    pub separator: Vec<u8>,
}

impl ByteArrayOptions {
    /// Reads `s3.compression.type`, `s3.compression.level` and `format.bytearray.separator`.
    pub fn from_props(props: &Props) -> Result<Self> {
        Ok(ByteArrayOptions {
            compression: Compression::from_props(props)?,
            level: gzip_level(props)?,
            separator: props
                .get(BYTEARRAY_SEPARATOR_CONFIG)
                .map(|s| s.as_bytes().to_vec())
                .unwrap_or_else(|| b"\n".to_vec()),
        })
    }
}

#[derive(Debug)]
enum Out {
    Plain(Vec<u8>),
    Gzip(GzEncoder<Vec<u8>>),
}

/// Writes one ByteArray file.
#[derive(Debug)]
pub struct ByteArrayRecordWriter {
    separator: Vec<u8>,
    out: Out,
    records: u64,
}

impl ByteArrayRecordWriter {
    /// A writer for a new file.
    pub fn new(options: &ByteArrayOptions) -> Self {
        let out = match options.compression {
            Compression::None => Out::Plain(Vec::new()),
            Compression::Gzip => Out::Gzip(GzEncoder::new(
                Vec::new(),
                flate2::Compression::new(options.level),
            )),
        };
        ByteArrayRecordWriter {
            separator: options.separator.clone(),
            out,
            records: 0,
        }
    }
}

impl RecordWriter for ByteArrayRecordWriter {
    fn append(&mut self, record: &SinkRecord) -> Result<Appended> {
        let bytes: &[u8] = match &record.value {
            Value::Bytes(b) => b,
            Value::String(s) => s.as_bytes(),
            other => {
                return Err(Error::format(
                    "ByteArray",
                    record,
                    format!(
                        "the value is {}, not bytes; use value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                        other.kind()
                    ),
                ));
            }
        };
        match &mut self.out {
            Out::Plain(buf) => {
                buf.extend_from_slice(bytes);
                buf.extend_from_slice(&self.separator);
            }
            Out::Gzip(gz) => gz
                .write_all(bytes)
                .and_then(|()| gz.write_all(&self.separator))
                .map_err(|e| Error::format("ByteArray", record, format!("gzip failed: {e}")))?,
        }
        self.records += 1;
        Ok(Appended::Written)
    }

    fn record_count(&self) -> u64 {
        self.records
    }

    fn buffered_bytes(&self) -> usize {
        match &self.out {
            Out::Plain(buf) => buf.capacity(),
            Out::Gzip(gz) => gz.get_ref().capacity(),
        }
    }

    fn take_ready(&mut self) -> Vec<u8> {
        match &mut self.out {
            Out::Plain(buf) => std::mem::take(buf),
            // See the JSON writer: gzip output is only ever appended to.
            Out::Gzip(gz) => std::mem::take(gz.get_mut()),
        }
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>> {
        match self.out {
            Out::Plain(buf) => Ok(buf),
            Out::Gzip(gz) => gz.finish().map_err(|e| Error::Finish {
                format: "ByteArray",
                message: format!("finishing the gzip stream failed: {e}"),
            }),
        }
    }
}
