//! The Azure Blob store against Azurite: container creation, every operation the file sinks
//! use, read back from the emulator, and the errors the task loop must classify.

use base64::Engine;
use bytes::Bytes;
use sluice_azure_blob::{AzureBlobStore, AzureBlobStoreConfig};
use sluice_files::{Error, ObjectMeta, ObjectStore};

const MIB: usize = 1024 * 1024;

fn config(container: &str) -> AzureBlobStoreConfig {
    let az = sluice_testkit::services().azurite();
    AzureBlobStoreConfig::new(az.account, az.key, container).with_endpoint(az.blob_endpoint)
}

/// A store on a fresh, uniquely named container.
async fn fresh_store(prefix: &str, page_size: Option<usize>) -> AzureBlobStore {
    let mut config = config(&sluice_testkit::unique_name(prefix));
    if let Some(size) = page_size {
        config = config.with_list_page_size(size);
    }
    let store = AzureBlobStore::connect(config).expect("connect");
    store.create_container().await.expect("create container");
    store
}

/// Deterministic, non-repeating-looking content so a misplaced byte is caught.
fn pattern(len: usize, seed: u8) -> Bytes {
    (0..len)
        .map(|i| (i.wrapping_mul(31) as u8) ^ seed.wrapping_add((i / 4096) as u8))
        .collect()
}

#[tokio::test]
async fn container_creation_is_idempotent() {
    let store = fresh_store("az-create", None).await;
    store
        .create_container()
        .await
        .expect("re-creating an existing container succeeds");
    store.put("k", Bytes::from_static(b"v")).await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), Bytes::from_static(b"v"));
}

#[tokio::test]
async fn put_get_round_trip_and_overwrite() {
    let store = fresh_store("az-put", None).await;
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
    assert_eq!(store.kind(), "Azure Blob");
}

#[tokio::test]
async fn block_upload_reads_back_byte_identical() {
    let store = fresh_store("az-blocks", None).await;
    let key = "topics/big/partition=0/big+0+0000000000.parquet";
    let parts = [pattern(5 * MIB, 1), pattern(5 * MIB, 2), pattern(1234, 3)];

    let mut upload = store.start_upload(key).await.unwrap();
    for part in &parts {
        upload.put_part(part.clone()).await.unwrap();
    }
    assert!(
        store.list(key).await.unwrap().is_empty(),
        "staged blocks must be invisible to readers"
    );
    upload.complete().await.unwrap();

    let expected: Vec<u8> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    let got = store.get(key).await.unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(
        got == expected,
        "the blob differs from the concatenated blocks"
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
async fn completing_an_upload_without_blocks_writes_an_empty_blob() {
    let store = fresh_store("az-blocks-empty", None).await;
    let upload = store.start_upload("empty.bin").await.unwrap();
    upload.complete().await.unwrap();
    assert_eq!(store.get("empty.bin").await.unwrap(), Bytes::new());
}

#[tokio::test]
async fn aborted_upload_leaves_no_blob() {
    let store = fresh_store("az-abort", None).await;
    let mut upload = store.start_upload("aborted.bin").await.unwrap();
    upload.put_part(pattern(MIB, 4)).await.unwrap();
    upload.abort().await.unwrap();
    assert!(store.list("aborted").await.unwrap().is_empty());
    assert!(matches!(
        store.get("aborted.bin").await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn list_filters_by_string_prefix_and_follows_pages() {
    // Two blobs per page: seven matching blobs need four List Blobs requests.
    let store = fresh_store("az-list", Some(2)).await;
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
    assert_eq!(
        store
            .list("topics/t/partition=0/t+0+000000000")
            .await
            .unwrap()
            .len(),
        7
    );
    // A whole key is a prefix of itself.
    assert_eq!(
        store.list(&expected[3].key).await.unwrap(),
        vec![expected[3].clone()]
    );
    assert_eq!(store.list("nothing/").await.unwrap(), Vec::new());
}

#[tokio::test]
async fn missing_blob_is_not_found() {
    let store = fresh_store("az-missing", None).await;
    match store.get("no/such/blob").await {
        Err(Error::NotFound { store, key }) => {
            assert_eq!(store, "Azure Blob");
            assert_eq!(key, "no/such/blob");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn missing_container_is_a_definite_error_naming_it() {
    let container = sluice_testkit::unique_name("az-never-created");
    let store = AzureBlobStore::connect(config(&container)).unwrap();
    for err in [
        store.put("k", Bytes::from_static(b"x")).await.unwrap_err(),
        store.list("").await.unwrap_err(),
    ] {
        assert!(
            !err.is_retriable(),
            "a missing container must not be retried: {err}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("container '{container}' does not exist")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn wrong_key_is_a_definite_auth_error() {
    let container = sluice_testkit::unique_name("az-wrong-key");
    let mut config = config(&container);
    config.account_key = base64::engine::general_purpose::STANDARD.encode(b"not the account key");
    let store = AzureBlobStore::connect(config).unwrap();

    for err in [
        store.create_container().await.unwrap_err(),
        store.put("k", Bytes::from_static(b"x")).await.unwrap_err(),
        store.list("").await.unwrap_err(),
    ] {
        assert!(
            !err.is_retriable(),
            "bad credentials must not be retried: {err}"
        );
        assert!(err.to_string().contains("azblob.account.key"), "{err}");
    }
}

#[tokio::test]
async fn unusable_blob_names_are_refused() {
    let store = fresh_store("az-names", None).await;
    for key in ["", "/leading", "trailing/", "a//b"] {
        let err = store.put(key, Bytes::from_static(b"x")).await.unwrap_err();
        assert!(!err.is_retriable(), "{key:?}: {err}");
    }
    assert!(store.list("").await.unwrap().is_empty());
}

#[tokio::test]
async fn invalid_config_is_rejected_before_any_request() {
    let az = sluice_testkit::services().azurite();
    let err =
        AzureBlobStore::connect(AzureBlobStoreConfig::new(&az.account, "%%%", "c")).unwrap_err();
    assert!(err.to_string().contains("azblob.account.key"), "{err}");
    let err =
        AzureBlobStore::connect(AzureBlobStoreConfig::new(&az.account, &az.key, "")).unwrap_err();
    assert!(err.to_string().contains("azblob.container.name"), "{err}");
}

#[tokio::test]
async fn debug_does_not_show_the_key() {
    let az = sluice_testkit::services().azurite();
    let store = fresh_store("az-debug", None).await;
    let mut upload = store.start_upload("x").await.unwrap();
    upload.put_part(Bytes::from_static(b"x")).await.unwrap();

    let key_bytes = base64::engine::general_purpose::STANDARD
        .decode(&az.key)
        .unwrap();
    let key_bytes = format!("{key_bytes:?}");
    let key_bytes = &key_bytes[..20]; // "[18, 31, …": enough to recognise the decoded key
    for text in [format!("{store:?}"), format!("{upload:?}")] {
        assert!(!text.contains(&az.key), "{text}");
        assert!(!text.contains(key_bytes), "{text}");
    }
    assert!(format!("{store:?}").contains(store.container()));
    upload.abort().await.unwrap();
}
