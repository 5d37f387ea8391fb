//! Numbers in header text, as `Values.parseString` reads them: Java's `new BigDecimal(String)`
//! grammar, then the narrowest Connect type (Kafka 4.x `parseAsNumber`).
//!
//! Classification, in Java's order:
//! 1. a whole number of magnitude at most 1e19 that fits a `long` → the smallest of INT8, INT16,
//!    INT32, INT64 holding it (`1.0`, `1e3` and `-0` are whole);
//! 2. otherwise, with a non-zero scale, FLOAT32 when the value rounds to a finite `float` (no
//!    round-trip check: `1.1` is FLOAT32, `1e-50` is FLOAT32 0.0);
//! 3. otherwise, with a non-zero scale, FLOAT64 when it rounds to a finite `double` (`1.5e40`);
//! 4. otherwise a `Decimal` with the text's scale (`12345678901234567890` has scale 0, `1e400`
//!    scale -400).
//!
//! Java rounds `BigDecimal.floatValue()`/`doubleValue()` correctly (to nearest, ties to even), as
//! Rust's `str::parse` does, so both are computed by parsing a normalised ASCII form. Unlike
//! Java's `setScale`/`BigInteger` arithmetic, nothing here grows with the exponent, so
//! `1e-999999999` costs no more than `1e-9`.

use sluice_api::{Decimal, Schema, Value, logical};

use super::shape::{Parsed, Shape};

/// The zero of every BMP block of Unicode decimal digits (category Nd) Java 17's
/// `Character.isDigit(char)` accepts; each block holds the ten digits from its zero. Java's
/// `Character.isDigit`, `Character.digit` and `BigDecimal`'s parser accept all of them.
const DIGIT_ZEROS: [u32; 37] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

/// Java's `Character.digit(char, 10)` for a decimal digit of the BMP (supplementary characters
/// are two UTF-16 units in Java, neither of them a digit).
pub(super) fn java_digit(c: char) -> Option<u8> {
    if let Some(d) = c.to_digit(10) {
        return Some(d as u8);
    }
    let cp = u32::from(c);
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&cp))
        .map(|zero| (cp - zero) as u8)
}

/// A number as `new BigDecimal(String)` reads it: `±digits × 10^-scale`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct JavaDecimal {
    pub(super) negative: bool,
    /// ASCII digits of the unscaled value, never empty (may have leading zeros).
    pub(super) digits: String,
    pub(super) scale: i32,
}

/// Parses Java's `BigDecimal` text: an optional sign, digits with at most one point (at least one
/// digit), then optionally `e`/`E`, an optional sign and exponent digits (more than ten
/// significant exponent digits, an exponent outside `int` or a scale outside `int` are refused).
pub(super) fn parse_big_decimal(text: &str) -> Option<JavaDecimal> {
    let mut chars = text.chars().peekable();
    let mut negative = false;
    match chars.peek() {
        Some('-') => {
            negative = true;
            chars.next();
        }
        Some('+') => {
            chars.next();
        }
        _ => {}
    }
    let mut digits = String::new();
    let mut fraction_digits: i64 = 0;
    let mut dot = false;
    let mut exponent: i64 = 0;
    while let Some(c) = chars.next() {
        if let Some(d) = java_digit(c) {
            digits.push(char::from(b'0' + d));
            if dot {
                fraction_digits += 1;
            }
        } else if c == '.' && !dot {
            dot = true;
        } else if c == 'e' || c == 'E' {
            exponent = parse_exponent(chars.collect::<String>().as_str())?;
            break;
        } else {
            return None;
        }
    }
    if digits.is_empty() {
        return None;
    }
    let scale = i32::try_from(fraction_digits - exponent).ok()?;
    Some(JavaDecimal {
        negative,
        digits,
        scale,
    })
}

/// The exponent after `e`: optional sign, then digits only, at most ten once leading zeros are
/// skipped, within `int`.
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let mut value: i64 = 0;
    let mut significant = 0;
    let mut any = false;
    for c in body.chars() {
        let d = java_digit(c)?;
        any = true;
        if significant == 0 && d == 0 {
            continue;
        }
        significant += 1;
        if significant > 10 {
            return None;
        }
        value = value * 10 + i64::from(d);
    }
    if !any {
        return None;
    }
    let value = if negative { -value } else { value };
    i32::try_from(value).ok().map(i64::from)
}

/// Kafka's `parseAsNumber`: `None` when the text is not a Java `BigDecimal`.
pub(super) fn parse_as_number(token: &str) -> Option<Parsed> {
    let number = parse_big_decimal(token)?;
    let significant = number.digits.trim_start_matches('0');
    if let Some(exact) = as_exact_integer(&number, significant) {
        return Some(exact);
    }
    let sign = if number.negative { "-" } else { "" };
    let mantissa = if significant.is_empty() {
        "0"
    } else {
        significant
    };
    let normalised = format!("{sign}{mantissa}e{}", -i64::from(number.scale));
    if number.scale != 0 {
        if let Ok(f) = normalised.parse::<f32>()
            && f.is_finite()
        {
            return Some((Shape::Plain(Schema::float32()), Value::Float32(f)));
        }
        if let Ok(d) = normalised.parse::<f64>()
            && d.is_finite()
        {
            return Some((Shape::Plain(Schema::float64()), Value::Float64(d)));
        }
    }
    let decimal = decimal_from_digits(number.negative, significant, number.scale)?;
    let schema = logical::decimal(number.scale).build().ok()?;
    Some((Shape::Plain(schema), Value::Decimal(decimal)))
}

