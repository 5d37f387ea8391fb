//! Confluent's `AvroFormat`: an Avro object container file per object, the Avro schema derived
//! from the first record's Connect value schema by `AvroData` (Sluice's byte-exact port in
//! `sluice-converters`), the record bodies encoded by the converters' compiled `AvroWriter`.
//!
//! Blocks are cut when their uncompressed size reaches 64,000 bytes (Java's
//! `DataFileConstants.DEFAULT_SYNC_INTERVAL`), far below Redshift COPY's 4 MB block limit.
//! Codecs (`avro.codec`): `null`, `deflate` (level 6, Java's default), `snappy` and `zstandard`
//! (level 3, Java's `CodecFactory` default); `bzip2` and `xz` are refused at configuration time.
//! Redshift's `COPY … FORMAT AS AVRO` reads `null`, `deflate` and `snappy`.
//!
//! With `sluice.decimal.format=string` decimals are written as Avro strings (see
//! `decimal_text`), for Redshift.
//!
//! The header is written with the first record (its schema is needed); a writer that never
//! received a record finishes with no bytes, and the sink must not upload such a file (Confluent
//! never creates one).

use sluice_api::SinkRecord;
use sluice_converters::avro::{
    AvroDataConfig, AvroWriter, CONNECT_META_DATA_CONFIG, ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG,
    from_connect_schema, schema_text,
};

use super::decimal_text::{DecimalEncoding, TextDecimals};
use super::ocf;
use super::{Appended, FileSchema, RecordWriter};
use crate::config::{self, Props};
use crate::{Error, Result};

/// `avro.codec`: the block codec, `null` (default), `deflate`, `snappy` or `zstandard`.
pub const AVRO_CODEC_CONFIG: &str = "avro.codec";

/// Java's default Zstandard level (`CodecFactory.DEFAULT_ZSTANDARD_LEVEL`).
const ZSTANDARD_LEVEL: i32 = 3;

/// Java's default sync interval: a block is written once this many body bytes are buffered.
const SYNC_INTERVAL: usize = 64_000;

/// The block compression of an Avro container file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AvroCodec {
    /// No compression.
    #[default]
    Null,
    /// Raw DEFLATE at the given level.
    Deflate(u32),
    /// Snappy, each block followed by the CRC-32 of its uncompressed bytes.
    Snappy,
    /// Zstandard at the given level.
    Zstandard(i32),
}

impl AvroCodec {
    /// The `avro.codec` metadata value.
    pub fn name(self) -> &'static str {
        match self {
            AvroCodec::Null => "null",
            AvroCodec::Deflate(_) => "deflate",
            AvroCodec::Snappy => "snappy",
            AvroCodec::Zstandard(_) => "zstandard",
        }
    }
}

/// The Avro format settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvroOptions {
    /// The block codec.
    pub codec: AvroCodec,
    /// The AvroData mapping options (`enhanced.avro.schema.support`, `connect.meta.data`).
    pub data_config: AvroDataConfig,
    /// How decimals are written (`sluice.decimal.format`).
    pub decimals: DecimalEncoding,
}

impl Default for AvroOptions {
    /// The S3 sink's defaults: codec `null`, enhanced schema support and Connect metadata on.
    fn default() -> Self {
        AvroOptions {
            codec: AvroCodec::Null,
            data_config: AvroDataConfig {
                connect_meta_data: true,
                enhanced_schema_support: true,
            },
            decimals: DecimalEncoding::Bytes,
        }
    }
}

impl AvroOptions {
    /// Reads `avro.codec`, `enhanced.avro.schema.support`, `connect.meta.data` and
    /// `sluice.decimal.format`.
    pub fn from_props(props: &Props) -> Result<Self> {
        let codec = match config::string(props, AVRO_CODEC_CONFIG, "null").as_str() {
            "null" => AvroCodec::Null,
            "deflate" => AvroCodec::Deflate(6),
            "snappy" => AvroCodec::Snappy,
            "zstandard" => AvroCodec::Zstandard(ZSTANDARD_LEVEL),
            other @ ("bzip2" | "xz") => {
                return Err(Error::config(
                    AVRO_CODEC_CONFIG,
                    format!(
                        "'{other}' is not supported yet; use null, deflate, snappy or zstandard"
                    ),
                ));
            }
            other => {
                return Err(Error::config(
                    AVRO_CODEC_CONFIG,
                    format!(
                        "'{other}' is not an Avro codec; use null, deflate, snappy or zstandard"
                    ),
                ));
            }
        };
        let flag = |key: &str| match config::string(props, key, "true")
            .to_ascii_lowercase()
            .as_str()
        {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(Error::config(
                key,
                format!("'{other}' is not true or false"),
            )),
        };
        Ok(AvroOptions {
            codec,
            data_config: AvroDataConfig {
                connect_meta_data: flag(CONNECT_META_DATA_CONFIG)?,
                enhanced_schema_support: flag(ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG)?,
            },
            decimals: DecimalEncoding::from_props(props)?,
        })
    }
}

