//! The S3 sink's configuration: Confluent's `S3SinkConnectorConfig` keys with Confluent's
//! defaults (one [`config_def`] for `GET /connector-plugins/…/config` and validation), and
//! [`S3SinkConfig::parse`], which turns a connector config into the store settings and the
//! file-sink settings, or an error naming the key to fix.
//!
//! Keys Sluice accepts but treats differently, each documented on its key: `schema.compatibility`
//! other than `NONE` (rotates on every schema change), `enable.conditional.writes` (replays
//! rewrite the same names anyway, see `sluice_files::sink`), `s3.elastic.buffer.*` and
//! `s3.http.send.expect.continue` (HTTP and buffer details of the Java client). Keys whose
//! non-default values are not supported yet are refused with a message saying so.

use std::collections::HashMap;
use std::time::Duration;

use sluice_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use sluice_api::connector::Properties;
use sluice_files::format::{
    AVRO_CODEC_CONFIG, AVRO_PASSTHROUGH_CONFIG, BYTEARRAY_SEPARATOR_CONFIG,
    COMPRESSION_LEVEL_CONFIG, DECIMAL_FORMAT_CONFIG, JSON_DECIMAL_FORMAT_CONFIG,
};
use sluice_files::naming::{
    BYTEARRAY_EXTENSION_CONFIG, COMPRESSION_TYPE_CONFIG, DIRECTORY_DELIM_CONFIG, FILE_DELIM_CONFIG,
    FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG, FORMAT_CLASS_CONFIG, PARQUET_CODEC_CONFIG,
    PARQUET_ROW_GROUP_BYTES_CONFIG, TOPICS_DIR_CONFIG,
};
use sluice_files::partitioner::{
    LOCALE_CONFIG, PARTITION_DURATION_MS_CONFIG, PARTITION_FIELD_NAME_CONFIG,
    PARTITIONER_CLASS_CONFIG, PATH_FORMAT_CONFIG, TIMESTAMP_EXTRACTOR_CONFIG,
    TIMESTAMP_FIELD_CONFIG, TIMEZONE_CONFIG,
};
use sluice_files::rotation::{
    FLUSH_SIZE_CONFIG, ROTATE_INTERVAL_MS_CONFIG, ROTATE_SCHEDULE_INTERVAL_MS_CONFIG,
};
use sluice_files::sink::{
    BEHAVIOR_ON_NULL_VALUES_CONFIG, BUFFER_MAX_BYTES_CONFIG, HEADERS_FORMAT_CLASS_CONFIG,
    KEYS_FORMAT_CLASS_CONFIG, MIN_PART_SIZE, ROTATE_FILE_ON_PARTITION_CHANGE_CONFIG,
    SCHEMA_COMPATIBILITY_CONFIG, STORE_KAFKA_HEADERS_CONFIG, STORE_KAFKA_KEYS_CONFIG,
    TOMBSTONE_ENCODED_PARTITION_CONFIG, Tagging, UPLOAD_CONCURRENCY_CONFIG,
};
use sluice_files::{FileFormat, Props, SinkSettings};

use crate::store::{PayloadSigning, S3StoreConfig, Sse, SseCustomerKey};
use crate::{Error, Result};

