//! [`Decimal`]: an arbitrary-precision decimal number, Java's `BigDecimal` as Kafka Connect's
//! `Decimal` logical type uses it.
//!
//! The unscaled value is kept exactly as it travels on the wire — big-endian two's complement bytes
//! (Java's `BigInteger.toByteArray()`) — normalised to the minimal length, so two decimals with the
//! same unscaled value and scale are equal byte for byte and converters write Java's bytes with no
//! conversion. Text conversion follows `BigDecimal.toString()` and `new BigDecimal(String)`.
//!
//! The little big-integer arithmetic needed for text (multiply/divide by small numbers on 32-bit
//! limbs) is written here rather than pulled from a bignum crate: this crate is a leaf, and decimal
//! text is off the hot path (Kafka's default `decimal.format` is base64 of the bytes).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// An arbitrary-precision decimal: `unscaled × 10^-scale`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// Minimal big-endian two's complement, never empty.
    unscaled: Vec<u8>,
    scale: i32,
}

impl Decimal {
    /// A decimal from its unscaled value as big-endian two's complement bytes (Java's
    /// `new BigDecimal(new BigInteger(bytes), scale)`); fails on an empty byte string.
    pub fn from_unscaled_bytes(bytes: &[u8], scale: i32) -> Result<Self> {
        if bytes.is_empty() {
            return Err(Error::data(
                "a decimal's unscaled value needs at least one byte (Java rejects a zero-length BigInteger)",
            ));
        }
        Ok(Decimal {
            unscaled: minimal_twos(bytes.to_vec()),
            scale,
        })
    }

    /// A decimal from a 128-bit unscaled value.
    pub fn from_i128(unscaled: i128, scale: i32) -> Self {
        Decimal {
            unscaled: minimal_twos(unscaled.to_be_bytes().to_vec()),
            scale,
        }
    }

    /// The unscaled value as minimal big-endian two's complement bytes (what Kafka's `Decimal`
    /// logical type puts on the wire).
    pub fn unscaled_bytes(&self) -> &[u8] {
        &self.unscaled
    }

    /// The scale (digits after the decimal point; negative for multiples of powers of ten).
    pub fn scale(&self) -> i32 {
        self.scale
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.unscaled[0] & 0x80 != 0
    }

    /// The unscaled value, when it fits in 128 bits.
    pub fn unscaled_i128(&self) -> Option<i128> {
        if self.unscaled.len() > 16 {
            return None;
        }
        let fill = if self.is_negative() { 0xFF } else { 0 };
        let mut buf = [fill; 16];
        buf[16 - self.unscaled.len()..].copy_from_slice(&self.unscaled);
        Some(i128::from_be_bytes(buf))
    }

    /// The same number with another scale, when that is exact (adding zeros, or removing only
    /// zeros); `None` if digits would be lost.
    pub fn with_scale(&self, scale: i32) -> Option<Decimal> {
        if scale == self.scale {
            return Some(self.clone());
        }
        let (neg, mut mag) = self.sign_magnitude();
        let diff = i64::from(scale) - i64::from(self.scale);
        if diff > 0 {
            for _ in 0..diff {
                mul_small(&mut mag, 10, 0);
            }
        } else {
            for _ in 0..(-diff) {
                if divmod_small(&mut mag, 10) != 0 {
                    return None;
                }
            }
        }
        Some(Decimal {
            unscaled: from_sign_magnitude(neg, &mag),
            scale,
        })
    }

    /// Sign and magnitude (little-endian 32-bit limbs, no leading zero limbs).
    fn sign_magnitude(&self) -> (bool, Vec<u32>) {
        let neg = self.is_negative();
        let bytes = if neg {
            negate(&self.unscaled)
        } else {
            self.unscaled.clone()
        };
        (neg, limbs_from_be(&bytes))
    }

    /// The decimal digits of the unscaled magnitude and the sign.
    fn digits(&self) -> (bool, String) {
        let (neg, mut mag) = self.sign_magnitude();
        if mag.is_empty() {
            return (false, "0".to_string());
        }
        let mut chunks = Vec::new();
        while !mag.is_empty() {
            chunks.push(divmod_small(&mut mag, 1_000_000_000));
        }
        let mut s = String::with_capacity(chunks.len() * 9);
        let mut iter = chunks.iter().rev();
        if let Some(first) = iter.next() {
            s.push_str(&first.to_string());
        }
        for c in iter {
            s.push_str(&format!("{c:09}"));
        }
        (neg, s)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({self})")
    }
}

