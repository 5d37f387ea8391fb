//! Object keys and extensions match Confluent's storage sinks.

use sluice_files::naming::{FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG, FileFormat, ObjectNaming};
use sluice_files::{Error, Props, file_extension, partitioner_from_props};

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn default_partitioner_key_from_the_spec() {
    let p = props(&[]);
    let naming = ObjectNaming::from_props(&p).unwrap();
    let partitioner = partitioner_from_props(&p).unwrap();
    let path = partitioner.partitioned_path("orders", "partition=3");
    let key = naming.object_key(&path, "orders", 3, 1200, ".avro");
    assert_eq!(key, "topics/orders/partition=3/orders+3+0000001200.avro");
}

#[test]
fn time_based_key_from_the_spec() {
    let naming = ObjectNaming::default();
    let key = naming.object_key(
        "orders/year=2024/month=05/day=01/hour=13",
        "orders",
        3,
        1200,
        ".avro",
    );
    assert_eq!(
        key,
        "topics/orders/year=2024/month=05/day=01/hour=13/orders+3+0000001200.avro"
    );
}

#[test]
fn custom_dir_delimiters_and_padding() {
    let p = props(&[
        ("topics.dir", "exports/kafka"),
        ("directory.delim", "|"),
        ("file.delim", "-"),
        (FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG, "5"),
    ]);
    let naming = ObjectNaming::from_props(&p).unwrap();
    let path = partitioner_from_props(&p)
        .unwrap()
        .partitioned_path("t", "partition=0");
    assert_eq!(
        naming.object_key(&path, "t", 0, 42, ".json"),
        "exports/kafka|t|partition=0|t-0-00042.json"
    );
    // Wider offsets are never truncated (Java's %05d).
    assert_eq!(
        naming.file_name("t", 0, 1234567, ".json"),
        "t-0-1234567.json"
    );
    let unpadded = ObjectNaming {
        zero_pad_width: 0,
        ..ObjectNaming::default()
    };
    assert_eq!(unpadded.file_name("t", 7, 42, ".bin"), "t+7+42.bin");
}

#[test]
fn negative_padding_is_a_config_error() {
    let err = ObjectNaming::from_props(&props(&[(FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG, "-1")]))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config { key, .. } if key == FILENAME_OFFSET_ZERO_PAD_WIDTH_CONFIG)
    );
}

#[test]
fn extensions_per_format() {
    let ext = |format, pairs: &[(&str, &str)]| file_extension(format, &props(pairs)).unwrap();
    assert_eq!(ext(FileFormat::Avro, &[]), ".avro");
    // Compression does not apply to Avro (its codec is inside the file).
    assert_eq!(
        ext(FileFormat::Avro, &[("s3.compression.type", "gzip")]),
        ".avro"
    );
    assert_eq!(ext(FileFormat::Json, &[]), ".json");
    assert_eq!(
        ext(FileFormat::Json, &[("s3.compression.type", "gzip")]),
        ".json.gz"
    );
    assert_eq!(ext(FileFormat::Parquet, &[]), ".snappy.parquet");
    assert_eq!(
        ext(FileFormat::Parquet, &[("parquet.codec", "none")]),
        ".parquet"
    );
    assert_eq!(
        ext(FileFormat::Parquet, &[("parquet.codec", "zstd")]),
        ".zstd.parquet"
    );
    assert_eq!(ext(FileFormat::ByteArray, &[]), ".bin");
    assert_eq!(
        ext(
            FileFormat::ByteArray,
            &[
                ("format.bytearray.extension", ".txt"),
                ("s3.compression.type", "gzip")
            ]
        ),
        ".txt.gz"
    );
    assert!(file_extension(FileFormat::Json, &props(&[("s3.compression.type", "lz4")])).is_err());
}

#[test]
fn format_classes() {
    for (class, format) in [
        (
            "io.confluent.connect.s3.format.avro.AvroFormat",
            FileFormat::Avro,
        ),
        (
            "io.confluent.connect.s3.format.json.JsonFormat",
            FileFormat::Json,
        ),
        (
            "io.confluent.connect.s3.format.parquet.ParquetFormat",
            FileFormat::Parquet,
        ),
        (
            "io.confluent.connect.s3.format.bytearray.ByteArrayFormat",
            FileFormat::ByteArray,
        ),
        (
            "io.confluent.connect.azure.blob.format.avro.AvroFormat",
            FileFormat::Avro,
        ),
        ("JsonFormat", FileFormat::Json),
    ] {
        assert_eq!(FileFormat::from_class(class), Some(format), "{class}");
    }
    assert_eq!(FileFormat::from_class("com.example.AvroFormat"), None);
    assert_eq!(
        FileFormat::from_class("io.confluent.connect.s3.format.csv.CsvFormat"),
        None
    );
    assert!(FileFormat::from_props(&props(&[])).is_err());
}
