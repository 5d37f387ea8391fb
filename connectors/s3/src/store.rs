//! [`S3Store`]: one S3 bucket as a [`sluice_files::ObjectStore`], on the official AWS SDK.
//!
//! Whole objects go up with PutObject, large files with a multipart upload (see
//! [`crate::S3MultipartUpload`]); reads use GetObject and recovery listings ListObjectsV2, following
//! continuation tokens until S3 says the listing is complete, so no key is missed however many
//! objects share the prefix. S3 returns keys in UTF-8 binary order, which is the order the trait
//! promises; the result is sorted again anyway so the promise does not rest on a server detail.
//!
//! Works against AWS and against S3-compatible servers (MinIO, moto, …) through
//! [`S3StoreConfig::endpoint`] and [`S3StoreConfig::path_style`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, ChecksumAlgorithm, CreateBucketConfiguration, ObjectCannedAcl,
    ServerSideEncryption, Tag, Tagging,
};
use bytes::Bytes;
use sluice_files::{MultipartUpload, ObjectMeta, ObjectStore};
use tracing::debug;

use crate::classify::{STORE, Target, classify};
use crate::multipart::S3MultipartUpload;
use crate::{Error, Result};

/// The configuration keys named in validation messages (Confluent S3 sink names).
const BUCKET_KEY: &str = "s3.bucket.name";
const REGION_KEY: &str = "s3.region";
const ACCESS_KEY_KEY: &str = "aws.access.key.id";
const SECRET_KEY_KEY: &str = "aws.secret.access.key";

/// Static AWS credentials; `Debug` never shows the secret.
#[derive(Clone)]
pub struct S3Credentials {
    /// The access key id (`aws.access.key.id`).
    pub access_key_id: String,
    /// The secret access key (`aws.secret.access.key`).
    pub secret_access_key: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Where and how to reach one S3 bucket.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct S3StoreConfig {
    /// The bucket objects are written to (`s3.bucket.name`).
    pub bucket: String,
    /// The region the bucket lives in and requests are signed for (`s3.region`).
    pub region: String,
    /// A custom endpoint URL for S3-compatible servers (`store.url`); `None` for AWS.
    pub endpoint: Option<String>,
    /// Address buckets as `endpoint/bucket` instead of `bucket.endpoint`
    /// (`s3.path.style.access.enabled`); most S3-compatible servers need it.
    pub path_style: bool,
    /// Static credentials; `None` uses the default AWS provider chain (environment, profile,
    /// web identity, container and instance roles).
    pub credentials: Option<S3Credentials>,
    /// Objects per ListObjectsV2 page; `None` lets S3 choose (at most 1,000).
    pub list_page_size: Option<i32>,
    /// Server-side encryption of written objects (`s3.ssea.name`, `s3.sse.kms.key.id`).
    pub sse: Option<Sse>,
    /// SSE-C: the customer-provided key objects are encrypted with (`s3.sse.customer.key`);
    /// sent with every write, and with every read, which S3 refuses without it.
    pub sse_customer: Option<SseCustomerKey>,
    /// The canned ACL of written objects (`s3.acl.canned`).
    pub canned_acl: Option<String>,
    /// Attempts per request made by the SDK itself (`s3.part.retries` + 1); `None`: the SDK's
    /// default (3).
    pub max_attempts: Option<u32>,
    /// The SDK's first retry pause (`s3.retry.backoff.ms`).
    pub initial_backoff: Option<Duration>,
    /// Whether object and part bodies are covered by the SigV4 signature
    /// (`sluice.s3.payload.signing`).
    pub payload_signing: PayloadSigning,
}

/// Whether the SigV4 signature covers the bodies of PutObject and UploadPart
/// (`sluice.s3.payload.signing`).
///
/// Signing a body means a SHA-256 over every uploaded byte, the largest single CPU cost of the
/// upload path (≈ 9 % of the worker's CPU at 86 MB/s). Leaving it out loses no integrity check:
/// every body carries a CRC32 checksum that S3 verifies before storing it, and over HTTPS TLS
/// protects the body in transit. This is also what Confluent's sink does through the AWS SDK
/// for Java v1, which signs payloads only on plain-HTTP connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadSigning {
    /// Sign bodies only when the endpoint is plain `http://` (the Java SDK's rule).
    #[default]
    Auto,
    /// Always sign bodies.
    Always,
    /// Never sign bodies (`UNSIGNED-PAYLOAD`; the CRC32 checksum still guards them).
    Never,
}