impl fmt::Display for Decimal {
    /// Java's `BigDecimal.toString()`: plain notation when the scale is non-negative and the
    /// adjusted exponent is at least -6, otherwise scientific (`1.23E+5`, `1E-7`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (neg, coeff) = self.digits();
        let scale = i64::from(self.scale);
        let adjusted = -scale + (coeff.len() as i64 - 1);
        let mut out = String::with_capacity(coeff.len() + 8);
        if neg {
            out.push('-');
        }
        if scale == 0 {
            out.push_str(&coeff);
        } else if scale > 0 && adjusted >= -6 {
            let len = coeff.len() as i64;
            if len > scale {
                let point = (len - scale) as usize;
                out.push_str(&coeff[..point]);
                out.push('.');
                out.push_str(&coeff[point..]);
            } else {
                out.push_str("0.");
                for _ in 0..(scale - len) {
                    out.push('0');
                }
                out.push_str(&coeff);
            }
        } else {
            out.push_str(&coeff[..1]);
            if coeff.len() > 1 {
                out.push('.');
                out.push_str(&coeff[1..]);
            }
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
        f.write_str(&out)
    }
}

impl FromStr for Decimal {
    type Err = Error;

    /// Parses decimal text as Java's `new BigDecimal(String)`: an optional sign, digits with an
    /// optional point, an optional exponent (`1.5`, `-0.001`, `12E+3`, `1e-7`).
    fn from_str(text: &str) -> Result<Self> {
        let bad = || Error::data(format!("'{text}' is not a decimal number"));
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if let Some(&c) = bytes.first()
            && (c == b'-' || c == b'+')
        {
            neg = c == b'-';
            i = 1;
        }
        let mut mag: Vec<u32> = Vec::new();
        let mut digits = 0usize;
        let mut fraction_digits: i64 = 0;
        let mut seen_point = false;
        while i < bytes.len() {
            match bytes[i] {
                c @ b'0'..=b'9' => {
                    mul_small(&mut mag, 10, u32::from(c - b'0'));
                    digits += 1;
                    if seen_point {
                        fraction_digits += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                b'e' | b'E' => break,
                _ => return Err(bad()),
            }
            i += 1;
        }
        if digits == 0 {
            return Err(bad());
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() {
            let exp_text = &text[i + 1..];
            exponent = exp_text
                .strip_prefix('+')
                .unwrap_or(exp_text)
                .parse::<i64>()
                .map_err(|_| bad())?;
            if exp_text.is_empty() || exp_text.starts_with("+-") {
                return Err(bad());
            }
        }
        let scale = i32::try_from(fraction_digits - exponent).map_err(|_| bad())?;
        Ok(Decimal {
            unscaled: from_sign_magnitude(neg, &mag),
            scale,
        })
    }
}

/// Drops redundant sign-extension bytes from big-endian two's complement.
fn minimal_twos(mut bytes: Vec<u8>) -> Vec<u8> {
    let neg = bytes[0] & 0x80 != 0;
    let pad = if neg { 0xFF } else { 0x00 };
    let mut skip = 0;
    while skip + 1 < bytes.len() && bytes[skip] == pad && (bytes[skip + 1] & 0x80 != 0) == neg {
        skip += 1;
    }
    bytes.drain(..skip);
    bytes
}

/// Two's complement negation of big-endian bytes (same width).
fn negate(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    out
}

/// Minimal two's complement bytes of a signed magnitude.
fn from_sign_magnitude(neg: bool, mag: &[u32]) -> Vec<u8> {
    let mut bytes = vec![0u8];
    for limb in mag.iter().rev() {
        bytes.extend_from_slice(&limb.to_be_bytes());
    }
    // `bytes` is the magnitude with at least one leading zero byte, so its negation has the sign
    // bit set; both are then minimised.
    let bytes = if neg && mag.iter().any(|&l| l != 0) {
        negate(&bytes)
    } else {
        bytes
    };
    minimal_twos(bytes)
}

/// Little-endian 32-bit limbs of an unsigned big-endian byte string, without leading zeros.
fn limbs_from_be(bytes: &[u8]) -> Vec<u32> {
    let mut limbs = Vec::with_capacity(bytes.len() / 4 + 1);
    for chunk in bytes.rchunks(4) {
        let mut buf = [0u8; 4];
        buf[4 - chunk.len()..].copy_from_slice(chunk);
        limbs.push(u32::from_be_bytes(buf));
    }
    trim(&mut limbs);
    limbs
}

fn trim(limbs: &mut Vec<u32>) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
}

/// `mag = mag * m + add`.
fn mul_small(mag: &mut Vec<u32>, m: u32, add: u32) {
    let mut carry = u64::from(add);
    for limb in mag.iter_mut() {
        let v = u64::from(*limb) * u64::from(m) + carry;
        *limb = v as u32;
        carry = v >> 32;
    }
    if carry != 0 {
        mag.push(carry as u32);
    }
    trim(mag);
}

/// `mag /= d`, returning the remainder.
fn divmod_small(mag: &mut Vec<u32>, d: u32) -> u32 {
    let mut rem: u64 = 0;
    for limb in mag.iter_mut().rev() {
        let v = (rem << 32) | u64::from(*limb);
        *limb = (v / u64::from(d)) as u32;
        rem = v % u64::from(d);
    }
    trim(mag);
    rem as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn unscaled_bytes_are_minimal_twos_complement() {
        assert_eq!(Decimal::from_i128(0, 0).unscaled_bytes(), &[0]);
        assert_eq!(Decimal::from_i128(127, 0).unscaled_bytes(), &[0x7F]);
        assert_eq!(Decimal::from_i128(128, 0).unscaled_bytes(), &[0, 0x80]);
        assert_eq!(Decimal::from_i128(-128, 0).unscaled_bytes(), &[0x80]);
        assert_eq!(Decimal::from_i128(-129, 0).unscaled_bytes(), &[0xFF, 0x7F]);
        assert_eq!(Decimal::from_i128(-1, 0).unscaled_bytes(), &[0xFF]);
        let padded = Decimal::from_unscaled_bytes(&[0, 0, 1], 2).unwrap();
        assert_eq!(padded, Decimal::from_i128(1, 2));
        assert!(Decimal::from_unscaled_bytes(&[], 0).is_err());
    }

    #[test]
    fn to_string_matches_java_big_decimal() {
        assert_eq!(Decimal::from_i128(156, 2).to_string(), "1.56");
        assert_eq!(Decimal::from_i128(-156, 2).to_string(), "-1.56");
        assert_eq!(Decimal::from_i128(5, 3).to_string(), "0.005");
        assert_eq!(Decimal::from_i128(1, 7).to_string(), "1E-7");
        assert_eq!(Decimal::from_i128(123, 8).to_string(), "0.00000123");
        assert_eq!(Decimal::from_i128(123, 10).to_string(), "1.23E-8");
        assert_eq!(Decimal::from_i128(123, -2).to_string(), "1.23E+4");
        assert_eq!(Decimal::from_i128(0, 2).to_string(), "0.00");
        assert_eq!(Decimal::from_i128(0, -2).to_string(), "0E+2");
        assert_eq!(
            Decimal::from_i128(i128::MIN, 0).to_string(),
            i128::MIN.to_string()
        );
    }

    #[test]
    fn parse_round_trips_and_rescales_exactly() {
        for text in [
            "1.56",
            "-1.56",
            "0.005",
            "1E-7",
            "1.23E+4",
            "0.00",
            "170141183460469231731687303715884105728",
        ] {
            assert_eq!(d(text).to_string(), text);
        }
        assert_eq!(d("12e3"), Decimal::from_i128(12, -3));
        assert_eq!(d("1.5").with_scale(3), Some(Decimal::from_i128(1500, 3)));
        assert_eq!(d("1.500").with_scale(1), Some(Decimal::from_i128(15, 1)));
        assert_eq!(d("1.55").with_scale(1), None);
        for bad in ["", "-", "1.2.3", "abc", "1e", "1e+-2", "--1"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }
}
