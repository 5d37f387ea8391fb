//! SSE-C (`s3.sse.customer.key`): every request that writes an object or reads one back
//! carries the customer key and its MD5, against the real S3 server of the test suite.
//!
//! moto accepts SSE-C requests but neither encrypts nor checks the headers, so the test puts a
//! byte-for-byte forwarder between the store and moto that keeps the head of every request:
//! what is checked is what really went over the wire, and moto's answers (the objects read
//! back) show the requests were still valid S3.

mod common;

use base64::Engine as _;
use common::{Seen, tapped_store, write_and_read_back};
use md5::Digest as _;
use sluice_files::ObjectStore;
use sluice_s3::SseCustomerKey;

#[tokio::test]
async fn every_write_and_read_carries_the_customer_key() {
    let raw: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(7) ^ 0x5a).collect();
    let key_b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
    let md5_b64 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&raw));
    let customer = SseCustomerKey::from_base64(&key_b64).unwrap();
    assert_eq!(customer.key_md5(), md5_b64);

    let (store, seen) = tapped_store("s3-ssec", |c| c.with_sse_customer_key(customer)).await;

    write_and_read_back(&store).await;
    let empty = store.start_upload("t/c.avro").await.unwrap();
    empty.complete().await.unwrap();
    assert!(store.get("t/c.avro").await.unwrap().is_empty());

    let seen = seen.lock().unwrap().clone();
    let carrying = |s: &Seen| {
        s.header("x-amz-server-side-encryption-customer-algorithm") == Some("AES256")
            && s.header("x-amz-server-side-encryption-customer-key") == Some(key_b64.as_str())
            && s.header("x-amz-server-side-encryption-customer-key-md5") == Some(md5_b64.as_str())
    };
    let object_requests: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.line.contains("/t/"))
        .filter(|s| {
            // Writes and reads of object data; aborting an upload needs no key.
            !s.line.starts_with("DELETE")
        })
        .collect();
    // 1 put, create + 2 parts + complete, create + abort-less empty put, 3 gets.
    let count = |prefix: &str| {
        object_requests
            .iter()
            .filter(|s| s.line.starts_with(prefix))
            .count()
    };
    assert_eq!(
        count("PUT"),
        4,
        "PutObject ×2 and UploadPart ×2: {object_requests:#?}"
    );
    assert_eq!(
        count("POST"),
        3,
        "CreateMultipartUpload ×2 and CompleteMultipartUpload: {object_requests:#?}"
    );
    assert_eq!(count("GET"), 3, "{object_requests:#?}");
    for s in &object_requests {
        assert!(carrying(s), "a request without the SSE-C headers: {s:#?}");
        assert!(
            s.header("x-amz-server-side-encryption").is_none(),
            "SSE-S3 asked for together with SSE-C: {s:#?}"
        );
    }
}

#[test]
fn a_key_that_is_not_32_bytes_of_base64_is_refused_with_the_reason() {
    let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
    let e = SseCustomerKey::from_base64(&short).unwrap_err();
    assert!(e.contains("16 bytes") && e.contains("32 bytes"), "{e}");
    let e = SseCustomerKey::from_base64("not base64!").unwrap_err();
    assert!(e.contains("not base64"), "{e}");
    let debug = format!(
        "{:?}",
        SseCustomerKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([9u8; 32]))
            .unwrap()
    );
    assert!(
        !debug.contains(&base64::engine::general_purpose::STANDARD.encode([9u8; 32])),
        "the key leaks into Debug: {debug}"
    );
}
