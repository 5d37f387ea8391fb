//! [`AvroConverter`]: the [`Converter`] for `io.confluent.connect.avro.AvroConverter`.
//!
//! Writing (`from_connect`): the Connect schema's Avro form, text and write plan are derived once
//! per schema (cached by the schema object's address, then by structural equality); the schema id
//! is obtained once per (schema, topic) from the registry (registered with
//! `auto.register.schemas`, else the subject's latest with `use.latest.version`, else looked up);
//! after that a record costs one map lookup and the direct encoding.
//!
//! Reading (`to_connect`): the id in the header selects the writer schema, fetched once; its
//! Connect schema (with the subject's registry version, as Java's converter sets it) and read
//! plan are cached per (id, topic).
//!
//! The synchronous [`Converter`] methods run registry calls (cache misses only) on the
//! converter's I/O thread ([`super::bridge`]); async code can call
//! [`AvroConverter::from_connect_async`] / [`AvroConverter::to_connect_async`] instead, which never
//! block a runtime thread.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use bytes::Bytes;
use sluice_api::{EncodedValue, Schema, SchemaAndValue, Value};

use super::bridge::IoThread;
use super::config::{AvroConverterConfig, SCHEMA_REGISTRY_URL_CONFIG};
use super::decode;
use super::encode::{self, WritePlan};
use super::model::AvroSchema;
use super::parse::parse_schema;
use super::passthrough::AvroEncoding;
use super::registry::{CachedRegistry, SchemaRegistryClient};
use super::schema::from_connect_schema;
use super::text::schema_text;
use super::to_connect::to_connect_schema;
use super::wire;
use crate::converter::{Converter, ConverterConfig};
use crate::error::{Error, Result};

/// What a Connect schema becomes, independent of the topic.
#[derive(Debug)]
struct Derived {
    text: Arc<str>,
    /// The name subject strategies use: the Avro full name, or the type name.
    record_name: String,
    plan: Arc<WritePlan>,
}

/// A schema ready to write to one topic.
#[derive(Debug, Clone)]
struct Prepared {
    topic: String,
    id: u32,
    plan: Arc<WritePlan>,
}

#[derive(Debug, Default)]
struct WriteCache {
    /// By schema address; the schema is kept so the address stays taken.
    by_addr: HashMap<usize, (Schema, Vec<Prepared>)>,
    /// By structural equality, for schemas rebuilt per record.
    derived: HashMap<Schema, Arc<Derived>>,
}

#[derive(Debug)]
struct ReadEntry {
    topic: String,
    schema: Schema,
    encoding: Arc<AvroEncoding>,
}

/// The configured state, shared with registry jobs.
#[derive(Debug)]
struct State {
    config: AvroConverterConfig,
    registry: Arc<CachedRegistry>,
    io: OnceLock<IoThread>,
    writes: Mutex<WriteCache>,
    reads: Mutex<HashMap<u32, Vec<Arc<ReadEntry>>>>,
}

/// Confluent's Avro converter (see the module docs).
pub struct AvroConverter {
    state: Option<Arc<State>>,
}

impl fmt::Debug for AvroConverter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvroConverter")
            .field("config", &self.state.as_ref().map(|s| &s.config))
            .finish_non_exhaustive()
    }
}

impl Default for AvroConverter {
    /// An unconfigured converter: every conversion fails until [`Converter::configure`] is called
    /// with `schema.registry.url`.
    fn default() -> Self {
        AvroConverter { state: None }
    }
}