impl PayloadSigning {
    /// Parses `auto`, `true` or `false` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(PayloadSigning::Auto),
            "true" => Some(PayloadSigning::Always),
            "false" => Some(PayloadSigning::Never),
            _ => None,
        }
    }
}

/// Server-side encryption settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sse {
    /// The algorithm: `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// The KMS key id for `aws:kms` (`None`: the bucket's default key).
    pub kms_key_id: Option<String>,
}

/// A customer-provided AES-256 key for SSE-C: S3 encrypts each object with it and keeps only
/// its MD5, so every request that writes or reads the object must carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct SseCustomerKey {
    /// The key, base64 (as configured).
    key: String,
    /// The base64 MD5 of the raw key, which S3 checks the key against.
    md5: String,
}

impl fmt::Debug for SseCustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is a secret; its MD5 identifies it without revealing it.
        f.debug_struct("SseCustomerKey")
            .field("md5", &self.md5)
            .finish_non_exhaustive()
    }
}

impl SseCustomerKey {
    /// The algorithm S3 supports for SSE-C.
    pub const ALGORITHM: &'static str = "AES256";

    /// Reads a base64-encoded 256-bit key; the error says what is wrong with it.
    pub fn from_base64(text: &str) -> std::result::Result<Self, String> {
        use base64::Engine as _;
        use md5::Digest as _;
        let engine = base64::engine::general_purpose::STANDARD;
        let raw = engine.decode(text.trim()).map_err(|e| {
            format!("is not base64 ({e}); give the 32-byte AES-256 key base64-encoded")
        })?;
        if raw.len() != 32 {
            return Err(format!(
                "decodes to {} bytes; SSE-C needs a 256-bit key: 32 bytes, base64-encoded",
                raw.len()
            ));
        }
        let md5 = engine.encode(md5::Md5::digest(&raw));
        Ok(SseCustomerKey {
            key: engine.encode(&raw),
            md5,
        })
    }

    /// The key, base64.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The base64 MD5 of the raw key.
    pub fn key_md5(&self) -> &str {
        &self.md5
    }
}

impl S3StoreConfig {
    /// A configuration for `bucket` in `region` on AWS with the default credentials chain.
    pub fn new(bucket: impl Into<String>, region: impl Into<String>) -> Self {
        S3StoreConfig {
            bucket: bucket.into(),
            region: region.into(),
            endpoint: None,
            path_style: false,
            credentials: None,
            list_page_size: None,
            sse: None,
            sse_customer: None,
            canned_acl: None,
            max_attempts: None,
            initial_backoff: None,
            payload_signing: PayloadSigning::Auto,
        }
    }

    /// Whether request bodies are signed (see [`PayloadSigning`]).
    pub fn with_payload_signing(mut self, signing: PayloadSigning) -> Self {
        self.payload_signing = signing;
        self
    }

    /// Whether bodies sent to this store are covered by the signature.
    pub(crate) fn signs_payload(&self) -> bool {
        match self.payload_signing {
            PayloadSigning::Always => true,
            PayloadSigning::Never => false,
            PayloadSigning::Auto => self
                .endpoint
                .as_deref()
                .and_then(|url| url.trim_start().get(..7))
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://")),
        }
    }

    /// Targets an S3-compatible server at `url`, optionally with path-style addressing.
    pub fn with_endpoint(mut self, url: impl Into<String>, path_style: bool) -> Self {
        self.endpoint = Some(url.into());
        self.path_style = path_style;
        self
    }