/// Kafka 4.x `parseAsExactDecimal`: whole numbers with `|x| <= 1e19` (or zero) that fit a
/// `long`, as the narrowest integer type.
fn as_exact_integer(number: &JavaDecimal, significant: &str) -> Option<Parsed> {
    let value: i128 = if significant.is_empty() {
        0
    } else {
        // The decimal exponent of the leading digit: |x| lies in [10^adjusted, 10^(adjusted+1)).
        let adjusted = significant.len() as i64 - 1 - i64::from(number.scale);
        let stripped = significant.trim_end_matches('0');
        if adjusted > 19 || (adjusted == 19 && stripped != "1") || adjusted < 0 {
            return None;
        }
        // stripTrailingZeros().scale() <= 0, i.e. no non-zero fraction digit.
        let zeros = (significant.len() - stripped.len()) as i64;
        let stripped_scale = i64::from(number.scale) - zeros;
        if stripped_scale > 0 {
            return None;
        }
        // At most 20 significant digits times a power of ten, below 1e20: fits an i128.
        let mut v: i128 = stripped.parse().ok()?;
        for _ in 0..(-stripped_scale) {
            v = v.checked_mul(10)?;
        }
        if number.negative { -v } else { v }
    };
    let v = i64::try_from(value).ok()?;
    Some(if let Ok(b) = i8::try_from(v) {
        (Shape::Plain(Schema::int8()), Value::Int8(b))
    } else if let Ok(s) = i16::try_from(v) {
        (Shape::Plain(Schema::int16()), Value::Int16(s))
    } else if let Ok(i) = i32::try_from(v) {
        (Shape::Plain(Schema::int32()), Value::Int32(i))
    } else {
        (Shape::Plain(Schema::int64()), Value::Int64(v))
    })
}

/// A decimal from ASCII digits (no leading zeros, possibly empty for zero), nine digits at a time
/// (the `Decimal` parser goes digit by digit, which is quadratic-times-nine on long inputs).
fn decimal_from_digits(negative: bool, digits: &str, scale: i32) -> Option<Decimal> {
    // Little-endian base-2^32 magnitude.
    let mut limbs: Vec<u32> = Vec::new();
    let head = digits.len() % 9;
    let chunks = std::iter::once(&digits[..head])
        .filter(|c| !c.is_empty())
        .chain(
            digits.as_bytes()[head..]
                .chunks(9)
                .filter_map(|c| std::str::from_utf8(c).ok()),
        );
    for chunk in chunks {
        let mut carry = u64::from(chunk.parse::<u32>().ok()?);
        let factor = 10u64.pow(chunk.len() as u32);
        for limb in limbs.iter_mut() {
            let v = u64::from(*limb) * factor + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
    }
    let mut bytes = vec![0u8];
    for limb in limbs.iter().rev() {
        bytes.extend_from_slice(&limb.to_be_bytes());
    }
    if negative && limbs.iter().any(|&l| l != 0) {
        // Two's complement: invert, add one.
        for b in bytes.iter_mut() {
            *b = !*b;
        }
        for b in bytes.iter_mut().rev() {
            let (v, overflow) = b.overflowing_add(1);
            *b = v;
            if !overflow {
                break;
            }
        }
    }
    Decimal::from_unscaled_bytes(&bytes, scale).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_decimal_grammar() {
        let d = parse_big_decimal("-12.50e+1").unwrap();
        assert_eq!((d.negative, d.digits.as_str(), d.scale), (true, "1250", 1));
        assert_eq!(parse_big_decimal("1.").unwrap().scale, 0);
        assert_eq!(parse_big_decimal("-.5").unwrap().scale, 1);
        assert_eq!(parse_big_decimal("\u{0663}").unwrap().digits, "3");
        assert_eq!(parse_big_decimal("1e00000000000005").unwrap().scale, -5);
        for bad in [
            "",
            "-",
            ".",
            "1e",
            "1e+",
            "1.2.3",
            "1e5.0",
            "1 ",
            "++1",
            "1e99999999999",
            "0x1",
        ] {
            assert!(parse_big_decimal(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn decimals_are_built_exactly() {
        let d = decimal_from_digits(true, "12345678901234567890123", 3).unwrap();
        assert_eq!(d.to_string(), "-12345678901234567890.123");
        assert_eq!(decimal_from_digits(false, "", 0).unwrap().to_string(), "0");
    }
}
