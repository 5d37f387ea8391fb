//! Confluent's `ParquetFormat`: a Parquet file per object, its schema derived from the first
//! record's Connect value schema (see `schema` for the mapping, which follows AvroData +
//! parquet-avro as Confluent's sink uses them), written with the `parquet` crate's low-level
//! file writer (no Arrow).
//!
//! Records are shredded into per-column buffers (`shred`, `columns`); when the buffers hold
//! `sluice.parquet.row.group.bytes` (default 16 MiB) a row group is encoded, compressed and
//! appended to the file's bytes, which [`RecordWriter::take_ready`] hands out like any format's
//! (so large files stream as multipart parts). `finish` writes the last row group and the footer.
//! [`RecordWriter::buffered_bytes`] counts the column buffers as well as the encoded bytes, so
//! the sink's `sluice.buffer.max.bytes` budget covers the row group being built.
//!
//! Writer settings as Confluent's (`AvroParquetWriter` with `parquet.codec`, dictionary encoding,
//! 64 KiB pages, format v1 data pages). Codecs: `snappy` (default), `gzip`, `zstd` (level 3, as
//! parquet-mr), `none`/`uncompressed`; `lz4`, `lzo` and `brotli` are refused at configuration
//! time. The object name carries the codec (`.snappy.parquet`, `.gz.parquet`, `.zstd.parquet`,
//! `.parquet`), as Confluent's does.
//!
//! A file holds records of one value schema: a record with another schema answers
//! [`Appended::SchemaChanged`] and the sink rotates, as for Avro. Values must be structs.

mod columns;
mod schema;
mod shred;

use std::sync::Arc;

use ::parquet::basic::{Compression, GzipLevel, ZstdLevel};
use ::parquet::file::properties::{WriterProperties, WriterVersion};
use ::parquet::file::writer::SerializedFileWriter;
use sluice_api::SinkRecord;

use self::columns::{ColumnBuffer, Mark};
use self::schema::FileLayout;
use super::{Appended, FileSchema, RecordWriter};
use crate::config::{self, Props};
use crate::naming::{PARQUET_CODEC_CONFIG, PARQUET_ROW_GROUP_BYTES_CONFIG};
use crate::{Error, Result};

/// Default of [`PARQUET_ROW_GROUP_BYTES_CONFIG`]: 16 MiB.
pub const DEFAULT_ROW_GROUP_BYTES: usize = 16 << 20;

/// Confluent's data page size (`ParquetRecordWriterProvider.PAGE_SIZE`).
const PAGE_SIZE: usize = 64 * 1024;
/// parquet-mr's default Zstandard level.
const ZSTD_LEVEL: i32 = 3;
/// parquet-mr's default gzip level (zlib's default).
const GZIP_LEVEL: u32 = 6;
/// The file writer's own output buffer (a `BufWriter`).
const WRITE_BUFFER: usize = 8 * 1024;

/// The Parquet compression codec (`parquet.codec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParquetCodec {
    /// `none` / `uncompressed`.
    Uncompressed,
    /// `snappy` (Confluent's default).
    #[default]
    Snappy,
    /// `gzip`.
    Gzip,
    /// `zstd`.
    Zstd,
}

impl ParquetCodec {
    fn compression(self) -> Compression {
        match self {
            ParquetCodec::Uncompressed => Compression::UNCOMPRESSED,
            ParquetCodec::Snappy => Compression::SNAPPY,
            ParquetCodec::Gzip => {
                Compression::GZIP(GzipLevel::try_new(GZIP_LEVEL).unwrap_or_default())
            }
            ParquetCodec::Zstd => {
                Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL).unwrap_or_default())
            }
        }
    }
}

/// The Parquet format settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParquetOptions {
    /// The codec.
    pub codec: ParquetCodec,
    /// Buffered bytes at which a row group is written.
    pub row_group_bytes: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            codec: ParquetCodec::Snappy,
            row_group_bytes: DEFAULT_ROW_GROUP_BYTES,
        }
    }
}

impl ParquetOptions {
    /// Reads `parquet.codec` and `sluice.parquet.row.group.bytes`.
    pub fn from_props(props: &Props) -> Result<Self> {
        let codec = match config::string(props, PARQUET_CODEC_CONFIG, "snappy")
            .to_ascii_lowercase()
            .as_str()
        {
            "none" | "uncompressed" => ParquetCodec::Uncompressed,
            "snappy" => ParquetCodec::Snappy,
            "gzip" => ParquetCodec::Gzip,
            "zstd" => ParquetCodec::Zstd,
            other @ ("lz4" | "lzo" | "brotli") => {
                return Err(Error::config(
                    PARQUET_CODEC_CONFIG,
                    format!("'{other}' is not supported; use snappy, gzip, zstd or none"),
                ));
            }
            other => {
                return Err(Error::config(
                    PARQUET_CODEC_CONFIG,
                    format!("'{other}' is not a Parquet codec; use snappy, gzip, zstd or none"),
                ));
            }
        };
        let bytes = config::long(
            props,
            PARQUET_ROW_GROUP_BYTES_CONFIG,
            DEFAULT_ROW_GROUP_BYTES as i64,
        )?;
        if bytes < 64 * 1024 {
            return Err(Error::config(
                PARQUET_ROW_GROUP_BYTES_CONFIG,
                format!("{bytes} is too small; use at least 65536 (64 KiB)"),
            ));
        }
        Ok(ParquetOptions {
            codec,
            row_group_bytes: usize::try_from(bytes).unwrap_or(usize::MAX),
        })
    }

    fn properties(&self) -> WriterProperties {
        WriterProperties::builder()
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(self.codec.compression())
            .set_dictionary_enabled(true)
            .set_data_page_size_limit(PAGE_SIZE)
            .build()
    }
}

