//! Object keys, exactly as Confluent's storage sinks name them.
//!
//! `<topics.dir><d><topic><d><encodedPartition><d><topic><f><kafkaPartition><f><startOffset><ext>`
//! where `<d>` is `directory.delim` and `<f>` is `file.delim` (Confluent's
//! `TopicPartitionWriter.fileKeyToCommit` with the partitioner's `generatePartitionedPath`), and
//! the start offset is zero-padded to `filename.offset.zero.pad.width` digits (Java's `%0Nd`).
//!
//! The name depends only on (topic, Kafka partition, encoded partition, first offset), so a task
//! that replays after a crash rewrites the same keys: this determinism is what makes the
//! commit protocol idempotent.

use crate::config::{self, Props};
use crate::{Error, Result};

/// `topics.dir`: the top-level prefix of every object.
pub const TOPICS_DIR_CONFIG: &str = "topics.dir";
/// `directory.delim`: the separator between path segments.
pub const DIRECTORY_DELIM_CONFIG: &str = "directory.delim";
/// `file.delim`: the separator inside file names.
pub const FILE_DELIM_CONFIG: &str = "file.delim";
/// `filename.offset.zero.pad.width`: digits of the start offset in file names.
pub const FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG: &str = "filename.offset.zero.pad.width";
/// `format.class`: the output format.
pub const FORMAT_CLASS_CONFIG: &str = "format.class";
/// `s3.compression.type`: `none` or `gzip` (JSON and ByteArray formats only).
pub const COMPRESSION_TYPE_CONFIG: &str = "s3.compression.type";
/// `parquet.codec`: the Parquet compression codec, part of the extension.
pub const PARQUET_CODEC_CONFIG: &str = "parquet.codec";
/// `sluice.parquet.row.group.bytes`: the Parquet format writes a row group once the records
/// buffered for it take this many bytes in memory (uncompressed column buffers; default 16 MiB,
/// at least 64 KiB). Larger row groups read faster; the buffers count against
/// `sluice.buffer.max.bytes`.
pub const PARQUET_ROW_GROUP_BYTES_CONFIG: &str = "sluice.parquet.row.group.bytes";
/// `format.bytearray.extension`: the ByteArray format's extension.
pub const BYTEARRAY_EXTENSION_CONFIG: &str = "format.bytearray.extension";

/// Where and how objects are named (the naming settings of the connector config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectNaming {
    /// `topics.dir` (default `topics`).
    pub topics_dir: String,
    /// `directory.delim` (default `/`).
    pub directory_delim: String,
    /// `file.delim` (default `+`).
    pub file_delim: String,
    /// `filename.offset.zero.pad.width` (default 10).
    pub zero_pad_width: usize,
}

impl Default for ObjectNaming {
    fn default() -> Self {
        ObjectNaming {
            topics_dir: "topics".to_string(),
            directory_delim: "/".to_string(),
            file_delim: "+".to_string(),
            zero_pad_width: 10,
        }
    }
}

impl ObjectNaming {
    /// Reads the naming settings, with Confluent's defaults for unset keys.
    pub fn from_props(props: &Props) -> Result<Self> {
        let width = config::long(props, FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG, 10)?;
        let zero_pad_width = usize::try_from(width).map_err(|_| {
            Error::config(
                FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG,
                format!("{width} is negative; use a width of at least 0 (default 10)"),
            )
        })?;
        // Delimiters are used as given (not trimmed), as Confluent does.
        let raw = |key: &str, default: &str| props.get(key).cloned().unwrap_or(default.into());
        let naming = ObjectNaming {
            topics_dir: config::string(props, TOPICS_DIR_CONFIG, "topics"),
            directory_delim: raw(DIRECTORY_DELIM_CONFIG, "/"),
            file_delim: raw(FILE_DELIM_CONFIG, "+"),
            zero_pad_width,
        };
        if naming.directory_delim.is_empty() {
            return Err(Error::config(DIRECTORY_DELIM_CONFIG, "must not be empty"));
        }
        if naming.file_delim.is_empty() {
            return Err(Error::config(FILE_DELIM_CONFIG, "must not be empty"));
        }
        Ok(naming)
    }

    /// The file name of an object: `<topic><f><partition><f><zero-padded start offset><ext>`.
    pub fn file_name(
        &self,
        topic: &str,
        kafka_partition: i32,
        start_offset: i64,
        extension: &str,
    ) -> String {
        let f = &self.file_delim;
        let width = self.zero_pad_width;
        format!("{topic}{f}{kafka_partition}{f}{start_offset:0width$}{extension}")
    }

