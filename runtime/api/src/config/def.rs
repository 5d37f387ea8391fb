//! The definitions: [`ConfigDef`] and its [`ConfigKey`]s.

use std::fmt;

/// The type of a configuration value (Kafka's `ConfigDef.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    /// `true` or `false`.
    Boolean,
    /// Free text.
    String,
    /// A 32-bit integer.
    Int,
    /// A 16-bit integer.
    Short,
    /// A 64-bit integer.
    Long,
    /// A double.
    Double,
    /// A comma-separated list.
    List,
    /// A class name (in Sluice: a plugin name or alias).
    Class,
    /// A secret, never shown back.
    Password,
}

impl ConfigType {
    /// The name Kafka Connect shows (`STRING`, `INT`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }
}

/// How important a key is to set (Kafka's `ConfigDef.Importance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    /// Most users set it.
    High,
    /// Often tuned.
    Medium,
    /// Rarely tuned.
    Low,
}

impl Importance {
    /// `HIGH`, `MEDIUM` or `LOW`.
    pub fn as_str(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }
}

/// The display width hint of a key in UIs (Kafka's `ConfigDef.Width`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// No hint.
    None,
    /// Short.
    Short,
    /// Medium.
    Medium,
    /// Long.
    Long,
}

impl Width {
    /// `NONE`, `SHORT`, `MEDIUM` or `LONG`.
    pub fn as_str(self) -> &'static str {
        match self {
            Width::None => "NONE",
            Width::Short => "SHORT",
            Width::Medium => "MEDIUM",
            Width::Long => "LONG",
        }
    }
}

/// A check on a parsed value, with Kafka's messages.
#[derive(Clone)]
pub enum Validator {
    /// The (string) value must be one of these (`ValidString.in`); also the recommended values.
    OneOf(Vec<String>),
    /// The (string) value must be one of these, ignoring ASCII case (`CaseInsensitiveValidString`).
    OneOfIgnoreCase(Vec<String>),
    /// A number at least `min` and at most `max` (`Range.between` / `atLeast`).
    Range {
        /// Inclusive minimum.
        min: Option<f64>,
        /// Inclusive maximum.
        max: Option<f64>,
    },
    /// A string that is not empty (`NonEmptyString`).
    NonEmptyString,
    /// A custom check: `Err(message)` rejects the raw value with that message.
    Custom(fn(&str) -> Result<(), String>),
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validator::OneOf(v) => write!(f, "OneOf({v:?})"),
            Validator::OneOfIgnoreCase(v) => write!(f, "OneOfIgnoreCase({v:?})"),
            Validator::Range { min, max } => write!(f, "Range({min:?}..={max:?})"),
            Validator::NonEmptyString => f.write_str("NonEmptyString"),
            Validator::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// One configuration key.
#[derive(Debug, Clone)]
pub struct ConfigKey {
    /// The property name, e.g. `database.hostname`.
    pub name: String,
    /// Its type.
    pub ty: ConfigType,
    /// The default in string form; `None` means the key is required, unless
    /// [`ConfigKey::null_default`] is set.
    pub default: Option<String>,
    /// The key is optional and its default is `null` (Kafka's `ConfigDef.define(…, null, …)`):
    /// unset means "not given", as FileStream's `file` (stdin/stdout).
    pub null_default: bool,
    /// How important it is.
    pub importance: Importance,
    /// What it does, for users.
    pub documentation: String,
    /// The group it is shown in.
    pub group: Option<String>,
    /// Its position in the group (1-based).
    pub order_in_group: i32,
    /// Display width hint.
    pub width: Width,
    /// Display name.
    pub display_name: String,
    /// Keys whose validity depends on this one.
    pub dependents: Vec<String>,
    /// The check run on the parsed value.
    pub validator: Option<Validator>,
}

impl ConfigKey {
    /// A key of type `ty` with no default (required), `Importance::Medium` and no group.
    pub fn new(name: impl Into<String>, ty: ConfigType, documentation: impl Into<String>) -> Self {
        let name = name.into();
        ConfigKey {
            display_name: name.clone(),
            name,
            ty,
            default: None,
            null_default: false,
            importance: Importance::Medium,
            documentation: documentation.into(),
            group: None,
            order_in_group: -1,
            width: Width::None,
            dependents: Vec::new(),
            validator: None,
        }
    }

    /// Sets the default value (string form); the key is then optional.
    pub fn default_value(mut self, default: impl Into<String>) -> Self {
        self.default = Some(default.into());
        self
    }

    /// Makes the key optional with a `null` default.
    pub fn default_null(mut self) -> Self {
        self.default = None;
        self.null_default = true;
        self
    }

    /// Sets the importance.
    pub fn importance(mut self, importance: Importance) -> Self {
        self.importance = importance;
        self
    }

    /// Places the key in `group` at position `order` with a display width and name.
    pub fn display(
        mut self,
        group: impl Into<String>,
        order: i32,
        width: Width,
        display_name: impl Into<String>,
    ) -> Self {
        self.group = Some(group.into());
        self.order_in_group = order;
        self.width = width;
        self.display_name = display_name.into();
        self
    }

    /// Sets the validator.
    pub fn validator(mut self, validator: Validator) -> Self {
        self.validator = Some(validator);
        self
    }

    /// Whether the key must be set (it has no default, not even `null`).
    pub fn required(&self) -> bool {
        self.default.is_none() && !self.null_default
    }
}

/// An ordered set of configuration keys.
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    keys: Vec<ConfigKey>,
}

impl ConfigDef {
    /// An empty definition.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key; a key of the same name is replaced in place (so a connector can override a
    /// common key's default, as Java's `ConfigDef.define` does by redefining it).
    pub fn define(mut self, key: ConfigKey) -> Self {
        match self.keys.iter_mut().find(|k| k.name == key.name) {
            Some(existing) => *existing = key,
            None => self.keys.push(key),
        }
        self
    }

    /// Appends every key of `other` (see [`ConfigDef::define`]).
    pub fn merge(mut self, other: &ConfigDef) -> Self {
        for k in &other.keys {
            self = self.define(k.clone());
        }
        self
    }

    /// The keys, in definition order.
    pub fn keys(&self) -> &[ConfigKey] {
        &self.keys
    }

    /// The key named `name`.
    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The groups in order of first appearance.
    pub fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for g in self.keys.iter().filter_map(|k| k.group.as_deref()) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        groups
    }
}