    /// Signs with these static credentials instead of the default provider chain.
    pub fn with_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some(S3Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
        });
        self
    }

    /// Encrypts written objects server-side.
    pub fn with_sse(mut self, sse: Sse) -> Self {
        self.sse = Some(sse);
        self
    }

    /// Encrypts written objects with a customer-provided key (SSE-C).
    pub fn with_sse_customer_key(mut self, key: SseCustomerKey) -> Self {
        self.sse_customer = Some(key);
        self
    }

    /// Applies a canned ACL (`private`, `bucket-owner-full-control`, …) to written objects.
    pub fn with_canned_acl(mut self, acl: impl Into<String>) -> Self {
        self.canned_acl = Some(acl.into());
        self
    }

    /// Sets the SDK's own retries: `max_attempts` per request, backing off from `initial`.
    pub fn with_retries(mut self, max_attempts: u32, initial: Duration) -> Self {
        self.max_attempts = Some(max_attempts.max(1));
        self.initial_backoff = Some(initial);
        self
    }

    /// Lists at most `size` objects per ListObjectsV2 request.
    pub fn with_list_page_size(mut self, size: i32) -> Self {
        self.list_page_size = Some(size);
        self
    }

    /// Checks the values that can be checked without asking S3.
    pub fn validate(&self) -> Result<()> {
        if self.bucket.trim().is_empty() {
            return Err(config_error(BUCKET_KEY, "the bucket name is empty: set it"));
        }
        if self.region.trim().is_empty() {
            return Err(config_error(
                REGION_KEY,
                "the region is empty: set it, e.g. us-west-2",
            ));
        }
        if let Some(c) = &self.credentials {
            if c.access_key_id.is_empty() {
                return Err(config_error(
                    ACCESS_KEY_KEY,
                    "empty: set it or unset both keys",
                ));
            }
            if c.secret_access_key.is_empty() {
                return Err(config_error(
                    SECRET_KEY_KEY,
                    "empty: set it or unset both keys",
                ));
            }
        }
        if let Some(size) = self.list_page_size
            && !(1..=1000).contains(&size)
        {
            return Err(config_error(
                "s3.list.page.size",
                "must be between 1 and 1000",
            ));
        }
        Ok(())
    }
}

fn config_error(key: &str, message: &str) -> Error {
    Error::Config(sluice_api::Error::Config {
        key: key.into(),
        message: message.into(),
    })
}

/// One S3 bucket, implementing [`ObjectStore`]. Cheap to clone (the SDK client is shared).
#[derive(Clone)]
pub struct S3Store {
    client: Client,
    config: Arc<S3StoreConfig>,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The config's own Debug redacts the secret; the SDK client is left out.
        f.debug_struct("S3Store")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    /// Builds a client for `config`; resolves the default credentials chain lazily, at the
    /// first request, so a missing credential shows up as a definite store error then.
    pub async fn connect(config: S3StoreConfig) -> Result<S3Store> {
        config.validate()?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()));
        if let Some(c) = &config.credentials {
            loader = loader.credentials_provider(Credentials::new(
                c.access_key_id.clone(),
                c.secret_access_key.clone(),
                None,
                None,
                "sluice-s3-config",
            ));
        }
        if let Some(attempts) = config.max_attempts {
            let mut retry = RetryConfig::standard().with_max_attempts(attempts);
            if let Some(initial) = config.initial_backoff {
                retry = retry.with_initial_backoff(initial);
            }
            loader = loader.retry_config(retry);
        }
        let shared = loader.load().await;
        let mut builder =
            aws_sdk_s3::config::Builder::from(&shared).force_path_style(config.path_style);
        if let Some(url) = &config.endpoint {
            builder = builder.endpoint_url(url.clone());
        }
        let client = Client::from_conf(builder.build());
        debug!(bucket = %config.bucket, region = %config.region, endpoint = ?config.endpoint, "S3 store ready.");
        Ok(S3Store {
            client,
            config: Arc::new(config),
        })
    }

    /// The bucket this store writes to.
    pub fn bucket(&self) -> &str {
        &self.config.bucket
    }

    /// The tags of object `key` (what `s3.object.tagging` wrote).
    pub async fn object_tags(&self, key: &str) -> sluice_files::Result<Vec<(String, String)>> {
        let output = self
            .client
            .get_object_tagging()
            .bucket(&self.config.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| classify(e, self.target("read object tags", key)))?;
        Ok(output
            .tag_set()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect())
    }

    /// Creates the bucket (for tests and quickstarts; production buckets are provisioned by
    /// their owners). Succeeds if this account already owns it.
    pub async fn create_bucket(&self) -> sluice_files::Result<()> {
        let mut request = self.client.create_bucket().bucket(&self.config.bucket);
        // us-east-1 is S3's default location and must not be named explicitly.
        if self.config.region != "us-east-1" {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(
                        self.config.region.as_str(),
                    ))
                    .build(),
            );
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_bucket_already_owned_by_you()) =>
            {
                Ok(())
            }
            Err(e) => Err(classify(
                e,
                self.target("create bucket", &self.config.bucket),
            )),
        }
    }

    /// Checks that the bucket exists and these credentials may list it, with one
    /// ListObjectsV2 request of at most one key under `prefix`: a missing bucket or bad
    /// credentials show up as a definite error when the task starts, not at the first upload.
    pub async fn check_access(&self, prefix: &str) -> sluice_files::Result<()> {
        self.client
            .list_objects_v2()
            .bucket(&self.config.bucket)
            .prefix(prefix)
            .max_keys(1)
            .send()
            .await
            .map_err(|e| classify(e, self.target("list", prefix)))?;
        Ok(())
    }

    fn target<'a>(&'a self, operation: &'static str, key: &'a str) -> Target<'a> {
        Target {
            operation,
            bucket: &self.config.bucket,
            key,
        }
    }
}