    /// The full key: `<topics.dir><d><partitioned path><d><file name>`, where the partitioned
    /// path comes from [`crate::Partitioner::partitioned_path`].
    pub fn object_key(
        &self,
        partitioned_path: &str,
        topic: &str,
        kafka_partition: i32,
        start_offset: i64,
        extension: &str,
    ) -> String {
        let d = &self.directory_delim;
        let name = self.file_name(topic, kafka_partition, start_offset, extension);
        format!("{}{d}{partitioned_path}{d}{name}", self.topics_dir)
    }
}

/// A storage sink output format (`format.class`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Avro object container files (`.avro`).
    Avro,
    /// JSON lines (`.json`, `.json.gz`).
    Json,
    /// Parquet (`.snappy.parquet` by default; written with the `parquet` feature).
    Parquet,
    /// Raw value bytes (`.bin` by default).
    ByteArray,
}

impl FileFormat {
    /// The format of a Confluent `format.class` (S3 or Azure Blob package, or the simple name).
    pub fn from_class(class: &str) -> Option<Self> {
        let simple = class.trim().rsplit('.').next().unwrap_or_default();
        let known_package = !class.contains('.')
            || [
                "io.confluent.connect.s3.format.",
                "io.confluent.connect.azure.blob.format.",
                "io.confluent.connect.gcs.format.",
            ]
            .iter()
            .any(|p| class.trim().starts_with(p));
        if !known_package {
            return None;
        }
        match simple {
            "AvroFormat" => Some(FileFormat::Avro),
            "JsonFormat" => Some(FileFormat::Json),
            "ParquetFormat" => Some(FileFormat::Parquet),
            "ByteArrayFormat" => Some(FileFormat::ByteArray),
            _ => None,
        }
    }

    /// Reads `format.class` (required).
    pub fn from_props(props: &Props) -> Result<Self> {
        FileFormat::from_key(props, FORMAT_CLASS_CONFIG, None)
    }

    /// Reads the format class under `key` (`keys.format.class`, …); without a `default` the
    /// key is required.
    pub fn from_key(props: &Props, key: &str, default: Option<&str>) -> Result<Self> {
        let class = props
            .get(key)
            .map(String::as_str)
            .or(default)
            .ok_or_else(|| {
                Error::config(
                    key,
                    "is required; set e.g. io.confluent.connect.s3.format.json.JsonFormat",
                )
            })?;
        FileFormat::from_class(class).ok_or_else(|| {
            Error::config(
                key,
                format!("'{class}' is not a known format; use AvroFormat, JsonFormat, ParquetFormat or ByteArrayFormat"),
            )
        })
    }
}

/// Whole-file compression of the JSON and ByteArray formats (`s3.compression.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// `none`.
    #[default]
    None,
    /// `gzip` (extension `.gz`).
    Gzip,
}

impl Compression {
    /// Reads `s3.compression.type` (default `none`).
    pub fn from_props(props: &Props) -> Result<Self> {
        match config::string(props, COMPRESSION_TYPE_CONFIG, "none").as_str() {
            "none" => Ok(Compression::None),
            "gzip" => Ok(Compression::Gzip),
            other => Err(Error::config(
                COMPRESSION_TYPE_CONFIG,
                format!("'{other}' is not supported; use none or gzip"),
            )),
        }
    }

    /// The extension suffix (`""` or `.gz`).
    pub fn extension(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
        }
    }
}

/// The file extension Confluent uses for `format` with these settings: `.avro` (compression
/// does not apply), `.json` + compression suffix, `.<parquet codec>.parquet` (`.parquet` when
/// uncompressed), and `format.bytearray.extension` (default `.bin`) + compression suffix.
pub fn file_extension(format: FileFormat, props: &Props) -> Result<String> {
    let compression = Compression::from_props(props)?;
    Ok(match format {
        FileFormat::Avro => ".avro".to_string(),
        FileFormat::Json => format!(".json{}", compression.extension()),
        FileFormat::Parquet => {
            let codec = config::string(props, PARQUET_CODEC_CONFIG, "snappy").to_ascii_lowercase();
            // Parquet's CompressionCodecName extensions.
            let prefix = match codec.as_str() {
                "none" | "uncompressed" => "",
                "snappy" => ".snappy",
                "gzip" => ".gz",
                "lzo" => ".lzo",
                "brotli" => ".br",
                "lz4" => ".lz4",
                "zstd" => ".zstd",
                other => {
                    return Err(Error::config(
                        PARQUET_CODEC_CONFIG,
                        format!(
                            "'{other}' is not a Parquet codec; use snappy, gzip, zstd, lz4, brotli, lzo or none"
                        ),
                    ));
                }
            };
            format!("{prefix}.parquet")
        }
        FileFormat::ByteArray => {
            let ext = props
                .get(BYTEARRAY_EXTENSION_CONFIG)
                .cloned()
                .unwrap_or_else(|| ".bin".to_string());
            format!("{ext}{}", compression.extension())
        }
    })
}