/// `s3.bucket.name`: the bucket objects are written to (required).
pub const BUCKET_CONFIG: &str = "s3.bucket.name";
/// `s3.region`: the bucket's region (default `us-west-2`).
pub const REGION_CONFIG: &str = "s3.region";
/// `store.url`: an S3-compatible endpoint (MinIO, moto, …) instead of AWS.
pub const STORE_URL_CONFIG: &str = "store.url";
/// `s3.path.style.access.enabled`: address buckets as `endpoint/bucket` (default true).
pub const PATH_STYLE_CONFIG: &str = "s3.path.style.access.enabled";
/// `aws.access.key.id`: static credentials' key id (empty: the default provider chain).
pub const ACCESS_KEY_CONFIG: &str = "aws.access.key.id";
/// `aws.secret.access.key`: static credentials' secret.
pub const SECRET_KEY_CONFIG: &str = "aws.secret.access.key";
/// `s3.credentials.provider.class`: only the default provider chain is supported.
pub const CREDENTIALS_PROVIDER_CONFIG: &str = "s3.credentials.provider.class";
/// `s3.part.size`: bytes per multipart part (default 25 MiB, at least 5 MiB).
pub const PART_SIZE_CONFIG: &str = "s3.part.size";
/// `s3.part.retries`: retries of a failed request by the S3 client (default 3).
pub const PART_RETRIES_CONFIG: &str = "s3.part.retries";
/// `s3.retry.backoff.ms`: first pause before a retry (default 200 ms).
pub const RETRY_BACKOFF_CONFIG: &str = "s3.retry.backoff.ms";
/// `s3.ssea.name`: server-side encryption algorithm (`AES256`, `aws:kms`; empty: none).
pub const SSEA_NAME_CONFIG: &str = "s3.ssea.name";
/// `s3.sse.kms.key.id`: the KMS key for `aws:kms`.
pub const SSE_KMS_KEY_CONFIG: &str = "s3.sse.kms.key.id";
/// `s3.sse.customer.key`: SSE-C, a customer-provided AES-256 key (base64), used with
/// `s3.ssea.name=AES256` as Confluent's sink does.
pub const SSE_CUSTOMER_KEY_CONFIG: &str = "s3.sse.customer.key";
/// `s3.acl.canned`: canned ACL of written objects.
pub const ACL_CANNED_CONFIG: &str = "s3.acl.canned";
/// `s3.object.tagging`: after an object is published, tag it with `startOffset`, `endOffset`
/// and `recordCount` (its first and last Kafka offsets and its number of records).
pub const OBJECT_TAGGING_CONFIG: &str = "s3.object.tagging";
/// `s3.object.behavior.on.tagging.error`: `ignore` (default: log, keep the untagged object) or
/// `fail` (retry retriable failures; a definite one fails the upload, so its offsets are not
/// committed and the task reports it).
pub const TAGGING_ERROR_CONFIG: &str = "s3.object.behavior.on.tagging.error";
/// `enable.conditional.writes`: Confluent's If-None-Match commit (see the module doc).
pub const CONDITIONAL_WRITES_CONFIG: &str = "enable.conditional.writes";
/// `s3.wan.mode`: S3 Transfer Acceleration (not supported yet).
pub const WAN_MODE_CONFIG: &str = "s3.wan.mode";
/// `s3.proxy.url`: an HTTP proxy (not supported yet).
pub const PROXY_URL_CONFIG: &str = "s3.proxy.url";

/// `sluice.s3.payload.signing`: whether the SigV4 signature covers uploaded bodies — `auto`
/// (only over plain HTTP, as Confluent's Java client does), `true` or `false`; see
/// [`crate::store::PayloadSigning`].
pub const PAYLOAD_SIGNING_CONFIG: &str = "sluice.s3.payload.signing";

/// Confluent's default credentials provider class (the default AWS chain).
const DEFAULT_PROVIDER: &str = "com.amazonaws.auth.DefaultAWSCredentialsProviderChain";

fn key(name: &str, ty: ConfigType, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, doc)
}

fn class_validator(raw: &str) -> std::result::Result<(), String> {
    let format = FileFormat::from_class(raw).ok_or_else(|| {
        "not a known format; use io.confluent.connect.s3.format.avro.AvroFormat, \
         json.JsonFormat, parquet.ParquetFormat or bytearray.ByteArrayFormat"
            .to_string()
    })?;
    if format == FileFormat::Parquet && !cfg!(feature = "parquet") {
        return Err(
            "ParquetFormat is not in this build (sluice-s3 without its `parquet` \
             feature); use AvroFormat or JsonFormat"
                .to_string(),
        );
    }
    Ok(())
}