#[async_trait]
impl ObjectStore for S3Store {
    fn kind(&self) -> &'static str {
        STORE
    }

    async fn put(&self, key: &str, body: Bytes) -> sluice_files::Result<()> {
        let len = body.len();
        let mut request = self
            .client
            .put_object()
            .bucket(&self.config.bucket)
            .key(key)
            .body(ByteStream::from(body));
        request = put_settings(&self.config, request);
        let request = request.customize();
        let request = if self.config.signs_payload() {
            request
        } else {
            request.disable_payload_signing()
        };
        request
            .send()
            .await
            .map_err(|e| classify(e, self.target("put", key)))?;
        debug!(bucket = %self.config.bucket, key, bytes = len, "Put S3 object.");
        Ok(())
    }

    async fn get(&self, key: &str) -> sluice_files::Result<Bytes> {
        let output = self
            .client
            .get_object()
            .bucket(&self.config.bucket)
            .key(key)
            .set_sse_customer_algorithm(self.config.sse_customer_algorithm())
            .set_sse_customer_key(self.config.sse_customer_key())
            .set_sse_customer_key_md5(self.config.sse_customer_key_md5())
            .send()
            .await
            .map_err(|e| classify(e, self.target("get", key)))?;
        let body = output
            .body
            .collect()
            .await
            .map_err(|e| sluice_files::Error::Store {
                store: STORE,
                operation: "get",
                key: key.to_owned(),
                message: format!("the connection broke while reading the object: {e}"),
                retriable: true,
            })?;
        Ok(body.into_bytes())
    }

    async fn list(&self, prefix: &str) -> sluice_files::Result<Vec<ObjectMeta>> {
        self.list_from(prefix, None).await
    }

    async fn list_after(
        &self,
        prefix: &str,
        start_after: &str,
    ) -> sluice_files::Result<Vec<ObjectMeta>> {
        self.list_from(prefix, Some(start_after)).await
    }

    async fn tag(&self, key: &str, tags: &[(String, String)]) -> sluice_files::Result<()> {
        // The builders fail only on a missing key or value, which the sink never passes.
        let invalid = |e: aws_sdk_s3::error::BuildError| sluice_files::Error::Store {
            store: STORE,
            operation: "tag object",
            key: key.to_string(),
            message: e.to_string(),
            retriable: false,
        };
        let tag_set = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let tagging = Tagging::builder()
            .set_tag_set(Some(tag_set))
            .build()
            .map_err(invalid)?;
        self.client
            .put_object_tagging()
            .bucket(&self.config.bucket)
            .key(key)
            .tagging(tagging)
            .send()
            .await
            .map_err(|e| classify(e, self.target("tag object", key)))?;
        debug!(bucket = %self.config.bucket, key, "Tagged S3 object.");
        Ok(())
    }

    async fn start_upload(&self, key: &str) -> sluice_files::Result<Box<dyn MultipartUpload>> {
        let mut request = self
            .client
            .create_multipart_upload()
            .bucket(&self.config.bucket)
            .key(key)
            // Parts carry a CRC32 each and the completion lists them: S3 verifies every part,
            // and declaring the algorithm up front keeps UploadPart and CompleteMultipartUpload
            // consistent with the checksums the SDK computes by default.
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .set_sse_customer_algorithm(self.config.sse_customer_algorithm())
            .set_sse_customer_key(self.config.sse_customer_key())
            .set_sse_customer_key_md5(self.config.sse_customer_key_md5());
        if let Some(sse) = &self.config.sse {
            request = request
                .server_side_encryption(ServerSideEncryption::from(sse.algorithm.as_str()))
                .set_ssekms_key_id(sse.kms_key_id.clone());
        }
        if let Some(acl) = &self.config.canned_acl {
            request = request.acl(ObjectCannedAcl::from(acl.as_str()));
        }
        let output = request
            .send()
            .await
            .map_err(|e| classify(e, self.target("start multipart upload", key)))?;
        let upload_id = output
            .upload_id()
            .ok_or_else(|| sluice_files::Error::Store {
                store: STORE,
                operation: "start multipart upload",
                key: key.to_owned(),
                message: "S3 answered without an upload id; the server is not S3-compatible".into(),
                retriable: false,
            })?;
        debug!(bucket = %self.config.bucket, key, upload_id, "Started S3 multipart upload.");
        Ok(Box::new(S3MultipartUpload::new(
            self.client.clone(),
            Arc::clone(&self.config),
            key.to_owned(),
            upload_id.to_owned(),
        )))
    }
}

