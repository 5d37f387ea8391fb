//! [`AzureBlobStore`]: one Azure Blob Storage container as a [`sluice_files::ObjectStore`].
//!
//! Blob reads, writes, listings and block uploads go through the `object_store` crate, signed
//! with the account's shared key. Listings use its raw-prefix paginated API (Azure's `prefix`
//! parameter is a plain string prefix, as the trait requires, whereas `object_store`'s generic
//! `list` works on whole path segments) and follow `NextMarker` until Azure says the listing is
//! complete. Container creation, which `object_store` does not offer, is one request signed by
//! the `shared_key` module.
//!
//! Blob names are used verbatim: a key `object_store` would have to rewrite (empty segments,
//! leading or trailing `/`, characters it escapes) is refused as a definite error rather than
//! silently stored under another name, which would break the deterministic object names the
//! commit protocol relies on.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use object_store::azure::{MicrosoftAzure, MicrosoftAzureBuilder};
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use sluice_files::{MultipartUpload, ObjectMeta, ObjectStore};
use tracing::debug;
use url::Url;

use crate::classify::{Failure, STORE, Target, classify};
use crate::multipart::AzureBlockUpload;
use crate::shared_key::SharedKey;
use crate::{Error, Result};

/// The configuration keys named in validation messages (Confluent Azure Blob sink names).
const ACCOUNT_KEY: &str = "azblob.account.name";
const KEY_KEY: &str = "azblob.account.key";
const CONTAINER_KEY: &str = "azblob.container.name";
const ENDPOINT_KEY: &str = "store.url";

/// Where and how to reach one Azure Blob Storage container; `Debug` never shows the key.
#[derive(Clone)]
#[non_exhaustive]
pub struct AzureBlobStoreConfig {
    /// The storage account (`azblob.account.name`).
    pub account: String,
    /// The account's base64 shared key (`azblob.account.key`).
    pub account_key: String,
    /// The container objects are written to (`azblob.container.name`).
    pub container: String,
    /// The blob service URL, including the account path for emulators
    /// (`http://127.0.0.1:10000/devstoreaccount1` for Azurite); `None` for
    /// `https://<account>.blob.core.windows.net`.
    pub endpoint: Option<String>,
    /// Blobs per List Blobs page; `None` lets Azure choose (at most 5,000).
    pub list_page_size: Option<usize>,
}

impl fmt::Debug for AzureBlobStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureBlobStoreConfig")
            .field("account", &self.account)
            .field("account_key", &"<redacted>")
            .field("container", &self.container)
            .field("endpoint", &self.endpoint)
            .field("list_page_size", &self.list_page_size)
            .finish()
    }
}

impl AzureBlobStoreConfig {
    /// A configuration for `container` of `account` on Azure, signed with `account_key`.
    pub fn new(
        account: impl Into<String>,
        account_key: impl Into<String>,
        container: impl Into<String>,
    ) -> Self {
        AzureBlobStoreConfig {
            account: account.into(),
            account_key: account_key.into(),
            container: container.into(),
            endpoint: None,
            list_page_size: None,
        }
    }

    /// Targets another blob service URL (an emulator such as Azurite, a private endpoint).
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Lists at most `size` blobs per List Blobs request.
    pub fn with_list_page_size(mut self, size: usize) -> Self {
        self.list_page_size = Some(size);
        self
    }

    /// The blob service URL, without a trailing `/`.
    fn service_url(&self) -> Result<Url> {
        let text = match &self.endpoint {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("https://{}.blob.core.windows.net", self.account),
        };
        Url::parse(&text).map_err(|e| {
            config_error(
                ENDPOINT_KEY,
                &format!("'{text}' is not a URL ({e}): fix it"),
            )
        })
    }

    /// Checks the values that can be checked without asking Azure.
    pub fn validate(&self) -> Result<()> {
        if self.account.trim().is_empty() {
            return Err(config_error(
                ACCOUNT_KEY,
                "the account name is empty: set it",
            ));
        }
        if self.container.trim().is_empty() {
            return Err(config_error(
                CONTAINER_KEY,
                "the container name is empty: set it",
            ));
        }
        SharedKey::new(&self.account, &self.account_key).map_err(|e| {
            config_error(
                KEY_KEY,
                &format!("not valid base64 ({e}): copy the key from the portal"),
            )
        })?;
        if self.list_page_size == Some(0) {
            return Err(config_error("azblob.list.page.size", "must be at least 1"));
        }
        self.service_url().map(|_| ())
    }
}

fn config_error(key: &str, message: &str) -> Error {
    Error::Config(sluice_api::Error::Config {
        key: key.into(),
        message: message.into(),
    })
}

/// One Azure Blob Storage container, implementing [`ObjectStore`]. Cheap to clone.
#[derive(Clone)]
pub struct AzureBlobStore {
    client: Arc<MicrosoftAzure>,
    http: reqwest::Client,
    signer: SharedKey,
    service: Url,
    config: AzureBlobStoreConfig,
}

