//! Confluent's `JsonFormat`: one JSON document per record value, each followed by `\n`
//! (`System.lineSeparator()` on the Linux workers it runs on), optionally gzip-compressed as a
//! whole (`s3.compression.type=gzip`, extension `.json.gz`).
//!
//! Values are written by Kafka's `JsonConverter` with `schemas.enable=false` (Sluice's
//! byte-identical port) and `decimal.format` from `json.decimal.format`; a null value is written
//! as `null`, as Confluent's Jackson fallback does.

use std::io::Write;

use flate2::write::GzEncoder;
use sluice_api::SinkRecord;
use sluice_converters::json::DecimalFormat;
use sluice_converters::{Converter, JsonConverter, JsonConverterConfig};

use super::{Appended, FileSchema, RecordWriter};
use crate::config::{self, Props};
use crate::naming::Compression;
use crate::{Error, Result};

/// `json.decimal.format`: `BASE64` (default) or `NUMERIC`.
pub const JSON_DECIMAL_FORMAT_CONFIG: &str = "json.decimal.format";
/// `s3.compression.level`: gzip level 0–9, -1 for the default (6).
pub const COMPRESSION_LEVEL_CONFIG: &str = "s3.compression.level";

/// The JSON format settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonOptions {
    /// Whole-file compression.
    pub compression: Compression,
    /// gzip level (0–9).
    pub level: u32,
    /// How decimals are written.
    pub decimal_format: DecimalFormat,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            compression: Compression::None,
            level: 6,
            decimal_format: DecimalFormat::Base64,
        }
    }
}

impl JsonOptions {
    /// Reads `s3.compression.type`, `s3.compression.level` and `json.decimal.format`.
    pub fn from_props(props: &Props) -> Result<Self> {
        let level = gzip_level(props)?;
        let decimal_format = match config::string(props, JSON_DECIMAL_FORMAT_CONFIG, "BASE64")
            .to_ascii_uppercase()
            .as_str()
        {
            "BASE64" => DecimalFormat::Base64,
            "NUMERIC" => DecimalFormat::Numeric,
            other => {
                return Err(Error::config(
                    JSON_DECIMAL_FORMAT_CONFIG,
                    format!("'{other}' is not BASE64 or NUMERIC"),
                ));
            }
        };
        Ok(JsonOptions {
            compression: Compression::from_props(props)?,
            level,
            decimal_format,
        })
    }
}

/// `s3.compression.level` as a gzip level: -1 (the default) means 6.
pub(crate) fn gzip_level(props: &Props) -> Result<u32> {
    let level = config::long(props, COMPRESSION_LEVEL_CONFIG, -1)?;
    match level {
        -1 => Ok(6),
        0..=9 => Ok(level.unsigned_abs() as u32),
        _ => Err(Error::config(
            COMPRESSION_LEVEL_CONFIG,
            format!("{level} is not a gzip level; use -1 (default) or 0 to 9"),
        )),
    }
}

#[derive(Debug)]
enum Sink {
    Plain(Vec<u8>),
    Gzip(GzEncoder<Vec<u8>>),
}

/// Writes one JSON-lines file.
#[derive(Debug)]
pub struct JsonRecordWriter {
    converter: JsonConverter,
    out: Sink,
    schema: FileSchema,
    records: u64,
}

impl JsonRecordWriter {
    /// A writer for a new file.
    pub fn new(options: JsonOptions) -> Self {
        let converter = JsonConverter::new(JsonConverterConfig {
            schemas_enable: false,
            decimal_format: options.decimal_format,
            ..JsonConverterConfig::default()
        });
        let out = match options.compression {
            Compression::None => Sink::Plain(Vec::new()),
            Compression::Gzip => Sink::Gzip(GzEncoder::new(
                Vec::new(),
                flate2::Compression::new(options.level),
            )),
        };
        JsonRecordWriter {
            converter,
            out,
            schema: FileSchema::default(),
            records: 0,
        }
    }
}

impl RecordWriter for JsonRecordWriter {
    fn accepts(&self, record: &SinkRecord) -> bool {
        self.schema.would_accept(record)
    }

    fn append(&mut self, record: &SinkRecord) -> Result<Appended> {
        if !self.schema.accepts(record) {
            return Ok(Appended::SchemaChanged);
        }
        let value = record
            .value_decoded()
            .map_err(|e| Error::format("JSON", record, e))?;
        let bytes = self
            .converter
            .from_connect(&record.topic, record.value_schema.as_ref(), &value)
            .map_err(|e| Error::format("JSON", record, e.to_string()))?;
        let line = bytes.as_deref().unwrap_or(b"null");
        match &mut self.out {
            Sink::Plain(buf) => {
                buf.extend_from_slice(line);
                buf.push(b'\n');
            }
            Sink::Gzip(gz) => gz
                .write_all(line)
                .and_then(|()| gz.write_all(b"\n"))
                .map_err(|e| Error::format("JSON", record, format!("gzip failed: {e}")))?,
        }
        self.records += 1;
        Ok(Appended::Written)
    }

    fn record_count(&self) -> u64 {
        self.records
    }

    fn buffered_bytes(&self) -> usize {
        match &self.out {
            Sink::Plain(buf) => buf.capacity(),
            Sink::Gzip(gz) => gz.get_ref().capacity(),
        }
    }

    fn reserve(&mut self, bytes: usize) {
        if let Sink::Plain(buf) = &mut self.out {
            buf.reserve(bytes);
        }
    }

    fn take_ready(&mut self) -> Vec<u8> {
        match &mut self.out {
            Sink::Plain(buf) => std::mem::take(buf),
            // The encoder appends compressed output to its inner Vec and never rewrites it
            // (the gzip header is written up front and the trailer at finish), so draining
            // the Vec leaves a valid stream prefix behind.
            Sink::Gzip(gz) => std::mem::take(gz.get_mut()),
        }
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>> {
        match self.out {
            Sink::Plain(buf) => Ok(buf),
            Sink::Gzip(gz) => gz.finish().map_err(|e| Error::Finish {
                format: "JSON",
                message: format!("finishing the gzip stream failed: {e}"),
            }),
        }
    }
}
