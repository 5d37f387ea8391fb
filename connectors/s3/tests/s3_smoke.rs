//! The S3 store against a real S3 server (moto in the test suite): every operation the file
//! sinks use, read back from the server, plus the errors the task loop must classify.

use bytes::Bytes;
use sluice_files::{Error, ObjectMeta, ObjectStore};
use sluice_s3::{S3Store, S3StoreConfig};

const MIB: usize = 1024 * 1024;

fn config(bucket: &str) -> S3StoreConfig {
    let s3 = sluice_testkit::services().s3();
    S3StoreConfig::new(bucket, s3.region)
        .with_endpoint(s3.endpoint, true)
        .with_credentials(s3.access_key, s3.secret_key)
}

/// A store on a fresh, uniquely named bucket.
async fn fresh_store(prefix: &str, page_size: Option<i32>) -> S3Store {
    let mut config = config(&sluice_testkit::unique_name(prefix));
    if let Some(size) = page_size {
        config = config.with_list_page_size(size);
    }
    let store = S3Store::connect(config).await.expect("connect");
    store.create_bucket().await.expect("create bucket");
    store
}

/// Deterministic, non-repeating-looking content so a misplaced byte is caught.
fn pattern(len: usize, seed: u8) -> Bytes {
    (0..len)
        .map(|i| (i.wrapping_mul(31) as u8) ^ seed.wrapping_add((i / 4096) as u8))
        .collect()
}

#[tokio::test]
async fn put_get_round_trip_and_overwrite() {
    let store = fresh_store("s3-put", None).await;
    store
        .create_bucket()
        .await
        .expect("creating an owned bucket again succeeds");

    let key = "topics/orders/partition=0/orders+0+0000000000.json";
    store
        .put(key, Bytes::from_static(b"{\"id\":1}\n"))
        .await
        .unwrap();
    assert_eq!(
        store.get(key).await.unwrap(),
        Bytes::from_static(b"{\"id\":1}\n")
    );

    store
        .put(key, Bytes::from_static(b"{\"id\":2}\n"))
        .await
        .unwrap();
    assert_eq!(
        store.get(key).await.unwrap(),
        Bytes::from_static(b"{\"id\":2}\n")
    );

    store.put("empty", Bytes::new()).await.unwrap();
    assert_eq!(store.get("empty").await.unwrap(), Bytes::new());
    assert_eq!(store.kind(), "S3");
}

#[tokio::test]
async fn list_filters_by_prefix_and_follows_pages() {
    // Two objects per page: seven matching objects need four ListObjectsV2 requests.
    let store = fresh_store("s3-list", Some(2)).await;
    let mut expected = Vec::new();
    for i in (0..7).rev() {
        let key = format!("topics/t/partition=0/t+0+{i:010}.avro");
        store.put(&key, pattern(i + 1, 0)).await.unwrap();
        expected.push(ObjectMeta {
            key,
            size: (i + 1) as u64,
        });
    }
    store
        .put("topics/t/partition=1/t+1+0000000000.avro", pattern(3, 0))
        .await
        .unwrap();
    store
        .put("topics/tt/partition=0/x", pattern(3, 0))
        .await
        .unwrap();
    expected.sort_by(|a, b| a.key.cmp(&b.key));

    assert_eq!(store.list("topics/t/partition=0/").await.unwrap(), expected);
    assert_eq!(store.list("topics/t/").await.unwrap().len(), 8);
    // A prefix is a plain string prefix, not a directory.
    assert_eq!(store.list("topics/t").await.unwrap().len(), 9);
    // A whole key is a prefix of itself.
    assert_eq!(
        store.list(&expected[3].key).await.unwrap(),
        vec![expected[3].clone()]
    );
    assert_eq!(store.list("nothing/").await.unwrap(), Vec::new());
}