/// How registry futures are run: blocking the caller, or awaited.
enum Run<'a> {
    Block(&'a IoThread),
    Await(&'a IoThread),
}

impl AvroConverter {
    /// A converter with this configuration (no request is made until the first conversion).
    pub fn new(config: AvroConverterConfig) -> Result<Self> {
        let client = SchemaRegistryClient::new(&config.registry_urls, config.basic_auth.as_ref())?;
        Ok(AvroConverter {
            state: Some(Arc::new(State {
                config,
                registry: Arc::new(CachedRegistry::new(client)),
                io: OnceLock::new(),
                writes: Mutex::new(WriteCache::default()),
                reads: Mutex::new(HashMap::new()),
            })),
        })
    }

    /// A converter configured from properties (`converter.type` required, as in Kafka).
    pub fn from_config(configs: &ConverterConfig) -> Result<Self> {
        AvroConverter::new(AvroConverterConfig::parse(configs, None)?)
    }

    /// The configuration in use, once configured.
    pub fn config(&self) -> Option<&AvroConverterConfig> {
        self.state.as_ref().map(|s| &s.config)
    }

    fn state(&self) -> Result<&Arc<State>> {
        self.state.as_ref().ok_or_else(|| Error::Config {
            key: SCHEMA_REGISTRY_URL_CONFIG.to_string(),
            message:
                "the AvroConverter is not configured; call configure() with schema.registry.url"
                    .to_string(),
        })
    }

    /// [`Converter::from_connect`] for async callers: registry calls are awaited, not blocked on.
    pub async fn from_connect_async(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let state = self.state()?;
        let Some(schema) = check_input(state, topic, schema, value)? else {
            return Ok(None);
        };
        match state.cached_writer(topic, schema) {
            Some((id, plan)) => state.encode(topic, id, &plan, value).map(Some),
            None => state
                .write_uncached(topic, schema, value, Run::Await(state.io()?))
                .await
                .map(Some),
        }
    }

    /// [`Converter::to_connect`] for async callers.
    pub async fn to_connect_async(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue> {
        let state = self.state()?;
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let (id, body) = wire::split(bytes).map_err(|m| state.read_error(topic, m))?;
        let entry = match state.cached_reader(topic, id) {
            Some(e) => e,
            None => {
                state
                    .prepare_reader(topic, id, Run::Await(state.io()?))
                    .await?
            }
        };
        state.decode(topic, &entry, body)
    }
}

/// `None` for a tombstone; an error for schemaless data (AvroData's "Anything" schema is not
/// supported).
fn check_input<'s>(
    state: &State,
    topic: &str,
    schema: Option<&'s Schema>,
    value: &Value,
) -> Result<Option<&'s Schema>> {
    if value.is_null() {
        return Ok(None);
    }
    match schema {
        Some(s) => Ok(Some(s)),
        None => Err(state.write_error(
            topic,
            "the value has no schema; the AvroConverter needs Connect schemas (use the JsonConverter with schemas.enable=false for schemaless data)".to_string(),
        )),
    }
}

