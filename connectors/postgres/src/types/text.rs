//! Booleans, `bytea` and the types whose text *is* the Connect string.
//!
//! `text`, `varchar`, `char(n)` (blank-padded, as PostgreSQL prints it), `uuid`, `json`,
//! `jsonb` (the server's normalised text), `xml` and enum labels pass through unchanged; only
//! their schema names differ (set in the parent module). `bytea` arrives as `\x` + hex
//! (`bytea_output=hex`, the default) and is decoded to bytes, then represented per
//! `binary.handling.mode`.

use base64::Engine;
use sluice_api::Value;

use super::BinaryMode;

/// A `boolean` value (`t` / `f`).
pub fn boolean(text: &str) -> Result<Value, String> {
    match text {
        "t" => Ok(Value::Boolean(true)),
        "f" => Ok(Value::Boolean(false)),
        _ => Err("not a boolean (t or f)".into()),
    }
}

/// Decodes `\x`-prefixed hex. Written by hand: two lines, and the `hex` crate is not a
/// dependency of the workspace.
fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    let hex = text.strip_prefix("\\x").ok_or_else(|| {
        "bytea not in hex format (set bytea_output = 'hex' on the server)".to_string()
    })?;
    if hex.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => Ok(b - b'0'),
        b'a'..=b'f' => Ok(b - b'a' + 10),
        b'A'..=b'F' => Ok(b - b'A' + 10),
        _ => Err(format!("'{}' is not a hex digit", char::from(b))),
    };
    hex.as_bytes()
        .chunks_exact(2)
        .map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// A `bytea` value in the given mode.
pub fn bytea(text: &str, mode: BinaryMode) -> Result<Value, String> {
    Ok(binary_value(decode_hex(text)?, mode))
}

/// Bytes as `binary.handling.mode` says: bytes, base64, URL-safe base64 or lowercase hex.
pub fn binary_value(bytes: Vec<u8>, mode: BinaryMode) -> Value {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    match mode {
        BinaryMode::Bytes => Value::Bytes(bytes),
        BinaryMode::Base64 => Value::String(STANDARD.encode(&bytes).into()),
        BinaryMode::Base64UrlSafe => Value::String(URL_SAFE.encode(&bytes).into()),
        BinaryMode::Hex => {
            const DIGITS: &[u8; 16] = b"0123456789abcdef";
            let mut hex = sluice_api::CompactString::with_capacity(bytes.len() * 2);
            for b in &bytes {
                hex.push(char::from(DIGITS[usize::from(b >> 4)]));
                hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
            }
            Value::String(hex)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytea_modes() {
        assert!(matches!(bytea("\\xdeadBEEF", BinaryMode::Bytes).unwrap(),
            Value::Bytes(b) if b == [0xde, 0xad, 0xbe, 0xef]));
        assert!(
            matches!(bytea("\\x", BinaryMode::Bytes).unwrap(), Value::Bytes(b) if b.is_empty())
        );
        assert_eq!(
            bytea("\\x0102", BinaryMode::Base64).unwrap().as_str(),
            Some("AQI=")
        );
        assert!(bytea("\\001", BinaryMode::Bytes).is_err());
        assert!(bytea("\\x0g", BinaryMode::Bytes).is_err());
    }
}