/// Every key of the S3 sink, with Confluent's defaults.
pub fn config_def() -> ConfigDef {
    use ConfigType::{Boolean, Int, List, Long, Password, String as Str};
    let s = |name: &str, default: &str, doc: &str| key(name, Str, doc).default_value(default);
    ConfigDef::new()
        .define(
            key(BUCKET_CONFIG, Str, "The S3 bucket objects are written to.")
                .importance(Importance::High)
                .validator(Validator::NonEmptyString),
        )
        .define(s(REGION_CONFIG, "us-west-2", "The AWS region of the bucket.").importance(Importance::Medium))
        .define(
            key(STORE_URL_CONFIG, Str, "The URL of an S3-compatible server (MinIO, moto, …); unset for AWS S3.")
                .default_null(),
        )
        .define(
            key(PATH_STYLE_CONFIG, Boolean, "Address buckets as <store.url>/<bucket> instead of <bucket>.<host> (needed by most S3-compatible servers).")
                .default_value("true"),
        )
        .define(s(ACCESS_KEY_CONFIG, "", "The AWS access key id; empty uses the default credentials chain (environment, profile, web identity, instance role)."))
        .define(
            key(SECRET_KEY_CONFIG, Password, "The AWS secret access key (with aws.access.key.id).")
                .default_value(""),
        )
        .define(s(CREDENTIALS_PROVIDER_CONFIG, DEFAULT_PROVIDER, "The credentials provider; only the default chain is supported (static keys are set with aws.access.key.id)."))
        .define(s(TOPICS_DIR_CONFIG, "topics", "The top-level directory (key prefix) of every object."))
        .define(s(DIRECTORY_DELIM_CONFIG, "/", "The delimiter between directories of a key."))
        .define(s(FILE_DELIM_CONFIG, "+", "The delimiter between topic, partition and offset in file names."))
        .define(
            key(FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG, Int, "Digits of the zero-padded start offset in file names.")
                .default_value("10")
                .validator(Validator::Range { min: Some(0.0), max: None }),
        )
        .define(
            key(FLUSH_SIZE_CONFIG, Int, "Records per file: a topic partition's files are committed after this many records.")
                .importance(Importance::High)
                .validator(Validator::Range { min: Some(1.0), max: None }),
        )
        .define(
            key(ROTATE_INTERVAL_MS_CONFIG, Long, "Record-time span of a file (with a time-based partitioner), measured with timestamp.extractor; -1 disables. Sluice also closes a file open this long in wall time without new records.")
                .default_value("-1"),
        )
        .define(
            key(ROTATE_SCHEDULE_INTERVAL_MS_CONFIG, Long, "Wall-clock rotation period, aligned to timezone; fires without new records; -1 disables.")
                .default_value("-1"),
        )
        .define(
            key(FORMAT_CLASS_CONFIG, ConfigType::Class, "The output format: io.confluent.connect.s3.format.avro.AvroFormat, json.JsonFormat, parquet.ParquetFormat or bytearray.ByteArrayFormat.")
                .importance(Importance::High)
                .validator(Validator::Custom(class_validator)),
        )
        .define(
            s(COMPRESSION_TYPE_CONFIG, "none", "Whole-file compression of JSON and ByteArray files: none or gzip.")
                .validator(Validator::OneOf(vec!["none".into(), "gzip".into()])),
        )
        .define(
            key(COMPRESSION_LEVEL_CONFIG, Int, "gzip level 0-9; -1 for the default (6).")
                .default_value("-1")
                .validator(Validator::Range { min: Some(-1.0), max: Some(9.0) }),
        )
        .define(s(AVRO_CODEC_CONFIG, "null", "The Avro block codec: null, deflate, snappy or zstandard (Redshift's COPY reads null, deflate and snappy; bzip2 and xz are not supported)."))
        .define(key(AVRO_PASSTHROUGH_CONFIG, Boolean, "Sluice: with the AvroConverter and AvroFormat, copy each record's Avro body into the file as it arrived when that writes the same bytes as decoding and encoding it again (the writer schema encodes like the file schema and the body is in canonical form). false always decodes and re-encodes: the files are identical, only the CPU differs.").default_value("true"))
        .define(s(PARQUET_CODEC_CONFIG, "snappy", "The Parquet compression codec: snappy, gzip, zstd or none (also uncompressed); it is part of the extension (.snappy.parquet, .gz.parquet, .zstd.parquet, .parquet). lz4, lzo and brotli are not supported."))
        .define(s(DECIMAL_FORMAT_CONFIG, "bytes", "Sluice: how the Avro format writes decimals. bytes (Confluent's): Avro bytes with the decimal logical type. string: the plain decimal text (e.g. -1234.50) in an Avro string, which Redshift's COPY … FORMAT AS AVRO loads into DECIMAL columns (it loads Avro bytes as text). The Parquet format always writes typed DECIMAL columns; the JSON format has json.decimal.format."))
        .define(
            key(PARQUET_ROW_GROUP_BYTES_CONFIG, Long, "Sluice: the Parquet format writes a row group once the records buffered for it take this many bytes of memory (uncompressed column buffers, counted in sluice.buffer.max.bytes). Larger row groups read faster.")
                .default_value((16_i64 << 20).to_string())
                .validator(Validator::Range { min: Some(65_536.0), max: None }),
        )
        .define(s(JSON_DECIMAL_FORMAT_CONFIG, "BASE64", "How the JSON format writes decimals: BASE64 or NUMERIC (Redshift's COPY loads NUMERIC into DECIMAL columns)."))
        .define(s(BYTEARRAY_EXTENSION_CONFIG, ".bin", "The extension of ByteArray files."))
        .define(
            key(BYTEARRAY_SEPARATOR_CONFIG, Str, "Bytes written after each ByteArray value (default a line separator).")
                .default_null(),
        )
        .define(
            key(PART_SIZE_CONFIG, Int, "Bytes per multipart part; files larger than this are streamed as parts while they are written.")
                .default_value((25 << 20).to_string())
                .validator(Validator::Range { min: Some(MIN_PART_SIZE as f64), max: Some(f64::from(i32::MAX)) }),
        )
        .define(
            key(PART_RETRIES_CONFIG, Int, "Retries of a failed S3 request by the client, before the task's own backoff takes over (uploads are retried until they succeed or fail definitely).")
                .default_value("3")
                .validator(Validator::Range { min: Some(0.0), max: None }),
        )
        .define(
            key(RETRY_BACKOFF_CONFIG, Long, "First pause before retrying a failed request, doubled on each retry up to 30 s.")
                .default_value("200")
                .validator(Validator::Range { min: Some(0.0), max: None }),
        )
        .define(
            s(PARTITIONER_CLASS_CONFIG, "io.confluent.connect.storage.partitioner.DefaultPartitioner", "The partitioner: io.confluent.connect.storage.partitioner.DefaultPartitioner, FieldPartitioner, TimeBasedPartitioner, DailyPartitioner or HourlyPartitioner."),
        )
        .define(key(PARTITION_FIELD_NAME_CONFIG, List, "FieldPartitioner: the value fields whose values name the directories.").default_value(""))
        .define(key(PARTITION_DURATION_MS_CONFIG, Long, "TimeBasedPartitioner: the width of a time bucket.").default_value("-1"))
        .define(s(PATH_FORMAT_CONFIG, "", "TimeBasedPartitioner: the Joda-Time pattern of the directories, e.g. 'year'=YYYY/'month'=MM/'day'=dd."))
        .define(s(LOCALE_CONFIG, "", "Time-based partitioners: the locale (required; numeric patterns do not depend on it)."))
        .define(s(TIMEZONE_CONFIG, "", "Time-based partitioners and scheduled rotation: the zone (UTC or a fixed offset such as +02:00)."))
        .define(s(TIMESTAMP_EXTRACTOR_CONFIG, "Wallclock", "Where record time comes from: Wallclock, Record (the Kafka timestamp) or RecordField."))
        .define(s(TIMESTAMP_FIELD_CONFIG, "timestamp", "RecordField extractor: the value field (dotted path) holding the time."))
        .define(
            s(SCHEMA_COMPATIBILITY_CONFIG, "NONE", "Value schema changes: NONE closes the files at every change; BACKWARD, FORWARD and FULL are accepted and handled as NONE (more files, same records).")
                .validator(Validator::OneOfIgnoreCase(vec!["NONE".into(), "BACKWARD".into(), "FORWARD".into(), "FULL".into()])),
        )
        .define(
            s(BEHAVIOR_ON_NULL_VALUES_CONFIG, "fail", "Null values (tombstones): fail the task, ignore them, or write them (their keys, and headers, go to side files under tombstone.encoded.partition; needs store.kafka.keys=true).")
                .validator(Validator::OneOfIgnoreCase(vec!["fail".into(), "ignore".into(), "write".into()])),
        )
        .define(key(STORE_KAFKA_KEYS_CONFIG, Boolean, "Also write every record's key in a side file next to each data file (<name>.keys<extension of keys.format.class>).").default_value("false"))
        .define(key(STORE_KAFKA_HEADERS_CONFIG, Boolean, "Also write every record's headers, as key/value string pairs, in a side file next to each data file (<name>.headers<extension of headers.format.class>).").default_value("false"))
        .define(s(KEYS_FORMAT_CLASS_CONFIG, "io.confluent.connect.s3.format.avro.AvroFormat", "The format of the keys side files (AvroFormat, JsonFormat, ParquetFormat, ByteArrayFormat)."))
        .define(s(HEADERS_FORMAT_CLASS_CONFIG, "io.confluent.connect.s3.format.avro.AvroFormat", "The format of the headers side files (AvroFormat, JsonFormat, ParquetFormat)."))
        .define(s(TOMBSTONE_ENCODED_PARTITION_CONFIG, "tombstone", "With behavior.on.null.values=write: the directory (encoded partition) of the files of null-value records."))
        .define(key(ROTATE_FILE_ON_PARTITION_CHANGE_CONFIG, Boolean, "With rotate.interval.ms, close the files when a record of another directory arrives (only true is supported).").default_value("true"))
        .define(key("enhanced.avro.schema.support", Boolean, "AvroData's enhanced schema support when deriving the file schemas.").default_value("true"))
        .define(key("connect.meta.data", Boolean, "AvroData's Connect metadata in the file schemas.").default_value("true"))
        .define(key(OBJECT_TAGGING_CONFIG, Boolean, "Tag each published object with startOffset, endOffset and recordCount.").default_value("false"))
        .define(
            s(TAGGING_ERROR_CONFIG, "ignore", "What a failed tagging does: ignore (log it; the object stays untagged) or fail (the upload fails and its offsets are not committed).")
                .validator(Validator::OneOfIgnoreCase(vec!["ignore".into(), "fail".into()])),
        )
        .define(key(CONDITIONAL_WRITES_CONFIG, Boolean, "Confluent's conditional commit writes. Sluice needs none: after a restart it finds the objects written since the last commit and rewrites them under the same names, which is exactly-once also with scheduled rotation.").default_value("true"))
        .define(s(SSEA_NAME_CONFIG, "", "Server-side encryption: AES256, aws:kms or aws:kms:dsse; empty for none."))
        .define(s(SSE_KMS_KEY_CONFIG, "", "The KMS key id for aws:kms encryption; empty for the bucket's default key."))
        .define(key(SSE_CUSTOMER_KEY_CONFIG, Password, "SSE-C: a customer-provided 256-bit key, base64-encoded, that S3 encrypts every object with (requires s3.ssea.name=AES256; every later read of the objects needs the same key).").default_value(""))
        .define(key(ACL_CANNED_CONFIG, Str, "The canned ACL of written objects, e.g. bucket-owner-full-control.").default_null())
        .define(key(WAN_MODE_CONFIG, Boolean, "S3 Transfer Acceleration (not supported yet: only false).").default_value("false"))
        .define(s(PROXY_URL_CONFIG, "", "An HTTP proxy for S3 requests (not supported yet: must be empty)."))
        .define(key("s3.http.send.expect.continue", Boolean, "Java client detail; accepted, no effect.").default_value("true"))
        .define(key("s3.elastic.buffer.enable", Boolean, "Java client detail; accepted, no effect (Sluice's buffers always grow with the data, bounded by sluice.buffer.max.bytes).").default_value("false"))
        .define(
            key(BUFFER_MAX_BYTES_CONFIG, Long, "Sluice: the task's memory budget for buffered records and uploads in flight. When reached, large files stream out as parts, the largest partition's files are closed early, and the task pauses until uploads free memory.")
                .default_value((64_i64 << 20).to_string())
                .validator(Validator::Range { min: Some(f64::from(1 << 20)), max: None }),
        )
        .define(
            s(PAYLOAD_SIGNING_CONFIG, "auto", "Sluice: whether the request signature covers uploaded bodies (a SHA-256 of every byte). auto signs them only over plain http:// endpoints, as Confluent's Java client does; true always; false never. Unsigned bodies still carry a CRC32 checksum that S3 verifies.")
                .validator(Validator::OneOf(vec!["auto".into(), "true".into(), "false".into()])),
        )
        .define(
            key(UPLOAD_CONCURRENCY_CONFIG, Int, "Sluice: uploads (objects or parts) running at once per task.")
                .default_value("4")
                .validator(Validator::Range { min: Some(1.0), max: Some(64.0) }),
        )
}

