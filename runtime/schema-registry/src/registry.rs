//! The registry's operations, with Confluent's semantics and errors: reads answer from the
//! state, changes go through the store (see [`crate::store`]). The REST layer is a thin
//! translation of these; in-process users (tests, an embedded converter) may call them directly.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::avro::AvroSchema;
use crate::compat::{self, CompatibilityLevel, Previous};
use crate::config::RegistryConfig;
use crate::plan::{Mutation, Outcome, VersionSpec};
use crate::records::AVRO;
use crate::state::{State, identity};
use crate::store::Store;
use crate::types::{SchemaById, SchemaRequest, SubjectVersion};
use crate::{Error, Result};

/// A running Schema Registry (cheap to clone; all clones share one store).
#[derive(Debug, Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: RegistryConfig,
    store: Store,
}

impl Registry {
    /// Connects to Kafka, creates or checks the schemas topic and reads it to the end.
    pub async fn open(config: RegistryConfig) -> Result<Registry> {
        let store = Store::open(&config).await?;
        Ok(Registry {
            inner: Arc::new(Inner { config, store }),
        })
    }

    /// Opens a registry for `config` and serves its REST API on `listener` until `shutdown`
    /// completes.
    pub async fn serve(
        config: RegistryConfig,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        Registry::open(config).await?.run(listener, shutdown).await
    }

