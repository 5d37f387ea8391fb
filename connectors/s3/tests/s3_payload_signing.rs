//! `sluice.s3.payload.signing`: which uploads the SigV4 signature covers, as seen on the wire
//! by a forwarder in front of the real S3 server, and that unsigned uploads (PutObject and
//! UploadPart, each still carrying a CRC32 checksum) are stored byte for byte.

mod common;

use common::{Seen, tapped_store, write_and_read_back};
use sluice_s3::PayloadSigning;

/// Writes one small object and one two-part upload through a tapped store with `signing`;
/// returns the `x-amz-content-sha256` values of the body-carrying requests.
async fn upload_with(signing: PayloadSigning) -> Vec<String> {
    let (store, seen) = tapped_store("s3-sign", |c| c.with_payload_signing(signing)).await;

    write_and_read_back(&store).await;

    let seen: Vec<Seen> = seen.lock().unwrap().clone();
    let puts: Vec<String> = seen
        .iter()
        .filter(|s| s.line.starts_with("PUT") && s.line.contains("/t/"))
        .map(|s| {
            s.header("x-amz-content-sha256")
                .unwrap_or("(none)")
                .to_string()
        })
        .collect();
    assert_eq!(puts.len(), 3, "PutObject and two UploadParts: {seen:#?}");
    puts
}

fn unsigned(value: &str) -> bool {
    value.contains("UNSIGNED-PAYLOAD")
}

#[tokio::test]
async fn never_sends_unsigned_bodies_that_are_stored_intact() {
    for value in upload_with(PayloadSigning::Never).await {
        assert!(unsigned(&value), "a signed body: {value}");
    }
}

#[tokio::test]
async fn always_and_auto_over_plain_http_sign_every_body() {
    for signing in [PayloadSigning::Always, PayloadSigning::Auto] {
        for value in upload_with(signing).await {
            assert!(!unsigned(&value), "{signing:?}: an unsigned body: {value}");
        }
    }
}
