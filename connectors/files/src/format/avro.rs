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
//! Records the Avro converter kept encoded ([`sluice_api::EncodedValue`]) are copied into the
//! block as they are when their writer schema encodes like the file's schema
//! ([`same_encoding`]; the converter already checked each body is in canonical form), which
//! skips decoding and encoding them again; other encoded records are decoded first. Debug builds
//! check every copied body against the decode → encode round trip.
//!
//! The header is written with the first record (its schema is needed); a writer that never
//! received a record finishes with no bytes, and the sink must not upload such a file (Confluent
//! never creates one).

use std::sync::Arc;

use sluice_api::{EncodedValue, SinkRecord, ValueEncoding};
use sluice_converters::avro::{
    AvroDataConfig, AvroEncoding, AvroSchema, AvroWriter, CONNECT_META_DATA_CONFIG,
    ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG, from_connect_schema, same_encoding, schema_text,
};

use super::decimal_text::{DecimalEncoding, TextDecimals};
use super::ocf;
use super::{Appended, FileSchema, RecordWriter};
use crate::config::{self, Props};
use crate::{Error, Result};

/// `avro.codec`: the block codec, `null` (default), `deflate`, `snappy` or `zstandard`.
pub const AVRO_CODEC_CONFIG: &str = "avro.codec";

/// `sluice.avro.passthrough`: whether records the AvroConverter read are copied into the files
/// as they arrived when that writes the same bytes (`true`, the default), or always decoded and
/// encoded again (`false`: the files are identical; it only costs CPU, e.g. to compare).
pub const AVRO_PASSTHROUGH_CONFIG: &str = "sluice.avro.passthrough";

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
    /// Whether encoded Avro records may be copied as they are (`sluice.avro.passthrough`).
    pub passthrough: bool,
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
            passthrough: true,
        }
    }
}

