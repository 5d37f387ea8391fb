//! Bit strings (`bit(n)`, `bit varying(n)`), printed by PostgreSQL as `0`/`1` characters, most
//! significant bit first.
//!
//! Debezium maps `bit(1)` to a boolean and every other bit string to `io.debezium.data.Bits`:
//! the bits as a number, in little-endian bytes without high zero bytes (Java's
//! `BitSet.toByteArray`), so `101` is `[0x05]`, `1111000011110000` is `[0xF0, 0xF0]` and an
//! all-zero or empty string is no bytes at all.

use sluice_api::Value;

/// A `bit(1)` value: `1` is true, `0` false.
pub fn bit_boolean(text: &str) -> Result<Value, String> {
    match text {
        "1" => Ok(Value::Boolean(true)),
        "0" => Ok(Value::Boolean(false)),
        _ => Err("not a bit(1) value (0 or 1)".into()),
    }
}

/// A bit string as `io.debezium.data.Bits` bytes.
pub fn bits(text: &str) -> Result<Value, String> {
    let mut bytes = vec![0u8; text.len().div_ceil(8)];
    for (i, c) in text.bytes().rev().enumerate() {
        match c {
            b'1' => bytes[i / 8] |= 1 << (i % 8),
            b'0' => {}
            _ => return Err(format!("'{}' is not a bit string", c as char)),
        }
    }
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    Ok(Value::Bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_endian_without_high_zero_bytes() {
        let b = |t: &str| bits(t).unwrap();
        assert_eq!(b("101"), Value::Bytes(vec![0x05]));
        assert_eq!(b("10100101"), Value::Bytes(vec![0xA5]));
        assert_eq!(b("1111000011110000"), Value::Bytes(vec![0xF0, 0xF0]));
        assert_eq!(b("0000000100000000"), Value::Bytes(vec![0x00, 0x01]));
        assert_eq!(b("00000001"), Value::Bytes(vec![0x01]));
        assert_eq!(b("00000000"), Value::Bytes(vec![]));
        assert_eq!(b(""), Value::Bytes(vec![]));
        assert!(bits("12").is_err());
        assert_eq!(bit_boolean("1").unwrap(), Value::Boolean(true));
        assert!(bit_boolean("t").is_err());
    }
}
