//! Low-level JSON output with Jackson's exact spelling, written straight into a byte buffer.
//!
//! Kafka's JsonConverter serialises through Jackson's `ObjectMapper` with default features, so:
//! - strings escape `"` and `\`, the control characters `\b \t \n \f \r` with their short forms
//!   and every other character below U+0020 as `\u00XX` with UPPER-case hex; everything else
//!   (including `/`, DEL and all non-ASCII) is written as raw UTF-8;
//! - `float`/`double` use `Float.toString`/`Double.toString`: the shortest digits that read back
//!   to the same number, in plain notation for magnitudes in [10^-3, 10^7) (`100.0`, `0.001`) and
//!   computerised scientific notation otherwise (`1.0E7`, `3.4028235E38`, `1.0E-4`); NaN and the
//!   infinities are written as the JSON strings `"NaN"`, `"Infinity"`, `"-Infinity"`
//!   (Jackson's `QUOTE_NON_NUMERIC_NUMBERS`);
//! - `byte[]` is standard base64 with padding, no line breaks.
//!
//! The shortest digits come from Rust's own `{:e}` formatting (a shortest-round-trip algorithm,
//! as the JDK's since 19); the JDK 17 algorithm may give a longer digit string for rare doubles,
//! which still reads back to the same value.
//!
//! serde_json is not used for output because it spells control escapes in lower case, formats
//! floats differently and cannot write NaN, and building its `Value` tree would cost an
//! allocation per node on the hot path.

use std::fmt::{self, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// What follows the backslash for each ASCII byte, `0` for no escape, `u` for `\u00XX`.
static ESCAPES: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Writes `s` as a JSON string literal.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x80 {
            continue;
        }
        let esc = ESCAPES[b as usize];
        if esc == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if esc == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX_UPPER[(b >> 4) as usize]);
            out.push(HEX_UPPER[(b & 0xF) as usize]);
        } else {
            out.push(b'\\');
            out.push(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Writes bytes as a base64 JSON string.
pub(crate) fn write_base64(out: &mut Vec<u8>, data: &[u8]) {
    out.push(b'"');
    let start = out.len();
    let encoded_len = data.len().div_ceil(3) * 4;
    out.resize(start + encoded_len, 0);
    let written = STANDARD
        .encode_slice(data, &mut out[start..])
        .unwrap_or_default();
    out.truncate(start + written);
    out.push(b'"');
}

/// Writes a signed integer.
pub(crate) fn write_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[pos..]);
}

/// A small fixed buffer for `{:e}` output (at most ~26 bytes for an `f64`).
struct StackBuf {
    buf: [u8; 48],
    len: usize,
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes a double as Jackson does (see the module docs).
pub(crate) fn write_f64(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        write_non_finite(out, v.is_nan(), v > 0.0);
        return;
    }
    let mut sb = StackBuf {
        buf: [0; 48],
        len: 0,
    };
    // `{:e}` of a finite f64 is at most ~25 bytes: this cannot fail.
    let _ = write!(sb, "{v:e}");
    if single_digit(&sb.buf[..sb.len]) {
        // Java considers two-digit candidates when the shortest has one digit, and takes the
        // closest to the exact value (`4.9E-324`, not `5E-324`): the correctly rounded two-digit
        // form is that candidate.
        sb.len = 0;
        let _ = write!(sb, "{v:.1e}");
    }
    write_java_notation(out, &sb.buf[..sb.len]);
}

/// Writes a float as Jackson does (see the module docs).
pub(crate) fn write_f32(out: &mut Vec<u8>, v: f32) {
    if !v.is_finite() {
        write_non_finite(out, v.is_nan(), v > 0.0);
        return;
    }
    let mut sb = StackBuf {
        buf: [0; 48],
        len: 0,
    };
    let _ = write!(sb, "{v:e}");
    if single_digit(&sb.buf[..sb.len]) {
        sb.len = 0;
        let _ = write!(sb, "{v:.1e}");
    }
    write_java_notation(out, &sb.buf[..sb.len]);
}

/// Whether a `{:e}` string has a single significant digit (`5e-324`, `-1e0`).
fn single_digit(sci: &[u8]) -> bool {
    let mantissa = sci.split(|&b| b == b'e').next().unwrap_or(sci);
    mantissa.iter().filter(|b| b.is_ascii_digit()).count() == 1
}