impl AvroOptions {
    /// Reads `avro.codec`, `enhanced.avro.schema.support`, `connect.meta.data`,
    /// `sluice.decimal.format` and `sluice.avro.passthrough`.
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
            passthrough: flag(AVRO_PASSTHROUGH_CONFIG)?,
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
    /// The file's Avro schema, set with the writer.
    file_schema: Option<AvroSchema>,
    /// Per writer schema seen in encoded records: whether its bodies are copied as they are.
    passthrough: Vec<(Arc<dyn ValueEncoding>, bool)>,
    schema: FileSchema,
    /// Final bytes not yet taken (header, completed blocks).
    ready: Vec<u8>,
    /// Bodies of the open block, for the compressing codecs. With the `null` codec the bodies
    /// go straight into `ready` after a gap for the block header ([`AvroRecordWriter::open_block`]),
    /// which saves copying every 64 KB block once more (~4 % of the S3 sink's CPU).
    block: Vec<u8>,
    /// `null` codec: where the open block's header gap starts in `ready`.
    open_block: Option<usize>,
    /// `null` codec: bytes reserved for a block header (record count and byte size varints),
    /// the size of the last header written; a header of another size moves its block once.
    gap: usize,
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
            file_schema: None,
            passthrough: Vec::new(),
            schema: FileSchema::default(),
            ready: Vec::new(),
            block: Vec::new(),
            open_block: None,
            gap: 5,
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
        self.file_schema = Some(avro);
        Ok(writer)
    }

    /// Whether bodies of `encoded`'s writer schema go into this file as they are (decided once
    /// per writer schema: no text decimals, and the same binary encoding as the file schema).
    fn passes_through(&mut self, encoded: &EncodedValue) -> bool {
        let key = Arc::as_ptr(&encoded.encoding);
        if let Some((_, yes)) = self
            .passthrough
            .iter()
            .find(|(e, _)| std::ptr::addr_eq(Arc::as_ptr(e), key))
        {
            return *yes;
        }
        let yes = self.text.is_none()
            && match (
                encoded.encoding.as_any().downcast_ref::<AvroEncoding>(),
                &self.file_schema,
            ) {
                (Some(avro), Some(file)) => same_encoding(avro.writer_schema(), file),
                _ => false,
            };
        self.passthrough.push((encoded.encoding.clone(), yes));
        yes
    }

    /// Counts the record just appended to the block and cuts the block when it is full.
    fn written(&mut self) -> Result<Appended> {
        self.block_records += 1;
        self.records += 1;
        if self.block_len() >= SYNC_INTERVAL {
            self.flush_block()?;
        }
        Ok(Appended::Written)
    }

    /// Body bytes in the open block.
    fn block_len(&self) -> usize {
        match self.open_block {
            Some(start) => self.ready.len() - start - self.gap,
            None => self.block.len(),
        }
    }

    fn flush_block(&mut self) -> Result<()> {
        if let Some(start) = self.open_block.take() {
            if self.block_records == 0 {
                self.ready.truncate(start);
                return Ok(());
            }
            let mut head = Vec::with_capacity(20);
            ocf::write_long(&mut head, self.block_records as i64);
            ocf::write_long(&mut head, (self.ready.len() - start - self.gap) as i64);
            if head.len() == self.gap {
                self.ready[start..start + self.gap].copy_from_slice(&head);
            } else {
                self.ready
                    .splice(start..start + self.gap, head.iter().copied());
                self.gap = head.len();
            }
            self.ready.extend_from_slice(&self.sync);
            self.block_records = 0;
            return Ok(());
        }
        if self.block_records == 0 {
            return Ok(());
        }
        let data = match self.options.codec {
            AvroCodec::Null => unreachable!("null-codec blocks are written in place"),
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

/// Debug builds: a body copied as it is must equal what decoding and encoding it would write.
#[cfg(debug_assertions)]
fn check_round_trip(writer: &AvroWriter, encoded: &EncodedValue, copied: &[u8]) {
    let value = encoded.decode().expect("a body checked canonical decodes");
    let mut again = Vec::new();
    writer
        .write(&value, &mut again)
        .expect("a body checked canonical encodes");
    assert_eq!(
        again, copied,
        "a passed-through Avro body differs from its round trip"
    );
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
        // The still-encoded body the converter handed over, if any, and whether it is copied.
        let encoded = record
            .encoded_value
            .as_ref()
            .filter(|_| record.value.is_null());
        let copy = encoded.is_some_and(|e| self.passes_through(e));
        let buf = if self.options.codec == AvroCodec::Null {
            let start = *self.open_block.get_or_insert(self.ready.len());
            if start == self.ready.len() {
                self.ready.resize(start + self.gap, 0);
            }
            &mut self.ready
        } else {
            &mut self.block
        };
        let mark = buf.len();
        let decoded;
        let value = match encoded {
            Some(encoded) => {
                if copy {
                    buf.extend_from_slice(&encoded.body);
                    #[cfg(debug_assertions)]
                    check_round_trip(&writer, encoded, &buf[mark..]);
                    self.writer = Some(writer);
                    return self.written();
                }
                decoded = match encoded.decode() {
                    Ok(v) => v,
                    Err(e) => {
                        self.writer = Some(writer);
                        return Err(Error::format("Avro", record, e));
                    }
                };
                &decoded
            }
            None => &record.value,
        };
        let written = match (&self.text, &record.value_schema) {
            (Some(text), Some(schema)) => match text.value(schema, value) {
                Ok(value) => writer.write(&value, buf),
                Err(e) => {
                    self.writer = Some(writer);
                    return Err(Error::format("Avro", record, e));
                }
            },
            _ => writer.write(value, buf),
        };
        self.writer = Some(writer);
        if let Err(e) = written {
            // Drop the partial body so the block stays well-formed (a block this record opened
            // and left empty is dropped when it is flushed).
            buf.truncate(mark);
            return Err(Error::format("Avro", record, e.to_string()));
        }
        self.written()
    }

    fn record_count(&self) -> u64 {
        self.records
    }

    fn buffered_bytes(&self) -> usize {
        self.ready.capacity() + self.block.capacity()
    }

    fn take_ready(&mut self) -> Vec<u8> {
        match self.open_block {
            // The open block is not final yet: it stays, in a buffer sized for a whole block
            // (the sink calls this after every record once a file streams parts, so nothing is
            // copied when there is nothing final to hand out).
            Some(0) => Vec::new(),
            Some(start) => {
                let mut open = Vec::with_capacity(
                    (self.ready.len() - start).max(SYNC_INTERVAL) + SYNC_INTERVAL / 4,
                );
                open.extend_from_slice(&self.ready[start..]);
                self.ready.truncate(start);
                self.open_block = Some(0);
                std::mem::replace(&mut self.ready, open)
            }
            None => std::mem::take(&mut self.ready),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_api::{Schema, TimestampType, Value};
    use sluice_converters::avro::{AvroReader, parse_schema};

    const WRITER: &str = r#"{"type":"record","name":"Row","namespace":"shop","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":["null","string"],"default":null},
        {"name":"tags","type":{"type":"array","items":"string"}}]}"#;

    fn record(
        offset: i64,
        schema: &Schema,
        value: Value,
        encoded: Option<EncodedValue>,
    ) -> SinkRecord {
        SinkRecord {
            topic: "t".into(),
            kafka_partition: 0,
            kafka_offset: offset,
            timestamp: None,
            timestamp_type: TimestampType::CreateTime,
            key_schema: None,
            key: Value::Null,
            value_schema: Some(schema.clone()),
            value,
            encoded_value: encoded,
            headers: Default::default(),
        }
    }

    /// The same records, once decoded and once kept encoded: the files are byte-identical, and
    /// the encoded ones were copied (their writer schema encodes like the file's).
    #[test]
    fn encoded_records_are_copied_into_an_identical_file() {
        let writer = parse_schema(WRITER).unwrap();
        let config = AvroOptions::default().data_config;
        let reader = AvroReader::new(&writer, Some(1), &config).unwrap();
        let schema = reader.connect_schema().clone();
        let body_writer = AvroWriter::new(&schema, &writer).unwrap();
        let sync = [7u8; 16];
        let mut decoded = AvroRecordWriter::new(AvroOptions::default(), sync);
        let mut encoded = AvroRecordWriter::new(AvroOptions::default(), sync);
        for i in 0..20_000i64 {
            let mut body = Vec::new();
            let name = format!("n{i}");
            let mut value = sluice_api::Struct::new(schema.clone()).unwrap();
            value.put("id", Value::Int64(i)).unwrap();
            value
                .put(
                    "name",
                    if i % 3 == 0 {
                        Value::Null
                    } else {
                        Value::String(name.as_str().into())
                    },
                )
                .unwrap();
            value
                .put(
                    "tags",
                    Value::Array(vec![Value::String("a".into()); (i % 4) as usize]),
                )
                .unwrap();
            let value = Value::Struct(value);
            body_writer.write(&value, &mut body).unwrap();
            let as_read = reader.read(&body).unwrap();
            assert_eq!(as_read, value);
            let kept = EncodedValue {
                encoding: reader.encoding(),
                body: body.into(),
            };
            assert_eq!(
                decoded.append(&record(i, &schema, value, None)).unwrap(),
                Appended::Written
            );
            assert_eq!(
                encoded
                    .append(&record(i, &schema, Value::Null, Some(kept)))
                    .unwrap(),
                Appended::Written
            );
        }
        assert_eq!(encoded.passthrough.len(), 1);
        assert!(encoded.passthrough[0].1, "the bodies were copied");
        let a = Box::new(decoded).finish().unwrap();
        let b = Box::new(encoded).finish().unwrap();
        assert!(a.len() > 64_000, "more than one block");
        assert_eq!(a, b);
    }

    /// The null codec writes blocks in place: the file equals the container layout built from
    /// the bodies (blocks cut at 64,000 bytes), whatever the header sizes (a 70 KB record makes
    /// a block of one, the last block is short), and taking the ready bytes at any point
    /// leaves the open block alone.
    #[test]
    fn null_codec_blocks_written_in_place_match_the_layout() {
        let schema = sluice_api::SchemaBuilder::struct_()
            .name("shop.Note")
            .field("id", Schema::int64())
            .field("text", Schema::string())
            .build()
            .unwrap();
        let sizes: Vec<usize> = (0..3_000)
            .map(|i| match i {
                1_000 => 70_000,
                i if i % 7 == 0 => 900,
                i => i % 50,
            })
            .collect();
        let avro = from_connect_schema(&schema, &AvroOptions::default().data_config).unwrap();
        let body_writer = AvroWriter::new(&schema, &avro).unwrap();
        let sync = [3u8; 16];
        let mut expected = ocf::header(
            &[
                ("avro.schema", schema_text(&avro).unwrap().as_bytes()),
                ("avro.codec", b"null"),
            ],
            &sync,
        );
        let (mut block, mut count) = (Vec::new(), 0u64);
        let mut whole = AvroRecordWriter::new(AvroOptions::default(), sync);
        let mut taken = AvroRecordWriter::new(AvroOptions::default(), sync);
        let mut streamed = Vec::new();
        for (i, n) in sizes.iter().enumerate() {
            let mut value = sluice_api::Struct::new(schema.clone()).unwrap();
            value.put("id", Value::Int64(i as i64)).unwrap();
            value
                .put("text", Value::String("x".repeat(*n).into()))
                .unwrap();
            let value = Value::Struct(value);
            body_writer.write(&value, &mut block).unwrap();
            count += 1;
            if block.len() >= SYNC_INTERVAL {
                ocf::block(&mut expected, count, &block, &sync);
                (block, count) = (Vec::new(), 0);
            }
            let r = record(i as i64, &schema, value, None);
            assert_eq!(whole.append(&r).unwrap(), Appended::Written);
            assert_eq!(taken.append(&r).unwrap(), Appended::Written);
            if i % 97 == 0 {
                streamed.extend(taken.take_ready());
            }
        }
        ocf::block(&mut expected, count, &block, &sync);
        assert_eq!(Box::new(whole).finish().unwrap(), expected);
        streamed.extend(Box::new(taken).finish().unwrap());
        assert_eq!(streamed, expected);
    }

    /// With decimals written as text the file schema differs: encoded records are decoded.
    #[test]
    fn encoded_records_are_decoded_when_the_file_encodes_differently() {
        let writer = parse_schema(
            r#"{"type":"record","name":"R","fields":[{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}}]}"#,
        )
        .unwrap();
        let options = AvroOptions {
            decimals: DecimalEncoding::Text,
            ..AvroOptions::default()
        };
        let reader = AvroReader::new(&writer, Some(1), &options.data_config).unwrap();
        let schema = reader.connect_schema().clone();
        let body = vec![4u8, 0x30, 0x39];
        let mut w = AvroRecordWriter::new(options, [1; 16]);
        let kept = EncodedValue {
            encoding: reader.encoding(),
            body: body.clone().into(),
        };
        assert_eq!(
            w.append(&record(0, &schema, Value::Null, Some(kept)))
                .unwrap(),
            Appended::Written
        );
        assert!(!w.passthrough[0].1);
        let file = Box::new(w).finish().unwrap();
        let text = b"123.45";
        assert!(
            file.windows(text.len()).any(|win| win == text),
            "the decimal is written as text"
        );
    }
}