/// A connector or task config as the string map the file-sink core reads (unset values
/// dropped; the last of repeated keys wins).
pub fn props_map(props: &Properties) -> Props {
    let mut map = HashMap::new();
    for (k, v) in props {
        match v {
            Some(v) => {
                map.insert(k.clone(), v.clone());
            }
            None => {
                map.remove(k);
            }
        }
    }
    map
}

/// The checked S3 sink configuration.
#[derive(Debug, Clone)]
pub struct S3SinkConfig {
    /// Where the objects go.
    pub store: S3StoreConfig,
    /// How files are written and committed.
    pub sink: SinkSettings,
}

impl S3SinkConfig {
    /// Parses and checks `props` (see the module doc).
    pub fn parse(props: &Properties) -> Result<Self> {
        let p = props_map(props);
        let get = |k: &str| p.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let bucket = get(BUCKET_CONFIG).ok_or_else(|| {
            config_error(BUCKET_CONFIG, "is required: name the bucket to write to")
        })?;
        let region = get(REGION_CONFIG).unwrap_or("us-west-2");
        let mut store = S3StoreConfig::new(bucket, region);
        if let Some(url) = get(STORE_URL_CONFIG) {
            store = store.with_endpoint(url, flag(&p, PATH_STYLE_CONFIG, true)?);
        }
        match (get(ACCESS_KEY_CONFIG), get(SECRET_KEY_CONFIG)) {
            (Some(id), Some(secret)) => store = store.with_credentials(id, secret),
            (None, None) => {}
            (Some(_), None) => {
                return Err(config_error(
                    SECRET_KEY_CONFIG,
                    "is required with aws.access.key.id",
                ));
            }
            (None, Some(_)) => {
                return Err(config_error(
                    ACCESS_KEY_CONFIG,
                    "is required with aws.secret.access.key",
                ));
            }
        }
        if let Some(class) = get(CREDENTIALS_PROVIDER_CONFIG)
            && class != DEFAULT_PROVIDER
            && class != "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
        {
            return Err(config_error(
                CREDENTIALS_PROVIDER_CONFIG,
                &format!(
                    "'{class}' is not supported; use the default chain ({DEFAULT_PROVIDER}) or aws.access.key.id/aws.secret.access.key"
                ),
            ));
        }
        let customer_key = get(SSE_CUSTOMER_KEY_CONFIG)
            .map(|text| {
                SseCustomerKey::from_base64(text)
                    .map_err(|why| config_error(SSE_CUSTOMER_KEY_CONFIG, &why))
            })
            .transpose()?;
        match (get(SSEA_NAME_CONFIG), customer_key) {
            // SSE-C replaces SSE-S3: S3 refuses a request that asks for both (Confluent's sink
            // uses the customer key when the algorithm is AES256).
            (Some(alg), Some(key)) if alg.eq_ignore_ascii_case("AES256") => {
                store = store.with_sse_customer_key(key);
            }
            (alg, Some(_)) => {
                return Err(config_error(
                    SSE_CUSTOMER_KEY_CONFIG,
                    &format!(
                        "needs s3.ssea.name=AES256 (it is {}); set it, or clear the customer key",
                        alg.map_or_else(|| "empty".to_string(), |a| format!("'{a}'"))
                    ),
                ));
            }
            (Some(alg), None) => {
                if !["AES256", "aws:kms", "aws:kms:dsse"].contains(&alg) {
                    return Err(config_error(
                        SSEA_NAME_CONFIG,
                        &format!("'{alg}' is not AES256, aws:kms or aws:kms:dsse"),
                    ));
                }
                store = store.with_sse(Sse {
                    algorithm: alg.to_string(),
                    kms_key_id: get(SSE_KMS_KEY_CONFIG).map(str::to_string),
                });
            }
            (None, None) => {}
        }
        if let Some(acl) = get(ACL_CANNED_CONFIG) {
            store = store.with_canned_acl(acl);
        }
        for (k, what) in [(PROXY_URL_CONFIG, "a proxy")] {
            if get(k).is_some() {
                return Err(config_error(
                    k,
                    &format!("{what} is not supported yet; leave it empty"),
                ));
            }
        }
        for (k, what) in [(WAN_MODE_CONFIG, "Transfer Acceleration")] {
            if flag(&p, k, false)? {
                return Err(config_error(
                    k,
                    &format!("{what} is not supported yet; set it to false"),
                ));
            }
        }
        let retries = int(&p, PART_RETRIES_CONFIG, 3)?;
        let backoff = Duration::from_millis(int(&p, RETRY_BACKOFF_CONFIG, 200)?.unsigned_abs());
        store = store.with_retries(
            u32::try_from(retries.max(0) + 1).unwrap_or(u32::MAX),
            backoff,
        );
        if let Some(text) = get(PAYLOAD_SIGNING_CONFIG) {
            let signing = PayloadSigning::parse(text).ok_or_else(|| {
                config_error(
                    PAYLOAD_SIGNING_CONFIG,
                    &format!("'{text}' is not auto, true or false"),
                )
            })?;
            store = store.with_payload_signing(signing);
        }
        let part_size = int(&p, PART_SIZE_CONFIG, 25 << 20)?;
        if part_size < MIN_PART_SIZE as i64 || part_size > i64::from(i32::MAX) {
            return Err(config_error(
                PART_SIZE_CONFIG,
                &format!(
                    "{part_size} is out of range: S3 parts are at least 5242880 bytes (5 MiB)"
                ),
            ));
        }
        store.validate()?;
        let sink = SinkSettings::from_props(&p)
            .map_err(files_config_error)?
            .with_part_size(part_size.unsigned_abs() as usize)
            .with_initial_backoff(backoff)
            .with_tagging(match flag(&p, OBJECT_TAGGING_CONFIG, false)? {
                false => Tagging::Off,
                true if get(TAGGING_ERROR_CONFIG)
                    .is_some_and(|v| v.eq_ignore_ascii_case("fail")) =>
                {
                    Tagging::FailOnError
                }
                true => Tagging::IgnoreErrors,
            });
        if flag(&p, CONDITIONAL_WRITES_CONFIG, true)?
            && sink.rotation.schedule_interval_ms.is_some()
        {
            tracing::info!(
                "enable.conditional.writes is not needed by Sluice: objects written after the last commit are found after a restart and rewritten under the same names."
            );
        }
        Ok(S3SinkConfig { store, sink })
    }
}

