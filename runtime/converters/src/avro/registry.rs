//! The Schema Registry client: Confluent's REST calls through `schema_registry_converter`'s async
//! functions, behind caches so that a schema registered or looked up once is never requested
//! again.
//!
//! Calls used (spec/avro-and-registry.md §5): `POST /subjects/{s}/versions` (register),
//! `POST /subjects/{s}` (look a schema up in a subject: its id and version), `GET
//! /subjects/{s}/versions/latest` (`use.latest.version`), `GET /schemas/ids/{id}` (a writer schema).
//! `schema_registry_converter` handles several URLs (tried in turn), basic authentication and the
//! Confluent content type; its errors keep the registry's `{"error_code","message"}` body as their
//! source, which is how "not found" (40401/40403) is told apart from a real failure.
//!
//! Caches are keyed by what identifies the answer: (subject, exact schema text) → id, id → text,
//! (subject, id) → version, subject → latest. None expires (the registry never changes what an id
//! means; `latest.cache.ttl.sec` defaults to "never" in Java too). Locks are never held across a
//! request, so two tasks missing the same entry may both ask once; both get the same answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use schema_registry_converter::async_impl::schema_registry::{
    SrSettings, get_schema_by_id, get_schema_by_subject_and_version, perform_sr_call, post_schema,
};
use schema_registry_converter::error::SRCError;
use schema_registry_converter::schema_registry_common::{
    RawError, SchemaType, SrCall, SuppliedSchema,
};

use super::config::BasicAuth;
use crate::error::{Error, Result};
use crate::json::write_str;

/// A schema as the registry holds it under a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredSchema {
    /// The global schema id.
    pub id: u32,
    /// The version under the subject.
    pub version: Option<u32>,
    /// The schema text.
    pub schema: Arc<str>,
}

/// Registry error codes meaning "no such subject / schema / version".
const NOT_FOUND_CODES: [u32; 3] = [40401, 40402, 40403];

fn registry_error(request: String, e: &SRCError) -> Error {
    let raw = std::error::Error::source(e).and_then(|s| s.downcast_ref::<RawError>());
    let error_code = raw.map(|r| r.error_code).filter(|c| *c != 0);
    let message = match raw {
        Some(r) => format!("{} (error_code {}: {})", e.error, r.error_code, r.message),
        None => match &e.cause {
            Some(c) => format!("{}: {c}", e.error),
            None => e.error.clone(),
        },
    };
    let server_side = error_code.is_some_and(|c| (50000..60000).contains(&c));
    Error::Registry {
        request,
        message,
        error_code,
        retriable: e.retriable || server_side,
    }
}

fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Registry { error_code: Some(c), .. } if NOT_FOUND_CODES.contains(c))
}

/// A Schema Registry client without caching (each call is one request, several URLs tried).
#[derive(Debug, Clone)]
pub struct SchemaRegistryClient {
    settings: SrSettings,
}

impl SchemaRegistryClient {
    /// A client for these base URLs, with optional basic authentication.
    pub fn new(urls: &[String], auth: Option<&BasicAuth>) -> Result<Self> {
        let (first, rest) = urls.split_first().ok_or_else(|| Error::Config {
            key: super::config::SCHEMA_REGISTRY_URL_CONFIG.to_string(),
            message: "no URL given".to_string(),
        })?;
        let mut builder = SrSettings::new_builder(first.clone());
        for u in rest {
            builder.add_url(u.clone());
        }
        if let Some(a) = auth {
            builder.set_basic_authorization(&a.user, Some(&a.password));
        }
        let settings = builder
            .build()
            .map_err(|e| registry_error("create the HTTP client".to_string(), &e))?;
        Ok(SchemaRegistryClient { settings })
    }

    /// Registers `schema` under `subject` (or finds it there) and returns its id.
    pub async fn register(&self, subject: &str, schema: &str) -> Result<u32> {
        let supplied = SuppliedSchema::new(None, SchemaType::Avro, schema.to_string());
        post_schema(&self.settings, subject.to_string(), supplied)
            .await
            .map(|r| r.id)
            .map_err(|e| registry_error(format!("register a schema under subject '{subject}'"), &e))
    }

