//! `money`: PostgreSQL prints it with the session's `lc_monetary` (currency symbol, group
//! separators, a locale's negative form). Every Sluice connection pins `lc_monetary=C`
//! ([`crate::connection`]), which prints `-$1,234.56`; this turns that into the plain decimal
//! text (`-1234.56`) the numeric converters read. Parentheses, the other common negative form,
//! are accepted too.

/// The plain decimal text of a `money` value.
pub fn plain_decimal(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let (negative, body) = match trimmed.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (trimmed.contains('-'), trimmed),
    };
    let mut out = String::with_capacity(body.len() + 1);
    if negative {
        out.push('-');
    }
    for c in body.chars() {
        match c {
            '0'..='9' | '.' => out.push(c),
            // Currency symbol, group separators, the sign (handled above), spaces.
            '$' | ',' | '-' | ' ' => {}
            other => {
                return Err(format!(
                    "unexpected '{other}' in a money value (the connection sets lc_monetary=C, \
                     which prints -$1,234.56)"
                ));
            }
        }
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) {
        return Err("no digits in a money value".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_locale_forms() {
        assert_eq!(plain_decimal("-$1,234.56").unwrap(), "-1234.56");
        assert_eq!(plain_decimal("$0.07").unwrap(), "0.07");
        assert_eq!(
            plain_decimal("$92,233,720,368,547,758.07").unwrap(),
            "92233720368547758.07"
        );
        assert_eq!(plain_decimal("($5.00)").unwrap(), "-5.00");
        assert!(plain_decimal("€5,00").is_err());
        assert!(plain_decimal("$").is_err());
    }
}