/// The state of a file once its first record fixed the schema.
#[derive(Debug)]
struct Body {
    layout: FileLayout,
    columns: Vec<ColumnBuffer>,
    writer: SerializedFileWriter<Vec<u8>>,
    /// Records in the open row group.
    rows: usize,
    /// Scratch: the columns' positions before the record being shredded.
    marks: Vec<Mark>,
}

/// Writes one Parquet file.
#[derive(Debug)]
pub struct ParquetRecordWriter {
    options: ParquetOptions,
    schema: FileSchema,
    body: Option<Body>,
    records: u64,
    /// Memory held by the column buffers (recomputed after each record).
    columns_memory: usize,
}

impl ParquetRecordWriter {
    /// A writer for a new file.
    pub fn new(options: ParquetOptions) -> Self {
        ParquetRecordWriter {
            options,
            schema: FileSchema::default(),
            body: None,
            records: 0,
            columns_memory: 0,
        }
    }

    /// Derives the Parquet schema from the record's value schema and starts the file.
    fn open(&self, record: &SinkRecord) -> Result<Body> {
        let connect = record.value_schema.as_ref().ok_or_else(|| {
            Error::format(
                "Parquet",
                record,
                "the value has no schema; the Parquet format needs schema'd values (use a \
                 converter with schemas)",
            )
        })?;
        let layout = schema::layout(connect).map_err(|m| Error::format("Parquet", record, m))?;
        let writer = SerializedFileWriter::new(
            Vec::new(),
            layout.schema.clone(),
            Arc::new(self.options.properties()),
        )
        .map_err(|e| Error::format("Parquet", record, e.to_string()))?;
        let columns = layout
            .leaves
            .iter()
            .map(|k| ColumnBuffer::new(*k))
            .collect();
        Ok(Body {
            layout,
            columns,
            writer,
            rows: 0,
            marks: Vec::new(),
        })
    }
}

impl Body {
    /// Encodes the buffered records as a row group appended to the file's bytes.
    fn write_row_group(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let fail = |e: ::parquet::errors::ParquetError| Error::Finish {
            format: "Parquet",
            message: format!("writing a row group failed: {e}"),
        };
        let mut group = self.writer.next_row_group().map_err(fail)?;
        for column in &mut self.columns {
            let mut writer = group.next_column().map_err(fail)?.ok_or(Error::Finish {
                format: "Parquet",
                message: "the row group has fewer columns than the schema".into(),
            })?;
            column.write_to(&mut writer).map_err(fail)?;
            writer.close().map_err(fail)?;
        }
        group.close().map_err(fail)?;
        self.writer.flush().map_err(|e| Error::Finish {
            format: "Parquet",
            message: format!("writing a row group failed: {e}"),
        })?;
        self.rows = 0;
        Ok(())
    }

    fn columns_memory(&self) -> usize {
        self.columns.iter().map(ColumnBuffer::memory).sum()
    }

    fn column_path(&self, column: usize) -> String {
        self.writer
            .schema_descr()
            .columns()
            .get(column)
            .map_or_else(|| format!("#{column}"), |c| c.path().string())
    }
}

impl RecordWriter for ParquetRecordWriter {
    fn accepts(&self, record: &SinkRecord) -> bool {
        self.schema.would_accept(record)
    }

    fn append(&mut self, record: &SinkRecord) -> Result<Appended> {
        if !self.schema.accepts(record) {
            return Ok(Appended::SchemaChanged);
        }
        if self.body.is_none() {
            self.body = Some(self.open(record)?);
        }
        let Some(body) = self.body.as_mut() else {
            unreachable!("opened above");
        };
        let value = record
            .value_decoded()
            .map_err(|e| Error::format("Parquet", record, e))?;
        body.marks.clear();
        body.marks
            .extend(body.columns.iter().map(ColumnBuffer::mark));
        if let Err(e) = shred::shred(&body.layout.root, &value, 0, 0, &mut body.columns) {
            // Undo the record's entries in the columns it reached, so the row group stays whole.
            for (column, mark) in body.columns.iter_mut().zip(&body.marks) {
                column.truncate(*mark);
            }
            let path = body.column_path(e.column);
            return Err(Error::format(
                "Parquet",
                record,
                format!("{path}: {}", e.message),
            ));
        }
        body.rows += 1;
        self.records += 1;
        self.columns_memory = body.columns_memory();
        if self.columns_memory >= self.options.row_group_bytes {
            body.write_row_group()?;
            self.columns_memory = body.columns_memory();
        }
        Ok(Appended::Written)
    }

    fn record_count(&self) -> u64 {
        self.records
    }

    fn buffered_bytes(&self) -> usize {
        match &self.body {
            None => 0,
            Some(body) => self.columns_memory + body.writer.inner().capacity() + WRITE_BUFFER,
        }
    }

    fn take_ready(&mut self) -> Vec<u8> {
        match &mut self.body {
            None => Vec::new(),
            Some(body) => {
                // The magic and finished row groups may still sit in the writer's buffer. The
                // writer counts the bytes it wrote itself, so the footer's offsets stay right
                // after the bytes are taken from under it.
                if body.writer.flush().is_err() {
                    return Vec::new();
                }
                std::mem::take(body.writer.inner_mut())
            }
        }
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>> {
        let Some(mut body) = self.body else {
            return Ok(Vec::new());
        };
        body.write_row_group()?;
        body.writer.into_inner().map_err(|e| Error::Finish {
            format: "Parquet",
            message: format!("writing the footer failed: {e}"),
        })
    }
}

#[cfg(test)]
mod tests;