impl fmt::Debug for AzureBlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The clients are left out: `MicrosoftAzure`'s derived Debug prints the account key.
        f.debug_struct("AzureBlobStore")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AzureBlobStore {
    /// Builds the clients for `config`; no request is sent until the first operation.
    pub fn connect(config: AzureBlobStoreConfig) -> Result<AzureBlobStore> {
        config.validate()?;
        let service = config.service_url()?;
        let signer = SharedKey::new(&config.account, &config.account_key)
            .map_err(|e| config_error(KEY_KEY, &format!("not valid base64 ({e})")))?;
        let client = MicrosoftAzureBuilder::new()
            .with_account(&config.account)
            .with_access_key(&config.account_key)
            .with_container_name(&config.container)
            .with_endpoint(service.to_string().trim_end_matches('/').to_owned())
            .with_allow_http(service.scheme() == "http")
            .build()
            .map_err(|e| {
                config_error(ENDPOINT_KEY, &format!("cannot build the Azure client: {e}"))
            })?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| {
                classify(
                    Failure::from_reqwest(&e),
                    Target {
                        operation: "connect",
                        container: &config.container,
                        key: "",
                    },
                )
            })?;
        debug!(account = %config.account, container = %config.container, endpoint = %service, "Azure Blob store ready.");
        Ok(AzureBlobStore {
            client: Arc::new(client),
            http,
            signer,
            service,
            config,
        })
    }

    /// The container this store writes to.
    pub fn container(&self) -> &str {
        &self.config.container
    }

    /// Creates the container (for tests and quickstarts; production containers are provisioned
    /// by their owners). Succeeds if it already exists.
    pub async fn create_container(&self) -> sluice_files::Result<()> {
        crate::container::create(
            &self.http,
            &self.signer,
            &self.service,
            &self.config.container,
        )
        .await
    }

    fn target<'a>(&'a self, operation: &'static str, key: &'a str) -> Target<'a> {
        Target {
            operation,
            container: &self.config.container,
            key,
        }
    }

    /// The `object_store` path of `key`, refusing keys it would store under another name.
    fn path(&self, operation: &'static str, key: &str) -> sluice_files::Result<Path> {
        match Path::parse(key) {
            Ok(path) if !key.is_empty() && path.as_ref() == key => Ok(path),
            parsed => Err(sluice_files::Error::Store {
                store: STORE,
                operation,
                key: key.to_owned(),
                message: format!(
                    "the blob name is not usable as is ({}): object names must be non-empty, \
                     without leading, trailing or doubled '/', '.' or '..' segments or characters \
                     that need escaping",
                    parsed
                        .err()
                        .map_or_else(|| "it would be rewritten".to_owned(), |e| e.to_string())
                ),
                retriable: false,
            }),
        }
    }
}

#[async_trait]
impl ObjectStore for AzureBlobStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    async fn put(&self, key: &str, body: Bytes) -> sluice_files::Result<()> {
        let path = self.path("put", key)?;
        let len = body.len();
        self.client
            .put(&path, PutPayload::from(body))
            .await
            .map_err(|e| classify(Failure::from_object_store(&e), self.target("put", key)))?;
        debug!(container = %self.config.container, key, bytes = len, "Put Azure blob.");
        Ok(())
    }

    async fn get(&self, key: &str) -> sluice_files::Result<Bytes> {
        let path = self.path("get", key)?;
        let classify_get = |e: object_store::Error| {
            classify(Failure::from_object_store(&e), self.target("get", key))
        };
        let result = self.client.get(&path).await.map_err(classify_get)?;
        result.bytes().await.map_err(classify_get)
    }

    async fn list(&self, prefix: &str) -> sluice_files::Result<Vec<ObjectMeta>> {
        // `object_store` drops a listed blob whose name equals the requested prefix (it treats
        // it as a directory marker), so Azure is asked for the prefix minus its last character
        // and the exact prefix is applied here; the few extra names this can return (those
        // differing only in that last character) are filtered out.
        let request_prefix = prefix.char_indices().last().map(|(i, _)| &prefix[..i]);
        let request_prefix = request_prefix.filter(|p| !p.is_empty());
        let mut objects = Vec::new();
        let mut page_token = None;
        loop {
            let options = PaginatedListOptions {
                max_keys: self.config.list_page_size,
                page_token: page_token.take(),
                ..PaginatedListOptions::default()
            };
            let page = self
                .client
                .list_paginated(request_prefix, options)
                .await
                .map_err(|e| {
                    classify(Failure::from_object_store(&e), self.target("list", prefix))
                })?;
            objects.extend(
                page.result
                    .objects
                    .into_iter()
                    .map(|o| ObjectMeta {
                        key: o.location.to_string(),
                        size: o.size,
                    })
                    .filter(|o| o.key.starts_with(prefix)),
            );
            match page.page_token {
                Some(token) => page_token = Some(token),
                None => break,
            }
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    async fn start_upload(&self, key: &str) -> sluice_files::Result<Box<dyn MultipartUpload>> {
        let path = self.path("start block upload", key)?;
        let id = self.client.create_multipart(&path).await.map_err(|e| {
            classify(
                Failure::from_object_store(&e),
                self.target("start block upload", key),
            )
        })?;
        Ok(Box::new(AzureBlockUpload::new(
            Arc::clone(&self.client),
            self.config.container.clone(),
            key.to_owned(),
            path,
            id,
        )))
    }
}
