//! Arbitrary bytes read by JsonConverter, with and without the schema envelope, must give a
//! value or an error: never a panic, never unbounded work. When they decode, writing the value
//! back must succeed (a decoded value always fits its decoded schema).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_converters::{Converter, ConverterConfig, JsonConverter};

fn converter(schemas: bool) -> JsonConverter {
    let mut cfg = ConverterConfig::new();
    cfg.insert("converter.type".into(), "value".into());
    cfg.insert("schemas.enable".into(), schemas.to_string());
    JsonConverter::from_config(&cfg).expect("valid config")
}

fuzz_target!(|data: &[u8]| {
    for schemas in [true, false] {
        let c = converter(schemas);
        if let Ok(decoded) = c.to_connect("fuzz", Some(data)) {
            c.from_connect("fuzz", decoded.schema.as_ref(), &decoded.value)
                .expect("a decoded value re-encodes with its own schema");
        }
    }
});