    /// Looks `schema` up in `subject`: its id and version, `None` if the subject does not hold it.
    pub async fn lookup(&self, subject: &str, schema: &str) -> Result<Option<RegisteredSchema>> {
        let mut body = b"{\"schema\":".to_vec();
        write_str(&mut body, schema);
        body.push(b'}');
        let body = String::from_utf8_lossy(&body).into_owned();
        match perform_sr_call(&self.settings, SrCall::PostForVersion(subject, &body)).await {
            Ok(raw) => {
                let id = raw.id.ok_or_else(|| Error::Registry {
                    request: format!("look a schema up in subject '{subject}'"),
                    message: "the answer carries no id".to_string(),
                    error_code: None,
                    retriable: false,
                })?;
                Ok(Some(RegisteredSchema {
                    id,
                    version: raw.version,
                    schema: Arc::from(schema),
                }))
            }
            Err(e) => {
                let err = registry_error(format!("look a schema up in subject '{subject}'"), &e);
                if is_not_found(&err) {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    /// The latest schema registered under `subject`.
    pub async fn latest(&self, subject: &str) -> Result<RegisteredSchema> {
        let r = get_schema_by_subject_and_version(&self.settings, subject, None)
            .await
            .map_err(|e| {
                registry_error(format!("get the latest schema of subject '{subject}'"), &e)
            })?;
        Ok(RegisteredSchema {
            id: r.id,
            version: r.version,
            schema: Arc::from(r.schema),
        })
    }

    /// The schema text with this id.
    pub async fn schema_by_id(&self, id: u32) -> Result<Arc<str>> {
        let r = get_schema_by_id(id, &self.settings)
            .await
            .map_err(|e| registry_error(format!("get the schema with id {id}"), &e))?;
        if r.schema_type != SchemaType::Avro {
            return Err(Error::Registry {
                request: format!("get the schema with id {id}"),
                message: format!("schema {id} is a {:?} schema, not Avro", r.schema_type),
                error_code: None,
                retriable: false,
            });
        }
        Ok(Arc::from(r.schema))
    }
}

type Cache<K, V> = Mutex<HashMap<K, V>>;

fn get<K: std::hash::Hash + Eq, V: Clone>(cache: &Cache<K, V>, key: &K) -> Option<V> {
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
        .cloned()
}

fn put<K: std::hash::Hash + Eq, V>(cache: &Cache<K, V>, key: K, value: V) {
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, value);
}

/// [`SchemaRegistryClient`] with caches (see the module docs).
#[derive(Debug)]
pub struct CachedRegistry {
    client: SchemaRegistryClient,
    ids: Cache<(String, Arc<str>), u32>,
    texts: Cache<u32, Arc<str>>,
    versions: Cache<(String, u32), Option<u32>>,
    latest: Cache<String, RegisteredSchema>,
}

impl CachedRegistry {
    /// Wraps a client.
    pub fn new(client: SchemaRegistryClient) -> Self {
        CachedRegistry {
            client,
            ids: Mutex::new(HashMap::new()),
            texts: Mutex::new(HashMap::new()),
            versions: Mutex::new(HashMap::new()),
            latest: Mutex::new(HashMap::new()),
        }
    }

    /// The id of `schema` under `subject`: registered if `register`, else looked up (an error
    /// naming `auto.register.schemas` if absent).
    pub async fn id(&self, subject: &str, schema: &Arc<str>, register: bool) -> Result<u32> {
        let key = (subject.to_string(), schema.clone());
        if let Some(id) = get(&self.ids, &key) {
            return Ok(id);
        }
        let id = if register {
            self.client.register(subject, schema).await?
        } else {
            let found = self.client.lookup(subject, schema).await?.ok_or_else(|| Error::Registry {
                request: format!("look a schema up in subject '{subject}'"),
                message: "the subject does not hold this schema and auto.register.schemas=false: register it, or set auto.register.schemas=true".to_string(),
                error_code: Some(40403),
                retriable: false,
            })?;
            if let Some(v) = found.version {
                put(&self.versions, (subject.to_string(), found.id), Some(v));
            }
            found.id
        };
        put(&self.texts, id, schema.clone());
        put(&self.ids, key, id);
        Ok(id)
    }

    /// The schema text with this id.
    pub async fn schema(&self, id: u32) -> Result<Arc<str>> {
        if let Some(t) = get(&self.texts, &id) {
            return Ok(t);
        }
        let text = self.client.schema_by_id(id).await?;
        put(&self.texts, id, text.clone());
        Ok(text)
    }

    /// The version of schema `id` under `subject` (`None` when the subject does not hold it).
    pub async fn version(&self, subject: &str, id: u32) -> Result<Option<u32>> {
        let key = (subject.to_string(), id);
        if let Some(v) = get(&self.versions, &key) {
            return Ok(v);
        }
        let text = self.schema(id).await?;
        let version = self
            .client
            .lookup(subject, &text)
            .await?
            .and_then(|r| r.version);
        if version.is_none() {
            tracing::warn!(
                subject,
                id,
                "Schema {id} is not registered under subject '{subject}'; the Connect schema gets no version."
            );
        }
        put(&self.versions, key, version);
        Ok(version)
    }

    /// The latest schema of `subject`, fetched once.
    pub async fn latest(&self, subject: &str) -> Result<RegisteredSchema> {
        if let Some(r) = get(&self.latest, &subject.to_string()) {
            return Ok(r);
        }
        let r = self.client.latest(subject).await?;
        put(&self.texts, r.id, r.schema.clone());
        put(&self.latest, subject.to_string(), r.clone());
        Ok(r)
    }
}
