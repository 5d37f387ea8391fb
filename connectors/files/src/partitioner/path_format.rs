//! The subset of Joda-Time `DateTimeFormat` patterns used by `path.format`.
//!
//! Parsing follows Joda's `DateTimeFormat.parsePatternTo`: a run of the same ASCII letter is one
//! field whose length is the run length; text between single quotes is literal (`''` is a single
//! quote, inside or outside quotes); every other character is literal. Supported fields, printed
//! as Joda prints them (zero-padded to the run length, never truncated):
//!
//! | letter | field | note |
//! |---|---|---|
//! | `y` | year | `yy` = last two digits |
//! | `Y` | year of era | `YY` = last two digits |
//! | `M` | month of year | numeric only (`M`, `MM`); `MMM` (text) is rejected |
//! | `d` | day of month | |
//! | `D` | day of year | |
//! | `H` | hour of day (0–23) | |
//! | `k` | clock hour of day (1–24) | |
//! | `m` | minute of hour | |
//! | `s` | second of minute | |
//! | `S` | fraction of second | `SSS` = milliseconds |
//!
//! Other letters (text fields such as `E`, `a`, `z`, or week fields) are rejected at
//! configuration time instead of producing a path that differs from Java's.

use chrono::{DateTime, Datelike, Timelike};

/// One element of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Literal text.
    Literal(String),
    /// A field: its letter and run length.
    Field(char, usize),
}

/// A compiled `path.format` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathFormat {
    tokens: Vec<Token>,
}

impl PathFormat {
    /// Compiles a Joda pattern; the error says which part is unsupported or malformed.
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                // Quoted text up to the closing quote; '' inside is one quote.
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unterminated quote in '{pattern}'")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            literal.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&q) => {
                            literal.push(q);
                            i += 1;
                        }
                    }
                }
            } else if c.is_ascii_alphabetic() {
                let mut run = 1;
                while chars.get(i + run) == Some(&c) {
                    run += 1;
                }
                check_field(c, run)?;
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                tokens.push(Token::Field(c, run));
                i += run;
            } else {
                literal.push(c);
                i += 1;
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Ok(PathFormat { tokens })
    }

    /// Formats the local wall time `local_ms` (milliseconds since the epoch, already shifted
    /// into the configured zone).
    pub fn format(&self, local_ms: i64) -> Result<String, String> {
        let t = DateTime::from_timestamp_millis(local_ms)
            .ok_or_else(|| format!("timestamp {local_ms} is out of range"))?
            .naive_utc();
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(s) => out.push_str(s),
                Token::Field(c, n) => {
                    let n = *n;
                    let v: i64 = match c {
                        'y' | 'Y' => {
                            let year = i64::from(t.year());
                            // Year of era counts BC years from 1 upwards.
                            let year = if *c == 'Y' && year <= 0 {
                                1 - year
                            } else {
                                year
                            };
                            if n == 2 {
                                out.push_str(&format!("{:02}", year.rem_euclid(100)));
                                continue;
                            }
                            year
                        }
                        'M' => i64::from(t.month()),
                        'd' => i64::from(t.day()),
                        'D' => i64::from(t.ordinal()),
                        'H' => i64::from(t.hour()),
                        'k' => match t.hour() {
                            0 => 24,
                            h => i64::from(h),
                        },
                        'm' => i64::from(t.minute()),
                        's' => i64::from(t.second()),
                        'S' => {
                            // Joda prints the fraction to n digits (truncated, padded with 0).
                            let millis = format!("{:03}", t.and_utc().timestamp_subsec_millis());
                            let mut digits: String = millis.chars().take(n).collect();
                            while digits.len() < n {
                                digits.push('0');
                            }
                            out.push_str(&digits);
                            continue;
                        }
                        other => return Err(format!("unsupported pattern letter '{other}'")),
                    };
                    if v < 0 {
                        out.push_str(&format!("-{:0n$}", -v));
                    } else {
                        out.push_str(&format!("{v:0n$}"));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn check_field(c: char, run: usize) -> Result<(), String> {
    match c {
        'y' | 'Y' | 'd' | 'D' | 'H' | 'k' | 'm' | 's' | 'S' => Ok(()),
        'M' if run <= 2 => Ok(()),
        'M' => Err(format!(
            "month as text ('{}') is not supported; use MM",
            "M".repeat(run)
        )),
        other => Err(format!(
            "pattern letter '{other}' is not supported; use y, Y, M, d, D, H, k, m, s, S and quoted literals"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-05-01T13:07:09.045Z
    const T: i64 = 1_714_568_829_045;

    #[test]
    fn hourly_preset_pattern() {
        let f = PathFormat::parse("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH").unwrap();
        assert_eq!(f.format(T).unwrap(), "year=2024/month=05/day=01/hour=13");
    }

    #[test]
    fn all_supported_fields() {
        let f = PathFormat::parse("yyyy-M-d D k:mm:ss.SSS yy S").unwrap();
        assert_eq!(f.format(T).unwrap(), "2024-5-1 122 13:07:09.045 24 0");
    }

    #[test]
    fn quotes_and_escaped_quotes() {
        let f = PathFormat::parse("'it''s'/''YYYY").unwrap();
        assert_eq!(f.format(T).unwrap(), "it's/'2024");
        assert!(PathFormat::parse("'open").is_err());
    }

    #[test]
    fn unsupported_letters_are_rejected() {
        assert!(PathFormat::parse("YYYY/MMM").is_err());
        assert!(PathFormat::parse("EEE").is_err());
        assert!(PathFormat::parse("x").is_err());
    }

    #[test]
    fn before_epoch() {
        let f = PathFormat::parse("YYYY-MM-dd HH").unwrap();
        assert_eq!(f.format(-1).unwrap(), "1969-12-31 23");
    }
}