#[tokio::test]
async fn multipart_upload_of_three_parts_reads_back_byte_identical() {
    let store = fresh_store("s3-mpu", None).await;
    let key = "topics/big/partition=0/big+0+0000000000.parquet";
    let parts = [pattern(5 * MIB, 1), pattern(5 * MIB, 2), pattern(1234, 3)];

    let mut upload = store.start_upload(key).await.unwrap();
    for part in &parts {
        upload.put_part(part.clone()).await.unwrap();
    }
    assert!(
        store.list(key).await.unwrap().is_empty(),
        "an upload in progress must be invisible to readers"
    );
    upload.complete().await.unwrap();

    let expected: Vec<u8> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    let got = store.get(key).await.unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(
        got == expected,
        "the object differs from the concatenated parts"
    );
    assert_eq!(
        store.list(key).await.unwrap(),
        vec![ObjectMeta {
            key: key.into(),
            size: expected.len() as u64
        }]
    );
}

#[tokio::test]
async fn completing_an_upload_without_parts_writes_an_empty_object() {
    let store = fresh_store("s3-mpu-empty", None).await;
    let upload = store.start_upload("empty.bin").await.unwrap();
    upload.complete().await.unwrap();
    assert_eq!(store.get("empty.bin").await.unwrap(), Bytes::new());
}

#[tokio::test]
async fn aborted_upload_leaves_no_object() {
    let store = fresh_store("s3-abort", None).await;
    let mut upload = store.start_upload("aborted.bin").await.unwrap();
    upload.put_part(pattern(5 * MIB, 4)).await.unwrap();
    upload.abort().await.unwrap();

    assert!(store.list("aborted").await.unwrap().is_empty());
    assert!(matches!(
        store.get("aborted.bin").await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn missing_key_is_not_found() {
    let store = fresh_store("s3-missing-key", None).await;
    match store.get("no/such/key").await {
        Err(Error::NotFound { store, key }) => {
            assert_eq!(store, "S3");
            assert_eq!(key, "no/such/key");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn missing_bucket_is_a_definite_error_naming_the_bucket() {
    let bucket = sluice_testkit::unique_name("s3-never-created");
    let store = S3Store::connect(config(&bucket)).await.unwrap();

    for err in [
        store.put("k", Bytes::from_static(b"x")).await.unwrap_err(),
        store.list("").await.unwrap_err(),
        store.start_upload("k").await.unwrap_err(),
    ] {
        assert!(
            !err.is_retriable(),
            "a missing bucket must not be retried: {err}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("bucket '{bucket}' does not exist")),
            "{text}"
        );
        assert!(text.contains("s3.bucket.name"), "{text}");
    }
}

#[tokio::test]
async fn invalid_config_is_rejected_before_any_request() {
    let err = S3Store::connect(S3StoreConfig::new("", "us-east-1"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("s3.bucket.name"), "{err}");
    assert!(!err.is_retriable());
}

#[tokio::test]
async fn debug_does_not_show_the_secret() {
    let s3 = sluice_testkit::services().s3();
    let store = fresh_store("s3-debug", None).await;
    let upload = store.start_upload("x").await.unwrap();
    for text in [format!("{store:?}"), format!("{upload:?}")] {
        assert!(text.contains(store.bucket()), "{text}");
        assert!(!text.contains(&s3.secret_key), "{text}");
    }
    upload.abort().await.unwrap();
}

#[tokio::test]
async fn tags_are_set_on_the_object_and_read_back() {
    let store = fresh_store("tags", None).await;
    store
        .put(
            "topics/t/t+0+0000000000.json",
            Bytes::from_static(b"1\n2\n"),
        )
        .await
        .unwrap();
    let tags = vec![
        ("startOffset".to_string(), "0".to_string()),
        ("endOffset".to_string(), "1".to_string()),
        ("recordCount".to_string(), "2".to_string()),
    ];
    store
        .tag("topics/t/t+0+0000000000.json", &tags)
        .await
        .unwrap();
    let mut got = store
        .object_tags("topics/t/t+0+0000000000.json")
        .await
        .unwrap();
    got.sort();
    let mut want = tags.clone();
    want.sort();
    assert_eq!(got, want);
    // Tagging a missing object is a definite error naming the key.
    let e = store.tag("no/such/object", &tags).await.unwrap_err();
    assert!(
        !e.is_retriable() && e.to_string().contains("no/such/object"),
        "{e}"
    );
}