impl S3Store {
    /// ListObjectsV2 over `prefix`, from after `start_after`, following every page.
    async fn list_from(
        &self,
        prefix: &str,
        start_after: Option<&str>,
    ) -> sluice_files::Result<Vec<ObjectMeta>> {
        let mut request = self
            .client
            .list_objects_v2()
            .bucket(&self.config.bucket)
            .prefix(prefix)
            .set_start_after(start_after.map(str::to_owned));
        if let Some(size) = self.config.list_page_size {
            request = request.max_keys(size);
        }
        // The paginator follows NextContinuationToken until IsTruncated is false.
        let mut pages = request.into_paginator().send();
        let mut objects = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify(e, self.target("list", prefix)))?;
            for object in page.contents() {
                if let Some(key) = object.key() {
                    let size = object
                        .size()
                        .and_then(|s| u64::try_from(s).ok())
                        .unwrap_or(0);
                    objects.push(ObjectMeta {
                        key: key.to_owned(),
                        size,
                    });
                }
            }
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }
}

impl S3StoreConfig {
    /// SSE-C's algorithm header, when a customer key is configured.
    pub(crate) fn sse_customer_algorithm(&self) -> Option<String> {
        self.sse_customer
            .as_ref()
            .map(|_| SseCustomerKey::ALGORITHM.to_string())
    }

    /// SSE-C's key header, when configured.
    pub(crate) fn sse_customer_key(&self) -> Option<String> {
        self.sse_customer.as_ref().map(|k| k.key().to_string())
    }

    /// SSE-C's key MD5 header, when configured.
    pub(crate) fn sse_customer_key_md5(&self) -> Option<String> {
        self.sse_customer.as_ref().map(|k| k.key_md5().to_string())
    }
}

/// The settings of every new object written with PutObject: SSE (or SSE-C) and the canned ACL.
pub(crate) fn put_settings(
    config: &S3StoreConfig,
    request: aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder,
) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
    let mut request = request
        .set_sse_customer_algorithm(config.sse_customer_algorithm())
        .set_sse_customer_key(config.sse_customer_key())
        .set_sse_customer_key_md5(config.sse_customer_key_md5());
    if let Some(sse) = &config.sse {
        request = request
            .server_side_encryption(ServerSideEncryption::from(sse.algorithm.as_str()))
            .set_ssekms_key_id(sse.kms_key_id.clone());
    }
    if let Some(acl) = &config.canned_acl {
        request = request.acl(ObjectCannedAcl::from(acl.as_str()));
    }
    request
}
