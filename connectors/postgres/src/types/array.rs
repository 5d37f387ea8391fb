//! PostgreSQL's array text format, one dimension: `{1,2,3}`, `{x,"y z",NULL,"q\"uote"}`.
//!
//! Elements are separated by `,` (the delimiter of every type Sluice maps; only `box` uses
//! `;`). A quoted element may contain anything, with `\` escaping the next character; an
//! unquoted element is taken as is after trimming white space, and an unquoted `NULL` (any
//! case) is SQL `NULL`. An optional dimension decoration (`[0:2]={…}`) is skipped.
//! Multi-dimensional arrays are rejected: Debezium maps array columns to a flat Connect
//! `ARRAY` of the element type.

/// The elements of a one-dimensional array literal; `None` for a `NULL` element.
pub fn parse(text: &str) -> Result<Vec<Option<String>>, String> {
    let body = match text.split_once('=') {
        Some((dims, rest)) if dims.starts_with('[') => rest,
        _ => text,
    };
    let inner = body
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .ok_or_else(|| "not an array literal {…}".to_string())?;
    let mut items = Vec::new();
    if inner.trim().is_empty() {
        return Ok(items);
    }
    let mut chars = inner.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let item = match chars.peek() {
            Some('{') => return Err("multi-dimensional arrays are not supported".into()),
            Some('"') => {
                chars.next();
                let mut item = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => item.push(chars.next().ok_or("dangling escape")?),
                        Some('"') => break,
                        Some(c) => item.push(c),
                        None => return Err("unterminated quoted element".into()),
                    }
                }
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                Some(item)
            }
            _ => {
                let mut item = String::new();
                while let Some(c) = chars.next_if(|&c| c != ',') {
                    if c == '"' || c == '{' || c == '}' {
                        return Err(format!("unexpected '{c}' in an unquoted element"));
                    }
                    item.push(c);
                }
                let item = item.trim_end();
                if item.is_empty() {
                    return Err("empty unquoted element".into());
                }
                (!item.eq_ignore_ascii_case("NULL")).then(|| item.to_string())
            }
        };
        items.push(item);
        match chars.next() {
            Some(',') => continue,
            None => return Ok(items),
            Some(c) => return Err(format!("expected ',' between elements, found '{c}'")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(parse("{}").unwrap(), vec![]);
        assert_eq!(parse("{4,5,6}").unwrap(), vec![s("4"), s("5"), s("6")]);
        assert_eq!(
            parse(r#"{x,"y z",NULL,"q\"uote","NULL"}"#).unwrap(),
            vec![s("x"), s("y z"), None, s("q\"uote"), s("NULL")]
        );
        assert_eq!(parse("[0:1]={1,2}").unwrap(), vec![s("1"), s("2")]);
        assert!(parse("{{1,2},{3,4}}").is_err());
        assert!(parse("{1,").is_err());
        assert!(parse("1,2").is_err());
    }
}