/// Java's `Float.toString` (unquoted `NaN`/`Infinity` included).
pub(crate) fn java_float_text(v: f32) -> String {
    if !v.is_finite() {
        return non_finite_text(v.is_nan(), v > 0.0).to_string();
    }
    let mut out = Vec::new();
    write_f32(&mut out, v);
    String::from_utf8_lossy(&out).into_owned()
}

/// Java's `Double.toString` (unquoted `NaN`/`Infinity` included).
pub(crate) fn java_double_text(v: f64) -> String {
    if !v.is_finite() {
        return non_finite_text(v.is_nan(), v > 0.0).to_string();
    }
    let mut out = Vec::new();
    write_f64(&mut out, v);
    String::from_utf8_lossy(&out).into_owned()
}

fn non_finite_text(nan: bool, positive: bool) -> &'static str {
    match (nan, positive) {
        (true, _) => "NaN",
        (false, true) => "Infinity",
        (false, false) => "-Infinity",
    }
}

fn write_non_finite(out: &mut Vec<u8>, nan: bool, positive: bool) {
    out.push(b'"');
    out.extend_from_slice(non_finite_text(nan, positive).as_bytes());
    out.push(b'"');
}

/// Rewrites Rust's `{:e}` form (`-1.2345e-7`, `5e0`) as Java's `Double.toString`.
fn write_java_notation(out: &mut Vec<u8>, sci: &[u8]) {
    let (neg, rest) = match sci.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, sci),
    };
    let e_pos = rest.iter().position(|&b| b == b'e').unwrap_or(rest.len());
    let mut digits = [0u8; 24];
    let mut n = 0;
    for &b in &rest[..e_pos] {
        if b.is_ascii_digit() && n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    let exp: i32 = std::str::from_utf8(rest.get(e_pos + 1..).unwrap_or(b"0"))
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // Trailing zeros are not significant (they come from the two-digit form, `1.0e0`).
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    let digits = &digits[..n.max(1)];
    if neg {
        out.push(b'-');
    }
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() > int_len {
                out.extend_from_slice(&digits[..int_len]);
                out.push(b'.');
                out.extend_from_slice(&digits[int_len..]);
            } else {
                out.extend_from_slice(digits);
                out.extend(std::iter::repeat_n(b'0', int_len - digits.len()));
                out.extend_from_slice(b".0");
            }
        } else {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-exp - 1) as usize));
            out.extend_from_slice(digits);
        }
    } else {
        out.push(digits[0]);
        out.push(b'.');
        if digits.len() > 1 {
            out.extend_from_slice(&digits[1..]);
        } else {
            out.push(b'0');
        }
        out.push(b'E');
        write_i64(out, i64::from(exp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f64s(v: f64) -> String {
        let mut out = Vec::new();
        write_f64(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    fn f32s(v: f32) -> String {
        let mut out = Vec::new();
        write_f32(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn doubles_are_spelled_as_java() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (2.25, "2.25"),
            (100.0, "100.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (1.0e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (4.9e-324, "4.9E-324"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (f64::NAN, "\"NaN\""),
            (f64::NEG_INFINITY, "\"-Infinity\""),
        ];
        for &(v, s) in cases {
            assert_eq!(f64s(v), s, "{v}");
        }
    }

    #[test]
    fn floats_are_spelled_as_java() {
        assert_eq!(f32s(f32::MAX), "3.4028235E38");
        assert_eq!(f32s(1.5), "1.5");
        assert_eq!(f32s(0.1), "0.1");
        assert_eq!(f32s(1.4e-45), "1.4E-45");
        assert_eq!(f32s(f32::INFINITY), "\"Infinity\"");
    }

    #[test]
    fn strings_escape_as_jackson() {
        let mut out = Vec::new();
        write_str(&mut out, "a\"b\\c\n\t\u{1}\u{1f}/\u{7f}é☃");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\n\\t\\u0001\\u001F/\u{7f}é☃\""
        );
    }

    #[test]
    fn integers_and_base64() {
        let mut out = Vec::new();
        write_i64(&mut out, i64::MIN);
        out.push(b' ');
        write_i64(&mut out, 0);
        out.push(b' ');
        write_base64(&mut out, &[0xde, 0xad, 0xbe, 0xef, 0, 0xff]);
        out.push(b' ');
        write_base64(&mut out, &[]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "-9223372036854775808 0 \"3q2+7wD/\" \"\""
        );
    }
}