impl State {
    fn what(&self) -> &'static str {
        self.config.converter_type.name()
    }

    fn read_error(&self, topic: &str, message: String) -> Error {
        Error::Deserialize {
            topic: topic.to_string(),
            what: self.what(),
            message,
        }
    }

    fn write_error(&self, topic: &str, message: String) -> Error {
        Error::Serialize {
            topic: topic.to_string(),
            what: self.what(),
            message,
        }
    }

    fn io(&self) -> Result<&IoThread> {
        if let Some(io) = self.io.get() {
            return Ok(io);
        }
        let started = IoThread::start()?;
        Ok(self.io.get_or_init(|| started))
    }

    /// The hot path: the schema id and plan of a (schema, topic) pair already prepared.
    fn cached_writer(&self, topic: &str, schema: &Schema) -> Option<(u32, Arc<WritePlan>)> {
        let cache = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        let (_, prepared) = cache.by_addr.get(&schema.addr())?;
        let p = prepared.iter().find(|p| p.topic == topic)?;
        Some((p.id, p.plan.clone()))
    }

    fn derive(&self, topic: &str, schema: &Schema) -> Result<Arc<Derived>> {
        if let Some(d) = self
            .writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .derived
            .get(schema)
        {
            return Ok(d.clone());
        }
        let fail = |m: String| {
            self.write_error(
                topic,
                format!("cannot derive the Avro schema of {schema}: {m}"),
            )
        };
        let avro = from_connect_schema(schema, &self.config.avro_data).map_err(fail)?;
        let text: Arc<str> = Arc::from(schema_text(&avro).map_err(fail)?);
        let plan = Arc::new(encode::compile(schema, &avro).map_err(fail)?);
        let record_name = avro
            .full_name()
            .unwrap_or_else(|| avro.type_name().to_string());
        let derived = Arc::new(Derived {
            text,
            record_name,
            plan,
        });
        let mut cache = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.derived.len() >= self.config.schemas_cache_size {
            cache.derived.clear();
        }
        cache.derived.insert(schema.clone(), derived.clone());
        Ok(derived)
    }

    /// A cache miss: the value is encoded with the derived plan before the registry is asked (as
    /// Java converts the value before serializing), so a bad value never registers a schema;
    /// with `use.latest.version` the plan comes from the registry, so it is encoded after.
    async fn write_uncached(
        self: &Arc<Self>,
        topic: &str,
        schema: &Schema,
        value: &Value,
        run: Run<'_>,
    ) -> Result<Vec<u8>> {
        let derived = self.derive(topic, schema)?;
        let latest_plan = self.config.use_latest_version && !self.config.auto_register_schemas;
        if latest_plan {
            let prepared = self.prepare_writer(topic, schema, derived, run).await?;
            return self.encode(topic, prepared.id, &prepared.plan, value);
        }
        let mut out = self.encode(topic, 0, &derived.plan, value)?;
        let prepared = self.prepare_writer(topic, schema, derived, run).await?;
        out[1..wire::HEADER_LEN].copy_from_slice(&prepared.id.to_be_bytes());
        Ok(out)
    }

    async fn prepare_writer(
        self: &Arc<Self>,
        topic: &str,
        schema: &Schema,
        derived: Arc<Derived>,
        run: Run<'_>,
    ) -> Result<Prepared> {
        let subject = self.config.subject_name_strategy.subject(
            topic,
            self.config.is_key(),
            &derived.record_name,
        );
        let registry = self.registry.clone();
        let (register, latest) = (
            self.config.auto_register_schemas,
            self.config.use_latest_version,
        );
        let text = derived.text.clone();
        let job = async move {
            if !register && latest {
                registry
                    .latest(&subject)
                    .await
                    .map(|r| (r.id, Some(r.schema)))
            } else {
                registry
                    .id(&subject, &text, register)
                    .await
                    .map(|id| (id, None))
            }
        };
        let (id, latest_text) = match run {
            Run::Block(io) => io.block_on(job)?,
            Run::Await(io) => io.run(job).await?,
        }?;
        let plan = match latest_text {
            None => derived.plan.clone(),
            Some(text) => {
                let fail = |m: String| {
                    self.write_error(
                        topic,
                        format!(
                            "cannot write {schema} with the latest registered schema {id}: {m}"
                        ),
                    )
                };
                let avro: AvroSchema = parse_schema(&text).map_err(fail)?;
                Arc::new(encode::compile(schema, &avro).map_err(fail)?)
            }
        };
        let prepared = Prepared {
            topic: topic.to_string(),
            id,
            plan,
        };
        let mut cache = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.by_addr.len() >= self.config.schemas_cache_size {
            cache.by_addr.clear();
        }
        cache
            .by_addr
            .entry(schema.addr())
            .or_insert_with(|| (schema.clone(), Vec::new()))
            .1
            .push(prepared.clone());
        Ok(prepared)
    }

    fn encode(&self, topic: &str, id: u32, plan: &WritePlan, value: &Value) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(256);
        wire::write_header(&mut out, id);
        encode::write(&mut out, plan, value).map_err(|p| self.write_error(topic, p.to_string()))?;
        Ok(out)
    }

    /// The reader of framed `bytes` (its writer schema fetched on a cache miss, blocking) and
    /// the body after the header.
    fn reader<'b>(
        self: &Arc<Self>,
        topic: &str,
        bytes: &'b [u8],
    ) -> Result<(Arc<ReadEntry>, &'b [u8])> {
        let (id, body) = wire::split(bytes).map_err(|m| self.read_error(topic, m))?;
        let entry = match self.cached_reader(topic, id) {
            Some(e) => e,
            None => run_ready(self.prepare_reader(topic, id, Run::Block(self.io()?)))?,
        };
        Ok((entry, body))
    }

    fn cached_reader(&self, topic: &str, id: u32) -> Option<Arc<ReadEntry>> {
        let cache = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(&id)?.iter().find(|e| e.topic == topic).cloned()
    }

    async fn prepare_reader(
        self: &Arc<Self>,
        topic: &str,
        id: u32,
        run: Run<'_>,
    ) -> Result<Arc<ReadEntry>> {
        let registry = self.registry.clone();
        let fetch = async move { registry.schema(id).await };
        let text = match &run {
            Run::Block(io) => io.block_on(fetch)?,
            Run::Await(io) => io.run(fetch).await?,
        }?;
        let fail =
            |m: String| self.read_error(topic, format!("cannot use the writer schema {id}: {m}"));
        let avro = parse_schema(&text).map_err(fail)?;
        let record_name = avro
            .full_name()
            .unwrap_or_else(|| avro.type_name().to_string());
        let subject =
            self.config
                .subject_name_strategy
                .subject(topic, self.config.is_key(), &record_name);
        let registry = self.registry.clone();
        let lookup = async move { registry.version(&subject, id).await };
        let version = match &run {
            Run::Block(io) => io.block_on(lookup)?,
            Run::Await(io) => io.run(lookup).await?,
        }?;
        let version = version.and_then(|v| i32::try_from(v).ok());
        let schema = to_connect_schema(&avro, version, &self.config.avro_data).map_err(fail)?;
        let plan = decode::compile(
            &avro,
            &schema,
            self.config.avro_data.enhanced_schema_support,
        )
        .map_err(fail)?;
        let entry = Arc::new(ReadEntry {
            topic: topic.to_string(),
            schema,
            encoding: Arc::new(AvroEncoding::new(avro, plan)),
        });
        let mut cache = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= self.config.schemas_cache_size {
            cache.clear();
        }
        cache.entry(id).or_default().push(entry.clone());
        Ok(entry)
    }

    fn decode(&self, topic: &str, entry: &ReadEntry, body: &[u8]) -> Result<SchemaAndValue> {
        let value = decode::Reader::new(body)
            .read(entry.encoding.plan())
            .map_err(|m| self.read_error(topic, m))?;
        Ok(SchemaAndValue::new(Some(entry.schema.clone()), value))
    }
}

