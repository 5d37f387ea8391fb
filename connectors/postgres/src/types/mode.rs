//! Debezium's type handling modes (`decimal.handling.mode`, `time.precision.mode`,
//! `binary.handling.mode`, `interval.handling.mode`), with Debezium's defaults and config names.

/// Declares a mode enum with its configuration names; `parse` accepts them case-insensitively,
/// as Debezium's `EnumeratedValue` lookup does.
macro_rules! mode_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// The configuration value naming this mode.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The mode a configuration value names (trimmed, any case), if any.
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                [$($name::$variant,)*].into_iter().find(|m| m.name().eq_ignore_ascii_case(text))
            }
        }
    };
}

mode_enum! {
    /// `decimal.handling.mode`: how `numeric`/`decimal` values are represented.
    DecimalMode {
        /// `org.apache.kafka.connect.data.Decimal` bytes (the default).
        Precise => "precise",
        /// `float64` (loses precision).
        Double => "double",
        /// A plain decimal string.
        String => "string",
    }
}

mode_enum! {
    /// `time.precision.mode`: how `date`, `time` and `timestamp` are represented.
    TimePrecisionMode {
        /// Debezium's types chosen by the column's precision (the PostgreSQL default).
        Adaptive => "adaptive",
        /// As `adaptive`, but `time` is always `MicroTime`.
        AdaptiveTimeMicroseconds => "adaptive_time_microseconds",
        /// Kafka Connect's logical `Date`, `Time`, `Timestamp` (milliseconds).
        Connect => "connect",
    }
}

mode_enum! {
    /// `binary.handling.mode`: how `bytea` values are represented.
    BinaryMode {
        /// Raw `bytes` (the default).
        Bytes => "bytes",
        /// A base64 string.
        Base64 => "base64",
        /// A URL-safe base64 string.
        Base64UrlSafe => "base64-url-safe",
        /// A lowercase hexadecimal string.
        Hex => "hex",
    }
}

mode_enum! {
    /// `interval.handling.mode`: how `interval` values are represented.
    IntervalMode {
        /// `io.debezium.time.MicroDuration` microseconds, 365.25-day years (the default).
        Numeric => "numeric",
        /// `io.debezium.time.Interval` ISO-8601 string (`P1Y2M3DT4H5M6.78S`).
        String => "string",
    }
}

mode_enum! {
    /// `hstore.handling.mode`: how `hstore` values are represented.
    HstoreMode {
        /// An `io.debezium.data.Json` string (the default).
        Json => "json",
        /// A Connect map of string to optional string.
        Map => "map",
    }
}

/// The handling modes and options that shape column schemas and values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeModes {
    /// `decimal.handling.mode`.
    pub decimal: DecimalMode,
    /// `time.precision.mode`.
    pub time: TimePrecisionMode,
    /// `binary.handling.mode`.
    pub binary: BinaryMode,
    /// `interval.handling.mode`.
    pub interval: IntervalMode,
    /// `hstore.handling.mode`.
    pub hstore: HstoreMode,
    /// `money.fraction.digits`: the scale of `money` values as decimals.
    pub money_fraction_digits: i32,
    /// `include.unknown.datatypes`: columns of types without a mapping are emitted as bytes of
    /// their text (else they are left out of the events, with a warning).
    pub include_unknown: bool,
}

impl Default for TypeModes {
    /// Debezium's PostgreSQL defaults: `precise`, `adaptive`, `bytes`, `numeric`, `json`, two
    /// money digits, unknown types left out.
    fn default() -> Self {
        TypeModes {
            decimal: DecimalMode::Precise,
            time: TimePrecisionMode::Adaptive,
            binary: BinaryMode::Bytes,
            interval: IntervalMode::Numeric,
            hstore: HstoreMode::Json,
            money_fraction_digits: 2,
            include_unknown: false,
        }
    }
}
