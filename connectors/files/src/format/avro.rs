//! Confluent's `AvroFormat`: an Avro object container file per object, the Avro schema derived
//! from the first record's Connect value schema by `AvroData` (Sluice's byte-exact port in
//! `sluice-converters`), the record bodies encoded by the converters' compiled `AvroWriter`.
//!
//! Blocks are cut when their uncompressed size reaches 64,000 bytes (Java's
//! `DataFileConstants.DEFAULT_SYNC_INTERVAL`), far below Redshift COPY's 4 MB block limit.
//! Codecs: `null` and `deflate` (level 6, Java's default); `snappy`, `bzip2`, `xz` and
//! `zstandard` are refused at configuration time until implemented.
//!
//! The header is written with the first record (its schema is needed); a writer that never
//! received a record finishes with no bytes, and the sink must not upload such a file (Confluent
//! never creates one).

use sluice_api::SinkRecord;
use sluice_converters::avro::{
    AvroDataConfig, AvroWriter, CONNECT_META_DATA_CONFIG, ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG,
    from_connect_schema, schema_text,
};

use super::ocf;
use super::{Appended, FileSchema, RecordWriter};
use crate::config::{self, Props};
use crate::{Error, Result};

/// `avro.codec`: `null` (default) or `deflate`.
pub const AVRO_CODEC_CONFIG: &str = "avro.codec";

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
}

impl AvroCodec {
    /// The `avro.codec` metadata value.
    pub fn name(self) -> &'static str {
        match self {
            AvroCodec::Null => "null",
            AvroCodec::Deflate(_) => "deflate",
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
        }
    }
}

impl AvroOptions {
    /// Reads `avro.codec`, `enhanced.avro.schema.support` and `connect.meta.data`.
    pub fn from_props(props: &Props) -> Result<Self> {
        let codec = match config::string(props, AVRO_CODEC_CONFIG, "null").as_str() {
            "null" => AvroCodec::Null,
            "deflate" => AvroCodec::Deflate(6),
            other @ ("snappy" | "bzip2" | "xz" | "zstandard") => {
                return Err(Error::config(
                    AVRO_CODEC_CONFIG,
                    format!("'{other}' is not supported yet; use null or deflate"),
                ));
            }
            other => {
                return Err(Error::config(
                    AVRO_CODEC_CONFIG,
                    format!("'{other}' is not an Avro codec; use null or deflate"),
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
        })
    }
}

/// Writes one Avro object container file.
#[derive(Debug)]
pub struct AvroRecordWriter {
    options: AvroOptions,
    sync: [u8; 16],
    writer: Option<AvroWriter>,
    schema: FileSchema,
    /// Final bytes not yet taken (header, completed blocks).
    ready: Vec<u8>,
    /// Bodies of the open block.
    block: Vec<u8>,
    block_records: u64,
    records: u64,
}

impl AvroRecordWriter {
    /// A writer for a new file with sync marker `sync` (see [`super::sync_marker_for`]).
    pub fn new(options: AvroOptions, sync: [u8; 16]) -> Self {
        AvroRecordWriter {
            options,
            sync,
            writer: None,
            schema: FileSchema::default(),
            ready: Vec::new(),
            block: Vec::new(),
            block_records: 0,
            records: 0,
        }
    }

    /// Derives the Avro schema, writes the header and compiles the body writer.
    fn open(&mut self, record: &SinkRecord) -> Result<AvroWriter> {
        let fail = |m: String| Error::format("Avro", record, m);
        let connect = record.value_schema.as_ref().ok_or_else(|| {
            fail("the value has no schema; the Avro format needs schema'd values (use a converter with schemas)".into())
        })?;
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
        Ok(writer)
    }

    fn flush_block(&mut self) -> Result<()> {
        if self.block_records == 0 {
            return Ok(());
        }
        let data = match self.options.codec {
            AvroCodec::Null => std::mem::take(&mut self.block),
            AvroCodec::Deflate(level) => {
                let out = ocf::deflate(&self.block, level).map_err(|e| Error::Finish {
                    format: "Avro",
                    message: format!("deflate failed: {e}"),
                })?;
                self.block.clear();
                out
            }
        };
        ocf::block(&mut self.ready, self.block_records, &data, &self.sync);
        self.block_records = 0;
        Ok(())
    }
}

impl RecordWriter for AvroRecordWriter {
    fn append(&mut self, record: &SinkRecord) -> Result<Appended> {
        if !self.schema.accepts(record) {
            return Ok(Appended::SchemaChanged);
        }
        let writer = match self.writer.take() {
            Some(w) => w,
            None => self.open(record)?,
        };
        let mark = self.block.len();
        let written = writer.write(&record.value, &mut self.block);
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

    fn finish(mut self: Box<Self>) -> Result<Vec<u8>> {
        self.flush_block()?;
        Ok(std::mem::take(&mut self.ready))
    }
}
