//! The AvroConverter's settings: Confluent's `AvroConverterConfig` / serde configs / `AvroDataConfig`
//! keys, defaults and parsing. Keys Sluice does not implement are rejected when set to a value
//! that would change behaviour, never silently ignored.

use crate::converter::{ConverterConfig, ConverterType, bool_config, converter_type, int_config};
use crate::error::{Error, Result};

use super::schema::AvroDataConfig;

/// `schema.registry.url`: comma-separated registry base URLs (required).
pub const SCHEMA_REGISTRY_URL_CONFIG: &str = "schema.registry.url";
/// `auto.register.schemas` (default true): register the derived schema under its subject.
pub const AUTO_REGISTER_SCHEMAS_CONFIG: &str = "auto.register.schemas";
/// `use.latest.version` (default false): write with the subject's latest schema.
pub const USE_LATEST_VERSION_CONFIG: &str = "use.latest.version";
/// `latest.compatibility.strict` (default true): accepted; Sluice writes by field name.
pub const LATEST_COMPATIBILITY_STRICT_CONFIG: &str = "latest.compatibility.strict";
/// `basic.auth.credentials.source`: `URL` (default, user info in the URL) or `USER_INFO`.
pub const BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG: &str = "basic.auth.credentials.source";
/// `basic.auth.user.info`: `user:password` for `USER_INFO`.
pub const BASIC_AUTH_USER_INFO_CONFIG: &str = "basic.auth.user.info";
/// `key.subject.name.strategy`.
pub const KEY_SUBJECT_NAME_STRATEGY_CONFIG: &str = "key.subject.name.strategy";
/// `value.subject.name.strategy`.
pub const VALUE_SUBJECT_NAME_STRATEGY_CONFIG: &str = "value.subject.name.strategy";
/// `connect.meta.data` (default true).
pub const CONNECT_META_DATA_CONFIG: &str = "connect.meta.data";
/// `enhanced.avro.schema.support` (default false).
pub const ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG: &str = "enhanced.avro.schema.support";
/// `schemas.cache.config` (default 1000): schemas kept converted.
pub const SCHEMAS_CACHE_SIZE_CONFIG: &str = "schemas.cache.config";
/// `normalize.schemas` (default false; `true` is not supported).
pub const NORMALIZE_SCHEMAS_CONFIG: &str = "normalize.schemas";
/// `scrub.invalid.names` (default false; `true` is not supported).
pub const SCRUB_INVALID_NAMES_CONFIG: &str = "scrub.invalid.names";

/// How a subject name is derived (Confluent's `SubjectNameStrategy` implementations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectNameStrategy {
    /// `<topic>-key` / `<topic>-value` (the default).
    #[default]
    TopicName,
    /// The record's fully-qualified name.
    RecordName,
    /// `<topic>-<fully.qualified.record>`.
    TopicRecordName,
}

impl SubjectNameStrategy {
    /// Parses Confluent's class name (`io.confluent.kafka.serializers.subject.TopicNameStrategy`)
    /// or its simple name.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().rsplit('.').next()? {
            "TopicNameStrategy" => Some(SubjectNameStrategy::TopicName),
            "RecordNameStrategy" => Some(SubjectNameStrategy::RecordName),
            "TopicRecordNameStrategy" => Some(SubjectNameStrategy::TopicRecordName),
            _ => None,
        }
    }

    /// The subject for a record of `topic` whose Avro schema has the name `record_name` (the full
    /// name of a named type, the type name otherwise).
    pub fn subject(self, topic: &str, is_key: bool, record_name: &str) -> String {
        match self {
            SubjectNameStrategy::TopicName => {
                format!("{topic}-{}", if is_key { "key" } else { "value" })
            }
            SubjectNameStrategy::RecordName => record_name.to_string(),
            SubjectNameStrategy::TopicRecordName => format!("{topic}-{record_name}"),
        }
    }
}

/// Registry credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for BasicAuth {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .field("password", &"[hidden]")
            .finish()
    }
}

/// The parsed AvroConverter configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvroConverterConfig {
    /// `schema.registry.url`, split on commas, credentials removed.
    pub registry_urls: Vec<String>,
    /// Credentials (from `basic.auth.user.info` or the URL).
    pub basic_auth: Option<BasicAuth>,
    /// `auto.register.schemas`.
    pub auto_register_schemas: bool,
    /// `use.latest.version`.
    pub use_latest_version: bool,
    /// The subject name strategy for this converter's side (key or value).
    pub subject_name_strategy: SubjectNameStrategy,
    /// `connect.meta.data` and `enhanced.avro.schema.support`.
    pub avro_data: AvroDataConfig,
    /// `schemas.cache.config`.
    pub schemas_cache_size: usize,
    /// `converter.type`.
    pub converter_type: ConverterType,
}