/// Drives the `Run::Block` path of a preparation, which never waits on anything pending (its
/// registry calls block inside `IoThread::block_on`), so one poll completes it.
fn run_ready<T>(fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => Err(Error::Registry {
            request: "prepare a schema".to_string(),
            message: "internal error: a blocking registry call did not complete".to_string(),
            error_code: None,
            retriable: true,
        }),
    }
}

impl Converter for AvroConverter {
    fn configure(&mut self, configs: &ConverterConfig, is_key: bool) -> Result<()> {
        *self = AvroConverter::new(AvroConverterConfig::parse(configs, Some(is_key))?)?;
        Ok(())
    }

    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>> {
        let state = self.state()?;
        let Some(schema) = check_input(state, topic, schema, value)? else {
            return Ok(None);
        };
        match state.cached_writer(topic, schema) {
            Some((id, plan)) => state.encode(topic, id, &plan, value).map(Some),
            None => run_ready(state.write_uncached(topic, schema, value, Run::Block(state.io()?)))
                .map(Some),
        }
    }

    fn to_connect(&self, topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue> {
        let state = self.state()?;
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let (entry, body) = state.reader(topic, bytes)?;
        state.decode(topic, &entry, body)
    }

    fn to_connect_encoded(
        &self,
        topic: &str,
        bytes: Option<&Bytes>,
    ) -> Result<(SchemaAndValue, Option<EncodedValue>)> {
        let state = self.state()?;
        let Some(bytes) = bytes else {
            return Ok((SchemaAndValue::NULL, None));
        };
        let (entry, body) = state.reader(topic, bytes)?;
        if !entry.encoding.is_canonical(body) {
            // Decoded as usual: the same value, or the same error, as `to_connect`.
            return Ok((state.decode(topic, &entry, body)?, None));
        }
        let encoded = EncodedValue {
            encoding: entry.encoding.clone(),
            body: bytes.slice(wire::HEADER_LEN..),
        };
        Ok((
            SchemaAndValue::new(Some(entry.schema.clone()), Value::Null),
            Some(encoded),
        ))
    }
}