/// Writes one Avro object container file.
#[derive(Debug)]
pub struct AvroRecordWriter {
    options: AvroOptions,
    sync: [u8; 16],
    writer: Option<AvroWriter>,
    /// Set with the writer when decimals are written as text.
    text: Option<TextDecimals>,
    schema: FileSchema,
    /// Final bytes not yet taken (header, completed blocks).
    ready: Vec<u8>,
    /// Bodies of the open block.
    block: Vec<u8>,
    block_records: u64,
    records: u64,
    /// Bytes to allocate for `ready` when the header is written ([`RecordWriter::reserve`]).
    size_hint: usize,
}

impl AvroRecordWriter {
    /// A writer for a new file with sync marker `sync` (see [`super::sync_marker_for`]).
    pub fn new(options: AvroOptions, sync: [u8; 16]) -> Self {
        AvroRecordWriter {
            options,
            sync,
            writer: None,
            text: None,
            schema: FileSchema::default(),
            ready: Vec::new(),
            block: Vec::new(),
            block_records: 0,
            records: 0,
            size_hint: 0,
        }
    }

    /// Derives the Avro schema, writes the header and compiles the body writer.
    fn open(&mut self, record: &SinkRecord) -> Result<AvroWriter> {
        let fail = |m: String| Error::format("Avro", record, m);
        let connect = record.value_schema.as_ref().ok_or_else(|| {
            fail("the value has no schema; the Avro format needs schema'd values (use a converter with schemas)".into())
        })?;
        if self.options.decimals == DecimalEncoding::Text {
            self.text = Some(TextDecimals::for_schema(connect).map_err(fail)?);
        }
        let connect = match &self.text {
            Some(t) => t.schema(connect),
            None => connect,
        };
        let avro = from_connect_schema(connect, &self.options.data_config).map_err(fail)?;
        let text = schema_text(&avro).map_err(fail)?;
        let writer = AvroWriter::new(connect, &avro).map_err(|e| fail(e.to_string()))?;
        self.ready = ocf::header(
            &[
                ("avro.schema", text.as_bytes()),
                ("avro.codec", self.options.codec.name().as_bytes()),
            ],
            &self.sync,
        );
        self.ready.reserve(self.size_hint);
        Ok(writer)
    }

    fn flush_block(&mut self) -> Result<()> {
        if self.block_records == 0 {
            return Ok(());
        }
        let data = match self.options.codec {
            AvroCodec::Null => {
                // Copied straight from the block buffer, which keeps its capacity for the next
                // block (taking it made every block grow from nothing again).
                ocf::block(&mut self.ready, self.block_records, &self.block, &self.sync);
                self.block.clear();
                self.block_records = 0;
                return Ok(());
            }
            AvroCodec::Deflate(level) => {
                ocf::deflate(&self.block, level).map_err(|e| codec_failed("deflate", &e))?
            }
            AvroCodec::Snappy => {
                ocf::snappy(&self.block).map_err(|e| codec_failed("snappy", &e))?
            }
            AvroCodec::Zstandard(level) => {
                ocf::zstandard(&self.block, level).map_err(|e| codec_failed("zstandard", &e))?
            }
        };
        self.block.clear();
        ocf::block(&mut self.ready, self.block_records, &data, &self.sync);
        self.block_records = 0;
        Ok(())
    }
}

impl RecordWriter for AvroRecordWriter {
    fn accepts(&self, record: &SinkRecord) -> bool {
        self.schema.would_accept(record)
    }

    fn append(&mut self, record: &SinkRecord) -> Result<Appended> {
        if !self.schema.accepts(record) {
            return Ok(Appended::SchemaChanged);
        }
        let writer = match self.writer.take() {
            Some(w) => w,
            None => self.open(record)?,
        };
        let mark = self.block.len();
        let written = match (&self.text, &record.value_schema) {
            (Some(text), Some(schema)) => match text.value(schema, &record.value) {
                Ok(value) => writer.write(&value, &mut self.block),
                Err(e) => {
                    self.writer = Some(writer);
                    return Err(Error::format("Avro", record, e));
                }
            },
            _ => writer.write(&record.value, &mut self.block),
        };
        self.writer = Some(writer);
        if let Err(e) = written {
            // Drop the partial body so the block stays well-formed.
            self.block.truncate(mark);
            return Err(Error::format("Avro", record, e.to_string()));
        }
        self.block_records += 1;
        self.records += 1;
        if self.block.len() >= SYNC_INTERVAL {
            self.flush_block()?;
        }
        Ok(Appended::Written)
    }

    fn record_count(&self) -> u64 {
        self.records
    }

    fn buffered_bytes(&self) -> usize {
        self.ready.capacity() + self.block.capacity()
    }

    fn take_ready(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.ready)
    }

    fn reserve(&mut self, bytes: usize) {
        self.size_hint = bytes;
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<u8>> {
        self.flush_block()?;
        Ok(std::mem::take(&mut self.ready))
    }
}

fn codec_failed(codec: &str, e: &dyn std::fmt::Display) -> Error {
    Error::Finish {
        format: "Avro",
        message: format!("{codec} compression failed: {e}"),
    }
}
