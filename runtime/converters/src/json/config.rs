//! The JsonConverter's settings (Kafka's `JsonConverterConfig`): keys, defaults and parsing.

use crate::converter::{ConverterConfig, ConverterType, bool_config, converter_type, int_config};
use crate::error::{Error, Result};

/// `schemas.enable`: wrap each value in a `{"schema":…,"payload":…}` envelope (default true).
pub const SCHEMAS_ENABLE_CONFIG: &str = "schemas.enable";
/// `schemas.cache.size`: how many schemas the converter keeps converted (default 1000).
pub const SCHEMAS_CACHE_SIZE_CONFIG: &str = "schemas.cache.size";
/// `decimal.format`: `BASE64` (default) or `NUMERIC`, case-insensitive.
pub const DECIMAL_FORMAT_CONFIG: &str = "decimal.format";
/// `replace.null.with.default`: write/read a field's default instead of `null` (default true).
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// How decimals are written (Kafka's `DecimalFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalFormat {
    /// The unscaled value's two's complement bytes in base64 (`"SZYC0g=="`).
    #[default]
    Base64,
    /// A JSON number in `BigDecimal.toString()` form (`12345678.90`).
    Numeric,
}

/// The parsed JsonConverter configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonConverterConfig {
    /// `schemas.enable`.
    pub schemas_enable: bool,
    /// `schemas.cache.size`.
    pub schemas_cache_size: usize,
    /// `decimal.format`.
    pub decimal_format: DecimalFormat,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
    /// `converter.type`.
    pub converter_type: ConverterType,
}

impl Default for JsonConverterConfig {
    fn default() -> Self {
        JsonConverterConfig {
            schemas_enable: true,
            schemas_cache_size: 1000,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
            converter_type: ConverterType::Value,
        }
    }
}

impl JsonConverterConfig {
    /// Parses the properties; `is_key` (from `configure(…, is_key)`) overrides `converter.type`,
    /// which is otherwise required. Unknown keys are ignored, as Kafka does.
    pub fn parse(configs: &ConverterConfig, is_key: Option<bool>) -> Result<Self> {
        let cache = int_config(configs, SCHEMAS_CACHE_SIZE_CONFIG, 1000)?;
        let decimal_format = match configs.get(DECIMAL_FORMAT_CONFIG) {
            None => DecimalFormat::Base64,
            Some(v) => match v.trim().to_ascii_uppercase().as_str() {
                "BASE64" => DecimalFormat::Base64,
                "NUMERIC" => DecimalFormat::Numeric,
                _ => {
                    return Err(Error::Config {
                        key: DECIMAL_FORMAT_CONFIG.to_string(),
                        message: format!("'{v}' is not one of BASE64, NUMERIC"),
                    });
                }
            },
        };
        Ok(JsonConverterConfig {
            schemas_enable: bool_config(configs, SCHEMAS_ENABLE_CONFIG, true)?,
            schemas_cache_size: usize::try_from(cache).unwrap_or(0),
            decimal_format,
            replace_null_with_default: bool_config(
                configs,
                REPLACE_NULL_WITH_DEFAULT_CONFIG,
                true,
            )?,
            converter_type: converter_type(configs, is_key)?,
        })
    }
}