    /// Serves the REST API on `listener` until `shutdown` completes, then stops the store.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let served = axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await;
        self.close().await;
        served.map_err(Error::Http)
    }

    /// The REST API, to mount in another server.
    pub fn router(&self) -> axum::Router {
        crate::api::router(self.clone())
    }

    /// Stops the store: later changes fail with [`Error::StoreStopped`].
    pub async fn close(&self) {
        self.inner.store.close().await;
    }

    /// The configuration.
    pub fn config(&self) -> &RegistryConfig {
        &self.inner.config
    }

    fn default_level(&self) -> CompatibilityLevel {
        self.inner.config.default_compatibility
    }

    /// Parses a posted schema: Avro only, no references.
    pub fn parse(request: &SchemaRequest) -> Result<AvroSchema> {
        if let Some(t) = request
            .schema_type
            .as_deref()
            .filter(|t| !t.eq_ignore_ascii_case(AVRO))
        {
            return Err(Error::InvalidSchema(format!(
                "Invalid schema type {t}: this registry serves Avro schemas only (schemaType \"AVRO\" or absent)"
            )));
        }
        if request.references > 0 {
            return Err(Error::InvalidSchema(
                "Schema references are not supported by this registry; register the schema with its named types inlined"
                    .into(),
            ));
        }
        AvroSchema::parse(&request.schema)
    }

    /// Registers the schema under `subject` (the existing id and version when the subject has
    /// it already). Fails with 409/40901 when it breaks the subject's compatibility level.
    pub async fn register(&self, subject: &str, request: &SchemaRequest) -> Result<(i32, i32)> {
        if subject.chars().any(char::is_control) || subject == "__GLOBAL" || subject == "__EMPTY" {
            return Err(Error::InvalidSubject(subject.to_string()));
        }
        let schema = Registry::parse(request)?;
        if let Some((version, id)) =
            self.inner
                .store
                .read()
                .find(subject, &identity(AVRO, schema.canonical()), false)
        {
            return Ok((id, version));
        }
        match self
            .inner
            .store
            .mutate(Mutation::Register {
                subject: subject.to_string(),
                schema: Box::new(schema),
            })
            .await?
        {
            Outcome::Registered { id, version } => Ok((id, version)),
            other => Err(unexpected(other)),
        }
    }

    /// The version of `subject` holding the posted schema.
    pub fn lookup(
        &self,
        subject: &str,
        request: &SchemaRequest,
        include_deleted: bool,
    ) -> Result<SubjectVersion> {
        let schema = Registry::parse(request)?;
        let state = self.inner.store.read();
        match state.find(
            subject,
            &identity(AVRO, schema.canonical()),
            include_deleted,
        ) {
            Some((version, _)) => version_info(&state, subject, version),
            None if state.has_subject(subject, include_deleted) => Err(Error::SchemaNotFound(None)),
            None => Err(Error::SubjectNotFound(subject.to_string())),
        }
    }

    /// The schema with id `id` (soft-deleted versions keep their schema readable by id).
    pub fn schema_by_id(&self, id: i32) -> Result<SchemaById> {
        let state = self.inner.store.read();
        let stored = state
            .schemas
            .get(&id)
            .ok_or(Error::SchemaNotFound(Some(id)))?;
        Ok(SchemaById {
            schema_type: stored.schema_type.clone(),
            schema: stored.text.clone(),
        })
    }

    /// The (subject, version) pairs holding schema `id`.
    pub fn versions_of_id(&self, id: i32, include_deleted: bool) -> Result<Vec<(String, i32)>> {
        let state = self.inner.store.read();
        if !state.schemas.contains_key(&id) {
            return Err(Error::SchemaNotFound(None));
        }
        Ok(state.versions_of_id(id, include_deleted))
    }

    /// The subjects, sorted.
    pub fn subjects(&self, include_deleted: bool) -> Vec<String> {
        self.inner.store.read().subject_names(include_deleted)
    }

    /// The versions of `subject`, oldest first.
    pub fn versions(&self, subject: &str, include_deleted: bool) -> Result<Vec<i32>> {
        let versions: Vec<i32> = self
            .inner
            .store
            .read()
            .versions(subject, include_deleted)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        if versions.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        Ok(versions)
    }

    /// One version of `subject`.
    pub fn version(
        &self,
        subject: &str,
        spec: VersionSpec,
        include_deleted: bool,
    ) -> Result<SubjectVersion> {
        let state = self.inner.store.read();
        match resolve(&state, subject, spec, include_deleted) {
            Some(version) => version_info(&state, subject, version),
            None if state.has_subject(subject, include_deleted) => {
                Err(Error::VersionNotFound(spec_number(spec)))
            }
            None => Err(Error::SubjectNotFound(subject.to_string())),
        }
    }

    /// Soft-deletes every live version of `subject`, or (`permanent`) hard-deletes a subject
    /// whose versions are all soft-deleted. Returns the versions deleted.
    pub async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        match self
            .inner
            .store
            .mutate(Mutation::DeleteSubject {
                subject: subject.to_string(),
                permanent,
            })
            .await?
        {
            Outcome::Versions(v) => Ok(v),
            other => Err(unexpected(other)),
        }
    }

    /// Soft-deletes a version, or (`permanent`) hard-deletes a soft-deleted one.
    pub async fn delete_version(
        &self,
        subject: &str,
        version: VersionSpec,
        permanent: bool,
    ) -> Result<i32> {
        let mutation = Mutation::DeleteVersion {
            subject: subject.to_string(),
            version,
            permanent,
        };
        match self.inner.store.mutate(mutation).await? {
            Outcome::Version(v) => Ok(v),
            other => Err(unexpected(other)),
        }
    }

    /// The compatibility level: global (`subject` = `None`) or the subject's own; with
    /// `default_to_global`, a subject without one gets the global level.
    pub fn level(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<CompatibilityLevel> {
        let state = self.inner.store.read();
        let global = state.global_level.unwrap_or(self.default_level());
        match subject {
            None => Ok(global),
            Some(s) => match state.subject_levels.get(s) {
                Some(level) => Ok(*level),
                None if default_to_global => Ok(global),
                None => Err(Error::SubjectCompatibilityNotConfigured(s.to_string())),
            },
        }
    }

    /// Sets the global (`None`) or a subject's compatibility level.
    pub async fn set_level(
        &self,
        subject: Option<&str>,
        level: CompatibilityLevel,
    ) -> Result<CompatibilityLevel> {
        let mutation = Mutation::SetLevel {
            subject: subject.map(str::to_string),
            level,
        };
        match self.inner.store.mutate(mutation).await? {
            Outcome::Level(level) => Ok(level),
            other => Err(unexpected(other)),
        }
    }

    /// Removes the global (`None`) or a subject's level; returns the level removed.
    pub async fn delete_level(&self, subject: Option<&str>) -> Result<CompatibilityLevel> {
        match self
            .inner
            .store
            .mutate(Mutation::DeleteLevel {
                subject: subject.map(str::to_string),
            })
            .await?
        {
            Outcome::Level(level) => Ok(level),
            other => Err(unexpected(other)),
        }
    }

    /// Confluent's messages for why the posted schema breaks `subject`'s level against one
    /// version (`Some`) or all live versions (`None`); empty when compatible. With `verbose`,
    /// an invalid schema is a message rather than an error (as Confluent does).
    pub fn check_compatibility(
        &self,
        subject: &str,
        against: Option<VersionSpec>,
        request: &SchemaRequest,
        verbose: bool,
    ) -> Result<Vec<String>> {
        let state = self.inner.store.read();
        let versions: Vec<i32> = match against {
            Some(spec) => match (resolve(&state, subject, spec, false), spec) {
                (Some(v), _) => vec![v],
                (None, VersionSpec::Number(v)) => return Err(Error::VersionNotFound(v)),
                (None, VersionSpec::Latest) => Vec::new(),
            },
            None => state
                .versions(subject, false)
                .into_iter()
                .map(|(v, _)| v)
                .collect(),
        };
        let schema = match Registry::parse(request) {
            Ok(schema) => schema,
            Err(e @ Error::InvalidSchema(_)) if verbose => return Ok(vec![e.to_string()]),
            Err(e) => return Err(e),
        };
        let stored: Vec<_> = versions
            .iter()
            .filter_map(|v| state.subjects.get(subject)?.get(v).map(|e| (*v, e.id)))
            .filter_map(|(v, id)| state.schemas.get(&id).map(|s| (v, Arc::clone(s))))
            .collect();
        let previous: Vec<Previous<'_>> = stored
            .iter()
            .filter_map(|(v, s)| {
                s.avro.as_ref().map(|schema| Previous {
                    version: *v,
                    schema,
                })
            })
            .collect();
        Ok(compat::check(
            state.level(subject, self.default_level()),
            &schema,
            &previous,
        ))
    }
}

fn resolve(state: &State, subject: &str, spec: VersionSpec, include_deleted: bool) -> Option<i32> {
    let versions = state.versions(subject, include_deleted);
    match spec {
        VersionSpec::Latest => versions.last().map(|(v, _)| *v),
        VersionSpec::Number(n) => versions.iter().find(|(v, _)| *v == n).map(|(v, _)| *v),
    }
}

fn spec_number(spec: VersionSpec) -> i32 {
    match spec {
        VersionSpec::Latest => -1,
        VersionSpec::Number(n) => n,
    }
}

fn version_info(state: &State, subject: &str, version: i32) -> Result<SubjectVersion> {
    let entry = state
        .subjects
        .get(subject)
        .and_then(|v| v.get(&version))
        .ok_or(Error::VersionNotFound(version))?;
    let stored = state
        .schemas
        .get(&entry.id)
        .ok_or(Error::SchemaNotFound(Some(entry.id)))?;
    Ok(SubjectVersion {
        subject: subject.to_string(),
        version,
        id: entry.id,
        schema_type: stored.schema_type.clone(),
        schema: stored.text.clone(),
    })
}

fn unexpected(outcome: Outcome) -> Error {
    Error::Conflict(format!(
        "the store answered {outcome:?}, which does not fit the request"
    ))
}