fn config_error(key: &str, message: impl Into<String>) -> Error {
    Error::Config {
        key: key.to_string(),
        message: message.into(),
    }
}

/// Splits `http://user:pass@host:port` into the URL without credentials and the credentials.
fn split_user_info(url: &str) -> (String, Option<BasicAuth>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((info, host)) => {
            let (user, password) = info.split_once(':').unwrap_or((info, ""));
            (
                format!("{scheme}://{host}{path}"),
                Some(BasicAuth {
                    user: user.to_string(),
                    password: password.to_string(),
                }),
            )
        }
        None => (url.to_string(), None),
    }
}

impl AvroConverterConfig {
    /// Parses the properties; `is_key` (from `configure(…, is_key)`) overrides `converter.type`.
    pub fn parse(configs: &ConverterConfig, is_key: Option<bool>) -> Result<Self> {
        let converter_type = converter_type(configs, is_key)?;
        let urls_text = configs
            .get(SCHEMA_REGISTRY_URL_CONFIG)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                config_error(
                    SCHEMA_REGISTRY_URL_CONFIG,
                    "missing; the AvroConverter needs the Schema Registry's URL (e.g. http://localhost:8081)",
                )
            })?;
        let mut registry_urls = Vec::new();
        let mut url_auth = None;
        for url in urls_text
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(config_error(
                    SCHEMA_REGISTRY_URL_CONFIG,
                    format!("'{url}' is not an http:// or https:// URL"),
                ));
            }
            let (clean, auth) = split_user_info(url);
            registry_urls.push(clean.trim_end_matches('/').to_string());
            url_auth = url_auth.or(auth);
        }
        let source = configs
            .get(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG)
            .map_or("URL".to_string(), |s| s.trim().to_ascii_uppercase());
        let basic_auth = match source.as_str() {
            "URL" => url_auth,
            "USER_INFO" => {
                let info = configs.get(BASIC_AUTH_USER_INFO_CONFIG).ok_or_else(|| {
                    config_error(
                        BASIC_AUTH_USER_INFO_CONFIG,
                        "missing; basic.auth.credentials.source=USER_INFO needs user:password here",
                    )
                })?;
                let (user, password) = info.split_once(':').ok_or_else(|| {
                    config_error(BASIC_AUTH_USER_INFO_CONFIG, "expected user:password")
                })?;
                Some(BasicAuth {
                    user: user.to_string(),
                    password: password.to_string(),
                })
            }
            other => {
                return Err(config_error(
                    BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
                    format!("'{other}' is not supported; use URL or USER_INFO"),
                ));
            }
        };
        let strategy_key = if converter_type == ConverterType::Key {
            KEY_SUBJECT_NAME_STRATEGY_CONFIG
        } else {
            VALUE_SUBJECT_NAME_STRATEGY_CONFIG
        };
        let subject_name_strategy = match configs.get(strategy_key) {
            None => SubjectNameStrategy::TopicName,
            Some(v) => SubjectNameStrategy::parse(v).ok_or_else(|| {
                config_error(
                    strategy_key,
                    format!("'{v}' is not one of TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy"),
                )
            })?,
        };
        for key in [NORMALIZE_SCHEMAS_CONFIG, SCRUB_INVALID_NAMES_CONFIG] {
            if bool_config(configs, key, false)? {
                return Err(config_error(
                    key,
                    "true is not supported by Sluice's AvroConverter; remove it or set false",
                ));
            }
        }
        bool_config(configs, LATEST_COMPATIBILITY_STRICT_CONFIG, true)?;
        let cache = int_config(configs, SCHEMAS_CACHE_SIZE_CONFIG, 1000)?;
        Ok(AvroConverterConfig {
            registry_urls,
            basic_auth,
            auto_register_schemas: bool_config(configs, AUTO_REGISTER_SCHEMAS_CONFIG, true)?,
            use_latest_version: bool_config(configs, USE_LATEST_VERSION_CONFIG, false)?,
            subject_name_strategy,
            avro_data: AvroDataConfig {
                connect_meta_data: bool_config(configs, CONNECT_META_DATA_CONFIG, true)?,
                enhanced_schema_support: bool_config(
                    configs,
                    ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG,
                    false,
                )?,
            },
            schemas_cache_size: usize::try_from(cache).unwrap_or(0).max(1),
            converter_type,
        })
    }

    /// Whether this converter converts keys.
    pub fn is_key(&self) -> bool {
        self.converter_type == ConverterType::Key
    }
}