fn config_error(key: &str, message: &str) -> Error {
    Error::Config(sluice_api::Error::Config {
        key: key.into(),
        message: message.into(),
    })
}

/// The core's configuration errors as the SPI's (keeping the key).
fn files_config_error(e: sluice_files::Error) -> Error {
    match e {
        sluice_files::Error::Config { key, message } => {
            Error::Config(sluice_api::Error::Config { key, message })
        }
        other => Error::Store(other),
    }
}

fn flag(p: &Props, key: &str, default: bool) -> Result<bool> {
    match p.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(v) => Err(config_error(key, &format!("'{v}' is not true or false"))),
    }
}

fn int(p: &Props, key: &str, default: i64) -> Result<i64> {
    match p.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| config_error(key, &format!("'{v}' is not an integer"))),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn props(extra: &[(&str, &str)]) -> Properties {
        [
            ("s3.bucket.name", "b"),
            (
                "format.class",
                "io.confluent.connect.s3.format.json.JsonFormat",
            ),
            ("flush.size", "3"),
            ("topics", "t"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
    }

    fn error_of(extra: &[(&str, &str)]) -> String {
        match S3SinkConfig::parse(&props(extra)) {
            Ok(_) => panic!("accepted {extra:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn payload_signing_is_auto_by_default_and_names_the_key_when_wrong() {
        let c = S3SinkConfig::parse(&props(&[])).unwrap();
        assert_eq!(c.store.payload_signing, PayloadSigning::Auto);
        let c = S3SinkConfig::parse(&props(&[("sluice.s3.payload.signing", "FALSE")])).unwrap();
        assert_eq!(c.store.payload_signing, PayloadSigning::Never);
        let e = error_of(&[("sluice.s3.payload.signing", "sometimes")]);
        assert!(
            e.contains("sluice.s3.payload.signing") && e.contains("auto, true or false"),
            "{e}"
        );
    }

    #[test]
    fn a_customer_key_with_aes256_is_sse_c_and_replaces_sse_s3() {
        let key = base64::engine::general_purpose::STANDARD.encode([3u8; 32]);
        let c = S3SinkConfig::parse(&props(&[
            ("s3.ssea.name", "AES256"),
            ("s3.sse.customer.key", &key),
        ]))
        .unwrap();
        assert_eq!(c.store.sse, None);
        assert_eq!(
            c.store.sse_customer.as_ref().map(SseCustomerKey::key),
            Some(key.as_str())
        );
    }

    #[test]
    fn a_customer_key_needs_aes256_and_32_bytes() {
        let key = base64::engine::general_purpose::STANDARD.encode([3u8; 32]);
        for e in [
            error_of(&[("s3.sse.customer.key", &key)]),
            error_of(&[("s3.ssea.name", "aws:kms"), ("s3.sse.customer.key", &key)]),
        ] {
            assert!(
                e.contains("s3.sse.customer.key") && e.contains("AES256"),
                "{e}"
            );
        }
        let short = base64::engine::general_purpose::STANDARD.encode([3u8; 31]);
        let e = error_of(&[("s3.ssea.name", "AES256"), ("s3.sse.customer.key", &short)]);
        assert!(
            e.contains("s3.sse.customer.key") && e.contains("31 bytes"),
            "{e}"
        );
    }
}
